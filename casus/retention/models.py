"""Retention: how long case files are kept, what keeps them, and the proof of what was destroyed.

The archive fields on cases and signals (``archiefnominatie``, ``archiefactiedatum``, ``archiefstatus``) follow
the ZGW APIs; the terms behind them are the organisation's decision, set by its privacyfunctionaris
(docs/PRIVACY.md). A case under legal hold (*bevriezing*) is never proposed for destruction. A destruction list
(*vernietigingslijst*) is proposed monthly per team, reviewed by a privacy officer and approved by a second
person through the four-eyes approvals; what it destroyed is declared in a *verklaring van vernietiging* that
holds no personal data and is kept for good.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.audit.models import CHAIN_APPEND_ONLY_FUNCTION, append_only_trigger
from casus.cases.models import Archiefnominatie
from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.organisations.models import Team
from casus.users.models import User


class SignalOutcome(LabelledEnum):
    """The ways a signal ends without becoming (part of) a case: each has its own retention term."""

    DISMISSED = "dismissed", N_("Geen casus")
    REFERRED = "referred", N_("Doorverwezen")
    WITHDRAWN = "withdrawn", N_("Ingetrokken")


class RetentionTerm(db.Model):
    """A term after closure: per case category, or per outcome of a signal that never became a case.

    Exactly one of ``category_id`` and ``signal_outcome`` is set. Defaults come from configuration
    (``CASUS_RETENTION_*``) and stay unconfirmed until a privacy officer confirms them: no destruction list is
    proposed for a term nobody confirmed.
    """

    __tablename__ = "retention_terms"
    __table_args__ = (
        sa.CheckConstraint("(category_id IS NULL) != (signal_outcome IS NULL)", name="one_subject"),
        sa.CheckConstraint("months BETWEEN 1 AND 1200", name="months_range"),
        sa.CheckConstraint("confirmed_at IS NULL OR confirmed_by_id IS NOT NULL", name="confirmation_has_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), unique=True)
    signal_outcome: Mapped[SignalOutcome | None] = mapped_column(enum_column(SignalOutcome, "signal_outcome"),
                                                                 unique=True)
    months: Mapped[int] = mapped_column()
    archiefnominatie: Mapped[Archiefnominatie] = mapped_column(
        enum_column(Archiefnominatie, "archiefnominatie"), default=Archiefnominatie.VERNIETIGEN)
    # Why this term: the organisation's own ground (a selectielijst, a convenant article).
    basis: Mapped[str | None] = mapped_column(sa.Text)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    confirmed_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class LegalHold(db.Model):
    """A *bevriezing*: the case is kept whatever its archiefactiedatum, until lifted or until ``until``."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        sa.Index("ix_legal_holds_case", "case_id", "lifted_at"),
        sa.CheckConstraint("lifted_at IS NULL OR lifted_by_id IS NOT NULL", name="lift_has_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.Text)
    placed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    until: Mapped[date | None] = mapped_column(sa.Date)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lift_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id], lazy="raise")
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id], lazy="raise")


class DestructionListStatus(LabelledEnum):
    CONCEPT = "concept", N_("Concept")               # proposed by the job; the privacy officer reviews it
    TER_GOEDKEURING = "ter_goedkeuring", N_("Ter goedkeuring")  # submitted: an approval is open
    GOEDGEKEURD = "goedgekeurd", N_("Goedgekeurd")   # approved; destruction runs (same transaction or job)
    VERNIETIGD = "vernietigd", N_("Vernietigd")      # destroyed; the verklaring exists
    AFGEWEZEN = "afgewezen", N_("Afgewezen")         # the second person refused; back to review


class DestructionList(db.Model):
    """A vernietigingslijst of one team's cases and signals whose archiefactiedatum has passed."""

    __tablename__ = "destruction_lists"
    __table_args__ = (
        sa.Index("ix_destruction_lists_team_status", "team_id", "status", "id"),
        sa.UniqueConstraint("team_id", "period", name="one_per_team_and_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)  # VL-2026-0001
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    period: Mapped[str] = mapped_column(sa.String(7))  # the month it was proposed for: 2026-12
    status: Mapped[DestructionListStatus] = mapped_column(
        enum_column(DestructionListStatus, "destruction_list_status"), default=DestructionListStatus.CONCEPT)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who submitted it for approval: never its approver (the approval's four_eyes CHECK).
    prepared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id], lazy="raise")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="raise")
    items: Mapped[list[DestructionListItem]] = relationship(back_populates="destruction_list", lazy="raise",
                                                           order_by="DestructionListItem.id")


class DestructionItemStatus(LabelledEnum):
    VOORGESTELD = "voorgesteld", N_("Voorgesteld")
    VERWIJDERD = "verwijderd", N_("Van de lijst gehaald")
    UITGESTELD = "uitgesteld", N_("Uitgesteld")
    VERNIETIGD = "vernietigd", N_("Vernietigd")


class DestructionListItem(db.Model):
    """One case or signal on a list. Reference, category and dates are copied: they outlive the case."""

    __tablename__ = "destruction_list_items"
    __table_args__ = (
        sa.Index("ix_destruction_list_items_list", "destruction_list_id", "id"),
        sa.Index("ix_destruction_list_items_case", "case_id"),
        sa.Index("ix_destruction_list_items_signal", "signal_id"),
        sa.CheckConstraint("(case_id IS NULL) OR (signal_id IS NULL)", name="case_or_signal"),
        sa.CheckConstraint("status NOT IN ('verwijderd', 'uitgesteld') OR reason IS NOT NULL",
                           name="decision_has_reason"),
        sa.CheckConstraint("status != 'uitgesteld' OR postponed_until IS NOT NULL", name="postponement_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    destruction_list_id: Mapped[int] = mapped_column(sa.ForeignKey("destruction_lists.id", ondelete="CASCADE"))
    # Both become NULL when the record is destroyed; the copied fields below remain.
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="SET NULL"))
    signal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signals.id", ondelete="SET NULL"))
    record_kind: Mapped[str] = mapped_column(sa.String(10))  # "case" or "signal"
    reference: Mapped[str] = mapped_column(sa.String(20))
    category_code: Mapped[str] = mapped_column(sa.String(40))
    closed_on: Mapped[date] = mapped_column(sa.Date)
    archiefactiedatum: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[DestructionItemStatus] = mapped_column(
        enum_column(DestructionItemStatus, "destruction_item_status"), default=DestructionItemStatus.VOORGESTELD)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    postponed_until: Mapped[date | None] = mapped_column(sa.Date)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    destruction_list: Mapped[DestructionList] = relationship(back_populates="items", lazy="raise")


class DeclarationKind(LabelledEnum):
    LIST = "vernietigingslijst", N_("Vernietigingslijst")
    ERASURE = "wissing", N_("Verzoek tot wissing")


class DestructionDeclaration(db.Model):
    """A *verklaring van vernietiging*: what was destroyed, when, on whose preparation and approval.

    Never personal data: case and signal references, categories, dates and counts per kind of record
    (``entries``: a list of {"kind", "reference", "category", "closed_on", "destroyed_on", "counts"}). Kept for
    good: the runtime role may only INSERT and SELECT it (casus.database_roles.INSERT_ONLY_TABLES).
    """

    __tablename__ = "destruction_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)  # VV-2026-0001
    kind: Mapped[DeclarationKind] = mapped_column(enum_column(DeclarationKind, "declaration_kind"))
    destruction_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("destruction_lists.id"), unique=True)
    subject_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subject_requests.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"))
    prepared_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entries: Mapped[list] = mapped_column(sa.JSON, default=list)

    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id], lazy="raise")
    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id], lazy="raise")


# Kept for good, like the audit log: on PostgreSQL the database refuses to change or delete a verklaring (the
# migration creates the same trigger; this one serves create_all).
sa.event.listen(DestructionDeclaration.__table__, "before_create",
                sa.DDL(CHAIN_APPEND_ONLY_FUNCTION).execute_if(dialect="postgresql"))
sa.event.listen(DestructionDeclaration.__table__, "after_create",
                sa.DDL(append_only_trigger(DestructionDeclaration.__tablename__)).execute_if(dialect="postgresql"))
