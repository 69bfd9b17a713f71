"""One person's trail through the audit log: for one case, or one subject (betrokkene), every user and organisation
that viewed it — a list, the dashboard or an agenda that showed it included —, searched for it, exported or changed
it, with time, action, processing activity, legal basis and purpose. A page (keyset-paged) and a CSV export: the
answer to a data-subject access request (AVG art. 15) and to "who has seen that this person is a subject".

Privacy officer only. Looking a person up across all cases is covered by no routine activity, so the purpose is
stated first (:mod:`casus.audit.purpose`); reading the trail is audited (``audit.trail.view`` /
``audit.trail.export``), a BSN only as its keyed hash.

A subject's trail: its cases (``case_subjects``), the events on those cases (``ix_audit_events_case_time``), the
page views that showed them (``audit_shown_cases`` by case id), the events whose object is the subject, and the
searches for its BSN (stored as the same keyed hash, ``audit.services.keyed_bsn_hash``). A case's trail: the first
two. The case lookups are indexed; the subject's own events and BSN searches are matched by value.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from sqlalchemy.sql.elements import ColumnElement

from casus import clock
from casus.audit.forms import AuditTrailForm
from casus.audit.models import AuditEvent, AuditShownCase, Outcome
from casus.audit.purpose import purpose_args, purpose_required
from casus.audit.services import keyed_bsn_hash, record
from casus.audit.views import EXPORT_CAP, OUTCOME_BADGES, PAGE_SIZE
from casus.cases.models import Case, CaseSubject
from casus.edge import BIGINT_MAX
from casus.extensions import db
from casus.i18n import format_datetime_nl
from casus.labels import Labels
from casus.organisations.models import Organisation
from casus.pagination import decode_cursor, keyset_page
from casus.policy import reads_audit_log
from casus.security import requires
from casus.subjects.models import Subject
from casus.users.models import User
from casus.web.exports import csv_cell

bp = Blueprint("audit_trail", __name__, url_prefix="/audit/inzage")

SEARCH_ACTION = "case.search"


@dataclass(frozen=True)
class Trail:
    """What the trail is of: the lookup (``casus``, ``bsn`` or ``betrokkene``), the cases and subjects it found and
    the keyed hash of the subject's BSN (searches are stored with it)."""

    kind: str
    case_ids: tuple[int, ...]
    subject_ids: tuple[int, ...]
    bsn_hash: str | None

    @property
    def found(self) -> bool:
        return bool(self.case_ids or self.subject_ids or self.bsn_hash)


def resolve(kind: str, value: str) -> Trail:
    """The cases and subjects a lookup names (a BSN may belong to more than one subject row: every one counts)."""
    if kind == "casus":
        case_ids = db.session.execute(sa.select(Case.id).where(Case.reference == value)).scalars().all()
        return Trail(kind, tuple(case_ids), (), None)
    by = Subject.bsn == value if kind == "bsn" else Subject.id == int(value)
    subjects = db.session.execute(sa.select(Subject.id, Subject.bsn).where(by)).all()
    bsn = value if kind == "bsn" else next((row.bsn for row in subjects if row.bsn), None)
    subject_ids = tuple(row.id for row in subjects)
    case_ids = db.session.execute(sa.select(CaseSubject.case_id).distinct().where(
        CaseSubject.subject_id.in_(subject_ids))).scalars().all() if subject_ids else []
    return Trail(kind, tuple(sorted(case_ids)), subject_ids, keyed_bsn_hash(bsn) if bsn else None)


def trail_condition(trail: Trail) -> ColumnElement[bool]:
    """The events of the trail: on its cases, showing them, about its subjects, searching for its BSN."""
    conditions: list[ColumnElement[bool]] = []
    if trail.case_ids:
        conditions.append(AuditEvent.case_id.in_(trail.case_ids))
        conditions.append(AuditEvent.id.in_(sa.select(AuditShownCase.event_id).where(
            AuditShownCase.case_id.in_(trail.case_ids))))
    if trail.subject_ids:
        conditions.append(sa.and_(AuditEvent.object_type == "subject",
                                  AuditEvent.object_id.in_([str(subject_id) for subject_id in trail.subject_ids])))
    if trail.bsn_hash:
        conditions.append(sa.and_(AuditEvent.action == SEARCH_ACTION,
                                  AuditEvent.details["q"].as_string() == trail.bsn_hash))
    return sa.or_(*conditions) if conditions else sa.false()


def trail_query(trail: Trail) -> sa.Select:
    """The trail's events, newest first, with who, which organisation and which case as columns."""
    return (sa.select(AuditEvent, User.name, User.email, Organisation.name, Case.reference)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
            .outerjoin(Case, Case.id == AuditEvent.case_id)
            .where(trail_condition(trail))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))


def shown_references(trail: Trail, event_ids: list[int]) -> dict[int, list[str]]:
    """For page views among ``event_ids``: the numbers of the trail's cases they showed (one query)."""
    if not event_ids or not trail.case_ids:
        return {}
    shown: dict[int, list[str]] = defaultdict(list)
    for event_id, reference in db.session.execute(
            sa.select(AuditShownCase.event_id, Case.reference).join(Case, Case.id == AuditShownCase.case_id)
            .where(AuditShownCase.event_id.in_(event_ids), AuditShownCase.case_id.in_(trail.case_ids))
            .order_by(AuditShownCase.event_id, Case.reference)):
        shown[event_id].append(reference)
    return shown


def how(event: AuditEvent, trail: Trail, shown: dict[int, list[str]]) -> str:
    """How the event touched the trail: shown in a list, a search for the BSN, or on the case or subject itself."""
    if event.id in shown and event.case_id not in trail.case_ids:
        return _("getoond in een lijst")
    if trail.bsn_hash and event.action == SEARCH_ACTION and (event.details or {}).get("q") == trail.bsn_hash:
        return _("gezocht op het BSN")
    return _("rechtstreeks")


def _audit_reading(action: str, kind: str, trail: Trail, **details) -> None:
    """Reading a trail is audited: the case or subject it was of, a BSN only as its keyed hash."""
    single_case = trail.case_ids[0] if kind == "casus" and len(trail.case_ids) == 1 else None
    single_subject = trail.subject_ids[0] if len(trail.subject_ids) == 1 else None
    record(action, object_type="case" if kind == "casus" else "subject",
           object_id=single_case if kind == "casus" else single_subject, case_id=single_case,
           details={"zoek": kind, **({"bsn": trail.bsn_hash} if kind == "bsn" else {}),
                    "casussen": len(trail.case_ids), **details})


def _form() -> tuple[AuditTrailForm, dict[str, str] | None]:
    form = AuditTrailForm(formdata=request.args)
    asked = any(request.args.get(name) for name in ("casus", "bsn", "betrokkene"))
    return form, (form.given() if asked and form.validate() else None)


@bp.get("")
@requires(reads_audit_log)
@purpose_required
def index():
    form, given = _form()
    rows, shown, next_url, trail = [], {}, None, None
    cursor = decode_cursor(request.args.get("na"), datetime.fromisoformat, max_id=BIGINT_MAX)
    if given:
        [(kind, value)] = given.items()
        trail = resolve(kind, value)
        page = keyset_page(trail_query(trail), key=AuditEvent.occurred_at, id_col=AuditEvent.id, descending=True,
                           after=cursor, before=None, limit=PAGE_SIZE, whole_rows=True,
                           value_of=lambda row: row.AuditEvent.occurred_at, id_of=lambda row: row.AuditEvent.id,
                           dump=datetime.isoformat)
        rows = page.items
        shown = shown_references(trail, [row.AuditEvent.id for row in rows])
        if page.next_cursor:
            next_url = url_for("audit_trail.index", **given, **purpose_args(), na=page.next_cursor)
        _audit_reading("audit.trail.view", kind, trail, page="next" if cursor else "first")
    return render_template(
        "audit/trail.html", form=form, rows=rows, shown=shown, trail=trail, next_url=next_url,
        how=lambda event: how(event, trail, shown), purpose=purpose_args(),
        export_url=url_for("audit_trail.export", **given, **purpose_args()) if given else None,
        outcome_labels=Labels(Outcome), outcome_badges=OUTCOME_BADGES, page_size=PAGE_SIZE)


CSV_HEADERS = ("tijdstip", "gebruiker", "e-mailadres", "organisatie", "rollen", "actie", "hoe", "casusnummer",
               "uitkomst", "verwerking", "grondslag", "doel", "trace-id", "request-id")


def _csv_row(row, trail: Trail, shown: dict[int, list[str]]) -> list[str]:
    event, user_name, email, organisation, reference = row
    references = reference or ", ".join(shown.get(event.id, ()))
    return [csv_cell(value) for value in (
        format_datetime_nl(event.occurred_at), user_name, email, organisation, event.roles, event.action,
        how(event, trail, shown), references, event.outcome, event.activity, event.legal_basis, event.purpose,
        event.trace_id, event.request_id)]


@bp.get("/export")
@requires(reads_audit_log)
@purpose_required
def export():
    """The trail as CSV (semicolon-separated, UTF-8 with BOM), at most EXPORT_CAP rows, streamed in chunks."""
    _form_shown, given = _form()
    if not given:
        return index()
    [(kind, value)] = given.items()
    trail = resolve(kind, value)
    _audit_reading("audit.trail.export", kind, trail, cap=EXPORT_CAP)
    query = trail_query(trail).limit(EXPORT_CAP).execution_options(yield_per=1000)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_HEADERS)
        yield "\ufeff" + buffer.getvalue()
        for chunk in db.session.execute(query).partitions():
            shown = shown_references(trail, [row.AuditEvent.id for row in chunk])
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(_csv_row(row, trail, shown) for row in chunk)
            yield buffer.getvalue()

    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="inzage-auditlog-{stamp}.csv"'})
