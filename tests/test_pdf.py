"""casus.pdf: the documents Casus hands out are real PDFs whose text (Dutch, euro sign, names beyond Latin-1)
reads back, with page numbers and metadata."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from casus.pdf import PdfDocument


def _read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_text_in_every_block_reads_back_with_dutch_characters():
    doc = PdfDocument("Verklaring van vernietiging", subtitle="Beëindigde dossiers")
    doc.heading("Gegevens")
    doc.key_values([("Categorie", "Woonoverlast – ernstig"), ("Kosten", "€ 12,50"), ("Leeg", None)])
    doc.paragraph("Coördinatie van de zorg: Şahin, Łukasz en Ödön zijn geïnformeerd.")
    doc.table(["Zaak", "Vernietigd op"], [["2026-00042", "21-11-2026"], ["S-2026-000007", None]])

    text = _text(_read(doc.to_bytes()))

    for expected in ("Verklaring van vernietiging", "Beëindigde dossiers", "Gegevens", "Categorie",
                     "Woonoverlast – ernstig", "€ 12,50", "Coördinatie", "Şahin", "Łukasz", "Ödön",
                     "geïnformeerd", "2026-00042", "S-2026-000007", "Vernietigd op"):
        assert expected in text


def test_metadata_and_page_numbers_on_every_page():
    created = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    doc = PdfDocument("Inzage INZ-2026-0001", author="Casus", created_at=created)
    doc.table(["Nr", "Omschrijving"], [[str(number), "regel " * 12] for number in range(120)])

    reader = _read(doc.to_bytes())

    assert len(reader.pages) > 1
    assert reader.metadata.title == "Inzage INZ-2026-0001"
    assert reader.metadata.creation_date == created
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"{number} / {total}" in text
        assert "Omschrijving" in text  # the heading row repeats on every page


def test_control_characters_and_unknown_glyphs_do_not_break_the_document():
    doc = PdfDocument("Rommel\x00")
    doc.paragraph("tab\there\x1b[31m en 漢字 en een emoji 🙂, verder gewoon")

    text = _text(_read(doc.to_bytes()))

    assert "verder gewoon" in text
    assert "\x00" not in text and "\x1b" not in text
