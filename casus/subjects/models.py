from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin, enum_column
from casus.extensions import db
from casus.labels import N_, LabelledEnum, enum_label
from casus.search import schema as search_schema
from casus.search.keys import fold
from casus.subjects.validation import format_postcode


class SubjectKind(LabelledEnum):
    PERSOON = "persoon", N_("Persoon")
    ADRES = "adres", N_("Adres")
    BEDRIJF = "bedrijf", N_("Bedrijf")
    HUISHOUDEN = "huishouden", N_("Huishouden")
    GROEP = "groep", N_("Groep")


# Kinds that stand for several people: their members are persons related to them by ``lid_van``.
COLLECTIVE_KINDS = (SubjectKind.HUISHOUDEN, SubjectKind.GROEP)


class RelationKind(LabelledEnum):
    """How one subject stands to another, read as "<subject> <kind> <related subject>"."""

    OUDER_VAN = "ouder_van", N_("ouder van")
    KIND_VAN = "kind_van", N_("kind van")
    PARTNER_VAN = "partner_van", N_("partner van")
    WOONT_OP = "woont_op", N_("woont op")
    LID_VAN = "lid_van", N_("lid van")
    EIGENAAR_VAN = "eigenaar_van", N_("eigenaar van")
    BEWONER_VAN = "bewoner_van", N_("bewoner van")


class Subject(TimestampMixin, db.Model):
    """A betrokkene. One subject can appear in several signals and cases.

    A person has a name (and optionally a date of birth, BSN and address); an address has a postcode and
    huisnummer (straat and woonplaats when known or looked up); a business has a name and KvK-nummer; a
    household or group has a name ("Huishouden De Vries", "Jongeren Stationsplein") and members (relations
    ``lid_van``). CHECK constraints hold each kind to its fields. ``version`` guards corrections (optimistic
    locking), as on cases.
    """

    __tablename__ = "subjects"
    __table_args__ = (
        sa.CheckConstraint("kind != 'persoon' OR name IS NOT NULL", name="person_has_name"),
        sa.CheckConstraint("kind != 'adres' OR (postcode IS NOT NULL AND huisnummer IS NOT NULL)",
                           name="address_has_postcode"),
        sa.CheckConstraint("kind != 'bedrijf' OR kvk_nummer IS NOT NULL", name="business_has_kvk"),
        sa.CheckConstraint("kind NOT IN ('huishouden', 'groep') OR name IS NOT NULL", name="collective_has_name"),
        sa.Index("ix_subjects_name_dob", "name_key", "date_of_birth"),
        sa.Index("ix_subjects_address", "postcode", "huisnummer", "toevoeging"),
        # Never reuse the id of a destroyed row: audit events keep pointing at ids (casus.retention).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, "subject_kind"))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    # Lower-cased, single-spaced name: what matching and search compare.
    name_key: Mapped[str | None] = mapped_column(sa.String(200))
    # name_key without accents: what name search compares (set on every flush; casus.search).
    search_key: Mapped[str | None] = mapped_column(sa.String(200))
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    bsn: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    postcode: Mapped[str | None] = mapped_column(sa.String(6))
    huisnummer: Mapped[int | None] = mapped_column()
    toevoeging: Mapped[str | None] = mapped_column(sa.String(6))
    kvk_nummer: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    straat: Mapped[str | None] = mapped_column(sa.String(120))
    woonplaats: Mapped[str | None] = mapped_column(sa.String(80))
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))  # bulk inserts (seed) may omit it

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return enum_label(SubjectKind, self.kind)

    @property
    def address(self) -> str:
        if not self.postcode:
            return ""
        number = f"{self.huisnummer}{'-' + self.toevoeging if self.toevoeging else ''}"
        if self.straat:  # "Dorpsstraat 12-A, 1234 AB Utrecht"
            place = f" {self.woonplaats}" if self.woonplaats else ""
            return f"{self.straat} {number}, {format_postcode(self.postcode)}{place}"
        return f"{format_postcode(self.postcode)} {number}"

    @property
    def display_name(self) -> str:
        if self.kind == SubjectKind.ADRES:
            return self.address
        return self.name or ""

    def __repr__(self) -> str:  # never the name or BSN: reprs end up in logs
        return f"<Subject {self.id} {self.kind}>"


@sa.event.listens_for(Subject, "before_insert")
@sa.event.listens_for(Subject, "before_update")
def _keep_search_key(_mapper, _connection, subject: Subject) -> None:
    # On the flush, not in the services: every ORM path that names a subject (intake, correction, rectification,
    # test factories) keeps its search key right without having to remember it. Bulk inserts set it themselves.
    subject.search_key = fold(subject.name_key)


search_schema.register(Subject.__table__, source="name_key")


class SubjectRelation(TimestampMixin, db.Model):
    """"<subject> <kind> <related subject>" from ``start_on`` until ``end_on`` (open when NULL).

    Members of a household or group are persons ``lid_van`` it; who lives where is ``woont_op`` an address.
    Relations belong to the subjects, not to one case: matching and bundling follow them.
    """

    __tablename__ = "subject_relations"
    __table_args__ = (
        sa.UniqueConstraint("subject_id", "related_subject_id", "kind", name="one_relation_of_a_kind"),
        sa.CheckConstraint("subject_id != related_subject_id", name="not_related_to_itself"),
        sa.CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on",
                           name="relation_ends_after_start"),
        sa.Index("ix_subject_relations_related", "related_subject_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id", ondelete="CASCADE"))
    related_subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id", ondelete="CASCADE"))
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind, "relation_kind"))
    start_on: Mapped[date | None] = mapped_column(sa.Date)
    end_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    subject: Mapped[Subject] = relationship(foreign_keys=[subject_id], lazy="raise")
    related_subject: Mapped[Subject] = relationship(foreign_keys=[related_subject_id], lazy="raise")

    @property
    def kind_label(self) -> str:
        return enum_label(RelationKind, self.kind)

    def __repr__(self) -> str:
        return f"<SubjectRelation {self.subject_id} {self.kind} {self.related_subject_id}>"
