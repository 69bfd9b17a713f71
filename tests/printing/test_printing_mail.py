"""The per-organisation agenda PDF on an invitation e-mail, sent through a real SMTP server (aiosmtpd): each
invited organisation's mail carries only the cases that organisation takes part in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from print_support import pdf_text

from casus.audit.models import AuditEvent

REFERENCE = re.compile(r"\b2026-\d{5}\b")


def _send(app):
    from casus.notifications.services import send_pending_emails

    return send_pending_emails(app, datetime.now(UTC) + timedelta(minutes=1))


def _attachments(message) -> dict[str, bytes]:
    return {part.get_content_type(): part.get_payload(decode=True) for part in message.iter_attachments()}


def test_each_organisation_s_invitation_carries_its_own_agenda(app, db, smtp_server, world):
    from casus.meetings.calendar import notify_attendees

    notify_attendees(world.meeting, "new", attach_agenda=True)
    db.session.commit()
    assert _send(app).failed == 0
    expected = {world.behandelaar: {world.case_b.reference, world.case_c.reference},
                world.agent: {world.case_a.reference, world.case_c.reference},
                world.woonconsulent: set()}
    for reader, references in expected.items():
        [message] = smtp_server.to(reader.email)
        files = _attachments(message)
        assert "text/calendar" in files and "application/pdf" in files, reader.name
        text = pdf_text(files["application/pdf"])
        assert set(REFERENCE.findall(text)) == references, reader.name
        assert reader.organisation.name in text
    emailed = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.meeting_agenda")).scalars()
    assert {event.details["emailed_to"] for event in emailed} >= {world.behandelaar.id, world.agent.id}


def test_without_the_option_the_invitation_carries_the_ics_alone(app, db, smtp_server, world):
    from casus.meetings.calendar import notify_attendees

    notify_attendees(world.meeting, "new")
    db.session.commit()
    _send(app)
    [message] = smtp_server.to(world.behandelaar.email)
    assert set(_attachments(message)) == {"text/calendar"}


def test_the_chair_sends_the_agenda_from_the_meeting_page(app, db, client, auth, smtp_server, world):
    """The button on the meeting page: each organisation's users get the invitation again (a higher SEQUENCE)
    with their own organisation's agenda as a PDF; an invited partner may not send it (403, as for any change)."""
    auth.login_with_totp(world.regisseur)
    page = client.get(f"/overleggen/{world.meeting.id}")
    assert "Agenda versturen" in page.get_data(as_text=True)
    sequence = world.meeting.ical_sequence
    response = client.post(f"/overleggen/{world.meeting.id}/agenda-versturen",
                           data={"csrf_token": auth.csrf(f"/overleggen/{world.meeting.id}"),
                                 "version": world.meeting.version})
    assert response.status_code == 302
    db.session.refresh(world.meeting)
    assert world.meeting.ical_sequence == sequence + 1
    assert _send(app).failed == 0
    [message] = smtp_server.to(world.behandelaar.email)
    assert "Agenda: " in message["Subject"]
    files = _attachments(message)
    assert set(REFERENCE.findall(pdf_text(files["application/pdf"]))) == {world.case_b.reference,
                                                                         world.case_c.reference}
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "meeting.agenda_sent")).scalars()
    assert [event.details.get("agenda_items") for event in events if event.details] == [3]

    auth.logout()
    auth.login_with_totp(world.agent)
    refused = client.post(f"/overleggen/{world.meeting.id}/agenda-versturen",
                          data={"csrf_token": auth.csrf("/"), "version": world.meeting.version})
    assert refused.status_code == 403  # sees the meeting (invited), may not change it


def test_an_empty_agenda_is_not_sent(app, db, client, auth, smtp_server, world):
    for item in world.items:
        db.session.delete(item)
    db.session.flush()
    auth.login_with_totp(world.regisseur)
    response = client.post(f"/overleggen/{world.meeting.id}/agenda-versturen",
                           data={"csrf_token": auth.csrf(f"/overleggen/{world.meeting.id}"),
                                 "version": world.meeting.version}, follow_redirects=True)
    assert "De agenda is nog leeg" in response.get_data(as_text=True)
    db.session.commit()
    assert _send(app).sent == 0
    assert smtp_server.messages == []
