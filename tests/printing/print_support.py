"""Helpers of the printing tests (a plain module: ``conftest`` is not importable by name)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from io import BytesIO
from uuid import uuid4
from zoneinfo import ZoneInfo

from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def add_meeting(db, team, *, invited, chair, starts_at=None, status="gepland"):
    from casus.clock import today
    from casus.meetings.models import Meeting, MeetingInvitation

    starts_at = starts_at or datetime.combine(today() + timedelta(days=7), time(9, 30),
                                              tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)
    meeting = Meeting(team_id=team.id, type="casusoverleg", title="Casusoverleg Voorbeeldstad", starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=2), location="Stadhuis, zaal 2", chair_id=chair.id,
                      status=status, ical_uid=f"meeting-{uuid4()}@casus")
    db.session.add(meeting)
    db.session.flush()
    for organisation in invited:
        db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=organisation.id))
    db.session.flush()
    return meeting


def add_item(db, meeting, case, position, **fields):
    from casus.meetings.models import AgendaItem

    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken", position=position, **fields)
    db.session.add(item)
    db.session.flush()
    return item
