"""The standard case categories (the first migration inserts the same list into every database)."""

from __future__ import annotations

import sqlalchemy as sa

from casus.cases.models import Category
from casus.extensions import db

STANDARD_CATEGORIES = (
    ("woonoverlast", "Woonoverlast", "Housing nuisance"),
    ("jeugd", "Jeugd", "Youth"),
    ("verward_gedrag", "Onbegrepen of verward gedrag", "Confused behaviour"),
    ("ondermijning", "Ondermijning", "Subversive crime"),
    ("radicalisering", "Radicalisering", "Radicalisation"),
    ("huiselijk_geweld", "Huiselijk geweld", "Domestic violence"),
    ("nazorg_ex_gedetineerden", "Nazorg ex-gedetineerden", "Aftercare for ex-prisoners"),
    ("overig", "Overig", "Other"),
)


def ensure_standard_categories() -> dict[str, Category]:
    """Add whichever standard categories are missing (for databases made with create_all)."""
    existing = {c.code: c for c in db.session.execute(sa.select(Category)).scalars()}
    for code, name, name_en in STANDARD_CATEGORIES:
        if code not in existing:
            existing[code] = Category(code=code, name=name, name_en=name_en)
            db.session.add(existing[code])
    db.session.flush()
    return existing


def active_categories() -> list[Category]:
    return list(db.session.execute(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.name)).scalars())
