"""Four-eyes approvals: a request by one user, decided by another.

One table serves every decision that needs a second pair of eyes: a RIEC voordracht, early closure, reopening
and (later) retention extension. The database itself refuses a decision by the requester (CHECK
``four_eyes``), so no code path — page, API or a user holding both roles — can approve their own request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.users.models import User

if TYPE_CHECKING:
    from casus.cases.models import Case


class ApprovalKind(LabelledEnum):
    RIEC_VOORDRACHT = "riec_voordracht", N_("RIEC-voordracht")
    CLOSE_EARLY = "close_early", N_("Vroegtijdig afsluiten")
    REOPEN = "reopen", N_("Heropenen")
    RETENTION_EXTENSION = "retention_extension", N_("Bewaartermijn verlengen")
    DESTRUCTION_LIST = "destruction_list", N_("Vernietigingslijst")


class ApprovalStatus(LabelledEnum):
    OPEN = "open", N_("Open")
    GOEDGEKEURD = "goedgekeurd", N_("Goedgekeurd")
    AFGEWEZEN = "afgewezen", N_("Afgewezen")
    INGETROKKEN = "ingetrokken", N_("Ingetrokken")


class Approval(db.Model):
    __tablename__ = "approvals"
    __table_args__ = (
        sa.Index("ix_approvals_team_status", "team_id", "status", "requested_at", "id"),
        sa.Index("ix_approvals_case", "case_id", "requested_at"),
        # At most one open request per case and kind (voordrachten: per voordracht).
        sa.Index("ix_approvals_one_open_per_case", "case_id", "kind", unique=True,
                 sqlite_where=sa.text("status = 'open' AND voordracht_id IS NULL"),
                 postgresql_where=sa.text("status = 'open' AND voordracht_id IS NULL")),
        sa.Index("ix_approvals_one_open_per_voordracht", "voordracht_id", unique=True,
                 sqlite_where=sa.text("status = 'open' AND voordracht_id IS NOT NULL"),
                 postgresql_where=sa.text("status = 'open' AND voordracht_id IS NOT NULL")),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id != requested_by_id", name="four_eyes"),
        sa.CheckConstraint("status NOT IN ('goedgekeurd', 'afgewezen') OR decided_by_id IS NOT NULL",
                           name="decision_has_approver"),
        sa.CheckConstraint("status = 'open' OR decided_at IS NOT NULL", name="decision_has_time"),
        sa.CheckConstraint("status != 'afgewezen' OR motivation IS NOT NULL", name="rejection_has_motivation"),
        sa.CheckConstraint("kind != 'riec_voordracht' OR voordracht_id IS NOT NULL", name="voordracht_named"),
        # A destruction list spans cases: its approval names the list, every other kind names its case.
        sa.CheckConstraint("(kind = 'destruction_list') = (destruction_list_id IS NOT NULL)",
                           name="destruction_list_named"),
        sa.CheckConstraint("kind = 'destruction_list' OR case_id IS NOT NULL", name="case_named"),
        sa.Index("ix_approvals_one_open_per_list", "destruction_list_id", unique=True,
                 sqlite_where=sa.text("status = 'open' AND destruction_list_id IS NOT NULL"),
                 postgresql_where=sa.text("status = 'open' AND destruction_list_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApprovalKind] = mapped_column(enum_column(ApprovalKind, "approval_kind"))
    status: Mapped[ApprovalStatus] = mapped_column(enum_column(ApprovalStatus, "approval_status"),
                                                  default=ApprovalStatus.OPEN)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    # The case's team when asked: whose supervisors decide (the queue filters on it without a join).
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    voordracht_id: Mapped[int | None] = mapped_column(sa.ForeignKey("riec_voordrachten.id", ondelete="CASCADE"))
    destruction_list_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("destruction_lists.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text)
    # What exactly is asked, per kind: {"result": "doel_bereikt"} for close_early, {"until": "2033-01-01"}
    # for a retention extension.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    motivation: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    # Queue and API show the case's reference; loaded explicitly (joinedload), never by accident.
    case: Mapped[Case | None] = relationship("Case", lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.status == ApprovalStatus.OPEN

    def __repr__(self) -> str:
        return f"<Approval {self.id} {self.kind} {self.status}>"
