"""Writing the tijdlijn. Services add their line in the same transaction as the change it describes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from casus.database import utcnow
from casus.extensions import db
from casus.timeline.models import TimelineEvent
from casus.users.models import User

MAX_SUMMARY = 500  # the column's length


class _Row(Protocol):
    """A case or a note: the timeline needs only its id (and imports neither)."""

    id: int


def add_timeline(case: _Row, kind: str, summary: str, actor: User | None = None,
                 note: _Row | None = None, at: datetime | None = None, meeting: _Row | None = None) -> TimelineEvent:
    """A line on ``case``'s tijdlijn: ``kind`` (``case.transition``, ``note.added``, …) and a summary cut to the
    column's length; ``actor`` and their organisation when a person did it; ``note`` for a line about a note (the
    policy hides it with a restricted note); ``at`` when it happened, if not now; ``meeting`` for a line that
    quotes a meeting's date (moving the meeting rewrites it: meetings.services.move_meeting)."""
    event = TimelineEvent(case_id=case.id, kind=kind, summary=summary[:MAX_SUMMARY], occurred_at=at or utcnow(),
                          actor_id=getattr(actor, "id", None), organisation_id=getattr(actor, "organisation_id", None),
                          note_id=getattr(note, "id", None), meeting_id=getattr(meeting, "id", None))
    db.session.add(event)
    return event
