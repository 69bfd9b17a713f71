"""A small PDF writer for the documents Casus hands out: the verklaring van vernietiging, the inzage package.

A base module on fpdf2: a title, key/value blocks, headings, paragraphs and simple tables, page numbers and
metadata, returned as bytes. Text is Unicode: the vendored Noto Sans (the same font the pages use; latin, with
latin-ext as the fallback for names latin lacks) is embedded, because fpdf2's core fonts know Latin-1 only —
no "€", no "Ş". A character no embedded font has is left out by fpdf2 (a warning, never an error).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from casus.database import utcnow

FONT_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "noto-sans"
FONT = "NotoSans"
FALLBACK_FONT = "NotoSansExt"
MARGIN_MM = 18
LINE_MM = 5.5

# fpdf2 names every glyph no font has on the log (the character, so possibly part of a name): keep it quiet.
logging.getLogger("fpdf.fonts").setLevel(logging.ERROR)
logging.getLogger("fpdf.output").setLevel(logging.ERROR)


class _Pdf(FPDF):
    """FPDF with a footer: the document's title and ``page / pages`` on every page."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, f"{self.footer_text}    {self.page_no()} / {{nb}}", align="C")
        self.set_text_color(0)


class PdfDocument:
    """Build a document top to bottom, then take its bytes with ``to_bytes()``.

    >>> doc = PdfDocument("Verklaring van vernietiging VV-2026-0001")
    >>> doc.key_values([("Lijst", "VL-2026-0003"), ("Goedgekeurd door", "A. de Vries")])
    >>> doc.table(["Zaak", "Categorie"], [["2026-00042", "Woonoverlast"]])
    >>> data = doc.to_bytes()
    """

    def __init__(self, title: str, *, subtitle: str | None = None, author: str | None = None,
                 created_at: datetime | None = None, language: str = "nl") -> None:
        self._pdf = _Pdf(format="A4")
        self._pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self._pdf.set_auto_page_break(True, margin=MARGIN_MM)
        self._pdf.alias_nb_pages()
        self._register_fonts()
        self._pdf.footer_text = title
        self._pdf.set_title(title)
        self._pdf.set_creator("Casus")
        self._pdf.set_producer("Casus")
        if author:
            self._pdf.set_author(author)
        self._pdf.set_creation_date(created_at or utcnow())
        self._pdf.set_lang(language)
        self._pdf.add_page()
        self._text(title, size=16, bold=True, height=8)
        if subtitle:
            self._text(subtitle, size=10, height=LINE_MM)
        self._pdf.ln(3)

    def _register_fonts(self) -> None:
        for family, subset in ((FONT, "latin"), (FALLBACK_FONT, "latin-ext")):
            self._pdf.add_font(family, "", str(FONT_DIR / f"noto-sans-{subset}-400-normal.woff"))
            self._pdf.add_font(family, "B", str(FONT_DIR / f"noto-sans-{subset}-700-normal.woff"))
        self._pdf.set_fallback_fonts([FALLBACK_FONT])

    def _text(self, text: str, *, size: float = 10, bold: bool = False, height: float = LINE_MM) -> None:
        self._pdf.set_font(FONT, "B" if bold else "", size)
        self._pdf.multi_cell(0, height, _printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        """A section heading (kept with what follows it: a new page when fewer than ~3 lines are left)."""
        if self._pdf.will_page_break(LINE_MM * 4):
            self._pdf.add_page()
        self._pdf.ln(2)
        self._text(text, size=12, bold=True, height=7)

    def paragraph(self, text: str) -> None:
        self._text(text)
        self._pdf.ln(1.5)

    def key_values(self, rows: Iterable[tuple[str, object]]) -> None:
        """A block of labelled values, label in bold on the left (``None`` shows as a dash)."""
        rows = [(label, _shown(value)) for label, value in rows]
        if not rows:
            return
        self._pdf.set_font(FONT, size=10)
        with self._pdf.table(col_widths=(1, 2), first_row_as_headings=False, borders_layout="NONE",
                             text_align="LEFT", line_height=LINE_MM, padding=(0.8, 1)) as table:
            for label, value in rows:
                row = table.row()
                self._pdf.set_font(FONT, "B", 10)
                row.cell(_printable(label))
                self._pdf.set_font(FONT, "", 10)
                row.cell(_printable(value))
        self._pdf.ln(2)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]],
              widths: Sequence[float] | None = None) -> None:
        """A table with a heading row, repeated on every page it runs onto; cells wrap."""
        self._pdf.set_font(FONT, size=9)
        with self._pdf.table(col_widths=tuple(widths) if widths else None, text_align="LEFT",
                             line_height=LINE_MM - 0.5, padding=(0.8, 1.2), repeat_headings=1,
                             headings_style=_heading_style()) as table:
            table.row([_printable(header) for header in headers])
            for values in rows:
                table.row([_printable(_shown(value)) for value in values])
        self._pdf.ln(2)

    def attach(self, filename: str, data: bytes, *, mime_type: str | None = None) -> None:
        """Embed a file (a PDF reader lists it among the document's attachments)."""
        self._pdf.embed_file(bytes=data, basename=filename, mime_type=mime_type)

    def to_bytes(self) -> bytes:
        return bytes(self._pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", fill_color=(230, 230, 230))


def _shown(value: object) -> str:
    return "–" if value is None or value == "" else str(value)


def _printable(text: str) -> str:
    """Control characters (a stray NUL or escape in stored text) would corrupt the text stream: tabs become
    spaces, line breaks stay, the rest goes."""
    text = text.replace("\r\n", "\n").replace("\t", " ")
    return "".join(char for char in text if char == "\n" or char >= " ")
