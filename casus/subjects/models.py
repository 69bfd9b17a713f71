from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casus.database import TimestampMixin, enum_column
from casus.extensions import db
from casus.labels import N_, LabelledEnum, enum_label
from casus.subjects.validation import format_postcode


class SubjectKind(LabelledEnum):
    PERSOON = "persoon", N_("Persoon")
    ADRES = "adres", N_("Adres")
    BEDRIJF = "bedrijf", N_("Bedrijf")


class Subject(TimestampMixin, db.Model):
    """A betrokkene. One subject can appear in several signals and cases.

    A person has a name (and optionally a date of birth, BSN and address); an address has a postcode and
    huisnummer; a business has a name and KvK-nummer. CHECK constraints hold each kind to its fields.
    """

    __tablename__ = "subjects"
    __table_args__ = (
        sa.CheckConstraint("kind != 'persoon' OR name IS NOT NULL", name="person_has_name"),
        sa.CheckConstraint("kind != 'adres' OR (postcode IS NOT NULL AND huisnummer IS NOT NULL)",
                           name="address_has_postcode"),
        sa.CheckConstraint("kind != 'bedrijf' OR kvk_nummer IS NOT NULL", name="business_has_kvk"),
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
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    bsn: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    postcode: Mapped[str | None] = mapped_column(sa.String(6))
    huisnummer: Mapped[int | None] = mapped_column()
    toevoeging: Mapped[str | None] = mapped_column(sa.String(6))
    kvk_nummer: Mapped[str | None] = mapped_column(sa.String(8), index=True)

    @property
    def kind_label(self) -> str:
        return enum_label(SubjectKind, self.kind)

    @property
    def address(self) -> str:
        if not self.postcode:
            return ""
        number = f"{self.huisnummer}{'-' + self.toevoeging if self.toevoeging else ''}"
        return f"{format_postcode(self.postcode)} {number}"

    @property
    def display_name(self) -> str:
        if self.kind == SubjectKind.ADRES:
            return self.address
        return self.name or ""

    def __repr__(self) -> str:  # never the name or BSN: reprs end up in logs
        return f"<Subject {self.id} {self.kind}>"
