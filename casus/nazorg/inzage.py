"""What a data-subject's inzage package (casus.subject_requests.inzage) lists of the nazorg: every check-in of the
person's cases, planned or held, in Dutch (the package's language)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casus.extensions import db
from casus.nazorg.models import NazorgCheckin


def _day(value: date | None) -> str | None:
    return value.strftime("%d-%m-%Y") if value is not None else None


def checkin_items(case_ids: list[int]) -> list[tuple[str, str, dict]]:
    """(key, title, content) per check-in of ``case_ids``, by case and planned date: one query whatever their
    number. Who recorded it is left out, as for notes and actions (the access log names the organisations)."""
    if not case_ids:
        return []
    found = db.session.scalars(sa.select(NazorgCheckin).where(NazorgCheckin.case_id.in_(case_ids))
                               .order_by(NazorgCheckin.case_id, NazorgCheckin.planned_on, NazorgCheckin.id))
    items = []
    for checkin in found:
        done = checkin.done_on is not None
        items.append((f"checkin:{checkin.id}", f"Nazorgcontact na {checkin.months} maanden", {
            "case": checkin.case_id, "plannedOn": _day(checkin.planned_on), "doneOn": _day(checkin.done_on),
            "contactMade": checkin.contact_made if done else None, "outcome": checkin.outcome,
            # Only a held check-in says anything about a relapse; a planned one has the default false.
            "relapseSignal": checkin.relapse_signal if done else None}))
    return items
