from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin
from casus.extensions import db


class OrganisationKind(enum.StrEnum):
    GEMEENTE = "gemeente"
    POLITIE = "politie"
    OM = "om"
    WONINGCORPORATIE = "woningcorporatie"
    GGZ = "ggz"
    VERSLAVINGSZORG = "verslavingszorg"
    VEILIG_THUIS = "veilig_thuis"
    RECLASSERING = "reclassering"
    JEUGDBESCHERMING = "jeugdbescherming"  # jeugdbescherming and jeugdreclassering: a gecertificeerde instelling
    CJG = "cjg"  # Centrum voor Jeugd en Gezin, jeugd- en gezinsteam
    WIJKTEAM = "wijkteam"
    JONGERENWERK = "jongerenwerk"
    ONDERWIJS = "onderwijs"  # schools, leerplicht
    HALT = "halt"
    BELASTINGDIENST = "belastingdienst"
    RIEC = "riec"
    ZVH = "zvh"
    OVERIG = "overig"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.GEMEENTE: _l("Gemeente"),
    OrganisationKind.POLITIE: _l("Politie"),
    OrganisationKind.OM: _l("Openbaar Ministerie"),
    OrganisationKind.WONINGCORPORATIE: _l("Woningcorporatie"),
    OrganisationKind.GGZ: _l("GGZ"),
    OrganisationKind.VERSLAVINGSZORG: _l("Verslavingszorg"),
    OrganisationKind.VEILIG_THUIS: _l("Veilig Thuis"),
    OrganisationKind.RECLASSERING: _l("Reclassering"),
    OrganisationKind.JEUGDBESCHERMING: _l("Jeugdbescherming / GI"),
    OrganisationKind.CJG: _l("CJG / jeugd- en gezinsteam"),
    OrganisationKind.WIJKTEAM: _l("Wijkteam"),
    OrganisationKind.JONGERENWERK: _l("Jongerenwerk"),
    OrganisationKind.ONDERWIJS: _l("Onderwijs"),
    OrganisationKind.HALT: _l("Halt"),
    OrganisationKind.BELASTINGDIENST: _l("Belastingdienst"),
    OrganisationKind.RIEC: _l("RIEC"),
    OrganisationKind.ZVH: _l("Zorg- en Veiligheidshuis"),
    OrganisationKind.OVERIG: _l("Overig"),
}


def enum_column(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A portable string enum with a CHECK constraint (no native PostgreSQL type to migrate)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    convenant_partner: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation", lazy="raise")

    @property
    def kind_label(self) -> str:
        return ORGANISATION_KIND_LABELS[self.kind]

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
