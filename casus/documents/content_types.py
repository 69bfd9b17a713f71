"""What a file IS, by its content (libmagic through python-magic), never by its name or the client's claim.

Allowed: PDF, the common images (PNG, JPEG, GIF, WebP, TIFF, HEIC/HEIF), office documents (OOXML, OpenDocument,
the old Word and Excel formats, RTF) and plain text or CSV (UTF-8 or Latin-1 without control characters).
Everything else is refused — an executable renamed to .pdf, a ZIP that is not an office document, HTML, scripts,
macro-enabled office files — because a document is opened by other organisations' staff on their own machines.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import magic

# Detected MIME type -> canonical extension.
ALLOWED = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/heic": "heic",
    "image/heif": "heif",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "text/rtf": "rtf",
}

OOXML = {  # the main part's content type in [Content_Types].xml -> (MIME type, extension); no macro variants
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
ZIP_TYPES = {"application/zip", "application/octet-stream", *(mime for mime, _ in OOXML.values()), *OPENDOCUMENT}
TEXT_TYPES = {"text/plain", "text/csv"}

# C0 controls except tab, line feed, form feed and carriage return; DEL; the C1 range a Latin-1 text never holds.
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
PART_LIMIT = 1024 * 1024  # the most read of [Content_Types].xml or mimetype: never inflate a zip bomb


@dataclass(frozen=True)
class DetectedType:
    content_type: str
    extension: str


def detect(data: bytes, filename: str = "") -> DetectedType | None:
    """The allowed type of ``data``, or None when its content is not an allowed type. ``filename`` only tells a
    CSV from other plain text; it never makes a file acceptable."""
    detected = magic.from_buffer(data[:1024 * 1024], mime=True)
    if detected in ALLOWED:
        return DetectedType(detected, ALLOWED[detected])
    if detected in ZIP_TYPES and data[:4] == b"PK\x03\x04":
        return _office_archive(data)
    if detected in TEXT_TYPES and _is_plain_text(data):
        if filename.lower().endswith(".csv") or detected == "text/csv":
            return DetectedType("text/csv", "csv")
        return DetectedType("text/plain", "txt")
    return None


def _office_archive(data: bytes) -> DetectedType | None:
    """An OOXML or OpenDocument file by its own manifest (libmagic only recognises some entry orders)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = _read_part(archive, "mimetype").decode("ascii", "replace").strip()
                extension = OPENDOCUMENT.get(mimetype)
                return DetectedType(mimetype, extension) if extension else None
            if "[Content_Types].xml" in names:
                manifest = _read_part(archive, "[Content_Types].xml").decode("utf-8", "replace")
                found = [OOXML[main] for main in OOXML if f'ContentType="{main}"' in manifest]
                if len(found) == 1 and not any(name.lower().endswith("vbaproject.bin") for name in names):
                    return DetectedType(*found[0])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return None


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        return part.read(PART_LIMIT)


def _is_plain_text(data: bytes) -> bool:
    """UTF-8 (a BOM allowed) or else Latin-1, without control characters."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return not CONTROL.search(text)
