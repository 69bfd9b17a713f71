"""Helpers for the signal tests (imported by name: ``tests/signals`` is on the path through conftest)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

VALID_BSN = "111222333"      # passes the 11-proef
INVALID_BSN = "123456789"    # fails it


@dataclass
class Region:
    category: object
    team: object
    zvh: object
    politie: object
    corporatie: object
    regisseur: object


def signal_form(region, subjects: list[dict], **fields) -> dict:
    """Form data for /signalen/nieuw; ``subjects`` are dicts of sub-field values."""
    data = {"category_id": str(region.category.id), "team_id": str(region.team.id),
            "description": "Aanhoudende overlast en zorgen over de bewoner.", "urgency": "normaal"}
    data.update(fields)
    for index, subject in enumerate(subjects):
        subject = {"kind": "persoon", **subject}
        for key, value in subject.items():
            data[f"subjects-{index}-{key}"] = value
    return data


def count(db, model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def audit_actions(db, action: str):
    from casus.audit.models import AuditEvent

    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
