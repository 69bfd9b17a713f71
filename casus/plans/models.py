from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, NC_, LabelledEnum
from casus.organisations.models import Organisation
from casus.users.models import User
from workflow import ActionStatus


class GoalStatus(LabelledEnum):
    OPEN = "open", NC_("goal status", "Open")
    BEHAALD = "behaald", N_("Behaald")
    DEELS_BEHAALD = "deels_behaald", N_("Deels behaald")
    VERVALLEN = "vervallen", NC_("goal status", "Vervallen")


class Goal(db.Model):
    """A goal of the plan van aanpak; marked achieved, partly achieved or dropped with a date and a note."""

    __tablename__ = "goals"
    __table_args__ = (
        sa.Index("ix_goals_case", "case_id"),
        sa.CheckConstraint("status = 'open' OR status_on IS NOT NULL", name="settled_goal_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[GoalStatus] = mapped_column(enum_column(GoalStatus, "goal_status"), default=GoalStatus.OPEN,
                                               server_default=GoalStatus.OPEN.value)
    status_on: Mapped[date | None] = mapped_column(sa.Date)
    status_note: Mapped[str | None] = mapped_column(sa.Text)
    status_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))

    __mapper_args__ = {"version_id_col": version}


# Open actions as literal SQL: a partial index is only used when the query's condition matches its own, and
# SQLite cannot match bound parameters (nor can a generic PostgreSQL plan).
OPEN_ACTIONS_SQL = "status IN ('open', 'in_uitvoering')"


class Action(db.Model):
    """An afspraak in the plan van aanpak, owned by one organisation (optionally one user)."""

    __tablename__ = "actions"
    __table_args__ = (
        sa.Index("ix_actions_case", "case_id", "due_on"),
        sa.Index("ix_actions_owner_status_due", "owner_organisation_id", "status", "due_on"),
        sa.Index("ix_actions_status_due", "status", "due_on"),
        sa.Index("ix_actions_status_activity", "status", "last_activity_at"),
        # The dashboard's overdue actions, oldest first: partial indexes on the open actions only, walked in
        # (due_on, id) order and left after one page (with status IN over two values the plain indexes above
        # make the database sort every overdue action first). Queries repeat OPEN_ACTIONS_SQL literally.
        sa.Index("ix_actions_open_due", "due_on", "id", sqlite_where=sa.text(OPEN_ACTIONS_SQL),
                 postgresql_where=sa.text(OPEN_ACTIONS_SQL)),
        sa.Index("ix_actions_open_owner_due", "owner_organisation_id", "due_on", "id",
                 sqlite_where=sa.text(OPEN_ACTIONS_SQL), postgresql_where=sa.text(OPEN_ACTIONS_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    goal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("goals.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.Text)
    owner_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, "action_status"), default=ActionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Any progress or change touches this; untouched for 14 days means stale (docs/DESIGN.md §3.4).
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    owner_organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    owner_user: Mapped[User | None] = relationship(lazy="joined")


class ProgressEntry(db.Model):
    """Voortgang on an action, written only by the owning organisation."""

    __tablename__ = "progress_entries"
    __table_args__ = (sa.Index("ix_progress_action", "action_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    status_after: Mapped[ActionStatus | None] = mapped_column(enum_column(ActionStatus, "progress_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
