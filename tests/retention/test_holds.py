"""Legal hold (bevriezing): placed and lifted by the privacy officer (who finds the case by its reference and sees
no content) or a supervisor of the case's team; refused for anyone else; audited, on the tijdlijn without its
reason, optimistically locked. And the four-eyes extension of a case's retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.approvals import services as approvals
from casus.approvals.models import ApprovalKind, ApprovalStatus
from casus.audit.models import AuditEvent
from casus.clock import today
from casus.retention import extension, holds, terms
from casus.retention.models import LegalHold
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent


def text(response) -> str:
    return response.get_data(as_text=True)


def _actions(db, case_id: int) -> list[tuple[str, str]]:
    return [(event.action, str(event.outcome)) for event in db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)).scalars()]


def test_the_privacy_officer_finds_the_case_by_reference_and_places_a_hold(client, db, ret_world, login, auth):
    w = ret_world
    closed = w["closed"]
    login(w["privacy"])
    assert client.get("/bewaring").status_code == 200
    missing = client.get("/bewaring", query_string={"reference": "2026-99999"})
    assert "Er is geen casus met dit nummer" in text(missing)
    found = client.get("/bewaring", query_string={"reference": closed.reference})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/bewaring/{closed.reference}")
    page = text(client.get(f"/bewaring/{closed.reference}"))
    assert closed.reference in page and closed.archiefactiedatum.strftime("%d-%m-%Y") in page
    assert closed.title not in page  # no case content for the privacy officer
    until = today() + timedelta(days=400)
    response = auth.post(f"/bewaring/{closed.reference}/bevriezen",
                         {"reason": "Lopende procedure bij de rechtbank", "until": until.strftime("%d-%m-%Y")})
    assert response.status_code == 302, text(response)
    [hold] = holds.active_holds_of(closed)
    assert (hold.placed_by_id, hold.until) == (w["privacy"].id, until)
    assert hold.reason == "Lopende procedure bij de rechtbank"
    assert holds.is_under_hold(closed.id)
    assert ("legal_hold.placed", "success") in _actions(db, closed.id)
    line = db.session.execute(sa.select(TimelineEvent).where(TimelineEvent.case_id == closed.id,
                                                             TimelineEvent.kind == "legal_hold.placed")).scalar_one()
    assert "rechtbank" not in line.summary  # the reason stays off the tijdlijn


def test_the_hold_and_extension_lines_are_the_teams_not_the_partners(client, db, ret_world, login, auth):
    w = ret_world
    closed = w["closed"]
    holds.place_hold(w["privacy"], closed, reason="Procedure")
    login(w["supervisor"])
    assert "Casus bevroren" in text(client.get(f"/casussen/{closed.id}/tijdlijn"))
    auth.logout()
    login(w["partner"])
    timeline = client.get(f"/casussen/{closed.id}/tijdlijn")
    assert timeline.status_code == 200 and "Casus bevroren" not in text(timeline)


def test_a_supervisor_of_the_team_places_and_lifts_from_the_case_file(client, db, ret_world, login, auth):
    w = ret_world
    closed = w["closed"]
    login(w["supervisor"])
    assert f"/bewaring/{closed.reference}" in text(client.get(f"/casussen/{closed.id}"))
    response = auth.post(f"/bewaring/{closed.reference}/bevriezen", {"reason": "Klacht in behandeling"},
                         form_url=f"/bewaring/{closed.reference}")
    assert response.status_code == 302
    [hold] = holds.active_holds_of(closed)
    assert hold.until is None
    assert "bevroren tot wederopzegging" in text(client.get(f"/casussen/{closed.id}"))
    stale = auth.post(f"/bewaring/{closed.reference}/bevriezingen/{hold.id}/opheffen",
                      {"lift_reason": "Klacht afgehandeld", "version": "7"}, form_url=f"/bewaring/{closed.reference}")
    assert stale.status_code == 302
    db.session.refresh(hold)
    assert hold.lifted_at is None
    lifted = auth.post(f"/bewaring/{closed.reference}/bevriezingen/{hold.id}/opheffen",
                       {"lift_reason": "Klacht afgehandeld", "version": str(hold.version)},
                       form_url=f"/bewaring/{closed.reference}")
    assert lifted.status_code == 302
    db.session.refresh(hold)
    assert hold.lifted_by_id == w["supervisor"].id and hold.lift_reason == "Klacht afgehandeld"
    assert not holds.is_under_hold(closed.id)
    assert ("legal_hold.lifted", "success") in _actions(db, closed.id)


@pytest.mark.parametrize("who, status", [("regisseur", 403), ("partner", 403), ("elsewhere", 404)])
def test_others_may_not_place_a_hold(client, db, ret_world, login, auth, who, status):
    w = ret_world
    closed = w["closed"]
    login(w[who])
    token_page = "/" if who != "regisseur" else f"/bewaring/{closed.reference}"
    response = auth.post(f"/bewaring/{closed.reference}/bevriezen", {"reason": "Zomaar"}, form_url=token_page)
    assert response.status_code == status
    assert db.session.execute(sa.select(LegalHold)).first() is None
    assert ("legal_hold.placed", "denied") in _actions(db, closed.id) or status == 404
    with pytest.raises(ServiceError) as refused:
        holds.place_hold(w[who], closed, reason="Zomaar")
    assert refused.value.status == 403


def test_the_procesregisseur_sees_the_page_but_no_hold_form(client, db, ret_world, login):
    w = ret_world
    login(w["regisseur"])
    page = text(client.get(f"/bewaring/{w['closed'].reference}"))
    assert "Verlenging aanvragen" in page and "Casus bevriezen" not in page


def test_a_hold_needs_a_reason_and_no_end_date_in_the_past(db, ret_world):
    w = ret_world
    with pytest.raises(ServiceError) as no_reason:
        holds.place_hold(w["privacy"], w["closed"], reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ServiceError) as past:
        holds.place_hold(w["privacy"], w["closed"], reason="Procedure", until=today() - timedelta(days=1))
    assert past.value.field == "until"


def test_an_expired_hold_no_longer_holds(db, ret_world):
    w = ret_world
    hold = holds.place_hold(w["privacy"], w["closed"], reason="Procedure", until=today())
    assert holds.is_under_hold(w["closed"].id)
    hold.until = today() - timedelta(days=1)
    db.session.flush()
    assert not holds.is_under_hold(w["closed"].id)


# --- retention extension, four eyes ----------------------------------------------------------------------------

def test_an_extension_asked_by_a_privacy_officer_is_decided_by_another_and_sets_the_date(db, ret_world):
    w = ret_world
    closed = w["closed"]
    until = closed.archiefactiedatum + timedelta(days=365)
    approval = extension.request_extension(w["privacy"], closed, until=until, reason="Verzoek van de officier")
    assert approval.kind == ApprovalKind.RETENTION_EXTENSION and approval.details == {"until": until.isoformat()}
    from casus.notifications.models import Notification
    told = set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.key.like(f"approval:{approval.id}:requested:%"))))
    assert w["privacy2"].id in told and w["privacy"].id not in told  # the other officer may decide it: told too
    with pytest.raises(ServiceError) as own:
        approvals.decide(w["privacy"], approval, approve=True)
    assert own.value.status == 403
    db.session.refresh(closed)
    assert closed.archiefactiedatum != until
    approvals.decide(w["privacy2"], approval, approve=True)
    db.session.refresh(closed)
    assert approval.status == ApprovalStatus.GOEDGEKEURD and closed.archiefactiedatum == until
    # A later change of the category's term leaves the extended case alone.
    term = terms.term_for_category(closed.category_id)
    terms.change_term(w["privacy"], term, months=1, archiefnominatie="vernietigen", basis=None,
                      expected_version=None)
    db.session.refresh(closed)
    assert closed.archiefactiedatum == until
    assert ("retention_extension.granted", "success") in _actions(db, closed.id)


def test_an_extension_asked_by_the_procesregisseur_is_decided_by_a_supervisor(db, ret_world):
    w = ret_world
    closed = w["closed"]
    until = closed.archiefactiedatum + timedelta(days=30)
    approval = extension.request_extension(w["regisseur"], closed, until=until, reason="Nazorg loopt nog")
    with pytest.raises(ServiceError):
        approvals.decide(w["elsewhere"], approval, approve=True)
    approvals.decide(w["supervisor"], approval, approve=True)
    db.session.refresh(closed)
    assert closed.archiefactiedatum == until


def test_an_extension_is_refused_for_others_for_open_cases_and_for_earlier_dates(db, ret_world):
    w = ret_world
    closed = w["closed"]
    with pytest.raises(ServiceError) as partner:
        extension.request_extension(w["partner"], closed, until=closed.archiefactiedatum + timedelta(1), reason="x")
    assert partner.value.status == 403
    with pytest.raises(ServiceError) as running:
        extension.request_extension(w["privacy"], w["case"], until=today() + timedelta(1000), reason="x")
    assert running.value.status == 409
    with pytest.raises(ServiceError) as earlier:
        extension.request_extension(w["privacy"], closed, until=closed.archiefactiedatum, reason="x")
    assert earlier.value.field == "until"


def test_an_extension_is_asked_on_the_page(client, db, ret_world, login, auth):
    w = ret_world
    closed = w["closed"]
    login(w["privacy"])
    until = closed.archiefactiedatum + timedelta(days=100)
    response = auth.post(f"/bewaring/{closed.reference}/verlengen",
                         {"extension-until": until.strftime("%d-%m-%Y"), "extension-reason": "Lopend onderzoek"})
    assert response.status_code == 302, text(response)
    page = text(client.get(f"/bewaring/{closed.reference}"))
    assert "Lopend onderzoek" in page and until.strftime("%d-%m-%Y") in page and "Open" in page


def test_another_privacy_officer_decides_an_extension_in_the_approvals_queue(client, db, ret_world, login, auth):
    w = ret_world
    closed = w["closed"]
    until = closed.archiefactiedatum + timedelta(days=200)
    approval = extension.request_extension(w["privacy"], closed, until=until, reason="Lopend onderzoek")
    login(w["privacy2"])
    queue = text(client.get("/akkoorden"))
    assert f"/akkoorden/{approval.id}" in queue and closed.title not in queue
    detail = text(client.get(f"/akkoorden/{approval.id}"))
    assert closed.reference in detail and closed.title not in detail
    assert "Bewaren tot en met" in detail and until.strftime("%d-%m-%Y") in detail
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": approval.version},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302, text(response)
    db.session.refresh(closed)
    assert closed.archiefactiedatum == until


def test_the_case_retention_page_asks_the_same_number_of_queries_for_few_and_many_holds(
        client, db, ret_world, login, count_queries):
    w = ret_world
    closed = w["closed"]
    first = holds.place_hold(w["privacy"], closed, reason="Eerste")
    holds.lift_hold(w["supervisor"], first, reason="Klaar", expected_version=None)
    extension.request_extension(w["privacy"], closed, until=closed.archiefactiedatum + timedelta(1), reason="x")
    login(w["supervisor"])
    url = f"/bewaring/{closed.reference}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for number in range(8):
        hold = holds.place_hold(w["supervisor"], closed, reason=f"Bevriezing {number}")
        holds.lift_hold(w["privacy"], hold, reason="Klaar", expected_version=None)
    db.session.flush()
    with count_queries() as many:
        page = text(client.get(url))
    assert "Bevriezing 7" in page
    assert many.count == few.count, "\n".join(many.statements[len(few.statements) - 3:])
