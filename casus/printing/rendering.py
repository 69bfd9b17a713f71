"""HTML → PDF through WeasyPrint: the print templates (``templates/printing``) rendered with Jinja, then laid out
on A4 with the print stylesheet of ``printing/base_print.html``.

Every page carries the running footer: "Vertrouwelijk — alleen voor deelnemers aan deze casus", the organisation
the pack was printed for, the print time (local, dd-mm-jjjj HH:MM) and the page number x/y. The font is the
vendored Noto Sans (the same files the pages and ``casus.pdf`` use), loaded by a file URL, so the output never
depends on the fonts of the machine; nothing is fetched from the network (``LocalOnlyFetcher``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from casus import clock
from casus.config import PACKAGE_DIR

FONT_DIR = PACKAGE_DIR / "static" / "vendor" / "noto-sans"
PRINT_TIME_FORMAT = "%d-%m-%Y %H:%M"


class LocalOnlyFetcher(URLFetcher):
    """Fetches the vendored fonts and data: URLs only. A print must never reach out: a link in a note or an
    address must not become a request from the server (and an http(s) fetch would leak who prints what)."""

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if path.is_relative_to(FONT_DIR.resolve()):
                return super().fetch(url, headers)
        raise ValueError("Casus prints fetch nothing but their own fonts")


@dataclass(frozen=True)
class PrintHeader:
    """Who a pack is printed for and when: the footer of every page, and the audit event's details."""

    title: str  # the document's title (PDF metadata and the first heading)
    organisation_name: str  # the reader's organisation (or the one the pack is printed for)
    printed_at: datetime  # local time (casus.clock)

    @property
    def printed_at_text(self) -> str:
        return self.printed_at.strftime(PRINT_TIME_FORMAT)


def header(title: str, organisation_name: str) -> PrintHeader:
    return PrintHeader(title=title, organisation_name=organisation_name, printed_at=clock.now())


def font_url(name: str) -> str:
    return (FONT_DIR / name).resolve().as_uri()


def render_pdf(template: str, print_header: PrintHeader, **context) -> bytes:
    """The PDF of ``template`` (extending ``printing/base_print.html``) with ``context``.

    The Jinja environment directly, not render_template: a pack is also built for an e-mail, outside any request,
    where the pages' context processors have nothing to work with; the caller hands in the helpers it uses."""
    html = current_app.jinja_env.get_template(template).render(print_header=print_header, font_url=font_url,
                                                               **context)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    # A fresh FontConfiguration per document: the @font-face rules of one print never linger in another.
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=FONT_DIR.resolve().as_uri() + "/", url_fetcher=LocalOnlyFetcher())
    # PDF/UA-1: a tagged PDF (headings, tables, reading order) with its title and language, so that a screen
    # reader reads the pack as it reads the page.
    return document.write_pdf(font_config=fonts, pdf_variant="pdf/ua-1")
