"""Destruction that really destroys: a case, a signal or a person's subject row, and everything carrying it.

A case goes with its notes (and their audience), tijdlijn, documents (with their versions and audience), plan van
aanpak (goals, actions, progress), its leefgebieden assessments (and their scores), nazorg check-ins, its
participations, its agenda items with their minutes and decisions, escalations, RIEC voordrachten (and their
subjects), four-eyes approvals, the notifications quoting it, transition log, legal holds, the signals bundled in
it (with their documents), and every subject no other case, signal or voordracht still uses (with that subject's
relations, rectificatie history and restrictions; a data-subject request's match loses its link). Rows go in bulk
DELETEs in foreign-key order, a batch of cases at a time, never by loading them. What stays: the audit log (ids and
keyed hashes, never titles or names), a destruction list item's copied reference and dates (its link becomes NULL),
reference counters, and the verklaring van vernietiging the caller records (:mod:`casus.retention.declarations`).

Deleted rows must not linger in the database file either: SQLite overwrites them (``PRAGMA secure_delete``,
:mod:`casus.database`); on PostgreSQL a deleted row is a dead tuple until VACUUM, which every destruction runs on
the tables it deleted from once its transaction has committed (:func:`vacuum_after_commit`). A document's stored
file (encrypted, outside the database) goes once no version of any document uses it any more, and only after the
commit (:func:`casus.documents.files.forget_unreferenced`): a rolled-back destruction never loses a file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import InstrumentedAttribute

from casus.approvals.models import Approval
from casus.assessments.models import Assessment, AssessmentScore
from casus.audit.services import record
from casus.cases.models import Case, CaseSubject, Note, NoteAudience, Participation, TransitionLog
from casus.clock import today
from casus.database import after_commit, vacuum
from casus.documents import files
from casus.documents.models import Document, DocumentAudience, DocumentVersion
from casus.escalations.models import Escalation
from casus.extensions import db
from casus.meetings.models import AgendaItem, Decision
from casus.nazorg.models import NazorgCheckin
from casus.notifications.models import Notification
from casus.plans.models import Action, Goal, ProgressEntry
from casus.retention.models import DestructionListItem, LegalHold
from casus.retention.queries import active_hold
from casus.search import schema as search_schema
from casus.services import ServiceError
from casus.signals.models import Signal, SignalSubject
from casus.subject_requests.models import SubjectCorrection, SubjectRequestMatch, SubjectRestriction
from casus.subjects.models import Subject, SubjectRelation
from casus.timeline.models import TimelineEvent
from casus.voordrachten.models import Voordracht, VoordrachtSubject

log = logging.getLogger(__name__)

BATCH = 500  # cases per round of statements: well inside every database's limit on bound parameters
VOORDRACHT_LINK = "/voordrachten/{id}"  # the RIEC's notifications name the voordracht, not the case


@dataclass(frozen=True)
class _Part:
    """Rows of ``model`` belonging to a case: by its own ``case_id``, or through a parent row that has one."""

    kind: str | None  # the key it is counted under in the verklaring; None: part of another kind's rows
    model: type
    case_column: InstrumentedAttribute | None = None
    parent: type | None = None
    parent_key: InstrumentedAttribute | None = None  # model's column pointing at the parent's id

    def owner(self) -> InstrumentedAttribute:
        return self.parent.case_id if self.parent is not None else self.case_column

    def where(self, case_ids: Sequence[int]) -> sa.ColumnElement[bool]:
        if self.parent is None:
            return self.case_column.in_(case_ids)
        return self.parent_key.in_(sa.select(self.parent.id).where(self.parent.case_id.in_(case_ids)))

    def counts(self, case_ids: Sequence[int]) -> sa.Select:
        query = sa.select(self.owner(), sa.func.count()).select_from(self.model)
        if self.parent is not None:
            query = query.join(self.parent, self.parent_key == self.parent.id)
        return query.where(self.owner().in_(case_ids)).group_by(self.owner())


# In foreign-key order: every row goes before the rows it points at.
CASE_PARTS = (
    _Part("timeline_events", TimelineEvent, TimelineEvent.case_id),  # points at notes and documents
    _Part(None, DocumentAudience, parent=Document, parent_key=DocumentAudience.document_id),
    _Part(None, DocumentVersion, parent=Document, parent_key=DocumentVersion.document_id),
    _Part("documents", Document, Document.case_id),  # also those of its agenda items and voordrachten
    _Part("decisions", Decision, parent=AgendaItem, parent_key=Decision.agenda_item_id),
    _Part("agenda_items", AgendaItem, AgendaItem.case_id),
    _Part("progress_entries", ProgressEntry, parent=Action, parent_key=ProgressEntry.action_id),
    _Part("actions", Action, Action.case_id),
    _Part("goals", Goal, Goal.case_id),
    _Part(None, AssessmentScore, parent=Assessment, parent_key=AssessmentScore.assessment_id),
    _Part("assessments", Assessment, Assessment.case_id),
    _Part("nazorg_checkins", NazorgCheckin, NazorgCheckin.case_id),
    _Part(None, NoteAudience, parent=Note, parent_key=NoteAudience.note_id),
    _Part("notes", Note, Note.case_id),
    _Part("participations", Participation, Participation.case_id),
    _Part("escalations", Escalation, Escalation.case_id),
    _Part("approvals", Approval, Approval.case_id),
    _Part(None, VoordrachtSubject, parent=Voordracht, parent_key=VoordrachtSubject.voordracht_id),
    _Part("voordrachten", Voordracht, Voordracht.case_id),
    _Part("transitions", TransitionLog, TransitionLog.case_id),
    _Part("legal_holds", LegalHold, LegalHold.case_id),
)
# The kinds a case's count has, in the order the verklaring shows them.
CASE_COUNT_KINDS = ("subjects", "signals", "notes", "timeline_events", "documents", "goals", "actions",
                    "progress_entries", "assessments", "nazorg_checkins", "participations", "agenda_items",
                    "decisions", "escalations", "voordrachten", "approvals",
                    "notifications", "transitions", "legal_holds")
SIGNAL_COUNT_KINDS = ("subjects", "documents")
# Tables a case's destruction touches beyond CASE_PARTS (for the VACUUM and for the completeness test).
OTHER_TABLES = ("notifications", "signal_subjects", "signals", "case_subjects", "destruction_list_items", "cases",
                "subject_corrections", "subject_restrictions", "subject_request_matches", "subject_relations",
                "subjects", "stored_files")


# --- the public services -------------------------------------------------------------------------------------------

def destroy_case(case: Case, *, user=None) -> dict[str, int]:
    """Delete ``case`` and everything carrying its content; the counts per kind of record, for the verklaring."""
    return destroy_cases([case.id], user=user)[case.id]


def destroy_cases(case_ids: Iterable[int], *, user=None) -> dict[int, dict[str, int]]:
    """Delete these cases (a destruction list's), a batch at a time; per case the counts per kind of record.

    Refuses (nothing deleted) if any of them is under a legal hold today: a hold placed after the list was
    approved still wins.
    """
    case_ids = sorted(set(case_ids))
    _refuse_held(case_ids)
    counts: dict[int, dict[str, int]] = {}
    tables: set[str] = set()
    for start in range(0, len(case_ids), BATCH):
        batch = case_ids[start:start + BATCH]
        counts.update(_destroy_case_batch(batch, tables))
    for case_id in case_ids:
        record("case.destroyed", object_type="case", object_id=case_id, case_id=case_id, user=user,
               details={"counts": counts[case_id]})
    vacuum_after_commit(tables)
    return counts


def destroy_signal(signal: Signal, *, user=None) -> dict[str, int]:
    """Delete a signal that never became part of a case (one bundled in a case goes with its case)."""
    if signal.case_id is not None:
        raise ServiceError("Een gebundeld signaal wordt met zijn casus vernietigd.", field="signal")
    tables: set[str] = set()
    counts = _destroy_signals([signal.id], tables)[signal.id]
    record("signal.destroyed", object_type="signal", object_id=signal.id, user=user, details={"counts": counts})
    vacuum_after_commit(tables)
    return counts


def erase_subject(subject: Subject, *, user=None) -> list[int]:
    """Remove a person (or address, business) from every case, signal and voordracht, and the subject row itself
    with its rectificatie history and restrictions (a wissing). The ids of the cases this leaves without any
    subject: the caller destroys those with a verklaring of kind ERASURE."""
    subject_id = subject.id
    case_ids = db.session.execute(sa.select(CaseSubject.case_id).where(CaseSubject.subject_id == subject_id)
                                  ).scalars().all()
    tables: set[str] = set()
    removed = {
        "cases": _delete(sa.delete(CaseSubject).where(CaseSubject.subject_id == subject_id), tables),
        "signals": _delete(sa.delete(SignalSubject).where(SignalSubject.subject_id == subject_id), tables),
        "voordrachten": _delete(sa.delete(VoordrachtSubject).where(VoordrachtSubject.subject_id == subject_id),
                                tables),
    }
    _delete_subjects([subject_id], tables)
    left = sorted(set(case_ids) - set(db.session.execute(
        sa.select(CaseSubject.case_id).where(CaseSubject.case_id.in_(case_ids))).scalars()))
    record("subject.erased", object_type="subject", object_id=subject_id, user=user,
           details={"removed_from": removed, "cases_left_without_subject": len(left)})
    vacuum_after_commit(tables)
    return left


# --- cases ---------------------------------------------------------------------------------------------------------

def _refuse_held(case_ids: Sequence[int]) -> None:
    day = today()
    for start in range(0, len(case_ids), BATCH):
        held = db.session.execute(sa.select(LegalHold.case_id).where(
            LegalHold.case_id.in_(case_ids[start:start + BATCH]), active_hold(day)).limit(1)).scalar()
        if held is not None:
            raise ServiceError("Een casus met een bevriezing wordt niet vernietigd.", field="case", status=409)


def _destroy_case_batch(case_ids: Sequence[int], tables: set[str]) -> dict[int, dict[str, int]]:
    counts = {case_id: dict.fromkeys(CASE_COUNT_KINDS, 0) for case_id in case_ids}
    subject_owner = _subjects_of_cases(case_ids)
    stored = _stored_files_of(Document.case_id, case_ids)
    _count_notifications(case_ids, counts, tables)
    for part in CASE_PARTS:
        if part.kind is not None:
            for case_id, number in db.session.execute(part.counts(case_ids)):
                counts[case_id][part.kind] = number
        _delete(sa.delete(part.model).where(part.where(case_ids)), tables)
    signal_ids = db.session.execute(sa.select(Signal.id, Signal.case_id).where(Signal.case_id.in_(case_ids))).all()
    case_of_signal = dict(signal_ids)
    for case_id in case_of_signal.values():
        counts[case_id]["signals"] += 1
    for signal_id, number in _destroy_signal_rows(list(case_of_signal), tables).items():
        counts[case_of_signal[signal_id]]["documents"] += number  # a bundled signal's documents are the case's
    _forget_stored_files(stored, tables)
    _delete(sa.delete(CaseSubject).where(CaseSubject.case_id.in_(case_ids)), tables)
    _unlink_list_items(DestructionListItem.case_id, case_ids, tables)
    _delete(sa.delete(Case).where(Case.id.in_(case_ids)), tables)
    for subject_id in _delete_unused_subjects(subject_owner, tables):
        counts[subject_owner[subject_id]]["subjects"] += 1
    return counts


def _subjects_of_cases(case_ids: Sequence[int]) -> dict[int, int]:
    """Every subject linked to these cases — directly, through a bundled signal or a voordracht — and the
    (lowest) case it is counted under should it be removed."""
    linked = sa.union_all(
        sa.select(CaseSubject.subject_id, CaseSubject.case_id).where(CaseSubject.case_id.in_(case_ids)),
        sa.select(SignalSubject.subject_id, Signal.case_id).join(Signal, Signal.id == SignalSubject.signal_id)
        .where(Signal.case_id.in_(case_ids)),
        sa.select(VoordrachtSubject.subject_id, Voordracht.case_id)
        .join(Voordracht, Voordracht.id == VoordrachtSubject.voordracht_id).where(Voordracht.case_id.in_(case_ids)),
    ).subquery()
    return dict(db.session.execute(sa.select(linked.c.subject_id, sa.func.min(linked.c.case_id))
                                   .group_by(linked.c.subject_id)).all())


def _count_notifications(case_ids: Sequence[int], counts: dict[int, dict[str, int]], tables: set[str]) -> None:
    """Delete the notifications about these cases: those carrying the case's id, the RIEC's about its
    voordrachten (they carry no case id: the RIEC may not see the case), and those listing its reference
    among others' (the overdue-actions digest)."""
    for case_id, number in db.session.execute(
            sa.select(Notification.case_id, sa.func.count()).where(Notification.case_id.in_(case_ids))
            .group_by(Notification.case_id)):
        counts[case_id]["notifications"] = number
    _delete(sa.delete(Notification).where(Notification.case_id.in_(case_ids)), tables)
    quoting = _caseless_notifications_quoting(case_ids)
    for case_id in quoting.values():
        counts[case_id]["notifications"] += 1
    if quoting:
        _delete(sa.delete(Notification).where(Notification.id.in_(list(quoting))), tables)


def _caseless_notifications_quoting(case_ids: Sequence[int]) -> dict[int, int]:
    """Notification id → the case it quotes, for notifications without a case id."""
    owner_of_link = {VOORDRACHT_LINK.format(id=voordracht_id): case_id for voordracht_id, case_id in
                     db.session.execute(sa.select(Voordracht.id, Voordracht.case_id)
                                        .where(Voordracht.case_id.in_(case_ids)))}
    owner_of_reference = dict(db.session.execute(
        sa.select(Case.reference, Case.id).where(Case.id.in_(case_ids))).all())
    params = sa.cast(Notification.params, sa.Text)
    quotes = [Notification.link.in_(list(owner_of_link))] if owner_of_link else []
    quotes += [params.contains(f'"{reference}"', autoescape=True) for reference in owner_of_reference]
    if not quotes:
        return {}
    found = {}
    for notification_id, link, text in db.session.execute(
            sa.select(Notification.id, Notification.link, params)
            .where(Notification.case_id.is_(None), sa.or_(*quotes))):
        found[notification_id] = owner_of_link.get(link) or next(
            case_id for reference, case_id in owner_of_reference.items() if f'"{reference}"' in text)
    return found


# --- signals and subjects ------------------------------------------------------------------------------------------

def _destroy_signals(signal_ids: Sequence[int], tables: set[str]) -> dict[int, dict[str, int]]:
    counts = {signal_id: dict.fromkeys(SIGNAL_COUNT_KINDS, 0) for signal_id in signal_ids}
    owner = dict(db.session.execute(
        sa.select(SignalSubject.subject_id, sa.func.min(SignalSubject.signal_id))
        .where(SignalSubject.signal_id.in_(signal_ids)).group_by(SignalSubject.subject_id)).all())
    for signal_id, number in _destroy_signal_rows(signal_ids, tables).items():
        counts[signal_id]["documents"] = number
    for subject_id in _delete_unused_subjects(owner, tables):
        counts[owner[subject_id]]["subjects"] += 1
    return counts


def _destroy_signal_rows(signal_ids: Sequence[int], tables: set[str]) -> dict[int, int]:
    """Delete these signals with their subject links and documents; the number of documents per signal."""
    if not signal_ids:
        return {}
    documents = _destroy_signal_documents(signal_ids, tables)
    _delete(sa.delete(SignalSubject).where(SignalSubject.signal_id.in_(signal_ids)), tables)
    _unlink_list_items(DestructionListItem.signal_id, signal_ids, tables)
    _delete(sa.delete(Signal).where(Signal.id.in_(signal_ids)), tables)
    return documents


# --- documents -----------------------------------------------------------------------------------------------------

def _destroy_signal_documents(signal_ids: Sequence[int], tables: set[str]) -> dict[int, int]:
    """Delete the documents of these signals (their versions and audience first; stored files nobody else uses
    go after the commit); the number per signal. A case's own documents are CASE_PARTS."""
    numbers = dict(db.session.execute(sa.select(Document.signal_id, sa.func.count())
                                      .where(Document.signal_id.in_(signal_ids)).group_by(Document.signal_id)).all())
    if not numbers:
        return {}
    stored = _stored_files_of(Document.signal_id, signal_ids)
    of_signals = sa.select(Document.id).where(Document.signal_id.in_(signal_ids))
    _delete(sa.delete(DocumentAudience).where(DocumentAudience.document_id.in_(of_signals)), tables)
    _delete(sa.delete(DocumentVersion).where(DocumentVersion.document_id.in_(of_signals)), tables)
    _delete(sa.delete(Document).where(Document.signal_id.in_(signal_ids)), tables)
    _forget_stored_files(stored, tables)
    return numbers


def _stored_files_of(owner: InstrumentedAttribute, ids: Sequence[int]) -> list[str]:
    """The SHA-256 of every version of the documents hanging on these cases or signals (read before they go)."""
    return list(db.session.execute(sa.select(DocumentVersion.sha256).distinct().join(
        Document, Document.id == DocumentVersion.document_id).where(owner.in_(ids))).scalars())


def _forget_stored_files(sha256s: Sequence[str], tables: set[str]) -> None:
    """The stored files no document version uses any more: their rows now, their objects after the commit."""
    if sha256s and files.forget_unreferenced(sha256s):
        tables.add("stored_files")


def _delete_unused_subjects(candidates: Iterable[int], tables: set[str]) -> list[int]:
    """Delete those of ``candidates`` no case, signal or voordracht links any more; their ids."""
    candidates = list(candidates)
    if not candidates:
        return []
    unused = db.session.execute(sa.select(Subject.id).where(
        Subject.id.in_(candidates),
        ~sa.exists().where(CaseSubject.subject_id == Subject.id),
        ~sa.exists().where(SignalSubject.subject_id == Subject.id),
        ~sa.exists().where(VoordrachtSubject.subject_id == Subject.id))).scalars().all()
    _delete_subjects(unused, tables)
    return unused


def _delete_subjects(subject_ids: Sequence[int], tables: set[str]) -> None:
    if not subject_ids:
        return
    _delete(sa.delete(SubjectCorrection).where(SubjectCorrection.subject_id.in_(subject_ids)), tables)
    _delete(sa.delete(SubjectRelation).where(sa.or_(SubjectRelation.subject_id.in_(subject_ids),
                                                    SubjectRelation.related_subject_id.in_(subject_ids))), tables)
    _delete(sa.delete(SubjectRestriction).where(SubjectRestriction.subject_id.in_(subject_ids)), tables)
    _delete(sa.update(SubjectRequestMatch).where(SubjectRequestMatch.subject_id.in_(subject_ids))
            .values(subject_id=None), tables)
    _delete(sa.delete(Subject).where(Subject.id.in_(subject_ids)), tables)


def _unlink_list_items(column: InstrumentedAttribute, ids: Sequence[int], tables: set[str]) -> None:
    """The list item keeps its copied reference and dates; only its link to the destroyed row goes (the foreign
    key would set it NULL too, but not in the objects this session holds)."""
    _delete(sa.update(DestructionListItem).where(column.in_(ids)).values({column.key: None}), tables)


def _delete(statement, tables: set[str]) -> int:
    """Run a bulk DELETE (or the UPDATE unlinking rows); note its table for the VACUUM when it touched rows."""
    rowcount = db.session.execute(statement, execution_options={"synchronize_session": "fetch"}).rowcount
    if rowcount:
        tables.add(statement.table.name)
    return rowcount


# --- VACUUM after the commit (PostgreSQL) --------------------------------------------------------------------------



def vacuum_after_commit(tables: Iterable[str]) -> None:
    """VACUUM these tables once the session's current transaction has committed (PostgreSQL); on SQLite, where
    secure_delete already zeroes deleted rows, purge them from the search index now (its FTS5 segments keep them).

    A deleted row stays in the table's file as a dead tuple until VACUUM reclaims it; autovacuum would come,
    but not at a time anyone can state. VACUUM cannot run inside a transaction and only the tables' owner may
    run it, so it runs after the commit on a connection of its own as the owner
    (``CASUS_MIGRATION_DATABASE_URL`` when set, else the application's URL). A failure is logged by type and
    never undoes the committed destruction. A rolled-back transaction vacuums nothing.
    """
    session = db.session()
    if session.get_bind().dialect.name != "postgresql":
        search_schema.purge_deleted(session.connection(), set(tables))
        return
    known = set(db.metadata.tables)
    after_commit(session, "casus.retention.vacuum", (table for table in tables if table in known), _vacuum)


def _vacuum(tables: list[str]) -> None:
    vacuum(tables, current_app.config["CASUS"].owner_database_url, after="destruction")
