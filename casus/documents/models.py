"""Documents in the case file: a document (title, type, date, visibility, legal basis) on a case, a signal, an
agenda item or a voordracht, its versions (each upload a new one; the newest is current), and the stored files
they point at — content-addressed by SHA-256, encrypted at rest, outside the database (casus.documents.storage).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import TimestampMixin, UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.organisations.models import Organisation
from casus.users.models import User


class DocumentType(LabelledEnum):
    """The folder a document sits in."""

    RAPPORTAGE = "rapportage", N_("Rapportage")
    BESLUIT = "besluit", N_("Besluit")
    VERKLARING = "verklaring", N_("Verklaring")
    CORRESPONDENTIE = "correspondentie", N_("Correspondentie")
    FOTO = "foto", N_("Foto")
    OVERIG = "overig", N_("Overig")


class DocumentVisibility(LabelledEnum):
    """Who among those who see the parent (case, signal, agenda item, voordracht) may see the document — as notes."""

    ALL = "alle_deelnemers", N_("Alle deelnemers")
    OWN = "eigen_organisatie", N_("Alleen mijn organisatie")
    NAMED = "genoemde_organisaties", N_("Genoemde organisaties")


class SharingBasis(LabelledEnum):
    """The legal ground on which the uploading organisation shares the document (AVG art. 6, as the convenant
    names them)."""

    CONVENANT = "convenant", N_("Convenant Zorg- en Veiligheidshuis")
    WETTELIJKE_TAAK = "wettelijke_taak", N_("Wettelijke taak of algemeen belang (art. 6 lid 1e AVG)")
    WETTELIJKE_PLICHT = "wettelijke_plicht", N_("Wettelijke verplichting (art. 6 lid 1c AVG)")
    VITAAL_BELANG = "vitaal_belang", N_("Vitaal belang (art. 6 lid 1d AVG)")
    TOESTEMMING = "toestemming", N_("Toestemming van de betrokkene (art. 6 lid 1a AVG)")


class StoredFile(db.Model):
    """One file's bytes in the storage backend, named by the SHA-256 of its plain content: two uploads of the
    same file share it. ``key_id`` names the key it is encrypted with (key rotation re-encrypts and updates it)."""

    __tablename__ = "stored_files"
    __table_args__ = (sa.Index("ix_stored_files_key", "key_id"),)

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    key_id: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Document(TimestampMixin, db.Model):
    """A document in the case file. It hangs on exactly one of: a case (``case_id`` only), an agenda item or a
    voordracht (their id and their case's ``case_id``), or a signal (``signal_id`` only). Removing an agenda item
    or voordracht leaves its documents in the case file (SET NULL), never loses them."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.CheckConstraint("(case_id IS NULL) <> (signal_id IS NULL)", name="case_or_signal"),
        sa.CheckConstraint("agenda_item_id IS NULL OR voordracht_id IS NULL", name="one_parent"),
        sa.CheckConstraint("(agenda_item_id IS NULL AND voordracht_id IS NULL) OR case_id IS NOT NULL",
                           name="parent_in_case"),
        sa.CheckConstraint("current_number >= 1", name="current_number_positive"),
        sa.Index("ix_documents_case", "case_id", "created_at"),
        sa.Index("ix_documents_signal", "signal_id"),
        sa.Index("ix_documents_agenda_item", "agenda_item_id"),
        sa.Index("ix_documents_voordracht", "voordracht_id"),
        # Never reuse the id of a destroyed row: audit events keep pointing at ids (casus.retention).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    signal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signals.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="SET NULL"))
    voordracht_id: Mapped[int | None] = mapped_column(sa.ForeignKey("riec_voordrachten.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    document_type: Mapped[DocumentType] = mapped_column(enum_column(DocumentType, "document_type"))
    document_date: Mapped[date] = mapped_column(sa.Date)
    visibility: Mapped[DocumentVisibility] = mapped_column(enum_column(DocumentVisibility, "document_visibility"))
    legal_basis: Mapped[SharingBasis] = mapped_column(enum_column(SharingBasis, "document_sharing_basis"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    # The number of the current (newest) version; earlier versions stay, visible to the case's team.
    current_number: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)  # optimistic locking (casus.versioning)

    __mapper_args__ = {"version_id_col": version}

    uploaded_by: Mapped[User] = relationship(lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
    audience: Mapped[list[DocumentAudience]] = relationship(lazy="raise", cascade="all, delete-orphan")
    versions: Mapped[list[DocumentVersion]] = relationship(lazy="raise", cascade="all, delete-orphan",
                                                           order_by="DocumentVersion.number",
                                                           back_populates="document")

    def __repr__(self) -> str:
        return f"<Document {self.id} v{self.current_number}>"


class DocumentAudience(db.Model):
    """An organisation named by a document with visibility "genoemde organisaties"."""

    __tablename__ = "document_audience"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)


class DocumentVersion(db.Model):
    """One upload of a document: the file it stored, as the uploader named it and as its content was detected."""

    __tablename__ = "document_versions"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number", name="uq_document_versions_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.Index("ix_document_versions_sha256", "sha256"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))  # as detected from the content, never as claimed
    size: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the virus scanner said ("clamd: OK", with its version), or None when no scanner is configured.
    scan_result: Mapped[str | None] = mapped_column(sa.String(120))

    document: Mapped[Document] = relationship(lazy="raise", back_populates="versions")
    uploaded_by: Mapped[User] = relationship(lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
