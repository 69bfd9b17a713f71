"""Correcting a case after it was opened: its title, category, risk level, gemeente and procesregisseur.

A service like those in ``services.py`` (validates, flushes, audits; never commits). Who may: whoever manages the
case (``policy.manages``) — the views and the API ask before calling. The case's ``version`` guards the change.

What is written where: the audit event names the fields that changed, never a value (a title can name a person);
the timeline line names them too, with the new value only for what is no personal data (category, risk level,
procesregisseur). Personal data of subjects are corrected in ``case_subjects.py``, not here.
"""

from __future__ import annotations

import sqlalchemy as sa

from casus.audit.services import record
from casus.cases.models import Case, Category, RiskLevel
from casus.extensions import db
from casus.services import ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User, UserRole
from casus.versioning import check_version, flush_versioned
from workflow import CasePhase

EDITABLE = ("title", "category_id", "risk_level", "gemeente", "procesregisseur_id")
# How the timeline names each field, in the order it lists them (Dutch: the timeline is written in Dutch).
FIELD_NAMES = {"title": "titel", "category_id": "categorie", "risk_level": "risiconiveau", "gemeente": "gemeente",
               "procesregisseur_id": "procesregisseur"}


def procesregisseurs_of(case: Case) -> list[User]:
    """The active procesregisseurs of the case's team: who may direct it (one query)."""
    return list(db.session.execute(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.team_id == case.team_id, User.active.is_(True), UserRole.role == "procesregisseur")
        .order_by(User.name, User.id)).scalars())


def edit_case(user: User, case: Case, changes: dict[str, object], *, expected_version: int | None = None) -> list[str]:
    """Change the fields in ``changes`` (keys of :data:`EDITABLE`; a key left out stays as it is). Answers the
    fields that really changed; refuses when none did. Every problem names its field."""
    check_version(case, expected_version)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ServiceError("Dit gegeven van de casus kan niet worden gewijzigd.", field=unknown[0])
    if case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Een afgesloten casus kan niet meer worden gewijzigd.")
    wanted = _validated(case, changes)
    changed = [name for name in EDITABLE if name in wanted and wanted[name] != getattr(case, name)]
    if not changed:
        raise ServiceError("Er is niets gewijzigd.")
    for name in changed:
        setattr(case, name, wanted[name])
    flush_versioned(case)
    if "category_id" in changed:
        db.session.expire(case, ["category"])  # the relationship follows the new id when next read
    add_timeline(case, "case.edited", _summary(case, changed), actor=user)
    record("case.edited", object_type="case", object_id=case.id, case_id=case.id, details={"fields": changed},
           user=user)
    return changed


def _validated(case: Case, changes: dict[str, object]) -> dict[str, object]:
    """The normalised values of ``changes``; the first problem raised, naming its field."""
    values: dict[str, object] = {}
    if "title" in changes:
        title = " ".join(str(changes["title"] or "").split())
        if not title:
            raise ServiceError("Geef de casus een korte titel.", field="title")
        if len(title) > 200:
            raise ServiceError("Een titel is hoogstens 200 tekens.", field="title")
        values["title"] = title
    if "category_id" in changes:
        category = db.session.get(Category, changes["category_id"]) if changes["category_id"] else None
        if category is None or (not category.active and category.id != case.category_id):
            raise ServiceError("Kies een categorie uit de lijst.", field="category_id")
        values["category_id"] = category.id
    if "risk_level" in changes:
        try:
            values["risk_level"] = RiskLevel(changes["risk_level"])
        except ValueError as error:
            raise ServiceError("Kies een risiconiveau uit de lijst.", field="risk_level") from error
    if "gemeente" in changes:
        gemeente = " ".join(str(changes["gemeente"] or "").split())
        if not gemeente:
            raise ServiceError("Vul de gemeente in.", field="gemeente")
        if len(gemeente) > 120:
            raise ServiceError("Een gemeente is hoogstens 120 tekens.", field="gemeente")
        values["gemeente"] = gemeente
    if "procesregisseur_id" in changes:
        wanted = changes["procesregisseur_id"]
        # The current one may stay even when no longer in the list (moved team, say): saving other fields keeps them.
        if wanted is not None and wanted != case.procesregisseur_id \
                and wanted not in {regisseur.id for regisseur in procesregisseurs_of(case)}:
            raise ServiceError("Kies een actieve procesregisseur van het team van de casus.",
                               field="procesregisseur_id")
        values["procesregisseur_id"] = wanted
    return values


def _summary(case: Case, changed: list[str]) -> str:
    """"Titel, categorie en risiconiveau gewijzigd (categorie: Jeugd; risiconiveau: Hoog)": the fields by name,
    the new value only where it is no personal data. Never an old value."""
    names = [FIELD_NAMES[name] for name in changed]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
    new_values = []
    if "category_id" in changed:
        new_values.append(f"categorie: {db.session.get(Category, case.category_id).name}")
    if "risk_level" in changed:
        new_values.append(f"risiconiveau: {RiskLevel(case.risk_level).label_nl}")
    if "procesregisseur_id" in changed:
        regisseur = db.session.get(User, case.procesregisseur_id) if case.procesregisseur_id else None
        new_values.append(f"procesregisseur: {regisseur.name if regisseur else 'niemand'}")
    summary = f"{listed[0].upper()}{listed[1:]} gewijzigd"
    return f"{summary} ({'; '.join(new_values)})" if new_values else summary
