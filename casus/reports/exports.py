"""Reports as downloads: CSV the way Dutch Excel opens it, and XLSX with one sheet per report.

Both write exactly the cells :mod:`casus.reports.services` built — suppression included — so a download
never holds a figure the page hides. Text that a spreadsheet would run as a formula (a gemeente or
organisation name starting with ``=``, ``+``, ``-`` or ``@``) is written as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from casus.clock import today
from casus.i18n import format_date_nl
from casus.reports.figures import Cell, Kind, Report
from casus.reports.services import updated_text
from casus.web.exports import csv_cell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def filename(name: str, today: date, extension: str) -> str:
    """``casus-rapportage-instroom-2026-11-22.xlsx``"""
    return f"casus-rapportage-{name}-{today.isoformat()}.{extension}"


def _table(report: Report) -> list[tuple[str, list[Cell]]]:
    rows = [(row.label, list(row.cells)) for row in report.rows]
    if report.total is not None:
        rows.append((report.total.label, list(report.total.cells)))
    return rows


def to_csv(report: Report) -> bytes:
    """UTF-8 with a byte order mark and ``;`` between fields, so Dutch Excel opens it as a table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(report.row_header), *(csv_cell(column.label) for column in report.columns)])
    for label, cells in _table(report):
        writer.writerow([csv_cell(label), *(cell.display for cell in cells)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = title.translate(SHEET_FORBIDDEN).strip()[:31] or "Rapportage"
    candidate, number = base, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = base[:31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate


def _put(sheet, row: int, column: int, value, *, bold: bool = False, number_format: str | None = None) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format


NUMBER_FORMATS = {Kind.COUNT: "0", Kind.DAYS: "0.0", Kind.PERCENT: '0"%"', Kind.CHANGE: "+0.0;-0.0;0.0"}


def _write_sheet(sheet, report: Report, filter_lines: Sequence[str]) -> None:
    headers = [report.row_header, *(column.label for column in report.columns)]
    for index, header in enumerate(headers, start=1):
        _put(sheet, 1, index, header, bold=True)
    line = 1
    for line, (label, cells) in enumerate(_table(report), start=2):
        is_total = report.total is not None and line == len(report.rows) + 2
        _put(sheet, line, 1, label, bold=is_total)
        for index, (column, cell) in enumerate(zip(report.columns, cells, strict=True), start=2):
            if cell.value is None:
                _put(sheet, line, index, cell.display, bold=is_total)
            else:
                _put(sheet, line, index, cell.value, bold=is_total, number_format=NUMBER_FORMATS[column.kind])
    notes = [report.title, report.description, *filter_lines]
    for offset, note in enumerate(notes, start=2):
        _put(sheet, line + offset, 1, note)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = min(max(len(header) for header in [headers[0], *(
        label for label, _ in _table(report))]) + 2, 60)
    for index, header in enumerate(headers[1:], start=2):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header), 8) + 2, 40)


def filter_lines(report: Report, *, team_label: str | None, category_label: str | None) -> list[str]:
    """The filters, when the figures were counted and the suppression rule, as lines under a sheet."""
    filters = report.filters
    t = report.threshold
    updated = [updated_text(report.computed_at, today())] if report.computed_at else []
    return [
        _("Periode: %(start)s tot en met %(end)s", start=format_date_nl(filters.date_from),
          end=format_date_nl(filters.date_to)),
        _("Team: %(team)s", team=team_label or _("alle teams")),
        _("Categorie: %(category)s", category=category_label or _("alle categorieën")),
        *updated,
        _("Aantallen van 1 tot %(threshold)s staan er als <%(threshold)s; een totaal dat zo'n aantal zou "
          "verraden, en een mediaan of percentiel over minder dan %(threshold)s casussen, staat er als –.",
          threshold=t),
    ]


def to_xlsx(reports: Sequence[Report], *, team_label: str | None = None, category_label: str | None = None) -> bytes:
    """One sheet per report, the header row bold, the filters and the suppression rule underneath."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for report in reports:
        sheet = workbook.create_sheet(_sheet_title(report.sheet, used))
        _write_sheet(sheet, report, filter_lines(report, team_label=team_label, category_label=category_label))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
