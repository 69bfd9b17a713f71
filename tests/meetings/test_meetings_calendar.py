"""RFC 5545 invitations: the .ics parsed back field by field, who is invited, and the mail with the .ics."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BASE_URL = "http://127.0.0.1:5000"


def local(year, month, day, hour=9, minute=30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def make_meeting(db, make_team):
    """``make_meeting(starts=local(...), invited=[org, ...], chair=user, **fields)``: rows written directly."""
    from casus.meetings.models import Meeting, MeetingInvitation

    def make(*, starts=None, minutes=120, invited=(), chair=None, team=None, **fields):
        starts = starts or local(2026, 11, 3)
        fields.setdefault("title", "Casusoverleg Noord")
        fields.setdefault("type", "casusoverleg")
        fields.setdefault("location", "Stadskantoor, zaal 3")
        meeting = Meeting(team_id=(team or make_team()).id, starts_at=starts.astimezone(UTC),
                          ends_at=(starts + timedelta(minutes=minutes)).astimezone(UTC),
                          chair_id=getattr(chair, "id", None), ical_uid=f"{uuid.uuid4()}@casus.test", **fields)
        db.session.add(meeting)
        db.session.flush()
        for organisation in invited:
            db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=organisation.id))
        db.session.flush()
        return meeting

    return make


def parse(ics: bytes):
    from icalendar import Calendar

    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def move(db, meeting, starts):
    meeting.starts_at = starts.astimezone(UTC)
    meeting.ends_at = (starts + timedelta(hours=2)).astimezone(UTC)
    meeting.ical_sequence += 1
    db.session.flush()


def cancel(db, meeting):
    meeting.status = "geannuleerd"
    meeting.ical_sequence += 1
    db.session.flush()


# --- the .ics ---------------------------------------------------------------------------------------------------

def test_an_invitation_parses_back_field_by_field(app, db, make_meeting, make_case, make_subject):
    from casus.meetings.calendar import meeting_ics
    from casus.meetings.models import AgendaItem

    meeting = make_meeting(online_url="https://meet.example.org/casusoverleg-noord")
    subject = make_subject(name="Jan Jansen")
    case = make_case(title="Woonoverlast Jan Jansen", subjects=[subject])
    db.session.add(AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken"))
    db.session.flush()
    stamp = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

    ics = meeting_ics(meeting, "REQUEST", now=stamp)
    calendar, event = parse(ics)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"].startswith("-//Casus//")
    assert calendar["METHOD"] == "REQUEST"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Amsterdam"
    assert event["UID"] == meeting.ical_uid
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTAMP") == stamp
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert b"DTSTART;TZID=Europe/Amsterdam:20261103T093000" in ics
    assert b"DTEND;TZID=Europe/Amsterdam:20261103T113000" in ics
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert event["SUMMARY"] == "Casusoverleg Noord"  # the title names the type already
    assert event["LOCATION"] == "Stadskantoor, zaal 3"
    assert event["URL"] == "https://meet.example.org/casusoverleg-noord"
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:casus@localhost"
    assert f"{BASE_URL}/overleggen/{meeting.id}" in event["DESCRIPTION"]
    assert "ATTENDEE" not in event
    for secret in (b"Jan", b"Jansen", b"Woonoverlast", case.reference.encode()):
        assert secret not in ics  # the agenda is not in the invitation


def test_the_vtimezone_carries_the_dutch_daylight_saving_rules(app, db, make_meeting):
    """A client that knows no Europe/Amsterdam rebuilds the zone from the VTIMEZONE alone."""
    from casus.meetings.calendar import meeting_ics

    calendar, _event = parse(meeting_ics(make_meeting(), "REQUEST"))
    [zone] = calendar.walk("VTIMEZONE")
    assert {component.name for component in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    rebuilt = zone.to_tz(lookup_tzid=False)
    for moment, offset in [
        (datetime(2026, 10, 24, 9, 30), 2),  # the Saturday before the October change: CEST
        (datetime(2026, 10, 25, 9, 30), 1),  # the day itself, after 03:00: CET
        (datetime(2026, 11, 3, 9, 30), 1),
        (datetime(2027, 3, 27, 9, 30), 1),
        (datetime(2027, 3, 28, 9, 30), 2),  # after the March change
        (datetime(2031, 7, 1, 9, 30), 2),  # the rules hold for any later year
    ]:
        assert moment.replace(tzinfo=rebuilt).utcoffset() == timedelta(hours=offset), moment
        assert moment.replace(tzinfo=AMSTERDAM).utcoffset() == timedelta(hours=offset), moment


def test_a_meeting_after_the_october_change_stays_at_its_local_time(app, db, make_meeting):
    """09:30 in summer and 09:30 after the change: the same local time, one hour apart in UTC."""
    from casus.meetings.calendar import meeting_ics

    summer = make_meeting(starts=local(2026, 10, 20))
    winter = make_meeting(starts=local(2026, 10, 27))
    _calendar, before = parse(meeting_ics(summer, "REQUEST"))
    _calendar, after = parse(meeting_ics(winter, "REQUEST"))
    assert (before.decoded("DTSTART").hour, before.decoded("DTSTART").minute) == (9, 30)
    assert (after.decoded("DTSTART").hour, after.decoded("DTSTART").minute) == (9, 30)
    assert before.decoded("DTSTART").astimezone(UTC).hour == 7
    assert after.decoded("DTSTART").astimezone(UTC).hour == 8


def test_an_update_keeps_the_uid_and_raises_the_sequence(app, db, make_meeting):
    from casus.meetings.calendar import meeting_ics

    meeting = make_meeting(type="zvt_jeugd", title="Overleg Oost")
    _calendar, first = parse(meeting_ics(meeting, "REQUEST"))
    move(db, meeting, local(2026, 11, 10, 13, 0))
    calendar, second = parse(meeting_ics(meeting, "REQUEST"))
    assert calendar["METHOD"] == "REQUEST"
    assert second["UID"] == first["UID"] == meeting.ical_uid
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 1)
    assert second.decoded("DTSTART") == local(2026, 11, 10, 13, 0)
    assert second["SUMMARY"] == "Overleg Oost (Zorg- en Veiligheidstafel Jeugd)"
    _calendar, english = parse(meeting_ics(meeting, "REQUEST", language="en"))
    assert english["SUMMARY"] == "Overleg Oost (Youth care and safety table)"


def test_a_cancellation_is_method_cancel_with_status_cancelled(app, db, make_meeting):
    from casus.meetings.calendar import meeting_ics

    meeting = make_meeting()
    cancel(db, meeting)
    calendar, event = parse(meeting_ics(meeting, "CANCEL", attendee="partner@example.org"))
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == meeting.ical_uid and event["SEQUENCE"] == 1
    assert str(event["ATTENDEE"]) == "mailto:partner@example.org"  # only the recipient, nobody else
    with pytest.raises(ValueError):
        meeting_ics(meeting, "PUBLISH")


# --- who is invited ---------------------------------------------------------------------------------------------

@pytest.fixture
def invited_meeting(make_meeting, make_organisation, make_team, make_user):
    """A meeting with organisation ``police`` invited, a chair, and users that must not hear of it."""

    def make(**fields):
        team = make_team()
        police, other = make_organisation(name="Politie Voorbeeldstad"), make_organisation()
        chair = make_user("procesregisseur", team=team, organisation=team.organisation)
        agent = make_user("partner", organisation=police)
        english = make_user("partner", organisation=police, locale="en")
        make_user("partner", organisation=police, active=False)  # inactive
        make_user("beheerder", organisation=police)  # no case work
        make_user("partner", organisation=other)  # not invited
        make_user("procesregisseur", team=team, organisation=team.organisation)  # team, not invited, not chair
        meeting = make_meeting(team=team, invited=[police], chair=chair, **fields)
        return meeting, chair, agent, english

    return make


def _notifications(db):
    import sqlalchemy as sa

    from casus.notifications.models import Notification

    return list(db.session.execute(sa.select(Notification).order_by(Notification.id)
                                   .execution_options(populate_existing=True)).scalars())


def test_notify_attendees_records_one_invitation_per_attendee_once(app, db, invited_meeting):
    from casus.meetings.calendar import notify_attendees

    meeting, chair, agent, english = invited_meeting()
    assert notify_attendees(meeting, "new") == 3
    assert notify_attendees(meeting, "new") == 0  # a repeated call records nothing
    by_user = {item.user_id: item for item in _notifications(db)}
    assert set(by_user) == {chair.id, agent.id, english.id}
    item = by_user[agent.id]
    assert item.kind == "meeting_invitation"
    assert item.key == f"meeting:{meeting.id}:seq:0:user:{agent.id}"
    assert item.link == f"/overleggen/{meeting.id}"
    assert item.case_id is None
    assert item.title == "Uitnodiging: Casusoverleg Noord op 03-11-2026 om 09:30"
    assert by_user[english.id].title == "Invitation: Casusoverleg Noord on 03-11-2026 at 09:30"
    assert item.params == {"meeting_id": meeting.id, "meeting": "Casusoverleg Noord", "date": "2026-11-03",
                           "time": "09:30", "sequence": 0, "method": "REQUEST"}


def test_a_move_and_a_cancellation_are_new_notifications(app, db, invited_meeting):
    from casus.meetings.calendar import notify_attendees

    meeting, _chair, agent, _english = invited_meeting()
    notify_attendees(meeting, "new")
    move(db, meeting, local(2026, 11, 5, 14, 0))
    assert notify_attendees(meeting, "moved") == 3
    cancel(db, meeting)
    assert notify_attendees(meeting, "cancelled") == 3
    mine = [item for item in _notifications(db) if item.user_id == agent.id]
    assert [(item.kind, item.params["sequence"], item.params["method"]) for item in mine] == [
        ("meeting_invitation", 0, "REQUEST"), ("meeting_update", 1, "REQUEST"), ("meeting_cancelled", 2, "CANCEL")]
    assert mine[1].title == "Gewijzigd: Casusoverleg Noord op 05-11-2026 om 14:00"
    assert mine[2].title == "Geannuleerd: Casusoverleg Noord op 05-11-2026"


def test_a_change_without_a_new_sequence_is_refused(app, db, invited_meeting):
    from casus.meetings.calendar import notify_attendees

    meeting, *_users = invited_meeting()
    with pytest.raises(ValueError):
        notify_attendees(meeting, "moved")
    with pytest.raises(ValueError):
        notify_attendees(meeting, "postponed")
    meeting.ical_sequence = 1
    with pytest.raises(ValueError):
        notify_attendees(meeting, "cancelled")  # status is still gepland


# --- the mail, through a real SMTP server --------------------------------------------------------------------

def _send(app, now=None):
    from casus.notifications.services import send_pending_emails

    return send_pending_emails(app, now or datetime.now(UTC) + timedelta(minutes=1))


def _calendar_part(message):
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return part


def test_the_invitation_mail_carries_the_ics(app, db, smtp_server, invited_meeting, make_case, make_subject):
    from casus.meetings.calendar import notify_attendees
    from casus.meetings.models import AgendaItem

    meeting, chair, agent, english = invited_meeting()
    case = make_case(title="Woonoverlast Jan Jansen", subjects=[make_subject(name="Jan Jansen")])
    db.session.add(AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="nieuw"))
    notify_attendees(meeting, "new")
    report = _send(app)
    assert report.sent == 3 and report.failed == 0
    [message] = smtp_server.to(agent.email)
    assert message["Subject"] == "Casus: Uitnodiging: Casusoverleg Noord op 03-11-2026 om 09:30"
    assert message["Content-Language"] == "nl"
    body = message.get_body(("plain",)).get_content()
    assert f"{BASE_URL}/overleggen/{meeting.id}" in body
    part = _calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "uitnodiging.ics"
    ics = part.get_payload(decode=True)
    calendar, event = parse(ics)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == meeting.ical_uid and event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:casus@example.org"
    assert str(event["ATTENDEE"]) == f"mailto:{agent.email}"
    assert event.decoded("DTSTART") == local(2026, 11, 3)
    raw = message.as_bytes()
    for secret in (b"Jan", b"Jansen", b"Woonoverlast", case.reference.encode(), chair.name.encode()):
        assert secret not in raw and secret not in ics

    [english_message] = smtp_server.to(english.email)
    assert english_message["Content-Language"] == "en"
    assert english_message["Subject"] == "Casus: Invitation: Casusoverleg Noord on 03-11-2026 at 09:30"
    assert _calendar_part(english_message).get_filename() == "invitation.ics"
    assert _send(app).sent == 0  # sent once


def test_a_cancellation_mail_carries_method_cancel(app, db, smtp_server, invited_meeting):
    from casus.meetings.calendar import notify_attendees

    meeting, _chair, agent, _english = invited_meeting()
    notify_attendees(meeting, "new")
    _send(app)
    cancel(db, meeting)
    notify_attendees(meeting, "cancelled")
    _send(app)
    first, second = smtp_server.to(agent.email)
    part = _calendar_part(second)
    assert part.get_param("method") == "CANCEL" and part.get_filename() == "annulering.ics"
    calendar, event = parse(part.get_payload(decode=True))
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == parse(_calendar_part(first).get_payload(decode=True))[1]["UID"]
    assert event["SEQUENCE"] == 1


def test_an_invitation_overtaken_by_a_change_is_not_mailed(app, db, smtp_server, invited_meeting):
    """Created and moved before the mail step ran: only the update (SEQUENCE 1) goes out."""
    from casus.meetings.calendar import notify_attendees

    meeting, _chair, agent, _english = invited_meeting()
    notify_attendees(meeting, "new")
    move(db, meeting, local(2026, 11, 4))
    notify_attendees(meeting, "moved")
    report = _send(app)
    assert report.sent == 3 and report.skipped == 3
    [message] = smtp_server.to(agent.email)
    assert message["Subject"].startswith("Casus: Gewijzigd:")
    assert parse(_calendar_part(message).get_payload(decode=True))[1]["SEQUENCE"] == 1
    skipped = [item for item in _notifications(db) if item.kind == "meeting_invitation"]
    assert {(item.last_error_kind, item.next_attempt_at) for item in skipped} == {("superseded", None)}


def test_an_organisation_no_longer_invited_gets_no_mail(app, db, smtp_server, invited_meeting):
    import sqlalchemy as sa

    from casus.meetings.calendar import notify_attendees
    from casus.meetings.models import MeetingInvitation

    meeting, chair, agent, _english = invited_meeting()
    notify_attendees(meeting, "new")
    db.session.execute(sa.delete(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting.id))
    _send(app)
    assert smtp_server.to(agent.email) == []
    assert len(smtp_server.to(chair.email)) == 1


def test_an_organisation_taken_off_the_list_gets_a_cancel_for_itself(app, db, smtp_server, invited_meeting):
    """The meeting goes on; the users no longer invited get METHOD:CANCEL with a higher SEQUENCE, nobody else."""
    import sqlalchemy as sa

    from casus.meetings.calendar import attendees, notify_attendees
    from casus.meetings.models import MeetingInvitation

    meeting, chair, agent, english = invited_meeting()
    notify_attendees(meeting, "new")
    _send(app)
    before = dict(attendees(meeting))
    db.session.execute(sa.delete(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting.id))
    meeting.ical_sequence += 1
    removed = [(user_id, locale) for user_id, locale in before.items() if user_id not in dict(attendees(meeting))]
    assert {user_id for user_id, _ in removed} == {agent.id, english.id}
    notify_attendees(meeting, "uninvited", recipients=removed)
    _send(app)
    first, second = smtp_server.to(agent.email)
    assert second["Subject"].startswith("Casus: Niet meer uitgenodigd:")
    calendar, event = parse(_calendar_part(second).get_payload(decode=True))
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert event["UID"] == parse(_calendar_part(first).get_payload(decode=True))[1]["UID"]
    assert meeting.status == "gepland"
    assert len(smtp_server.to(chair.email)) == 1  # the chair still attends: no second message
    assert smtp_server.to(english.email)[-1]["Subject"].startswith("Casus: No longer invited:")


def test_other_notifications_still_come_as_one_digest_beside_the_invitation(app, db, smtp_server, invited_meeting):
    from casus.meetings.calendar import notify_attendees
    from casus.notifications.services import notify

    meeting, _chair, agent, _english = invited_meeting()
    notify_attendees(meeting, "new")
    notify(agent, key="test:1", kind="review_due", link="/", params={"reference": "2026-00001",
                                                                    "date": date(2026, 11, 1).isoformat()})
    notify(agent, key="test:2", kind="review_due", link="/", params={"reference": "2026-00002",
                                                                    "date": date(2026, 11, 1).isoformat()})
    _send(app)
    messages = smtp_server.to(agent.email)
    assert sorted(message["Subject"] for message in messages) == [
        "Casus: 2 nieuwe meldingen", "Casus: Uitnodiging: Casusoverleg Noord op 03-11-2026 om 09:30"]
    digest = next(message for message in messages if "nieuwe meldingen" in message["Subject"])
    assert not list(digest.iter_attachments())
