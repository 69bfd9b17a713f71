"""The verklaring van vernietiging as a document: the labels of its counts, its CSV and its PDF.

Both carry exactly what the page shows — the verklaring's reference and kind, its list or request, who prepared
and who approved it, and per destroyed case or signal its reference, category, dates and counts — so an export
never holds more than the proof itself.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext

from casus.i18n import format_date_nl
from casus.labels import N_, enum_label
from casus.pdf import PdfDocument
from casus.retention.declarations import DeclarationRow, totals
from casus.retention.destruction import CASE_COUNT_KINDS
from casus.retention.models import DeclarationKind, DestructionDeclaration
from casus.web.exports import csv_cell

COUNT_LABELS = {
    "subjects": N_("Betrokkenen"),
    "signals": N_("Signalen"),
    "notes": N_("Notities"),
    "timeline_events": N_("Tijdlijnregels"),
    "documents": N_("Documenten met hun versies"),
    "goals": N_("Doelen"),
    "actions": N_("Acties"),
    "progress_entries": N_("Voortgangsberichten"),
    "assessments": N_("Leefgebiedenscores"),
    "nazorg_checkins": N_("Nazorgcontacten"),
    "participations": N_("Deelnames"),
    "agenda_items": N_("Agendapunten met notulen"),
    "decisions": N_("Besluiten"),
    "escalations": N_("Escalaties"),
    "voordrachten": N_("RIEC-voordrachten"),
    "approvals": N_("Akkoordverzoeken"),
    "notifications": N_("Notificaties"),
    "transitions": N_("Statusovergangen"),
    "legal_holds": N_("Bevriezingen"),
}
ENTRY_KIND_LABELS = {"case": N_("Casus"), "signal": N_("Signaal")}


def count_label(kind: str) -> str:
    """A count's label in the reader's language (an unknown kind, say from a later version, shows its key)."""
    return gettext(COUNT_LABELS[kind]) if kind in COUNT_LABELS else kind


def entry_kind_label(kind: str) -> str:
    return gettext(ENTRY_KIND_LABELS[kind]) if kind in ENTRY_KIND_LABELS else kind


def count_kinds(declaration: DestructionDeclaration) -> list[str]:
    """The kinds of record this verklaring counts, in the usual order, each once."""
    present = {kind for entry in declaration.entries for kind in entry["counts"]}
    return [kind for kind in CASE_COUNT_KINDS if kind in present] + sorted(present - set(CASE_COUNT_KINDS))


def shown_date(value: str | None) -> str:
    """An entry's ISO date as 21-11-2026."""
    return format_date_nl(date.fromisoformat(value)) if value else "–"


def declaration_csv(row: DeclarationRow) -> str:
    """One line per destroyed case or signal (semicolon-separated, UTF-8 with BOM, as the other CSV exports)."""
    declaration = row.declaration
    kinds = count_kinds(declaration)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([gettext("Verklaring"), gettext("Soort verklaring"), gettext("Vernietigingslijst"),
                     gettext("Voorbereid door"), gettext("Goedgekeurd door"), gettext("Soort"),
                     gettext("Nummer"), gettext("Categorie"), gettext("Afgesloten op"), gettext("Vernietigd op"),
                     *[count_label(kind) for kind in kinds]])
    common = [declaration.reference, enum_label(DeclarationKind, declaration.kind),
              row.list_reference or "",
              declaration.prepared_by.name, declaration.approved_by.name]
    for entry in declaration.entries:
        writer.writerow([csv_cell(value) for value in (
            *common, entry_kind_label(entry["kind"]), entry["reference"], entry["category"],
            shown_date(entry["closed_on"]), shown_date(entry["destroyed_on"]),
            *[entry["counts"].get(kind, 0) for kind in kinds])])
    return "\ufeff" + buffer.getvalue()


def declaration_pdf(row: DeclarationRow) -> bytes:
    """The verklaring as a PDF: who and what, the totals per kind, then every destroyed case and signal."""
    declaration = row.declaration
    title = gettext("Verklaring van vernietiging %(reference)s", reference=declaration.reference)
    document = PdfDocument(title, subtitle=gettext(
        "Deze verklaring bevat geen persoonsgegevens: alleen nummers, categorieën, datums en aantallen."),
        author="Casus", created_at=declaration.destroyed_at)
    document.key_values([
        (gettext("Soort verklaring"), enum_label(DeclarationKind, declaration.kind)),
        (gettext("Vernietigingslijst"), row.list_reference),
        (gettext("Team"), row.team_name),
        (gettext("Vernietigd op"), format_date_nl(declaration.destroyed_at)),
        (gettext("Voorbereid door"), declaration.prepared_by.name),
        (gettext("Goedgekeurd door"), declaration.approved_by.name),
        (gettext("Aantal vernietigde casussen en signalen"), len(declaration.entries)),
    ])
    summed = totals(declaration)
    document.heading(gettext("Vernietigde gegevens per soort"))
    document.table([gettext("Soort gegevens"), gettext("Aantal")],
                   [[count_label(kind), summed[kind]] for kind in count_kinds(declaration)], widths=(3, 1))
    document.heading(gettext("Vernietigde casussen en signalen"))
    document.table(
        [gettext("Nummer"), gettext("Soort"), gettext("Categorie"), gettext("Afgesloten op"),
         gettext("Vernietigd op"), gettext("Vernietigde gegevens")],
        [[entry["reference"], entry_kind_label(entry["kind"]), entry["category"], shown_date(entry["closed_on"]),
          shown_date(entry["destroyed_on"]), counts_text(entry["counts"])] for entry in declaration.entries],
        widths=(2, 1.3, 2, 1.6, 1.6, 4))
    return document.to_bytes()


def counts_text(counts: dict[str, int]) -> str:
    """``Notities: 3, Doelen: 1``: the kinds of which anything was destroyed."""
    return ", ".join(f"{count_label(kind)}: {number}" for kind, number in counts.items() if number) or "–"
