"""Builders shared by the meeting tests (a plain module: ``conftest`` is not importable by name)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


def add_meeting(db, team, *, starts_at: datetime | None = None, invited=(), type="casusoverleg", chair=None,
                status="gepland", title="Casusoverleg Voorbeeldstad", minutes=120, series=None, series_date=None):
    from uuid import uuid4

    from casus.clock import today
    from casus.meetings.models import Meeting, MeetingInvitation

    starts_at = starts_at or local(today() + timedelta(days=7))
    meeting = Meeting(team_id=team.id, type=type, title=title, starts_at=starts_at,
                      ends_at=starts_at + timedelta(minutes=minutes), location="Stadhuis, zaal 2",
                      chair_id=getattr(chair, "id", None), status=status, ical_uid=f"meeting-{uuid4()}@casus",
                      series_id=getattr(series, "id", None), series_date=series_date)
    db.session.add(meeting)
    db.session.flush()
    for organisation in invited:
        db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=organisation.id))
    db.session.flush()
    return meeting


def add_item(db, meeting, case, *, purpose="bespreken", position=None, **fields):
    import sqlalchemy as sa

    from casus.meetings.models import AgendaItem

    if position is None:
        position = (db.session.execute(sa.select(sa.func.max(AgendaItem.position))
                                       .where(AgendaItem.meeting_id == meeting.id)).scalar_one() or 0) + 1
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose=purpose, position=position, **fields)
    db.session.add(item)
    db.session.flush()
    return item


def build_world(db, make_organisation, make_team, make_user, make_case, *, login_as=None):
    """A team with its procesregisseur (the chair), two partner organisations each in their own case, a third
    organisation that is not invited, and a planned meeting a week ahead with both cases on its agenda."""
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="Zorg- en Veiligheidshuis Voorbeeld", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Overleg")
    politie = make_organisation(name="Politie Eenheid Voorbeeld", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Woonstichting Voorbeeld", kind=OrganisationKind.WONINGCORPORATIE)
    outsider = make_organisation(name="GGZ Elders", kind=OrganisationKind.GGZ)
    make_regisseur = login_as or make_user
    regisseur = make_regisseur("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur")
    politie_case = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering",
                             title="Overlast Kerkstraat", procesregisseur=regisseur)
    corporatie_case = make_case(team=team, partners=[corporatie, zvh], phase="aanpak.uitvoering",
                                title="Verborgen Hofje", procesregisseur=regisseur)
    meeting = add_meeting(db, team, invited=[politie, corporatie], chair=regisseur)
    politie_item = add_item(db, meeting, politie_case)
    corporatie_item = add_item(db, meeting, corporatie_case, beeldvorming="Geheime beeldvorming Hofje")
    return SimpleNamespace(zvh=zvh, team=team, politie=politie, corporatie=corporatie, outsider=outsider,
                           regisseur=regisseur, politie_case=politie_case, corporatie_case=corporatie_case,
                           meeting=meeting, politie_item=politie_item, corporatie_item=corporatie_item)


class NotifyRecorder:
    """Stands in for ``casus.meetings.calendar.notify_attendees``: records (meeting id, change, sequence)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str, int]] = []

    def __call__(self, meeting, change, **kwargs) -> int:
        self.calls.append((meeting.id, change, meeting.ical_sequence))
        return 0


def started(db, meeting, *, minutes_ago: int = 1):
    """Let ``meeting`` have begun ``minutes_ago`` minutes ago (its length kept, so it is still on): minutes,
    attendance and decisions are recorded only from a meeting's start."""
    from casus.database import utcnow

    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = utcnow() - timedelta(minutes=minutes_ago)
    meeting.ends_at = meeting.starts_at + length
    db.session.flush()
    return meeting
