"""Retention terms: how long a closed case (per category) or an ended signal (per outcome) is kept.

The terms are the organisation's decision, not Casus's (docs/PRIVACY.md). Casus starts every term from the
configured default (``CASUS_RETENTION_CASE_MONTHS``, ``CASUS_RETENTION_SIGNAL_MONTHS``) — lazily, when a term is
first needed (``ensure_terms``) — and leaves it unconfirmed until a privacy officer confirms it. Editing a term
confirms it as the editor, and recomputes the archiefactiedatum of everything closed under it: one UPDATE for the
cases, one for the signals. A date someone moved on purpose — a four-eyes extension, a postponement on a
destruction list — is only ever moved later by a term change, never earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError

from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.audit.services import record
from casus.cases.models import Archiefnominatie, Case, CasePhase, Category
from casus.config import Config
from casus.database import utcnow
from casus.extensions import db
from casus.retention.models import DestructionItemStatus, DestructionListItem, RetentionTerm, SignalOutcome
from casus.services import MAX_TEXT, ServiceError
from casus.signals.models import Signal, SignalStatus
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow.cadences import add_months

MONTHS_RANGE = (1, 1200)
# The signal status each outcome leaves a signal in (a signal without a case: ``case_id`` is NULL).
OUTCOME_STATUS = {SignalOutcome.DISMISSED: SignalStatus.AFGESLOTEN, SignalOutcome.REFERRED: SignalStatus.DOORVERWEZEN,
                  SignalOutcome.WITHDRAWN: SignalStatus.INGETROKKEN}


@dataclass(frozen=True)
class TermRow:
    """A term as the list shows it: the term and the category it is for (None for a signal outcome)."""

    term: RetentionTerm
    category: Category | None


def _config() -> Config:
    return current_app.config["CASUS"] if has_app_context() else Config()


def ensure_terms() -> None:
    """Insert the missing terms, unconfirmed, with the configured defaults: one per active category and one per
    signal outcome. Cheap when nothing is missing (two reads)."""
    config = _config()
    covered = set(db.session.execute(sa.select(RetentionTerm.category_id)
                                     .where(RetentionTerm.category_id.is_not(None))).scalars())
    outcomes = set(db.session.execute(sa.select(RetentionTerm.signal_outcome)
                                      .where(RetentionTerm.signal_outcome.is_not(None))).scalars())
    active = db.session.execute(sa.select(Category.id).where(Category.active.is_(True))).scalars()
    added = [RetentionTerm(category_id=category_id, months=config.retention_case_months)
             for category_id in active if category_id not in covered]
    added += [RetentionTerm(signal_outcome=outcome, months=config.retention_signal_months)
              for outcome in SignalOutcome if outcome not in outcomes]
    if added:
        _insert_quietly(added)


def _insert_quietly(terms_to_add: list[RetentionTerm]) -> None:
    """Insert default terms; another request that made them at the same moment wins (the unique constraints), and
    this one goes on with theirs rather than failing — a case being closed must not fail over a default."""
    try:
        with db.session.begin_nested():
            db.session.add_all(terms_to_add)
            db.session.flush()
    except IntegrityError:
        pass


def list_terms() -> list[TermRow]:
    """Every term, categories first (by name), then the signal outcomes; missing ones are made first."""
    ensure_terms()
    rows = db.session.execute(
        sa.select(RetentionTerm, Category).outerjoin(Category, Category.id == RetentionTerm.category_id)
        .order_by(RetentionTerm.category_id.is_(None), Category.name, RetentionTerm.signal_outcome)).all()
    return [TermRow(term, category) for term, category in rows]


def unconfirmed_count() -> int:
    ensure_terms()
    return db.session.execute(sa.select(sa.func.count()).select_from(RetentionTerm)
                              .where(RetentionTerm.confirmed_at.is_(None))).scalar_one()


def term_for_category(category_id: int) -> RetentionTerm:
    """The term of a case category, made from the default if it has none yet (an inactive category too)."""
    query = sa.select(RetentionTerm).where(RetentionTerm.category_id == category_id)
    term = db.session.execute(query).scalar()
    if term is None:
        _insert_quietly([RetentionTerm(category_id=category_id, months=_config().retention_case_months)])
        term = db.session.execute(query).scalar_one()
    return term


def term_for_outcome(outcome: SignalOutcome) -> RetentionTerm:
    """The term of a signal that ended without a case in this way."""
    query = sa.select(RetentionTerm).where(RetentionTerm.signal_outcome == outcome)
    term = db.session.execute(query).scalar()
    if term is None:
        _insert_quietly([RetentionTerm(signal_outcome=outcome, months=_config().retention_signal_months)])
        term = db.session.execute(query).scalar_one()
    return term


def archive_date(closed_on: date, term: RetentionTerm) -> date:
    """The archiefactiedatum: the closing date plus the term (31 January plus one month is 28/29 February)."""
    return add_months(closed_on, term.months)


# --- changing ----------------------------------------------------------------------------------------------------

def change_term(user: User, term: RetentionTerm, *, months: int | None, archiefnominatie: str | None,
                basis: str | None, expected_version: int | None) -> RetentionTerm:
    """Change a term; the editor confirms it by doing so. The dates of what was closed under it follow."""
    check_version(term, expected_version)
    months = _valid_months(months)
    nominatie = _valid_nominatie(archiefnominatie)
    basis = _valid_basis(basis)
    before = {"months": term.months, "archiefnominatie": str(term.archiefnominatie)}
    term.months, term.archiefnominatie, term.basis = months, nominatie, basis
    _confirm_as(user, term)
    flush_versioned(term)
    changed = recompute(term)
    record("retention_term.changed", object_type="retention_term", object_id=term.id, user=user,
           details={**_subject_of(term), "before": before,
                    "after": {"months": months, "archiefnominatie": str(nominatie)}, "recomputed": changed})
    return term


def confirm_term(user: User, term: RetentionTerm, *, expected_version: int | None) -> RetentionTerm:
    """The privacy officer confirms a term as it stands: the organisation has decided it."""
    check_version(term, expected_version)
    _confirm_as(user, term)
    flush_versioned(term)
    record("retention_term.confirmed", object_type="retention_term", object_id=term.id, user=user,
           details={**_subject_of(term), "months": term.months})
    return term


def _confirm_as(user: User, term: RetentionTerm) -> None:
    term.confirmed_by_id = user.id
    term.confirmed_at = utcnow()


def _subject_of(term: RetentionTerm) -> dict:
    if term.category_id is not None:
        return {"category_id": term.category_id}
    return {"signal_outcome": str(term.signal_outcome)}


def _valid_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not MONTHS_RANGE[0] <= months <= MONTHS_RANGE[1]:
        raise ServiceError("Kies een bewaartermijn van 1 tot en met 1200 maanden.", field="months")
    return months


def _valid_nominatie(value: str | None) -> Archiefnominatie:
    try:
        return Archiefnominatie(value or "")
    except ValueError as error:
        raise ServiceError("Kies vernietigen of blijvend bewaren.", field="archiefnominatie") from error


def _valid_basis(basis: str | None) -> str | None:
    basis = (basis or "").strip() or None
    if basis is not None and len(basis) > MAX_TEXT:
        raise ServiceError("Een grondslag is hoogstens %(max)s tekens.", field="basis", max=MAX_TEXT)
    return basis


# --- recomputing what was closed under a term ------------------------------------------------------------------

def months_after(column, months: int):
    """SQL for ``column`` plus ``months`` months, the end of the month kept (as ``add_months``) on both databases."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(column + sa.func.make_interval(0, months), sa.Date)
    # SQLite's '+N months' overflows into the next month (31 January + 1 month = 3 March): take the earlier of
    # "the same day N months on" and "the last day of that month".
    day = sa.cast(sa.func.strftime("%d", column), sa.Integer) - 1
    same_day = sa.func.date(column, "start of month", f"+{months} months", sa.func.printf("+%d days", day))
    last_day = sa.func.date(column, "start of month", f"+{months + 1} months", "-1 day")
    return sa.func.min(same_day, last_day)


def _later_of(first, second):
    """SQL for the later of two dates (neither NULL here)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.greatest(first, second)
    return sa.func.max(first, second)  # SQLite's two-argument max(); ISO dates compare as text


def _kept_dates(record_id, kind: str):
    """Records whose date someone moved on purpose — an approved four-eyes extension (cases), a postponement on a
    destruction list (cases and signals): a term change does not bring their date forward, only later."""
    postponed = sa.select(getattr(DestructionListItem, f"{kind}_id")).where(
        DestructionListItem.status == DestructionItemStatus.UITGESTELD,
        getattr(DestructionListItem, f"{kind}_id").is_not(None))
    if kind == "signal":
        return record_id.in_(postponed)
    extended = sa.select(Approval.case_id).where(Approval.kind == ApprovalKind.RETENTION_EXTENSION,
                                                 Approval.status == ApprovalStatus.GOEDGEKEURD,
                                                 Approval.case_id.is_not(None))
    return sa.or_(record_id.in_(extended), record_id.in_(postponed))


def _new_date(model, kind: str, months: int):
    computed = months_after(model.closed_on, months)
    return sa.case((sa.and_(_kept_dates(model.id, kind), model.archiefactiedatum.is_not(None)),
                    _later_of(computed, model.archiefactiedatum)), else_=computed)


def recompute(term: RetentionTerm) -> int:
    """Give everything closed under ``term`` its date again (one bulk UPDATE); answers how many rows it touched.
    A case extended through four eyes, or a case or signal postponed on a destruction list, keeps its own date
    unless the new term ends later."""
    if term.category_id is not None:
        statement = (sa.update(Case).where(Case.category_id == term.category_id,
                                           Case.phase == CasePhase.AFGESLOTEN, Case.closed_on.is_not(None))
                     .values(archiefactiedatum=_new_date(Case, "case", term.months),
                             archiefnominatie=term.archiefnominatie))
    else:
        statement = (sa.update(Signal).where(Signal.case_id.is_(None), Signal.closed_on.is_not(None),
                                             Signal.status == OUTCOME_STATUS[term.signal_outcome])
                     .values(archiefactiedatum=_new_date(Signal, "signal", term.months)))
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()  # objects loaded before the UPDATE must not show the old date
    return result.rowcount


def category_of(term: RetentionTerm) -> Category | None:
    return db.session.get(Category, term.category_id) if term.category_id is not None else None
