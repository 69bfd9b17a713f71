"""Reference numbers (``2026-00042`` for a case, ``S-2026-000042`` for a signal): one counter per kind and year,
handed out one at a time however many requests ask at once. A base module: every domain may number its objects.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casus.extensions import db


class ReferenceCounter(db.Model):
    """The last number handed out per kind and year."""

    __tablename__ = "reference_counters"

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


def next_number(kind: str, year: int) -> int:
    """The next number of ``kind`` in ``year``, safe under concurrency (row lock / SQLite write lock)."""
    updated = db.session.execute(
        sa.update(ReferenceCounter).where(ReferenceCounter.kind == kind, ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1).returning(ReferenceCounter.last)
    ).scalar_one_or_none()
    if updated is not None:
        return updated
    db.session.add(ReferenceCounter(kind=kind, year=year, last=1))
    db.session.flush()
    return 1
