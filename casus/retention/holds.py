"""Legal hold (*bevriezing*): a case is kept whatever its archiefactiedatum — a reason, who, when, until when.

Placed and lifted by the privacy officer or a supervisor of the case's team (``policy.places_legal_hold``). A
hold in force keeps the case off every destruction list (``queries.under_legal_hold``). The team reads it on the
case file and its tijdlijn (without the reason: the tijdlijn is its partners' to read too); every step is
audited. The privacy officer, who sees no case content, finds the case by its reference.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus import policy
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case
from casus.clock import today
from casus.database import utcnow
from casus.edge import date_in_window
from casus.extensions import db
from casus.retention.models import LegalHold
from casus.retention.queries import active_hold
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned


def holds_of(case: Case) -> list[LegalHold]:
    """Every hold of the case, the newest first, with who placed and lifted it."""
    return list(db.session.execute(
        sa.select(LegalHold).where(LegalHold.case_id == case.id)
        .options(joinedload(LegalHold.placed_by), joinedload(LegalHold.lifted_by))
        .order_by(LegalHold.placed_at.desc(), LegalHold.id.desc())).scalars())


def active_holds_of(case: Case) -> list[LegalHold]:
    return [hold for hold in holds_of(case) if is_active(hold)]


def is_active(hold: LegalHold, on: date | None = None) -> bool:
    day = on or today()
    return hold.lifted_at is None and (hold.until is None or hold.until >= day)


def is_under_hold(case_id: int) -> bool:
    return db.session.execute(sa.select(LegalHold.id).where(LegalHold.case_id == case_id, active_hold(today()))
                              .limit(1)).first() is not None


def find_case(reference: str | None) -> Case | None:
    """The case with this reference, for the privacy officer's hold form (any team: the hold is theirs to place)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    return db.session.execute(sa.select(Case).where(Case.reference == reference)).unique().scalar_one_or_none()


def _check_may_hold(user: User, case: Case, action: str) -> None:
    if not policy.places_legal_hold(user, case.team_id):
        record(action, object_type="case", object_id=case.id, case_id=case.id, outcome=Outcome.DENIED, user=user)
        raise ServiceError("Alleen de privacyfunctionaris of een supervisor van het team bevriest een casus.",
                           status=403)


def _valid_reason(reason: str | None, field: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Geef een reden.", field=field)
    if len(reason) > MAX_TEXT:
        raise ServiceError("Een reden is hoogstens %(max)s tekens.", field=field, max=MAX_TEXT)
    return reason


def place_hold(user: User, case: Case, *, reason: str | None, until: date | None = None) -> LegalHold:
    """Keep the case (until ``until``, or until lifted) whatever its archiefactiedatum."""
    _check_may_hold(user, case, "legal_hold.placed")
    reason = _valid_reason(reason, "reason")
    if until is not None and (not date_in_window(until) or until < today()):
        raise ServiceError("Kies een einddatum vanaf vandaag, of laat het veld leeg.", field="until")
    hold = LegalHold(case_id=case.id, reason=reason, placed_by_id=user.id, placed_at=utcnow(), until=until)
    db.session.add(hold)
    db.session.flush()
    add_timeline(case, "legal_hold.placed", "Casus bevroren: hij wordt niet vernietigd zolang de bevriezing geldt.",
                 actor=user)
    record("legal_hold.placed", object_type="legal_hold", object_id=hold.id, case_id=case.id, user=user,
           details={"until": until.isoformat() if until else None})
    return hold


def lift_hold(user: User, hold: LegalHold, *, reason: str | None, expected_version: int | None) -> LegalHold:
    """End a hold before its time, with a reason; the case follows its archiefactiedatum again."""
    case = db.session.execute(sa.select(Case).where(Case.id == hold.case_id)).unique().scalar_one()
    _check_may_hold(user, case, "legal_hold.lifted")
    check_version(hold, expected_version)
    if hold.lifted_at is not None:
        raise ServiceError("Deze bevriezing is al opgeheven.", status=409)
    hold.lift_reason = _valid_reason(reason, "lift_reason")
    hold.lifted_by_id, hold.lifted_at = user.id, utcnow()
    flush_versioned(hold)
    add_timeline(case, "legal_hold.lifted", "Bevriezing opgeheven.", actor=user)
    record("legal_hold.lifted", object_type="legal_hold", object_id=hold.id, case_id=case.id, user=user)
    return hold


def refusal_status(user: User, case: Case) -> int | None:
    """None when ``user`` may see the case's holds and retention (privacy officer, a supervisor of the team, or
    the team asking for an extension); else 403 for a case they see otherwise, 404 for one they do not."""
    if policy.places_legal_hold(user, case.team_id) or policy.handles_privacy(user) or policy.manages(user, case):
        return None
    visible = db.session.execute(sa.select(Case.id).where(Case.id == case.id, policy.case_scope(user))).first()
    return 403 if visible else 404
