"""The reports page for supervisors (``/rapportages``) and its downloads (``/rapportages/<report>.csv|.xlsx``).

Only supervisors read reports (403 for everyone else: a report names no case, so there is nothing to
hide); their figures come from ``policy.case_scope``. Every view and download is audited with the report,
the filters and the format. The figures arrive suppressed from :mod:`casus.reports.services`; this module
only lays them out — as a table and as an inline SVG bar chart drawn on the server (no JavaScript, no
inline styles).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from casus import policy
from casus.audit.services import record
from casus.cases.models import Category
from casus.clock import today
from casus.extensions import db
from casus.i18n import current_locale
from casus.reports import exports, services
from casus.reports.figures import Report, ReportFilters
from casus.reports.forms import FIELD_OF, ReportFilterForm
from casus.reports.queries import REPORTS
from casus.security import acting_user
from casus.services import ServiceError
from casus.web.exports import CSV_MIMETYPE

bp = Blueprint("reports", __name__, url_prefix="/rapportages")

ALL = "alle"

# Chart geometry (SVG user units; the SVG scales to its box through CSS).
CHART_WIDTH = 640
LABEL_WIDTH = 190
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_WIDTH = 360
BAR_HEIGHT = 16
BAR_GAP = 3
ROW_GAP = 12
LEGEND_LINE = 20  # one line per series: long labels never run into each other
LABEL_CHARS = 26


def _reader():
    user = acting_user()
    if not policy.reads_reports(user):
        policy.refuse("report.view", status=403, object_type="report", object_id=None)
    return user


def _categories() -> list[Category]:
    return list(db.session.execute(sa.select(Category).order_by(Category.name)).scalars())


def _parse_filters(user) -> tuple[ReportFilterForm, ReportFilters | None]:
    """The filter form from the query string, and the validated filters (None when the input is wrong)."""
    form = ReportFilterForm(request.args)
    form.fill(current_locale(), teams=services.report_teams(user), categories=_categories())
    if not form.validate():
        return form, None
    try:
        return form, services.resolve_filters(user, **form.filter_values())
    except ServiceError as error:
        form[FIELD_OF.get(error.field, "van")].errors.append(error.message)
        return form, None


def _choice_label(field) -> str | None:
    for value, label, selected, _attrs in field.iter_choices():
        if selected and value not in ("", None):
            return str(label)
    return None


def _audit(action: str, report: str, filters: ReportFilters, fmt: str) -> None:
    record(action, object_type="report", object_id=report,
           details={"report": report, "filters": filters.audit_details(), "format": fmt})


def _render(form, reports, status: int = 200):
    return render_template(
        "reports/index.html", form=form, reports=reports, charts={r.name: chart_of(r) for r in reports},
        updated={r.name: services.updated_text(r.computed_at, today()) for r in reports if r.computed_at},
        threshold=services.threshold(), download_args=form.query_args(), all_name=ALL), status


@bp.get("")
def index():
    user = _reader()
    form, filters = _parse_filters(user)
    if filters is None:
        return _render(form, [], 400)
    reports = services.build_reports(user, filters)
    _audit("report.view", ALL, filters, "html")
    return _render(form, reports)


@bp.get("/<name>.<any(csv, xlsx):fmt>")
def download(name: str, fmt: str):
    """One report as CSV or XLSX, or every report as one workbook (``alle.xlsx``)."""
    user = _reader()
    if name not in REPORTS and not (name == ALL and fmt == "xlsx"):
        abort(404)
    form, filters = _parse_filters(user)
    if filters is None:
        return _render(form, [], 400)
    reports = services.build_reports(user, filters, None if name == ALL else [name])
    _audit("report.export", name, filters, fmt)
    if fmt == "csv":
        body, mimetype = exports.to_csv(reports[0]), CSV_MIMETYPE
    else:
        body = exports.to_xlsx(reports, team_label=_choice_label(form.team),
                               category_label=_choice_label(form.categorie))
        mimetype = exports.XLSX_MIMETYPE
    response = Response(body, content_type=mimetype)  # as is: `mimetype=` would add a second charset
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(name, today(), fmt)}"'
    return response


# --- the chart ---------------------------------------------------------------------------------------------

def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"


def chart_of(report: Report) -> dict:
    """Geometry of a horizontal (grouped) bar chart of the report's chart columns.

    A withheld value draws no bar, only its text (``<5`` or ``–``), so a chart never shows more than the
    table beside it.
    """
    series = [report.columns[index] for index in report.chart_columns]
    values = [row.cells[index].value for row in report.rows for index in report.chart_columns]
    # A change in score can be negative: it draws no bar (its text says it), and never sets the scale.
    maximum = max((value for value in values if value is not None and value > 0), default=0) or 1
    top = LEGEND_LINE * len(series) + 10 if len(series) > 1 else 6
    group = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    rows, y = [], top
    for row in report.rows:
        bars = []
        for number, index in enumerate(report.chart_columns):
            cell = row.cells[index]
            positive = cell.value is not None and cell.value > 0
            width = round(PLOT_WIDTH * cell.value / maximum, 1) if positive else 0.0
            bar_y = y + number * (BAR_HEIGHT + BAR_GAP)
            bars.append({"series": number, "y": bar_y, "width": width, "text": cell.display,
                         "text_x": PLOT_LEFT + width + 6, "text_y": bar_y + BAR_HEIGHT - 4})
        rows.append({"label": _short(row.label), "label_y": y + group / 2 + 5, "bars": bars})
        y += group + ROW_GAP
    legend = [{"series": number, "label": column.label, "y": 4 + number * LEGEND_LINE,
               "text_y": 16 + number * LEGEND_LINE} for number, column in enumerate(series)] if len(series) > 1 else []
    return {
        "id": f"chart-{report.name}",
        "width": CHART_WIDTH,
        "height": max(y, top + 20),
        "plot_left": PLOT_LEFT,
        "label_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "axis_top": top - 4,
        "axis_bottom": max(y - ROW_GAP + 4, top + 16),
        "rows": rows,
        "legend": legend,
        "label": _("Staafdiagram: %(title)s. Dezelfde cijfers staan in de tabel bij dit diagram.",
                   title=report.title),
    }
