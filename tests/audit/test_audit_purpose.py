"""Purpose binding: a purpose-bound view shows nothing until the user states a purpose of at least ten
characters, and then every audit event of the request carries it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

PURPOSE = "Inzageverzoek AVG-2026-017"


def _person_search():
    """A view as the privacy officer's person search would be: it reads, audits, and links to its next page."""
    from flask import url_for

    from casus.audit.purpose import purpose_args, purpose_required
    from casus.audit.services import record

    @purpose_required
    def view():
        record("audit.view", object_type="audit_log")
        record("audit.export", object_type="audit_log", purpose="eigen doel")
        return f"gegevens van de persoon; {url_for('audit.index', na='x', **purpose_args())}"

    return view


def _events(db, action):
    from casus.audit.models import AuditEvent

    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


@pytest.mark.parametrize(("query", "message"), [
    ("", None),
    ("?doel=", "Vermeld waarom u deze gegevens raadpleegt."),
    ("?doel=+++++++++++++", "Vermeld waarom u deze gegevens raadpleegt."),  # spaces only
    ("?doel=te+kort", "Beschrijf het doel in 10 tot 200 tekens."),
    ("?doel=" + "x" * 201, "Beschrijf het doel in 10 tot 200 tekens."),
])
def test_without_a_valid_purpose_the_form_is_shown_and_nothing_read(app, db, query, message):
    view = _person_search()
    with app.test_request_context("/audit/persoon" + query + ("&" if query else "?") + "bsn=111222333&x=1"):
        html = view()
    assert "gegevens van de persoon" not in html
    assert 'name="doel"' in html and 'action="/audit/persoon"' in html
    assert '<input type="hidden" name="bsn" value="111222333">' in html  # the search goes on once stated
    assert 'name="doel" value=' not in html.split("<textarea")[0]  # the purpose itself is not carried twice
    if message:
        assert message in html
    assert not _events(db, "audit.view")


def test_with_a_purpose_the_view_runs_and_its_events_carry_it(app, db):
    view = _person_search()
    with app.test_request_context("/audit/persoon", query_string={"doel": f"  {PURPOSE}  "}):
        body = view()
    assert body.startswith("gegevens van de persoon")
    assert "doel=Inzageverzoek+AVG-2026-017" in body  # the next page keeps the purpose
    (event,) = _events(db, "audit.view")
    assert event.purpose == PURPOSE
    (own,) = _events(db, "audit.export")
    assert own.purpose == "eigen doel"  # an event that names its own purpose keeps it


def test_a_purpose_is_bound_to_its_request_only(app, db):
    from casus.audit.services import record

    view = _person_search()
    with app.test_request_context("/audit/persoon", query_string={"doel": PURPOSE}):
        view()
    with app.test_request_context("/audit"):
        record("audit.view", object_type="audit_log", details={"second": True})
    second = [event for event in _events(db, "audit.view") if event.details]
    assert second and second[0].purpose is None
