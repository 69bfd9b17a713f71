from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin, UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, NC_, LabelledEnum
from casus.organisations.models import Organisation, Team
from casus.users.models import User


class MeetingType(LabelledEnum):
    CASUSOVERLEG = "casusoverleg", N_("Casusoverleg")
    ZVT_JEUGD = "zvt_jeugd", N_("Zorg- en Veiligheidstafel Jeugd")
    ZORGNETWERKOVERLEG = "zorgnetwerkoverleg", N_("Zorgnetwerkoverleg")
    WEEGPLOEG = "weegploeg", N_("Weegploeg / triage")
    RIEC_KERNTEAM = "riec_kernteam", N_("RIEC-kernteam")
    STUURGROEP = "stuurgroep", N_("Stuurgroep")


class MeetingStatus(LabelledEnum):
    GEPLAND = "gepland", N_("Gepland")
    GEANNULEERD = "geannuleerd", N_("Geannuleerd")
    GEHOUDEN = "gehouden", N_("Gehouden")


class AgendaPurpose(LabelledEnum):
    NIEUW = "nieuw", N_("Nieuw")
    BESPREKEN = "bespreken", N_("Bespreken")
    EVALUEREN = "evalueren", N_("Evalueren")
    AFSCHALEN = "afschalen", NC_("agenda purpose", "Afschalen")


class Recurrence(LabelledEnum):
    """How a series repeats: every ``interval_weeks`` weeks on ``weekday``, or monthly on the
    ``week_of_month``-th ``weekday`` (1..4, or -1 for the last one: "laatste donderdag van de maand")."""

    WEKELIJKS = "wekelijks", N_("Elke zoveel weken")
    MAANDELIJKS = "maandelijks", N_("Maandelijks op een vaste weekdag")


class MeetingSeries(TimestampMixin, db.Model):
    """A recurring meeting, e.g. every second Tuesday at 09:30, skipping Dutch public holidays."""

    __tablename__ = "meeting_series"
    __table_args__ = (
        sa.CheckConstraint("recurrence != 'maandelijks' OR week_of_month IN (1, 2, 3, 4, -1)",
                           name="monthly_has_week_of_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    type: Mapped[MeetingType] = mapped_column(enum_column(MeetingType, "meeting_type"))
    title: Mapped[str] = mapped_column(sa.String(200))
    weekday: Mapped[int] = mapped_column()  # 0 = Monday, as date.weekday()
    interval_weeks: Mapped[int] = mapped_column(default=2)
    recurrence: Mapped[Recurrence] = mapped_column(enum_column(Recurrence, "recurrence"), default=Recurrence.WEKELIJKS,
                                                   server_default=Recurrence.WEKELIJKS.value)
    week_of_month: Mapped[int | None] = mapped_column()
    start_time: Mapped[time] = mapped_column(sa.Time)  # local Europe/Amsterdam time
    duration_minutes: Mapped[int] = mapped_column(default=120)
    first_date: Mapped[date] = mapped_column(sa.Date)
    last_date: Mapped[date | None] = mapped_column(sa.Date)
    skip_holidays: Mapped[bool] = mapped_column(default=True)
    location: Mapped[str | None] = mapped_column(sa.String(200))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))  # bulk inserts (seed) may omit it

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    chair: Mapped[User | None] = relationship(lazy="raise")
    invited: Mapped[list[Organisation]] = relationship(secondary="meeting_series_invitations", lazy="raise")


class MeetingSeriesInvitation(db.Model):
    __tablename__ = "meeting_series_invitations"

    series_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_series.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)


class Meeting(TimestampMixin, db.Model):
    """One meeting. Its iCalendar UID is stable; the SEQUENCE rises with every change sent out."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.Index("ix_meetings_team_starts", "team_id", "starts_at"),
        sa.Index("ix_meetings_starts", "starts_at"),
        sa.UniqueConstraint("series_id", "series_date", name="uq_meetings_series_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_series.id"))
    # The date the series rule gave this meeting (kept when it is moved), so generation stays idempotent.
    series_date: Mapped[date | None] = mapped_column(sa.Date)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    type: Mapped[MeetingType] = mapped_column(enum_column(MeetingType, "meeting_type_single"))
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(sa.String(200))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus, "meeting_status"),
                                                  default=MeetingStatus.GEPLAND)
    ical_uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    chair: Mapped[User | None] = relationship(lazy="raise")
    invited: Mapped[list[Organisation]] = relationship(secondary="meeting_invitations", lazy="raise")


class MeetingInvitation(db.Model):
    __tablename__ = "meeting_invitations"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True, index=True)


class AgendaItem(db.Model):
    """A case on a meeting's agenda, with its minutes in BOB order (beeld-, oordeels-, besluitvorming).

    A case is on a meeting's agenda once, and every item has a place of its own: positions are handed out
    under a lock on the meeting row (``agenda.add_agenda_item``), the unique constraints are the backstop.
    ``version`` guards the item's contents (minutes, purpose, discussed); renumbering the agenda changes only
    ``position`` and leaves it alone, so reordering never makes someone's minutes form stale.
    """

    __tablename__ = "agenda_items"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "case_id", name="uq_agenda_items_meeting_case"),
        sa.UniqueConstraint("meeting_id", "position", name="uq_agenda_items_meeting_position"),
        sa.Index("ix_agenda_items_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    purpose: Mapped[AgendaPurpose] = mapped_column(enum_column(AgendaPurpose, "agenda_purpose"))
    added_automatically: Mapped[bool] = mapped_column(default=False)
    beeldvorming: Mapped[str | None] = mapped_column(sa.Text)
    oordeelsvorming: Mapped[str | None] = mapped_column(sa.Text)
    besluitvorming: Mapped[str | None] = mapped_column(sa.Text)
    discussed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))  # bulk inserts (seed) may omit it

    __mapper_args__ = {"version_id_col": version}


class Decision(db.Model):
    """A besluit in the minutes; an action decision becomes an action in the case's plan van aanpak.

    Never changed once recorded (no version: there is nothing to overwrite); a correction is a new decision."""

    __tablename__ = "decisions"
    __table_args__ = (sa.Index("ix_decisions_agenda_item", "agenda_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attendance(db.Model):
    """Who was there, per invited organisation."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(default=False)
    attendees: Mapped[str | None] = mapped_column(sa.String(500))  # names as written in the minutes


class CalendarFeed(db.Model):
    """A user's personal iCal feed: a secret, revocable token (only its hash is stored)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
