"""Case categories: the standard list (the first migration inserts it into every database) and the
beheerder's additions and changes (``save_category``)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from casus.audit.services import record
from casus.cases.models import Category
from casus.extensions import db
from casus.services import ServiceError

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


CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def list_categories() -> list[Category]:
    return list(db.session.execute(sa.select(Category).order_by(Category.active.desc(), Category.name)).scalars())


def save_category(category: Category | None, *, code: str | None, name: str, name_en: str,
                  active: bool = True) -> Category:
    """Create (``category`` None) or update a case category. The code is fixed once the category exists:
    exports, configuration and the standard list refer to it."""
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if category is None:
        code = (code or "").strip()
        if not CODE_PATTERN.match(code):
            raise ServiceError("Een code bestaat uit 2 tot 40 kleine letters, cijfers of liggende streepjes (_) en "
                               "begint met een letter.", field="code")
        if db.session.execute(sa.select(Category.id).where(Category.code == code)).first() is not None:
            raise ServiceError("Er bestaat al een categorie met deze code.", field="code")
    if not name:
        raise ServiceError("Vul een naam in.", field="name")
    if not name_en:
        raise ServiceError("Vul de Engelse naam in.", field="name_en")
    if len(name) > 120 or len(name_en) > 120:
        raise ServiceError("Een naam is hoogstens 120 tekens.", field="name" if len(name) > 120 else "name_en")
    clash = db.session.execute(sa.select(Category).where(sa.func.lower(Category.name) == name.lower())).scalar()
    if clash is not None and clash is not category:
        raise ServiceError("Er bestaat al een categorie met deze naam.", field="name")
    created = category is None
    if created:
        category = Category(code=code)
        db.session.add(category)
    category.name, category.name_en = name, name_en
    category.active = bool(active)
    db.session.flush()
    record("category.created" if created else "category.updated", object_type="category", object_id=category.id,
           details={"code": category.code})
    return category
