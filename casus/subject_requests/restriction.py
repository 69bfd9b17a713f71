"""The beperking guard (AVG art. 18): while a subject's processing is restricted, its cases refuse changes by anyone
but the privacy officer — enforced in one place no service can bypass, a session ``before_flush`` listener.

The listener looks at what a flush would add, change or delete. When that includes case-work rows (the case itself,
its participations, notes, documents (and their versions and audience), plan, agenda items and decisions,
escalations, voordrachten, approvals, bundled signals and their documents, and its subject links) and the acting
user may not change restricted cases (``policy.changes_restricted_cases``), it
asks the database once whether any of those cases has a subject with an active ``SubjectRestriction``. If so the
attempt is audited (``case.change_restricted``, denied), the request is rolled back keeping its audit events, and a
``ServiceError`` with status 423 (Locked) is raised: the API answers problem+json 423, a page shows the message. A
flush without case-work rows costs nothing; one with them costs that one small query.

Retention is storage, which a restriction still allows (AVG art. 18(2)): a case's archive fields changed alone and a
four-eyes request to keep the case longer pass. The timeline, audit events and notifications are not guarded: they
are only written alongside a change (which is guarded) or describe one (a refused step must stay on record).

Scheduler jobs and the command line have no request user: the guard applies to requests only. A job's sweeps
(reminders, the daily agenda, the monthly destruction list) keep running on a restricted case — they are the
organisation's own bookkeeping, not a person's new processing, and a crash there would stop the sweep for every
other case.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, g, has_request_context
from sqlalchemy.orm import Session

from casus import policy
from casus.approvals.models import Approval, ApprovalKind
from casus.audit.models import Outcome
from casus.audit.services import record, rollback_keeping_audit
from casus.cases.models import Case, CaseSubject, Note, NoteAudience, Participation
from casus.documents.models import Document, DocumentAudience, DocumentVersion
from casus.escalations.models import Escalation
from casus.extensions import db
from casus.meetings.models import AgendaItem, Decision
from casus.nazorg.models import NazorgCheckin
from casus.plans.models import Action, Goal, ProgressEntry
from casus.services import ServiceError
from casus.signals.models import Signal
from casus.subject_requests.models import SubjectRestriction
from casus.voordrachten.models import Voordracht, VoordrachtSubject

LOCKED = 423

# Rows that belong to one case through their own case_id.
_WITH_CASE_ID = (Participation, Note, Goal, Action, AgendaItem, Escalation, Voordracht, Approval, Signal, CaseSubject)
_WITH_CASE_ID += (NazorgCheckin,)  # a recorded nazorg check-in is case work too
_WITH_CASE_ID += (Document,)  # a document in the case file (on the case, an agenda item or a voordracht)
# Rows that belong to a case through their parent: (model, its parent's id attribute, the parent's id and case_id).
_THROUGH_PARENT = (
    (NoteAudience, "note_id", Note.id, Note.case_id),
    (ProgressEntry, "action_id", Action.id, Action.case_id),
    (Decision, "agenda_item_id", AgendaItem.id, AgendaItem.case_id),
    (VoordrachtSubject, "voordracht_id", Voordracht.id, Voordracht.case_id),
    (DocumentVersion, "document_id", Document.id, Document.case_id),
    (DocumentAudience, "document_id", Document.id, Document.case_id),
    (Document, "signal_id", Signal.id, Signal.case_id),  # a document of a signal bundled in the case
)
_GUARDED = (Case, *_WITH_CASE_ID, *(model for model, *_rest in _THROUGH_PARENT))
# A case's retention, changed alone (with its version and timestamp): storage, which a restriction allows.
_RETENTION_FIELDS = frozenset({"archiefnominatie", "archiefactiedatum", "archiefstatus", "version", "updated_at"})


def processing_restricted() -> ServiceError:
    """The refusal of a change to a case whose subject's processing is restricted, by someone other than the privacy
    officer: 423 Locked (casus.errors shows it on a page; web.forms.submit_form lets it through to there)."""
    return ServiceError("De verwerking van gegevens in deze casus is beperkt (AVG art. 18): alleen de "
                        "privacyfunctionaris kan er nu iets in wijzigen.", status=LOCKED)


def init_app(app: Flask) -> None:
    """Listen to every session's flushes (once per process; the listener itself asks whether a request is on)."""
    if not sa.event.contains(Session, "before_flush", _guard_flush):
        sa.event.listen(Session, "before_flush", _guard_flush)


def _guard_flush(session: Session, _flush_context, _instances) -> None:
    if not has_request_context():
        return  # a scheduler job or the command line: see the module docstring
    touched = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, _GUARDED)]
    if not touched or _may_change_restricted():
        return
    touched = [obj for obj in touched if _is_case_work(session, obj)]
    if not touched:
        return
    case_id = _restricted_case(session, touched)
    if case_id is None:
        return
    record("case.change_restricted", object_type="case", object_id=case_id, case_id=case_id,
           outcome=Outcome.DENIED, details={"rows": sorted({type(obj).__tablename__ for obj in touched})})
    refusal = processing_restricted()  # its message in the user's language, while the user is still loaded
    # The whole request is undone here, not by the caller: a view that catches the error must not flush the refused
    # rows again. Its audit events stay (written anew, marked refused with 423).
    rollback_keeping_audit(LOCKED)
    raise refusal


def _is_case_work(session: Session, row: object) -> bool:
    """Whether the flush really changes this row's case work. Retention is not: a restriction still allows storage
    (AVG art. 18(2)), so the archive fields of a case and the four-eyes request to keep it longer stay possible."""
    if isinstance(row, Approval) and row.kind == ApprovalKind.RETENTION_EXTENSION:
        return False
    if row not in session.dirty:
        return True  # added or deleted
    state = sa.inspect(row)
    changed = {attribute.key for attribute in state.attrs if attribute.history.has_changes()}
    return bool(changed) and not (isinstance(row, Case) and changed <= _RETENTION_FIELDS)


def _may_change_restricted() -> bool:
    """The logged-in user (as flask-login loaded it for this request) may change restricted cases."""
    user = g.get("_login_user")
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and policy.changes_restricted_cases(user))


def _restricted_case(session: Session, rows: list[object]) -> int | None:
    """A case among those ``rows`` belong to that has a subject under an active restriction — or the case a
    restricted subject is being linked to — else None. One query, built from the ids the rows carry; it starts
    from the active restrictions, which are few."""
    case_ids: set[int] = set()
    subject_ids: set[int] = set()
    parents: dict[int, set[int]] = {}
    for row in rows:
        if isinstance(row, Case):
            _add(case_ids, row.id)
        if isinstance(row, _WITH_CASE_ID):
            _add(case_ids, row.case_id)
        if isinstance(row, CaseSubject):
            _add(subject_ids, row.subject_id)
        for index, (model, attribute, *_columns) in enumerate(_THROUGH_PARENT):
            if isinstance(row, model):
                _add(parents.setdefault(index, set()), getattr(row, attribute))
    of_cases = [CaseSubject.case_id.in_(case_ids)] if case_ids else []
    for index, ids in parents.items():
        _model, _attribute, parent_id, parent_case_id = _THROUGH_PARENT[index]
        of_cases.append(CaseSubject.case_id.in_(sa.select(parent_case_id).where(parent_id.in_(ids))))
    if not of_cases and not subject_ids:
        return None
    linked = sa.and_(CaseSubject.subject_id == SubjectRestriction.subject_id, sa.or_(*of_cases, sa.false()))
    query = (sa.select(SubjectRestriction.subject_id, CaseSubject.case_id).select_from(SubjectRestriction)
             .outerjoin(CaseSubject, linked)
             .where(SubjectRestriction.lifted_at.is_(None),
                    sa.or_(CaseSubject.case_id.is_not(None), SubjectRestriction.subject_id.in_(subject_ids)))
             .limit(1))
    found = session.execute(query).first()
    if found is None:
        return None
    if found.case_id is not None:
        return found.case_id
    return next((row.case_id for row in rows if isinstance(row, CaseSubject) and row.subject_id == found.subject_id),
                None)


def _add(ids: set[int], value: int | None) -> None:
    if value is not None:
        ids.add(value)


# --- reading: the banner and the request page --------------------------------------------------------------------

def restricted_cases(case_ids: Iterable[int]) -> set[int]:
    """Those of ``case_ids`` that have a subject whose processing is restricted now (one query)."""
    ids = set(case_ids)
    if not ids:
        return set()
    query = (sa.select(CaseSubject.case_id).distinct()
             .join(SubjectRestriction, sa.and_(SubjectRestriction.subject_id == CaseSubject.subject_id,
                                               SubjectRestriction.lifted_at.is_(None)))
             .where(CaseSubject.case_id.in_(ids)))
    return set(db.session.scalars(query))


def is_restricted(case_id: int) -> bool:
    return bool(restricted_cases([case_id]))
