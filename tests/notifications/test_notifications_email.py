"""E-mail through a real SMTP server: language, link, no personal data, once, and retries that never crash."""

from __future__ import annotations

from datetime import date, timedelta

import pytest


@pytest.fixture
def review_for(app, db, managed_case, make_subject, local_moment):
    """``review_for(locale=None)`` -> (case, procesregisseur, now) with a review-due notification recorded."""
    from casus.notifications import jobs

    def make(locale=None, **regisseur_fields):
        subject = make_subject(name="Jan Jansen", bsn="123456782")
        case, regisseur, _team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20),
                                              title="Woonoverlast Jan Jansen", subjects=[subject],
                                              regisseur_fields={"locale": locale, **regisseur_fields})
        now = local_moment(2026, 11, 23)
        assert jobs.review_due(app, now) == 1
        return case, regisseur, now

    return make


def closed_port() -> int:
    """A port nobody listens on: connecting is refused at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _send(app, now):
    from casus.notifications.services import send_pending_emails

    return send_pending_emails(app, now)


def test_mail_in_dutch_with_a_link_and_no_personal_data(app, db, smtp_server, review_for, notifications_of):
    case, regisseur, now = review_for()
    report = _send(app, now)
    assert report.sent == 1
    [(recipients, message)] = smtp_server.messages
    assert recipients == [regisseur.email]
    assert message["To"] == regisseur.email
    assert message["Content-Language"] == "nl"
    assert message["Subject"] == f"Casus: Herbeoordeling nodig: casus {case.reference}"
    text = smtp_server.text()
    assert f"http://127.0.0.1:5000/casussen/{case.id}" in text
    assert "20-11-2026" in text and "Bekijk in Casus" in text
    for secret in ("Jan", "Jansen", "123456782", "Woonoverlast", regisseur.name):
        assert secret not in text
    [notification] = notifications_of()
    assert notification.email_sent_at == now and notification.next_attempt_at is None
    assert notification.email_attempts == 1


def test_mail_in_english_for_an_english_user(app, db, smtp_server, review_for):
    case, _regisseur, now = review_for(locale="en")
    _send(app, now)
    [(_recipients, message)] = smtp_server.messages
    assert message["Content-Language"] == "en"
    assert message["Subject"] == f"Casus: Review due: case {case.reference}"
    assert "View in Casus" in smtp_server.text() and "Bekijk" not in smtp_server.text()


def test_running_jobs_and_the_mail_step_twice_sends_one_mail(app, db, smtp_server, review_for):
    from casus.notifications import jobs

    _case, _regisseur, now = review_for()
    assert jobs.review_due(app, now) == 0
    _send(app, now)
    assert jobs.review_due(app, now + timedelta(hours=1)) == 0
    assert _send(app, now + timedelta(hours=1)).sent == 0
    assert len(smtp_server.messages) == 1


def test_several_notifications_for_one_user_make_one_mail(app, db, smtp_server, managed_case, make_user,
                                                          local_moment):
    from casus.notifications import jobs

    case, regisseur, team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20))
    second = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 19), team=team)[0]
    second.procesregisseur_id = regisseur.id
    db.session.flush()
    now = local_moment(2026, 11, 23)
    assert jobs.review_due(app, now) == 2
    assert _send(app, now).sent == 2
    [(_recipients, message)] = smtp_server.messages
    assert message["Subject"] == "Casus: 2 nieuwe meldingen"
    text = smtp_server.text()
    assert case.reference in text and second.reference in text


def test_a_failing_server_is_retried_with_backoff_and_never_raises(app, db, smtp_server, review_for,
                                                                   notifications_of):
    _case, _regisseur, now = review_for()
    smtp_server.answer = "451 4.3.0 Probeer het later nog eens"
    report = _send(app, now)
    assert (report.sent, report.failed, report.error_kinds) == (0, 1, {"SMTPDataError"})
    [notification] = notifications_of()
    assert notification.email_attempts == 1 and notification.last_error_kind == "SMTPDataError"
    assert notification.next_attempt_at == now + timedelta(minutes=1)

    assert _send(app, now + timedelta(seconds=30)).failed == 0  # not due yet: not tried
    assert _send(app, now + timedelta(minutes=1)).failed == 1
    assert notifications_of()[0].next_attempt_at == now + timedelta(minutes=1 + 5)

    smtp_server.answer = None
    assert _send(app, now + timedelta(minutes=6)).sent == 1
    [notification] = notifications_of()
    assert notification.email_attempts == 3 and notification.email_sent_at is not None
    assert notification.last_error_kind is None
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_gives_up_after_eight_attempts(app, db, review_for, notifications_of, monkeypatch):
    from casus.mail import Mailer
    from casus.notifications.services import EMAIL_MAX_ATTEMPTS

    monkeypatch.setitem(app.extensions, "casus_mailer", Mailer(host="127.0.0.1", port=closed_port(),
                                                               sender="casus@example.org", timeout=2))
    _case, _regisseur, now = review_for()
    moment = now
    for attempt in range(1, EMAIL_MAX_ATTEMPTS + 1):
        report = _send(app, moment)
        assert report.failed + report.given_up == 1, attempt
        [notification] = notifications_of()
        assert notification.email_attempts == attempt
        assert notification.last_error_kind == "ConnectionRefusedError"
        if attempt < EMAIL_MAX_ATTEMPTS:
            moment = notification.next_attempt_at
    assert notifications_of()[0].next_attempt_at is None  # given up
    assert _send(app, moment + timedelta(days=30)).failed == 0


def test_a_permanent_refusal_is_not_retried(app, db, smtp_server, review_for, notifications_of):
    _case, _regisseur, now = review_for()
    smtp_server.answer = "550 5.1.1 Mailbox onbekend"
    report = _send(app, now)
    assert report.given_up == 1
    [notification] = notifications_of()
    assert notification.next_attempt_at is None and notification.last_error_kind == "SMTPDataError"


def test_no_mail_about_a_case_the_recipient_can_no_longer_see(app, db, smtp_server, review_for, make_team,
                                                              notifications_of):
    _case, regisseur, now = review_for()
    regisseur.team = make_team()
    db.session.flush()
    report = _send(app, now)
    assert report.skipped == 1 and smtp_server.messages == []
    assert notifications_of()[0].next_attempt_at is None


def test_the_send_job_survives_anything_through_run_job(app, db, review_for, monkeypatch):
    from casus.mail import Mailer
    from casus.scheduling.jobs import registry
    from casus.scheduling.runner import run_job

    class Exploding(Mailer):
        def connect(self):
            raise RuntimeError("boom with a@b.example in the message")

    monkeypatch.setitem(app.extensions, "casus_mailer", Exploding(host="x", port=1, sender="casus@example.org"))
    _case, _regisseur, now = review_for()
    assert run_job(app, registry()["send_emails"], now) is None  # logged and rolled back, not raised


def test_backoff_grows_and_is_capped():
    from casus.notifications.services import email_backoff

    assert [email_backoff(n).total_seconds() / 60 for n in range(1, 7)] == [1, 5, 25, 125, 360, 360]



def test_an_unreachable_server_is_tried_once_per_run_not_once_per_recipient(app, db, managed_case, local_moment,
                                                                            notifications_of):
    from casus.mail import Mailer, SMTPConnection
    from casus.notifications import jobs

    opened = []

    class Counting(SMTPConnection):
        def _open(self):
            opened.append(1)
            return super()._open()

    class CountingMailer(Mailer):
        def connect(self):
            return Counting(self)

    for _ in range(3):
        managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20))
    now = local_moment(2026, 11, 23)
    assert jobs.review_due(app, now) == 3
    report = _send_and_mailer(app, now, CountingMailer(host="127.0.0.1", port=closed_port(),
                                                       sender="casus@example.org", timeout=2))
    assert report.failed == 3 and len(opened) == 1
    assert {n.next_attempt_at for n in notifications_of()} == {now + timedelta(minutes=1)}


def _send_and_mailer(app, now, mailer):
    from casus.notifications.services import send_pending_emails

    return send_pending_emails(app, now, mailer=mailer)


def test_each_kind_with_an_attachment_has_the_builder_its_domain_registered_at_app_start(app):
    from casus.meetings.calendar import invitation_attachment
    from casus.notifications.kinds import KINDS
    from casus.notifications.services import ATTACHMENTS

    with_attachment = {name for name, spec in KINDS.items() if spec.attachment}
    registered = app.extensions[ATTACHMENTS]
    assert with_attachment and set(registered) == with_attachment
    # the calendar's .ics builder, wrapped by casus.printing.mail so that an invitation may carry the agenda PDF too
    assert all(getattr(builder, "__wrapped__", None) is invitation_attachment for builder in registered.values())


def test_an_app_without_a_builder_for_a_kind_with_an_attachment_does_not_start():
    from flask import Flask

    from casus.notifications.services import init_attachments

    with pytest.raises(RuntimeError, match="meeting_invitation"):
        init_attachments(Flask(__name__), {})
