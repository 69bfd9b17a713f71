"""The verklaring van vernietiging: the proof of what was destroyed, kept for good, without personal data.

Recorded once per executed destruction list (kind LIST) or granted wissing that destroyed cases (kind ERASURE);
never changed afterwards (the runtime role may only INSERT and SELECT the table, and on PostgreSQL a trigger
refuses UPDATE and DELETE). Each entry names a destroyed case or signal by its reference only — with its
category, its closing and destruction dates and the number of records destroyed per kind — so the verklaring can
be shown to anyone entitled to the proof without showing what it proves was destroyed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus.audit.services import record
from casus.clock import today
from casus.extensions import db
from casus.organisations.models import Team
from casus.references import next_number
from casus.retention.models import DeclarationKind, DestructionDeclaration, DestructionList
from casus.users.models import User

ENTRY_KINDS = ("case", "signal")
ENTRY_FIELDS = frozenset({"kind", "reference", "category", "closed_on", "destroyed_on", "counts"})
REFERENCE_KIND = "verklaring"  # reference_counters.kind is at most 20 characters


def record_declaration(*, kind: DeclarationKind, entries: Iterable[Mapping], prepared_by: User, approved_by: User,
                       team_id: int | None = None, destruction_list_id: int | None = None,
                       subject_request_id: int | None = None) -> DestructionDeclaration:
    """Store the verklaring for what was just destroyed (reference ``VV-2026-0001``) and audit it.

    ``entries``: one mapping per destroyed case or signal with exactly ``kind`` ("case" or "signal"),
    ``reference``, ``category`` (its code), ``closed_on`` and ``destroyed_on`` (dates) and ``counts`` (records
    destroyed per kind). Any other key is refused: nothing but these may ever be kept about a destroyed record.
    """
    clean = [_entry(entry) for entry in entries]
    day = today()
    declaration = DestructionDeclaration(
        reference=f"VV-{day.year}-{next_number(REFERENCE_KIND, day.year):04d}", kind=DeclarationKind(kind),
        entries=clean, prepared_by_id=prepared_by.id, approved_by_id=approved_by.id, team_id=team_id,
        destruction_list_id=destruction_list_id, subject_request_id=subject_request_id)
    db.session.add(declaration)
    db.session.flush()
    record("destruction_declaration.recorded", object_type="destruction_declaration", object_id=declaration.id,
           details={"kind": declaration.kind.value, "entries": len(clean),
                    "destruction_list_id": destruction_list_id, "subject_request_id": subject_request_id})
    return declaration


def _entry(entry: Mapping) -> dict:
    unknown = set(entry) - ENTRY_FIELDS
    if unknown or set(entry) != ENTRY_FIELDS:
        raise ValueError(f"a verklaring entry has exactly {sorted(ENTRY_FIELDS)}, not {sorted(entry)}")
    if entry["kind"] not in ENTRY_KINDS:
        raise ValueError(f"a verklaring entry is about a case or a signal, not {entry['kind']!r}")
    counts = {str(name): int(number) for name, number in dict(entry["counts"]).items()}
    return {"kind": entry["kind"], "reference": str(entry["reference"]), "category": str(entry["category"]),
            "closed_on": _iso(entry["closed_on"]), "destroyed_on": _iso(entry["destroyed_on"]), "counts": counts}


def _iso(value: date | str | None) -> str | None:
    if value is None:
        return None
    return date.fromisoformat(value).isoformat() if isinstance(value, str) else value.isoformat()


# --- reading -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeclarationRow:
    """A verklaring with the reference of its list and the name of its team, read in the same query."""

    declaration: DestructionDeclaration
    list_reference: str | None
    team_name: str | None


def _rows_query() -> sa.Select:
    """Every verklaring, newest first, with who prepared and approved it, its list and its team."""
    return (sa.select(DestructionDeclaration, DestructionList.reference, Team.name)
            .outerjoin(DestructionList, DestructionList.id == DestructionDeclaration.destruction_list_id)
            .outerjoin(Team, Team.id == DestructionDeclaration.team_id)
            .options(joinedload(DestructionDeclaration.prepared_by), joinedload(DestructionDeclaration.approved_by))
            .order_by(DestructionDeclaration.id.desc()))


def list_declarations(limit: int = 200) -> list[DeclarationRow]:
    """The newest ``limit`` verklaringen (the privacy officer sees them all: they hold no personal data)."""
    return [DeclarationRow(*row) for row in db.session.execute(_rows_query().limit(limit)).unique()]


def get_declaration(declaration_id: int) -> DeclarationRow | None:
    row = db.session.execute(_rows_query().where(DestructionDeclaration.id == declaration_id)).unique().first()
    return DeclarationRow(*row) if row is not None else None


def totals(declaration: DestructionDeclaration) -> dict[str, int]:
    """The records destroyed per kind, over all the verklaring's entries."""
    summed: dict[str, int] = {}
    for entry in declaration.entries:
        for name, number in entry["counts"].items():
            summed[name] = summed.get(name, 0) + number
    return summed
