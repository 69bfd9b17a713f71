from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, utcnow
from casus.extensions import db
from casus.users.models import User


class NazorgCheckin(db.Model):
    """A planned nazorg contact (3 and 6 months after nazorg starts, by default) and, once held, what came of it.

    Planned rows are made when nazorg starts; recording one (``done_on``) closes its reminders. A
    ``relapse_signal`` offers the case's ``relapse`` transition.
    """

    __tablename__ = "nazorg_checkins"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "nazorg_started_on", "months", name="one_checkin_per_moment"),
        sa.Index("ix_nazorg_checkins_due", "done_on", "planned_on"),
        sa.CheckConstraint("done_on IS NULL OR contact_made IS NOT NULL", name="done_checkin_says_contact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    # Which nazorg period (a reopened and again closed case has a new one) and which check-in of it.
    nazorg_started_on: Mapped[date] = mapped_column(sa.Date)
    months: Mapped[int] = mapped_column()
    planned_on: Mapped[date] = mapped_column(sa.Date)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    contact_made: Mapped[bool | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    relapse_signal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))

    __mapper_args__ = {"version_id_col": version}

    recorded_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def __repr__(self) -> str:
        return f"<NazorgCheckin {self.id} case {self.case_id} {self.months}m>"
