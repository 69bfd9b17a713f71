from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin, UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.organisations.models import Organisation, Team
from casus.search import schema as search_schema
from casus.search.keys import fold
from casus.subjects.models import Subject
from casus.users.models import User
from workflow import CasePhase, ClosureResult, EscalationLevel, ParticipationRole, TriageOutcome


class RiskLevel(LabelledEnum):
    LAAG = "laag", N_("Laag")
    MIDDEN = "midden", N_("Midden")
    HOOG = "hoog", N_("Hoog")


class LegalBasis(LabelledEnum):
    """Why an organisation may share data in this case (AVG art. 6 ground as agreed in the convenant)."""

    CONVENANT = "convenant", N_("Convenant Zorg- en Veiligheidshuis")
    GEHEIMHOUDINGSVERKLARING = "geheimhoudingsverklaring", N_("Ondertekende geheimhoudingsverklaring")


class NoteVisibility(LabelledEnum):
    ALL = "alle_deelnemers", N_("Alle deelnemers")
    OWN = "eigen_organisatie", N_("Alleen mijn organisatie")
    NAMED = "genoemde_organisaties", N_("Genoemde organisaties")


class Archiefnominatie(LabelledEnum):
    """What happens to a closed case when its archiefactiedatum comes (ZGW APIs' archiefnominatie)."""

    VERNIETIGEN = "vernietigen", N_("Vernietigen")
    BLIJVEND_BEWAREN = "blijvend_bewaren", N_("Blijvend bewaren")


class Archiefstatus(LabelledEnum):
    NOG_TE_ARCHIVEREN = "nog_te_archiveren", N_("Nog te archiveren")
    GEARCHIVEERD = "gearchiveerd", N_("Gearchiveerd")


class Category(db.Model):
    """A case category (woonoverlast, jeugd, ...). Data, so a beheerder can add categories. How long its closed
    cases are kept is the privacy officer's retention term (casus.retention.terms), not the beheerder's."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True)

    def label(self, locale: str = "nl") -> str:
        return self.name_en if str(locale).startswith("en") else self.name


# Running cases as literal SQL, like plans.models.OPEN_ACTIONS_SQL: a partial index over the running cases is only
# used when the query repeats its condition literally (SQLite cannot match a bound parameter, nor can a generic
# PostgreSQL plan).
RUNNING_CASES_SQL = "phase <> 'afgesloten'"


class Case(TimestampMixin, db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        sa.Index("ix_cases_team_phase", "team_id", "phase", "id"),
        sa.Index("ix_cases_team_updated", "team_id", "updated_at", "id"),
        sa.Index("ix_cases_updated", "updated_at", "id"),
        sa.Index("ix_cases_phase_triage_due", "phase", "triage_due_on"),
        sa.Index("ix_cases_procesregisseur_phase", "procesregisseur_id", "phase"),
        sa.Index("ix_cases_team_escalation", "team_id", "escalation_level", "id"),  # the escalations queue
        sa.Index("ix_cases_archiefactiedatum", "archiefactiedatum", "id"),  # the monthly destruction list
        # The dashboard's "my cases", by next date: walked in order instead of sorting all of a regisseur's cases;
        # partial, because closed cases keep their old dates and a walk in date order met all of them first.
        sa.Index("ix_cases_procesregisseur_open", "procesregisseur_id", "team_id",
                 sa.text("coalesce(next_review_on, triage_due_on)"), "id",
                 sqlite_where=sa.text(RUNNING_CASES_SQL), postgresql_where=sa.text(RUNNING_CASES_SQL)),
        sa.CheckConstraint("phase != 'afgesloten' OR (result IS NOT NULL AND closed_on IS NOT NULL)",
                           name="closed_has_result"),
        sa.CheckConstraint("phase != 'nazorg' OR nazorg_started_on IS NOT NULL", name="nazorg_has_start"),
        # Never reuse the id of a destroyed row: audit events keep pointing at ids (casus.retention).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(12), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # The title folded (lower case, no accents): what title search compares (set on every flush; casus.search).
    search_key: Mapped[str | None] = mapped_column(sa.String(200))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    gemeente: Mapped[str] = mapped_column(sa.String(120))
    phase: Mapped[CasePhase] = mapped_column(enum_column(CasePhase, "case_phase"), default=CasePhase.SIGNALERING)
    escalation_level: Mapped[EscalationLevel] = mapped_column(
        enum_column(EscalationLevel, "escalation_level"), default=EscalationLevel.OPERATIONEEL)
    risk_level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_level"), default=RiskLevel.MIDDEN)
    procesregisseur_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    aanbrenger_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    legal_basis: Mapped[LegalBasis] = mapped_column(enum_column(LegalBasis, "legal_basis"),
                                                    default=LegalBasis.CONVENANT)
    triage_outcome: Mapped[TriageOutcome | None] = mapped_column(enum_column(TriageOutcome, "triage_outcome"))
    inclusion_criteria: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    referral_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    evaluation: Mapped[str | None] = mapped_column(sa.Text)
    plan_discussed_on: Mapped[date | None] = mapped_column(sa.Date)
    triage_due_on: Mapped[date | None] = mapped_column(sa.Date)
    next_review_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    nazorg_started_on: Mapped[date | None] = mapped_column(sa.Date)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    result: Mapped[ClosureResult | None] = mapped_column(enum_column(ClosureResult, "closure_result"))
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signal_count: Mapped[int] = mapped_column(default=0)
    # Archive fields after the ZGW APIs (casus.retention): set at closure from the category's retention term,
    # cleared again on reopening; the monthly destruction list reads archiefactiedatum.
    archiefnominatie: Mapped[Archiefnominatie | None] = mapped_column(
        enum_column(Archiefnominatie, "archiefnominatie"))
    archiefactiedatum: Mapped[date | None] = mapped_column(sa.Date)
    archiefstatus: Mapped[Archiefstatus] = mapped_column(
        enum_column(Archiefstatus, "archiefstatus"), default=Archiefstatus.NOG_TE_ARCHIVEREN,
        server_default=Archiefstatus.NOG_TE_ARCHIVEREN.value)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    procesregisseur: Mapped[User | None] = relationship(foreign_keys=[procesregisseur_id], lazy="raise")
    aanbrenger: Mapped[Organisation] = relationship(foreign_keys=[aanbrenger_organisation_id], lazy="raise")
    participations: Mapped[list[Participation]] = relationship(back_populates="case", lazy="raise",
                                                               order_by="Participation.id")
    subjects: Mapped[list[Subject]] = relationship(secondary="case_subjects", lazy="raise")

    @property
    def is_closed(self) -> bool:
        return self.phase == CasePhase.AFGESLOTEN

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


@sa.event.listens_for(Case, "before_insert")
@sa.event.listens_for(Case, "before_update")
def _keep_search_key(_mapper, _connection, case: Case) -> None:
    # On the flush, not in the services: opening, bundling and editing a case all keep it right (casus.search).
    case.search_key = fold(case.title)


search_schema.register(Case.__table__, source="title", prefix="reference")


class CaseSubject(db.Model):
    __tablename__ = "case_subjects"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), primary_key=True, index=True)


class Participation(db.Model):
    """A casusdeelname: no active participation, no access for a partner organisation."""

    __tablename__ = "participations"
    __table_args__ = (
        sa.Index("ix_participations_org_case", "organisation_id", "case_id", "left_on"),
        sa.Index("ix_participations_case", "case_id"),
        sa.CheckConstraint("legal_basis != 'geheimhoudingsverklaring' OR confidentiality_signed_on IS NOT NULL",
                           name="nda_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    role: Mapped[ParticipationRole] = mapped_column(enum_column(ParticipationRole, "participation_role"))
    legal_basis: Mapped[LegalBasis] = mapped_column(enum_column(LegalBasis, "participation_legal_basis"))
    confidentiality_signed_on: Mapped[date | None] = mapped_column(sa.Date)
    joined_on: Mapped[date] = mapped_column(sa.Date)
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    contact_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Ending a participation changes the row (and bumps the case's version, which the writer carries).
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))  # bulk inserts (seed) may omit it

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="participations", lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    contact_user: Mapped[User | None] = relationship(lazy="raise")

    @property
    def active(self) -> bool:
        return self.left_on is None

    @property
    def has_legal_basis(self) -> bool:
        if self.legal_basis == LegalBasis.CONVENANT:
            return self.organisation.convenant_partner
        return self.confidentiality_signed_on is not None


class Note(db.Model):
    """A note in the case file, visible to all participants, the own organisation, or named organisations."""

    __tablename__ = "notes"
    __table_args__ = (sa.Index("ix_notes_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    visibility: Mapped[NoteVisibility] = mapped_column(enum_column(NoteVisibility, "note_visibility"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
    audience: Mapped[list[NoteAudience]] = relationship(lazy="raise", cascade="all, delete-orphan")


class NoteAudience(db.Model):
    __tablename__ = "note_audience"

    note_id: Mapped[int] = mapped_column(sa.ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)


class TransitionLog(db.Model):
    """Every workflow trigger on a case, allowed or refused: actor, time, from, to, reason, failing guards."""

    __tablename__ = "transition_log"
    __table_args__ = (sa.Index("ix_transition_log_case", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    machine: Mapped[str] = mapped_column(sa.String(20))
    trigger: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(40))
    to_state: Mapped[str | None] = mapped_column(sa.String(40))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    allowed: Mapped[bool] = mapped_column()
    failure_codes: Mapped[str | None] = mapped_column(sa.String(400))
