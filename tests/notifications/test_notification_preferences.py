"""Per kind, a user chooses how notifications reach them — direct by e-mail, in the daily digest, or in Casus
only — on "Meldingen — voorkeuren" and through /api/v1/me/notification-preferences; the choice decides when the
e-mail is due, and the digest arrives as one message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from casus.notifications.models import Delivery, NotificationPreference

from support import ok

NOW = datetime(2026, 12, 2, 9, 15, tzinfo=UTC)  # 10:15 in Amsterdam: the next digest is tomorrow at 07:00
NEXT_DIGEST = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _record(user, kind="review_due", key=None, now=NOW, reference="2026-00042"):
    from casus.notifications.services import NewNotification, notify_many

    return notify_many([NewNotification(user_id=user.id, key=key or f"test:{kind}:{user.id}:{reference}", kind=kind,
                                        link="/casussen/1", params={"reference": reference, "date": "2026-12-01"})],
                       now=now)


def _choose(db, user, **choices):
    for kind, delivery in choices.items():
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=Delivery(delivery)))
    db.session.flush()


def _stored(db, user):
    return dict(db.session.execute(sa.select(NotificationPreference.kind, NotificationPreference.delivery)
                                   .where(NotificationPreference.user_id == user.id)).all())


# --- the choice decides next_attempt_at ---------------------------------------------------------------------------

@pytest.mark.parametrize(("delivery", "due"), [("direct", NOW), ("dagoverzicht", NEXT_DIGEST),
                                               ("alleen_in_app", None)])
def test_the_choice_decides_when_the_email_is_due(app, db, make_user, notifications_of, delivery, due):
    user = make_user("procesregisseur")
    _choose(db, user, review_due=delivery)
    assert _record(user) == 1
    [notification] = notifications_of(user)
    assert notification.next_attempt_at == due


def test_without_a_choice_each_kind_has_its_default(app, db, make_user, notifications_of):
    user = make_user("partner")
    _record(user, kind="participation_started")
    _record(user, kind="action_due_changed")
    _record(user, kind="case_on_agenda")
    invited, due_changed, agenda = notifications_of(user)
    assert invited.next_attempt_at == NOW
    assert due_changed.next_attempt_at == agenda.next_attempt_at == NEXT_DIGEST


def test_the_digest_moment_is_local_time_and_configurable(app, db, monkeypatch):
    from dataclasses import replace

    from casus.notifications.preferences import next_digest

    assert next_digest(datetime(2026, 12, 2, 5, 59, tzinfo=UTC)) == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert next_digest(datetime(2026, 12, 2, 6, 0, tzinfo=UTC)) == NEXT_DIGEST
    # Summer time: 07:00 in Amsterdam is 05:00 UTC.
    assert next_digest(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], digest_time=time(17, 30)))
    assert next_digest(NOW) == datetime(2026, 12, 2, 16, 30, tzinfo=UTC)


def test_the_digest_time_is_read_from_the_environment():
    from casus.config import Config, ConfigError

    assert Config.from_env({"CASUS_ENV": "testing"}).digest_time == time(7, 0)
    assert Config.from_env({"CASUS_ENV": "testing", "CASUS_DIGEST_TIME": "06:45"}).digest_time == time(6, 45)
    for wrong in ("7", "25:00", "07:60", "zeven uur"):
        with pytest.raises(ConfigError):
            Config.from_env({"CASUS_ENV": "testing", "CASUS_DIGEST_TIME": wrong})


def test_the_digest_groups_a_users_notifications_into_one_message(app, db, smtp_server, make_user):
    from casus.notifications.services import send_pending_emails

    user = make_user("procesregisseur")
    _choose(db, user, review_due="dagoverzicht", action_stale="dagoverzicht")
    for number in range(3):
        _record(user, reference=f"2026-0004{number}")
    _record(user, kind="action_stale", reference="2026-00050")
    _record(user, kind="triage_deadline", reference="2026-00060")  # direct: its own message, at once
    assert send_pending_emails(app, NOW).sent == 1
    assert [message["Subject"] for _to, message in smtp_server.messages] == [
        "Casus: Triagetermijn verloopt: casus 2026-00060"]
    assert send_pending_emails(app, NEXT_DIGEST - timedelta(minutes=1)).sent == 0
    assert send_pending_emails(app, NEXT_DIGEST).sent == 4
    [(_to, digest)] = smtp_server.messages[1:]
    assert digest["Subject"] == "Dagoverzicht Casus: 4 meldingen"
    body = smtp_server.text()
    for reference in ("2026-00040", "2026-00041", "2026-00042", "2026-00050"):
        assert reference in body


def test_a_digest_of_one_says_so_in_the_singular(app, db, smtp_server, make_user):
    from casus.notifications.services import send_pending_emails

    user = make_user("procesregisseur")
    _choose(db, user, review_due="dagoverzicht")
    _record(user)
    assert send_pending_emails(app, NEXT_DIGEST).sent == 1
    assert smtp_server.messages[0][1]["Subject"] == "Dagoverzicht Casus: 1 melding"


def test_in_app_only_sends_nothing(app, db, smtp_server, make_user, notifications_of):
    from casus.notifications.services import send_pending_emails

    user = make_user("procesregisseur")
    _choose(db, user, review_due="alleen_in_app")
    _record(user)
    assert send_pending_emails(app, NEXT_DIGEST + timedelta(days=1)).sent == 0
    assert smtp_server.messages == [] and len(notifications_of(user)) == 1


def test_an_invitation_email_carries_only_a_reference_and_a_link(app, db, smtp_server, make_user, make_case,
                                                                  make_organisation, make_subject):
    """Through the real SMTP server: the partner's contact person is invited into a case."""
    from casus.cases import services
    from casus.notifications.services import send_pending_emails

    team_organisation = make_organisation()
    regisseur = make_user("procesregisseur", organisation=team_organisation)
    partner = make_organisation(name="Woonstichting Voorbeeld")
    contact = make_user("partner", organisation=partner, name="Carla Contact")
    subject = make_subject(name="Jan Jansen", bsn="123456782")
    case = make_case(team=regisseur.team, partners=[team_organisation], phase="aanpak.plan", procesregisseur=regisseur,
                     title="Woonoverlast Jan Jansen", subjects=[subject])
    with app.test_request_context():
        services.invite_organisation(regisseur, case, organisation_id=partner.id, role="deelnemer",
                                     legal_basis="convenant", contact_user_id=contact.id)
    db.session.flush()
    assert send_pending_emails(app, datetime.now(UTC)).sent == 1
    [(recipients, message)] = smtp_server.messages
    assert recipients == [contact.email]
    assert message["Subject"] == f"Casus: Uw organisatie neemt deel aan casus {case.reference}"
    text = smtp_server.text()
    assert case.reference in text and f"http://127.0.0.1:5000/casussen/{case.id}" in text
    for secret in ("Jan", "Jansen", "123456782", "Woonoverlast", "Carla", regisseur.name, "Woonstichting"):
        assert secret not in text
    assert "http://127.0.0.1:5000/meldingen/voorkeuren" in text  # where to choose digest or in-app instead


# --- the page --------------------------------------------------------------------------------------------------

def test_the_page_shows_a_fieldset_per_kind_with_the_current_choice(client, db, login_as):
    user = login_as("partner")
    _choose(db, user, review_due="alleen_in_app")
    page = client.get("/meldingen/voorkeuren").get_data(as_text=True)
    assert "<h1" in page and "Meldingen — voorkeuren" in page
    assert page.count("<fieldset") >= 30
    assert "<legend" in page and "Uitnodiging om deel te nemen aan een casus" in page
    assert 'id="review_due-2" name="review_due" value="alleen_in_app" checked' in page
    assert 'name="participation_started" value="direct" checked' in page
    assert 'name="action_due_changed" value="dagoverzicht" checked' in page
    # In sections: the kinds of a partner's cases first, each kind in exactly one section.
    sections = re.findall(r'<h2 class="utrecht-heading-2">([^<]+)</h2>', page)
    assert sections[:4] == ["Casussen waaraan u deelneemt", "Uw signalen", "Termijnen en herinneringen", "Overleggen"]
    assert "Overige meldingen" not in page


def test_every_kind_has_a_label_and_a_section():
    from casus.notifications.kinds import KINDS
    from casus.notifications.preferences import GROUPS, grouped_kinds

    named = [name for _label, names in GROUPS for name in names]
    assert sorted(named) == sorted(KINDS) and len(named) == len(set(named))
    assert all(spec.label for spec in KINDS.values())
    assert sum(len(specs) for _label, specs in grouped_kinds()) == len(KINDS)


def test_the_page_is_linked_from_the_notifications_and_the_account(client, login_as):
    login_as("partner")
    for page in ("/meldingen", "/account"):
        assert 'href="/meldingen/voorkeuren"' in client.get(page).get_data(as_text=True)


def _form(page_choices=None):
    from casus.notifications.preferences import choosable_kinds

    data = {spec.name: spec.delivery.value for spec in choosable_kinds()}
    data.update(page_choices or {})
    return data


def test_saving_the_page_stores_only_what_differs_from_the_default_and_audits(client, db, auth, login_as):
    from casus.audit.models import AuditEvent

    user = login_as("partner")
    _choose(db, user, review_due="dagoverzicht")
    response = auth.post("/meldingen/voorkeuren", _form({"action_assigned": "alleen_in_app"}))
    assert response.status_code == 302 and response.headers["Location"].endswith("/meldingen/voorkeuren")
    assert _stored(db, user) == {"action_assigned": Delivery.IN_APP}  # review_due back to its default: no row
    [event] = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "notification_preferences.changed")).scalars()
    assert event.user_id == user.id
    assert event.details == {"changed": {"action_assigned": "alleen_in_app", "review_due": "direct"}}
    assert "opgeslagen" in client.get("/meldingen/voorkeuren").get_data(as_text=True)


def test_an_invalid_choice_is_refused_next_to_its_field(client, db, auth, login_as):
    user = login_as("partner")
    response = auth.post("/meldingen/voorkeuren", _form({"action_assigned": "per_post"}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="action_assigned-error"' in page and "utrecht-alert--error" in page
    assert _stored(db, user) == {}


# --- the API ---------------------------------------------------------------------------------------------------

def test_the_api_reads_and_changes_the_choices(app, db, api, make_user):
    from casus.audit.models import AuditEvent

    user = make_user("partner")
    body = ok(api(user, "GET", "/me/notification-preferences"))
    chosen = body["preferences"]
    assert chosen["participation_started"] == "direct" and chosen["action_due_changed"] == "dagoverzicht"
    assert {"kind": "action_due_changed", "label": "Uiterste datum van een actie gewijzigd",
            "defaultDelivery": "dagoverzicht"} in body["kinds"]
    body = ok(api(user, "PUT", "/me/notification-preferences",
                  json={"preferences": {"participation_started": "alleen_in_app", "case_on_agenda": "direct"}}))
    chosen = body["preferences"]
    assert chosen["participation_started"] == "alleen_in_app" and chosen["case_on_agenda"] == "direct"
    assert chosen["review_due"] == "direct"
    assert _stored(db, user) == {"participation_started": Delivery.IN_APP, "case_on_agenda": Delivery.IMMEDIATELY}
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "notification_preferences.changed", AuditEvent.user_id == user.id)).scalar_one() == 1
    assert ok(api(user, "GET", "/me/notification-preferences"))["preferences"]["participation_started"] == \
        "alleen_in_app"


@pytest.mark.parametrize("body", [
    {"preferences": {"no_such_kind": "direct"}}, {"preferences": {"review_due": "per_post"}},
    {"preferences": {"review_due": 1}}, {"review_due": "direct"}, {}])
def test_the_api_refuses_an_unknown_kind_or_delivery_with_a_problem(app, db, api, make_user, body):
    user = make_user("partner")
    response = api(user, "PUT", "/me/notification-preferences", json=body)
    assert response.status_code == 400
    assert response.content_type.startswith("application/problem+json")
    assert _stored(db, user) == {}


def test_the_service_refuses_an_unknown_kind_by_name(app, db, make_user):
    from casus.notifications.preferences import set_preferences
    from casus.services import ServiceError

    user = make_user("partner")
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        set_preferences(user, {"review_due": "direct", "no_such_kind": "direct"})
    assert "no_such_kind" in refused.value.message
    assert _stored(db, user) == {}


# --- texts -----------------------------------------------------------------------------------------------------

def test_counts_have_a_singular_and_a_plural(app):
    from casus.notifications.kinds import render_intro, render_title

    assert render_title("actions_overdue", {"count": 1, "references": ["2026-00001"]}, "nl") == "1 actie over datum"
    assert render_title("actions_overdue", {"count": 2, "references": ["2026-00001"]}, "nl") == "2 acties over datum"
    params = {"count": 1, "date": "2026-12-07"}
    assert render_title("audit_verification_failed", params, "nl") == "Controle van het auditlog: 1 bevinding"
    assert "1 bevinding:" in render_intro("audit_verification_failed", params, "nl")
    params["count"] = 3
    assert render_title("audit_verification_failed", params, "nl") == "Controle van het auditlog: 3 bevindingen"
    assert "3 bevindingen:" in render_intro("audit_verification_failed", params, "nl")
    # a nazorg check-in counts its months: "na 1 maand", "na 3 maanden", in both languages
    checkin = {"months": 1, "reference": "2026-00001", "date": "2027-01-05"}
    assert render_title("nazorg_checkin", checkin, "nl") == "Nazorgcontact na 1 maand: casus 2026-00001"
    assert "na 1 maand staat voor 05-01-2027" in render_intro("nazorg_checkin", checkin, "nl")
    with app.app_context():
        assert render_title("nazorg_checkin", checkin, "en") == "Aftercare check-in after 1 month: case 2026-00001"
        assert "after 1 month is due on 05-01-2027" in render_intro("nazorg_checkin", checkin, "en")
        checkin["months"] = 3
        assert render_title("nazorg_checkin", checkin, "nl") == "Nazorgcontact na 3 maanden: casus 2026-00001"
        assert "after 3 months is due on 05-01-2027" in render_intro("nazorg_checkin", checkin, "en")


def test_a_change_of_preferences_is_audited_as_account_data(client, db, auth, api, login_as, make_user):
    from casus.audit.models import AuditEvent

    login_as("partner")
    auth.post("/meldingen/voorkeuren", _form({"review_due": "dagoverzicht"}))
    ok(api(make_user("partner"), "PUT", "/me/notification-preferences",
           json={"preferences": {"action_stale": "dagoverzicht"}}))
    events = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "notification_preferences.changed")).scalars().all()
    assert [event.activity for event in events] == ["account", "account"]
