"""What a data-subject's inzage package (casus.subject_requests.inzage) lists of the documents: every document of the
person's cases (their agenda items and voordrachten included), of the signals bundled in those cases and of the
signals the person appears in — whatever its visibility, since the package answers for everything held about them.

Each item names the document (title, type, date, uploading organisation, file name), how many versions it has and
the SHA-256 of its current file. The PDF package carries the current file of every document not withheld as an
attachment (:func:`attach_files`), read back through the storage and checked against that SHA-256; the JSON lists
them only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from casus.documents.files import CorruptFile, read_verified
from casus.documents.models import Document, DocumentType, DocumentVersion
from casus.extensions import db
from casus.labels import enum_label
from casus.organisations.models import Organisation
from casus.pdf import PdfDocument
from casus.services import ServiceError
from casus.signals.models import Signal, SignalSubject

log = logging.getLogger(__name__)
NL = "nl"  # the package is written in Dutch


def document_items(case_ids: list[int], subject_ids: list[int]) -> list[tuple[str, str, dict]]:
    """(key, title, content) per document of ``case_ids`` and of the signals of ``subject_ids`` or bundled in those
    cases, in the order they were added: one query whatever their number."""
    of_signals = sa.select(SignalSubject.signal_id).where(SignalSubject.subject_id.in_(subject_ids))
    bundled = sa.select(Signal.id).where(Signal.case_id.in_(case_ids))
    versions = (sa.select(DocumentVersion.document_id, sa.func.count().label("number"))
                .group_by(DocumentVersion.document_id).subquery())
    current = aliased(DocumentVersion)
    rows = db.session.execute(
        sa.select(Document, versions.c.number, current.sha256, current.filename, Organisation.name, Signal.reference,
                  Signal.case_id)
        .join(versions, versions.c.document_id == Document.id)
        .join(current, sa.and_(current.document_id == Document.id, current.number == Document.current_number))
        .join(Organisation, Organisation.id == Document.organisation_id)
        .outerjoin(Signal, Signal.id == Document.signal_id)
        .where(sa.or_(Document.case_id.in_(case_ids), Document.signal_id.in_(of_signals),
                      Document.signal_id.in_(bundled)))
        .order_by(Document.created_at, Document.id))
    items = []
    for document, number, sha256, filename, organisation, signal_reference, signal_case in rows:
        content = {"case": document.case_id or signal_case} if (document.case_id or signal_case) else {}
        if signal_reference is not None:
            content["signal"] = signal_reference
        content.update({"documentTitle": document.title,
                        "documentType": enum_label(DocumentType, document.document_type, NL),
                        "date": document.document_date.strftime("%d-%m-%Y"), "organisation": organisation,
                        "filename": filename, "versions": number, "sha256": sha256})
        items.append((f"document:{document.id}", f"Document {content['date']}", content))
    return items


def attach_files(pdf: PdfDocument, documents: Iterable[tuple[str, dict]]) -> list[list[str]]:
    """Embed the current file of each (item key, content) in ``pdf``, named ``<key number>-<file name>`` so equal
    names stay apart; the rows of the table that tells the reader what is attached. A file that cannot be read or
    fails its checksum is named as not available instead (the download of it from the case file alerts the privacy
    officers and says why)."""
    rows = []
    for key, content in documents:
        name = f"{key.rpartition(':')[2]}-{content['filename']}"
        try:
            pdf.attach(name, read_verified(content["sha256"]))
        except (CorruptFile, ServiceError) as error:
            log.warning("inzage: a document's file is not attached: %s", type(error).__name__)
            rows.append([content["documentTitle"], name, "niet beschikbaar"])
            continue
        rows.append([content["documentTitle"], name, "bijgevoegd"])
    return rows
