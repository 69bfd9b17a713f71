"""Reading cases: the case list with its filters, search, sort orders and keyset pages, counted and audited.

Every query starts from the need-to-know scope (``policy.visible_cases``); a search never reaches beyond it.
Nothing here changes a case (that is ``cases.services``), except that a page of the list is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from casus.audit.services import keyed_bsn_hash, record_shown
from casus.cases.models import Case, CaseSubject
from casus.clock import today
from casus.extensions import db
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.policy import visible_cases
from casus.search.conditions import prefix, word_prefix
from casus.search.keys import fold
from casus.services import ServiceError
from casus.subjects.models import Subject
from casus.subjects.validation import bsn, postcode
from casus.users.models import User
from workflow import CasePhase

LIST_COUNT_CAP = 1000


@dataclass(frozen=True)
class CaseFilters:
    """What the case list (and the API's case list) may filter and search on."""

    q: str = ""
    phase: str | None = None
    category_id: int | None = None
    team_id: int | None = None
    procesregisseur_id: int | None = None
    escalation_level: str | None = None
    overdue: bool = False

    @property
    def active(self) -> bool:
        return bool(self.q or self.phase or self.category_id or self.team_id or self.procesregisseur_id
                     or self.escalation_level or self.overdue)


@dataclass(frozen=True)
class SortSpec:
    key: Callable[[], ColumnElement]
    descending: bool
    value_of: Callable[[Case], object]
    dump: Callable[[object], str]
    load: Callable[[str], object]


FAR_FUTURE = date(9999, 12, 31)

CASE_SORTS: dict[str, SortSpec] = {
    "gewijzigd": SortSpec(lambda: Case.updated_at, True, lambda c: c.updated_at,
                          lambda v: v.isoformat(), datetime.fromisoformat),
    "referentie": SortSpec(lambda: Case.reference, False, lambda c: c.reference, str, str),
    "herbeoordeling": SortSpec(lambda: sa.func.coalesce(Case.next_review_on, sa.literal(FAR_FUTURE, sa.Date),
                                                        type_=sa.Date),
                               False, lambda c: c.next_review_on or FAR_FUTURE,
                               lambda v: v.isoformat(), date.fromisoformat),
}


REFERENCE_TERM = re.compile(r"^\d{2,4}(-\d{0,5})?$")
BSN_LIKE = re.compile(r"^\d{8,9}$")
POSTCODE_DIGITS = re.compile(r"^[1-9]\d{3}$")


def _cases_of_subjects(condition: ColumnElement[bool]) -> sa.Select:
    return sa.select(CaseSubject.case_id).join(Subject, Subject.id == CaseSubject.subject_id).where(condition)


def search_condition(term: str) -> ColumnElement[bool]:
    """Reference (exact or prefix), BSN, postcode (with or without its space; four digits: a prefix), a subject's
    name or the case's title (word prefix, case and accents ignored: "vries" finds "De Vriës"); on ``Case``.

    ``Case.id IN (<the ids each way finds, UNION ALL>)``: each way on its own index (the search index of
    ``casus.search`` for names and titles, ``subjects.bsn``, ``ix_subjects_address``), uncorrelated, so each runs
    once — not once per visible case — and the caller's need-to-know scope narrows the same statement."""
    term = term.strip()
    dialect = db.session.get_bind().dialect.name
    found: list[sa.Select] = []
    if REFERENCE_TERM.match(term):
        found.append(sa.select(Case.id).where(prefix(dialect, Case.reference, term)))
    digits = re.sub(r"[\s.]", "", term)
    if BSN_LIKE.match(digits):
        with suppress(ServiceError):  # fails the 11-proef: no BSN to look for
            found.append(_cases_of_subjects(Subject.bsn == bsn(digits)))
    try:
        found.append(_cases_of_subjects(Subject.postcode == postcode(term)))
    except ServiceError:  # not a full postcode
        if POSTCODE_DIGITS.match(term):  # stored as 1234AB: the range is the prefix, on the index
            found.append(_cases_of_subjects(Subject.postcode.between(term, term + "ZZ")))
    folded = fold(term)
    if folded and not folded.isdigit():
        found.append(_cases_of_subjects(word_prefix(dialect, Subject.__table__, Subject.search_key, folded)))
        found.append(sa.select(Case.id).where(word_prefix(dialect, Case.__table__, Case.search_key, folded)))
    if not found:
        return sa.false()
    return Case.id.in_(sa.union_all(*(select.correlate(None) for select in found)))


def filtered_cases(user: User, filters: CaseFilters) -> sa.Select:
    """The cases ``user`` may see (policy scope first) narrowed by ``filters``; search stays inside the scope."""
    query = visible_cases(user)
    if filters.phase:
        query = query.where(Case.phase == filters.phase)
    if filters.category_id:
        query = query.where(Case.category_id == filters.category_id)
    if filters.team_id:
        query = query.where(Case.team_id == filters.team_id)
    if filters.procesregisseur_id:
        query = query.where(Case.procesregisseur_id == filters.procesregisseur_id)
    if filters.escalation_level:
        query = query.where(Case.escalation_level == filters.escalation_level)
    if filters.overdue:
        day = today()
        query = query.where(sa.or_(
            Case.next_review_on < day,
            sa.and_(Case.triage_due_on < day, Case.phase.in_((CasePhase.SIGNALERING, CasePhase.TRIAGE)))))
    if filters.q:
        query = query.where(search_condition(filters.q))
    return query


def procesregisseur_name():
    """Loader option for lists that show the procesregisseur's name only: one narrow query (id, name) for the
    page instead of joining each row to the whole user with its organisation, team and roles."""
    return selectinload(Case.procesregisseur).load_only(User.id, User.name, raiseload=False).lazyload("*")


def list_cases(user: User, filters: CaseFilters, *, sort: str = "gewijzigd", after: str | None = None,
               before: str | None = None, limit: int = 25) -> KeysetPage:
    """A page of the case list: procesregisseur's name eager-loaded (category and team always are)."""
    spec = CASE_SORTS.get(sort) or CASE_SORTS["gewijzigd"]
    return keyset_page(filtered_cases(user, filters), key=spec.key(), id_col=Case.id, descending=spec.descending,
                       after=decode_cursor(after, spec.load), before=decode_cursor(before, spec.load),
                       limit=limit, value_of=spec.value_of, dump=spec.dump, load=cases_for_list)


def cases_for_list(ids: list[int]) -> sa.Select:
    """The rows of a case list page whose ids a policy-scoped query found (category and team join by default)."""
    return sa.select(Case).where(Case.id.in_(ids)).options(procesregisseur_name())


def count_cases(user: User, filters: CaseFilters, cap: int | None = None) -> int:
    """How many cases match, counted up to ``cap`` + 1 (the page says "meer dan 1.000" beyond that)."""
    cap = LIST_COUNT_CAP if cap is None else cap
    ids = filtered_cases(user, filters).with_only_columns(Case.id).limit(cap + 1).subquery()
    return db.session.execute(sa.select(sa.func.count()).select_from(ids)).scalar_one()


def search_terms_for_audit(filters: CaseFilters) -> dict:
    """The search as the audit log stores it: a case reference in clear, any other term — a name, an address, a
    BSN — only as a keyed hash, so the log (kept for good, also after the case is destroyed) never holds personal
    data, yet a trail lookup for one BSN still finds the searches for it."""
    details = {key: value for key, value in asdict(filters).items() if value not in (None, "", False)}
    if not filters.q:
        return details
    bsn = re.sub(r"[\s.]", "", filters.q)
    term = " ".join(filters.q.split())
    if BSN_LIKE.match(bsn):
        details["q"] = keyed_bsn_hash(bsn)
    elif not REFERENCE_TERM.match(term):
        details["q"] = keyed_bsn_hash(term.lower())
    return details


def record_list_view(filters: CaseFilters, case_ids: list[int], *, results: int) -> None:
    """One audit event per page of the case list, with the cases it showed (``record_shown``): a search or filter
    as ``case.search`` with its terms (a BSN only as a keyed hash) and the number of results, the plain list as
    ``case.list.view``."""
    if filters.active:
        record_shown("case.search", case_ids, details={**search_terms_for_audit(filters), "results": results})
    else:
        record_shown("case.list.view", case_ids)
