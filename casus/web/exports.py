"""What every CSV download shares: its media type, and cells a spreadsheet shows as text and never runs.

A name, purpose or detail starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) would run as a
formula when the file is opened in Excel (CSV injection); such a cell gets a leading quote.
"""

from __future__ import annotations

CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """``value`` as CSV text that a spreadsheet will not run as a formula (``None`` is empty)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
