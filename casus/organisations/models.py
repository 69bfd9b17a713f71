from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin, enum_column
from casus.extensions import db
from casus.labels import N_, LabelledEnum, enum_label


class OrganisationKind(LabelledEnum):
    GEMEENTE = "gemeente", N_("Gemeente")
    POLITIE = "politie", N_("Politie")
    OM = "om", N_("Openbaar Ministerie")
    WONINGCORPORATIE = "woningcorporatie", N_("Woningcorporatie")
    GGZ = "ggz", N_("GGZ")
    VERSLAVINGSZORG = "verslavingszorg", N_("Verslavingszorg")
    VEILIG_THUIS = "veilig_thuis", N_("Veilig Thuis")
    RECLASSERING = "reclassering", N_("Reclassering")
    # jeugdbescherming and jeugdreclassering: a gecertificeerde instelling
    JEUGDBESCHERMING = "jeugdbescherming", N_("Jeugdbescherming / GI")
    CJG = "cjg", N_("CJG / jeugd- en gezinsteam")  # Centrum voor Jeugd en Gezin, jeugd- en gezinsteam
    WIJKTEAM = "wijkteam", N_("Wijkteam")
    JONGERENWERK = "jongerenwerk", N_("Jongerenwerk")
    ONDERWIJS = "onderwijs", N_("Onderwijs")  # schools, leerplicht
    HALT = "halt", N_("Halt")
    BELASTINGDIENST = "belastingdienst", N_("Belastingdienst")
    RIEC = "riec", N_("RIEC")
    ZVH = "zvh", N_("Zorg- en Veiligheidshuis")
    OVERIG = "overig", N_("Overig")


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    convenant_partner: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # False: its people log in through single sign-on only (docs/OPERATIONS.md, "Single sign-on").
    password_login: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    teams: Mapped[list[Team]] = relationship(back_populates="organisation", lazy="raise")

    @property
    def kind_label(self) -> str:
        return enum_label(OrganisationKind, self.kind)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind}>"


class Team(TimestampMixin, db.Model):
    """A municipal or ZVH unit that owns cases; procesregisseurs and supervisors belong to one."""

    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_teams_organisation_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    gemeente: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="teams", lazy="joined")

    def __repr__(self) -> str:
        return f"<Team {self.id}>"
