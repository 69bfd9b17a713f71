from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.cases.models import Case, Category
from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.organisations.models import Organisation, Team
from casus.subjects.models import Subject
from casus.users.models import User


class Urgency(LabelledEnum):
    LAAG = "laag", N_("Laag")
    NORMAAL = "normaal", N_("Normaal")
    HOOG = "hoog", N_("Hoog")
    ACUUT = "acuut", N_("Acuut")


class SignalStatus(LabelledEnum):
    """What the reporting organisation sees about its own signal, even without access to the case."""

    ONTVANGEN = "ontvangen", N_("Ontvangen")
    IN_TRIAGE = "in_triage", N_("In triage")
    GEBUNDELD = "gebundeld", N_("Gebundeld in een casus")
    DOORVERWEZEN = "doorverwezen", N_("Doorverwezen")
    AFGESLOTEN = "afgesloten", N_("Afgesloten")
    INGETROKKEN = "ingetrokken", N_("Ingetrokken")


class Signal(db.Model):
    __tablename__ = "signals"
    __table_args__ = (
        sa.Index("ix_signals_team_status", "team_id", "status", "received_at"),
        sa.Index("ix_signals_reporter_org", "reporting_organisation_id", "received_at"),
        sa.Index("ix_signals_case", "case_id"),
        sa.Index("ix_signals_archiefactiedatum", "archiefactiedatum", "id"),  # the monthly destruction list
        # Never reuse the id of a destroyed row: audit events keep pointing at ids (casus.retention).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(14), unique=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"), default=Urgency.NORMAAL)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    reporting_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[SignalStatus] = mapped_column(enum_column(SignalStatus, "signal_status"),
                                                 default=SignalStatus.ONTVANGEN)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    # Why the team closed the signal without a case (geen casus); shown to the team, not to the reporter.
    dismissal_reason: Mapped[str | None] = mapped_column(sa.Text)
    # A signal that ends without a case (dismissed, referred, withdrawn): when, and when it is due for
    # destruction under its outcome's retention term (casus.retention). A bundled signal follows its case.
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    archiefactiedatum: Mapped[date | None] = mapped_column(sa.Date)

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    reporting_organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    reported_by: Mapped[User] = relationship(lazy="raise")
    case: Mapped[Case | None] = relationship(lazy="raise")
    subjects: Mapped[list[Subject]] = relationship(secondary="signal_subjects", lazy="raise")

    def __repr__(self) -> str:
        return f"<Signal {self.reference}>"


class SignalSubject(db.Model):
    """A betrokkene of a signal, with what the reporter typed.

    Subject rows are shared between signals and cases, and a matched subject may carry details the reporting
    organisation never gave (from cases it does not take part in). ``reported_as`` keeps the reporter's own
    words — name, address or business name — so the reporter can be shown exactly that and nothing more.
    """

    __tablename__ = "signal_subjects"

    signal_id: Mapped[int] = mapped_column(sa.ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), primary_key=True, index=True)
    reported_as: Mapped[str | None] = mapped_column(sa.String(250))
