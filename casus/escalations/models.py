"""One row per step on the escalation ladder.

A step up (``opschalen``) records the reason, who must decide, the decision deadline and the date to review
de-escalation; the decision is recorded on that row when it comes. A step down (``afschalen``) records the
decision taken and closes the step up it undoes (``resolved_at``). The case's current level lives on
``Case.escalation_level``; these rows are its history.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.users.models import User
from workflow import EscalationLevel


class EscalationDirection(LabelledEnum):
    OPSCHALEN = "opschalen", N_("Opgeschaald")
    AFSCHALEN = "afschalen", N_("Afgeschaald")


class Escalation(db.Model):
    __tablename__ = "escalations"
    __table_args__ = (
        sa.Index("ix_escalations_case_created", "case_id", "created_at", "id"),
        # The scheduler's sweeps: open steps up whose decision or review date has come.
        sa.Index("ix_escalations_open_deadline", "resolved_at", "decision_deadline"),
        sa.Index("ix_escalations_open_review", "resolved_at", "review_on"),
        sa.CheckConstraint(
            "direction != 'opschalen' OR (decision_owner IS NOT NULL AND decision_deadline IS NOT NULL "
            "AND review_on IS NOT NULL)", name="step_up_complete"),
        sa.CheckConstraint("direction != 'afschalen' OR decision IS NOT NULL", name="step_down_has_decision"),
        sa.CheckConstraint("decision IS NULL OR decided_at IS NOT NULL", name="decision_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    direction: Mapped[EscalationDirection] = mapped_column(enum_column(EscalationDirection, "escalation_direction"))
    from_level: Mapped[EscalationLevel] = mapped_column(enum_column(EscalationLevel, "escalation_from_level"))
    to_level: Mapped[EscalationLevel] = mapped_column(enum_column(EscalationLevel, "escalation_to_level"))
    # Step up: why. Step down: may repeat the decision's context; the decision itself is in ``decision``.
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decision_owner: Mapped[str | None] = mapped_column(sa.String(200))
    decision_deadline: Mapped[date | None] = mapped_column(sa.Date)
    review_on: Mapped[date | None] = mapped_column(sa.Date)
    decision: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set on a step up when the case steps down from the level it reached: it is history from then on.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic locking: recording the decision and resolving the step change the row.
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))  # bulk inserts (seed) may omit it

    __mapper_args__ = {"version_id_col": version}

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")

    @property
    def is_step_up(self) -> bool:
        return self.direction == EscalationDirection.OPSCHALEN

    @property
    def is_open(self) -> bool:
        return self.is_step_up and self.resolved_at is None

    def __repr__(self) -> str:
        return f"<Escalation {self.id} {self.from_level}→{self.to_level}>"
