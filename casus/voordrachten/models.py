"""The RIEC-voordracht and the betrokkenen it shares.

What the RIEC sees is exactly what the voordracht holds: its summary (written for the RIEC), indicators,
legal basis, urgency and the subjects chosen to share — never the rest of the case. The four-eyes decision
on it is an ``approvals.Approval`` of kind ``riec_voordracht``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin, UTCDateTime, enum_column
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.organisations.models import Organisation
from casus.subjects.models import Subject
from casus.users.models import User
from workflow import VoordrachtState


class RiecIndicator(LabelledEnum):
    VASTGOED = "vastgoed", N_("Vastgoed")
    DRUGS = "drugs", N_("Drugs")
    MENSENHANDEL = "mensenhandel", N_("Mensenhandel")
    ARBEIDSUITBUITING = "arbeidsuitbuiting", N_("Arbeidsuitbuiting")
    WITWASSEN = "witwassen", N_("Witwassen")
    ZORGFRAUDE = "zorgfraude", N_("Zorgfraude")
    OVERIG = "overig", N_("Overig")


class RiecLegalBasis(LabelledEnum):
    RIEC_CONVENANT = "riec_convenant", N_("RIEC-convenant (art. 6 lid 1 sub e AVG)")
    GEMEENTEWET = "gemeentewet_172", N_("Gemeentewet art. 172 (handhaving openbare orde)")
    WPG = "wpg_art_20", N_("Wet politiegegevens art. 20")
    WJSG = "wjsg_art_39f", N_("Wet justitiële en strafvorderlijke gegevens art. 39f")


class Urgency(LabelledEnum):
    REGULIER = "regulier", N_("Regulier")
    # No colon inside a label: sentences put one before it ("urgentie: hoog (binnen twee weken)").
    HOOG = "hoog", N_("Hoog (binnen twee weken)")
    SPOED = "spoed", N_("Spoed (direct)")


class Voordracht(TimestampMixin, db.Model):
    __tablename__ = "riec_voordrachten"
    __table_args__ = (
        sa.Index("ix_voordrachten_case", "case_id", "id"),
        sa.Index("ix_voordrachten_addressee_state", "addressee_organisation_id", "state", "id"),
        sa.CheckConstraint("state != 'aangenomen' OR riec_reference IS NOT NULL", name="accepted_has_reference"),
        sa.CheckConstraint("state != 'teruggelegd' OR riec_advice IS NOT NULL", name="returned_has_advice"),
        sa.CheckConstraint("state != 'afgewezen' OR rejection_motivation IS NOT NULL",
                           name="rejected_has_motivation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    state: Mapped[VoordrachtState] = mapped_column(enum_column(VoordrachtState, "voordracht_state"),
                                                   default=VoordrachtState.CONCEPT)
    # The RIEC organisation the voordracht is addressed to; its riec users see it once it is sent.
    addressee_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    summary: Mapped[str] = mapped_column(sa.Text)
    indicators: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    indicator_other: Mapped[str | None] = mapped_column(sa.String(200))
    legal_basis: Mapped[RiecLegalBasis] = mapped_column(enum_column(RiecLegalBasis, "riec_legal_basis"))
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "voordracht_urgency"), default=Urgency.REGULIER)
    # The requester for the four-eyes rule: who drew it up (and submitted it).
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_motivation: Mapped[str | None] = mapped_column(sa.Text)
    riec_reference: Mapped[str | None] = mapped_column(sa.String(60))
    riec_advice: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    addressee: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="raise")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="raise")
    subjects: Mapped[list[Subject]] = relationship(secondary="riec_voordracht_subjects", lazy="raise",
                                                   order_by="Subject.id")

    def __repr__(self) -> str:
        return f"<Voordracht {self.id} {self.state}>"


class VoordrachtSubject(db.Model):
    """A betrokkene the voordracht shares with the RIEC (chosen explicitly; minimised)."""

    __tablename__ = "riec_voordracht_subjects"

    voordracht_id: Mapped[int] = mapped_column(sa.ForeignKey("riec_voordrachten.id", ondelete="CASCADE"),
                                               primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), primary_key=True, index=True)
