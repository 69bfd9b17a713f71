"""The audit log for the privacy officer: filter, page through (keyset) and export as CSV.

Reading the audit log is itself audited (``audit.view`` / ``audit.export``, with the filters used).
The log is append-only: these pages only read.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from casus import clock
from casus.audit.forms import AuditFilterForm
from casus.audit.models import AuditEvent, Outcome
from casus.audit.services import record
from casus.audit.verify import FindingKind
from casus.audit.verify import latest as latest_checks
from casus.cases.models import Case
from casus.edge import BIGINT_MAX
from casus.extensions import db
from casus.i18n import format_datetime_nl
from casus.labels import Labels
from casus.organisations.models import Organisation
from casus.organisations.services import list_organisations
from casus.pagination import decode_cursor, keyset_page
from casus.policy import reads_audit_log
from casus.security import requires
from casus.users.models import User
from casus.web.exports import csv_cell

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50
EXPORT_CAP = 50_000
OUTCOME_BADGES = {Outcome.SUCCESS: "success", Outcome.DENIED: "warning", Outcome.FAILURE: "danger"}


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    # Every organisation, inactive ones too: the log outlives them.
    form.organisatie.choices = [SelectChoice("", _("Alle organisaties")),
                                *(SelectChoice(str(o.id), o.name) for o in list_organisations())]
    return form


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, clock.local_zone()).astimezone(UTC)


def audit_query(form: AuditFilterForm) -> sa.Select:
    """Audit events matching the (validated) filters, newest first, with who/where/which case as columns."""
    query = (sa.select(AuditEvent, User.name, User.email, Organisation.name, Case.reference)
             .outerjoin(User, User.id == AuditEvent.user_id)
             .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
             .outerjoin(Case, Case.id == AuditEvent.case_id)
             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    if form.gebruiker.data:
        email = form.gebruiker.data.strip().lower()
        query = query.where(User.email.contains(email, autoescape=True))
    if form.organisatie.data:
        query = query.where(AuditEvent.organisation_id == form.organisatie.data)
    if form.actie.data:
        query = query.where(AuditEvent.action.startswith(form.actie.data.strip(), autoescape=True))
    if form.casus.data:
        case_id = sa.select(Case.id).where(Case.reference == form.casus.data.strip()).scalar_subquery()
        query = query.where(AuditEvent.case_id == case_id)
    if form.uitkomst.data:
        query = query.where(AuditEvent.outcome == form.uitkomst.data)
    if form.van.data:
        query = query.where(AuditEvent.occurred_at >= _local_midnight(form.van.data))
    if form.tot.data:
        query = query.where(AuditEvent.occurred_at < _local_midnight(form.tot.data + timedelta(days=1)))
    if form.ip.data:
        query = query.where(AuditEvent.ip == form.ip.data)
    return query


@bp.get("")
@requires(reads_audit_log)
def index():
    form = _filter_form()
    valid = form.validate() if request.args else True
    rows, next_url = [], None
    cursor = decode_cursor(request.args.get("na"), datetime.fromisoformat, max_id=BIGINT_MAX)  # mangled: first page
    if valid:
        page = keyset_page(audit_query(form), key=AuditEvent.occurred_at, id_col=AuditEvent.id, descending=True,
                           after=cursor, before=None, limit=PAGE_SIZE, whole_rows=True,
                           value_of=lambda row: row.AuditEvent.occurred_at, id_of=lambda row: row.AuditEvent.id,
                           dump=datetime.isoformat)
        rows = page.items
        if page.next_cursor:
            next_url = url_for("audit.index", **form.active_filters(), na=page.next_cursor)
    filters = form.active_filters() if valid else {"ongeldig": True}
    record("audit.view", object_type="audit_log", details={"filters": filters, "page": "next" if cursor else "first"})
    verification, seal = latest_checks(db.session)
    return render_template(
        "audit/index.html", form=form, rows=rows, next_url=next_url, valid=valid,
        verification=verification, seal=seal, finding_labels=Labels(FindingKind),
        first_url=url_for("audit.index", **form.active_filters()) if cursor and valid else None,
        export_url=url_for("audit.export", **form.active_filters()) if valid else None,
        outcome_labels=Labels(Outcome), outcome_badges=OUTCOME_BADGES, page_size=PAGE_SIZE)


CSV_HEADERS = ("tijdstip", "gebruiker", "e-mailadres", "organisatie", "rollen", "actie", "objecttype", "object-id",
               "casusnummer", "uitkomst", "ip-adres", "request-id", "doel", "details", "verwerkingsactiviteit",
               "grondslag", "trace-id")


def _csv_row(row) -> list[str]:
    event, user_name, email, organisation, reference = row
    return [csv_cell(value) for value in (
        format_datetime_nl(event.occurred_at), user_name, email, organisation, event.roles, event.action,
        event.object_type, event.object_id, reference, event.outcome, event.ip, event.request_id, event.purpose,
        json.dumps(event.details, ensure_ascii=False) if event.details else "", event.activity, event.legal_basis,
        event.trace_id)]


@bp.get("/export")
@requires(reads_audit_log)
def export():
    """The filtered audit log as CSV (semicolon-separated, UTF-8 with BOM), at most EXPORT_CAP rows, streamed."""
    form = _filter_form()
    if request.args and not form.validate():
        return index()
    filters = form.active_filters()
    record("audit.export", object_type="audit_log", details={"filters": filters, "cap": EXPORT_CAP})
    query = audit_query(form).limit(EXPORT_CAP).execution_options(yield_per=1000)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_HEADERS)
        yield "\ufeff" + buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        for row in db.session.execute(query):
            writer.writerow(_csv_row(row))
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="auditlog-{stamp}.csv"'})
