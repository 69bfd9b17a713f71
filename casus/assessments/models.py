from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.users.models import User


class AssessmentMoment(LabelledEnum):
    """When in the case an assessment is made; reports compare the first triage with the closing one."""

    TRIAGE = "triage", N_("Triage")
    EVALUATIE = "evaluatie", N_("Evaluatie")
    AFSLUITING = "afsluiting", N_("Afsluiting")


class Assessment(db.Model):
    """One scoring of the leefgebieden of a case's subjects, on a date, with who took part."""

    __tablename__ = "assessments"
    __table_args__ = (sa.Index("ix_assessments_case", "case_id", "assessed_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    moment: Mapped[AssessmentMoment] = mapped_column(enum_column(AssessmentMoment, "assessment_moment"))
    assessed_on: Mapped[date] = mapped_column(sa.Date)
    # Who took part (names of people or organisations, free text): shown with the scores.
    participants: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))

    __mapper_args__ = {"version_id_col": version}

    recorded_by: Mapped[User] = relationship(lazy="raise")
    scores: Mapped[list[AssessmentScore]] = relationship(lazy="raise", cascade="all, delete-orphan",
                                                         order_by="AssessmentScore.domain")

    def __repr__(self) -> str:
        return f"<Assessment {self.id} case {self.case_id} {self.moment}>"


class AssessmentScore(db.Model):
    """The score (1 = acute problemen .. 5 = volledig zelfredzaam on the ZRM scale) of one domain."""

    __tablename__ = "assessment_scores"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_on_the_scale"),)

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id", ondelete="CASCADE"),
                                               primary_key=True)
    # The domain's code from the configured list (casus.assessments.domains), e.g. "financien".
    domain: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    score: Mapped[int] = mapped_column(sa.SmallInteger)
