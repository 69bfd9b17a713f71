"""A user's language goes through one service: the language switch and PATCH /api/v1/me both call
``users.services.set_locale``, which checks the value and audits the change with the user as actor."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from support import ok


def _locale_events(db, user):
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "user.locale", AuditEvent.object_id == str(user.id)).order_by(AuditEvent.id)).scalars())


def test_set_locale_changes_the_language_and_audits_it_with_the_user_as_actor(app, db, make_user):
    from casus.users.services import set_locale

    user = make_user("partner")
    with app.test_request_context():
        set_locale(user, "en")
        set_locale(user, "en")  # no change, no event
        set_locale(user, None)  # back to the default
    assert user.locale is None
    events = _locale_events(db, user)
    assert [(event.user_id, event.details) for event in events] == [
        (user.id, {"from": None, "to": "en"}), (user.id, {"from": "en", "to": None})]


def test_set_locale_refuses_a_language_casus_does_not_speak(app, db, make_user):
    from casus.services import ServiceError
    from casus.users.services import set_locale

    user = make_user("partner", locale="nl")
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        set_locale(user, "de")
    assert refused.value.field == "locale"
    assert user.locale == "nl" and _locale_events(db, user) == []


def test_the_language_switch_stores_the_choice_through_the_service(client, db, auth, login_as):
    user = login_as("partner")
    response = client.post("/taal", data={"locale": "en", "next": "/", "csrf_token": auth.csrf("/")})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "en"
    assert [event.user_id for event in _locale_events(db, user)] == [user.id]


def test_patch_me_stores_the_locale_through_the_service(api, db, make_user):
    user = make_user("partner")
    assert ok(api(user, "PATCH", "/me", json={"locale": "en"}))["locale"] == "en"
    db.session.refresh(user)
    assert user.locale == "en"
    assert [event.details["to"] for event in _locale_events(db, user)] == ["en"]
