"""casus.timeline.services.add_timeline: the line every domain writes on a case's tijdlijn."""

from datetime import UTC, datetime

import sqlalchemy as sa

from casus.cases.models import Note, NoteVisibility
from casus.timeline.models import TimelineEvent
from casus.timeline.services import add_timeline


def stored(event: TimelineEvent) -> TimelineEvent:
    """``event`` as the database holds it: flushed, then read back."""
    session = sa.inspect(event).session
    session.flush()
    session.expire(event)
    return event


def test_a_line_names_the_actor_and_their_organisation(db, make_case, make_user):
    case, user = make_case(), make_user("procesregisseur")
    event = stored(add_timeline(case, "case.evaluation", "Evaluatie vastgelegd", actor=user))
    assert (event.case_id, event.kind, event.summary) == (case.id, "case.evaluation", "Evaluatie vastgelegd")
    assert (event.actor_id, event.organisation_id, event.note_id) == (user.id, user.organisation_id, None)
    assert event.occurred_at.tzinfo is not None


def test_a_line_without_a_person_and_at_a_given_moment(db, make_case):
    case = make_case()
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    event = stored(add_timeline(case, "case.review_due", "Herbeoordeling bereikt", at=moment))
    assert event.actor_id is None and event.organisation_id is None
    assert event.occurred_at == moment


def test_the_summary_is_cut_to_the_column_and_a_note_is_linked(db, make_case, make_user):
    case, user = make_case(), make_user("procesregisseur")
    note = Note(case_id=case.id, author_id=user.id, organisation_id=user.organisation_id,
                visibility=NoteVisibility.OWN, text="x")
    db.session.add(note)
    db.session.flush()
    event = stored(add_timeline(case, "note.added", "a" * 600, actor=user, note=note))
    assert event.summary == "a" * 500 and event.note_id == note.id
