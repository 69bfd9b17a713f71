"""Report figures over the API: ``GET /reports`` and ``GET /reports/{name}``.

Supervisors only (403 problem+json for every other caller); the figures are those of the cases the caller
may see (``policy.case_scope``) and are suppressed exactly as on the page and in the downloads: a withheld
cell is ``{"value": null, "display": "<5", "suppressed": true, "reason": "small"}``. Every read of figures
is audited (``report.view``, format ``json``).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.audit.services import record
from casus.reports import services
from casus.reports.queries import REPORTS
from casus.reports.schemas import ReportArgsSchema, ReportListSchema, ReportSchema
from casus.security import acting_user
from casus.services import ServiceError

blp = ApiBlueprint("reports_api", __name__, description="Report figures for supervisors: aggregates only, "
                                                        "small counts withheld")

FORBIDDEN = {"schema": ProblemSchema, "description": "Only supervisors read reports"}
NOT_FOUND = {"schema": ProblemSchema, "description": "No report by that name"}
# Service field names -> query parameter names.
PARAMETER_OF = {"date_from": "from", "date_to": "to", "team_id": "teamId", "category_id": "categoryId"}


def _reader():
    user = acting_user()
    if not policy.reads_reports(user):
        policy.refuse("report.view", status=403, object_type="report", object_id=None)
    return user


@blp.route("/reports")
class Reports(MethodView):
    @blp.response(200, ReportListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def get(self):
        """The reports there are, in the order the page shows them."""
        _reader()
        return {"items": [{"name": spec.name, "title": str(spec.title), "description": str(spec.description)}
                          for spec in REPORTS.values()]}


@blp.route("/reports/<string:name>")
class ReportItem(MethodView):
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, args, name):
        """One report's figures for a period (default: the last 12 months), team and category.

        Rows and columns as on the page; `total` is the totals row where the report has one. Withheld
        figures have `value` null, `suppressed` true and `display` `<5` (a count above 0 but below `threshold`)
        or `–` (a total that would reveal a withheld count, or a median over too few cases).
        """
        user = _reader()
        if name not in REPORTS:
            abort(404, message="No report by that name.")
        try:
            filters = services.resolve_filters(user, **args)
        except ServiceError as error:
            error.field = PARAMETER_OF.get(error.field, error.field)
            raise
        report = services.build_report(user, filters, name)
        record("report.view", object_type="report", object_id=name,
               details={"report": name, "filters": filters.audit_details(), "format": "json"})
        return report
