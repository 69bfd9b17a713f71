"""Allowed types are told by the content (libmagic and the office manifests), never by the name."""

from __future__ import annotations

import pytest

from document_samples import (
    WORD_MACRO_MAIN,
    docx_bytes,
    elf_bytes,
    image_bytes,
    odt_bytes,
    pdf_bytes,
    pe_bytes,
    plain_zip_bytes,
    xlsx_bytes,
)


def detect(data: bytes, filename: str = "upload.bin"):
    from casus.documents.content_types import detect

    return detect(data, filename)


@pytest.mark.parametrize(("make", "content_type", "extension"), [
    (pdf_bytes, "application/pdf", "pdf"),
    (lambda: image_bytes("PNG"), "image/png", "png"),
    (lambda: image_bytes("JPEG"), "image/jpeg", "jpg"),
    (lambda: image_bytes("GIF"), "image/gif", "gif"),
    (lambda: image_bytes("WEBP"), "image/webp", "webp"),
    (lambda: image_bytes("TIFF"), "image/tiff", "tif"),
    (lambda: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "image/heic", "heic"),  # an iPhone photo's box
    (docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    (odt_bytes, "application/vnd.oasis.opendocument.text", "odt"),
    (lambda: b"{\\rtf1\\ansi Verslag overleg}", "text/rtf", "rtf"),
    (lambda: "Verslag van het overleg: één afspraak, café.\r\n".encode(), "text/plain", "txt"),
    (lambda: "Verslag: één afspraak\n".encode("latin-1"), "text/plain", "txt"),
])
def test_allowed_types_are_recognised_whatever_the_file_is_called(make, content_type, extension):
    found = detect(make(), "bestand.exe")
    assert (found.content_type, found.extension) == (content_type, extension)


def test_a_csv_by_name_is_kept_as_csv_when_its_content_is_plain_text():
    found = detect(b"naam;aantal\nA;1\nB;2\n", "telling.csv")
    assert (found.content_type, found.extension) == ("text/csv", "csv")


@pytest.mark.parametrize(("make", "filename"), [
    (elf_bytes, "rapport.pdf"),
    (pe_bytes, "besluit.pdf"),
    (plain_zip_bytes, "brief.docx"),
    (lambda: docx_bytes(WORD_MACRO_MAIN), "brief.docx"),
    (lambda: docx_bytes(extra={"word/vbaProject.bin": b"\0" * 64}), "brief.docx"),
    (lambda: b"<html><body><script>alert(1)</script></body></html>", "notitie.txt"),
    (lambda: b"#!/bin/sh\nrm -rf /\n", "notitie.txt"),
    (lambda: b"Tekst met een stuurteken \x1b[31m erin\n", "notitie.txt"),
    (lambda: b"PK\x03\x04" + b"\0" * 100, "kapot.docx"),
    (lambda: b"\x00\x01\x02\x03" * 64, "foto.jpg"),
])
def test_everything_else_is_refused_by_its_content_whatever_it_is_called(make, filename):
    assert detect(make(), filename) is None
