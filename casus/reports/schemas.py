"""Reports as the API shows them: the same cells as the page, suppression included."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.reports.figures import Kind, Reason


class ReportNumber(fields.Number):
    """A count stays an integer and a number of days a decimal (marshmallow's Number makes every value a float)."""

    num_type = float

    def _format_num(self, value):
        return value


class ReportArgsSchema(InputSchema):
    """Query string of ``GET /reports/{name}``; the defaults are the page's."""

    dateFrom = fields.Date(data_key="from", attribute="date_from", metadata={
        "description": "First day of the period (ISO 8601 date). Default: the first day of the month eleven "
                       "months before `to`."})
    dateTo = fields.Date(data_key="to", attribute="date_to", metadata={
        "description": "Last day of the period, inclusive. Default: today."})
    teamId = fields.Integer(attribute="team_id", validate=validate.Range(min=1), metadata={
        "description": "One of the teams whose figures the caller may read; default all of them."})
    categoryId = fields.Integer(attribute="category_id", validate=validate.Range(min=1))

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("Must not be before `from`.", field_name="to")


class ReportSummarySchema(Schema):
    name = fields.String(metadata={"example": "instroom"})
    title = fields.String(metadata={"example": "Instroom en uitstroom per maand"})
    description = fields.String()


class ReportListSchema(Schema):
    items = fields.List(fields.Nested(ReportSummarySchema))


class ReportCellSchema(Schema):
    value = ReportNumber(allow_none=True, metadata={
        "description": "The figure; null when it is withheld (`suppressed`) or there is none."})
    display = fields.String(metadata={
        "description": "The figure as the page, CSV and XLSX show it: `12`, `<5`, `–`, `12,5`, `40%`.",
        "example": "<5"})
    suppressed = StrictBoolean(metadata={"description": "True when the figure is withheld to protect small groups."})
    reason = fields.String(allow_none=True, validate=validate.OneOf([reason.value for reason in Reason]), metadata={
        "description": "Why it is withheld: `small` (a count above 0 but below the threshold), `derivable` (a total "
                       "that would reveal a withheld count), `few_cases` (a median or percentile over fewer cases "
                       "than the threshold)."})


class ReportColumnSchema(Schema):
    key = fields.String()
    label = fields.String()
    kind = fields.String(validate=validate.OneOf([kind.value for kind in Kind]), metadata={
        "description": "`count`, `days`, `percent` or `change` (an average change in leefgebieden score, "
                       "afsluiting minus triage)."})


class ReportRowSchema(Schema):
    key = fields.String(metadata={"description": "A phase, category id, gemeente, month (`2026-03`), level or "
                                                 "state; for the partner board a position."})
    label = fields.String()
    cells = fields.List(fields.Nested(ReportCellSchema), metadata={"description": "One cell per column."})


class ReportFiltersSchema(Schema):
    dateFrom = fields.Date(data_key="from", attribute="date_from")
    dateTo = fields.Date(data_key="to", attribute="date_to")
    teamId = fields.Integer(attribute="team_id", allow_none=True)
    categoryId = fields.Integer(attribute="category_id", allow_none=True)


class ReportSchema(Schema):
    name = fields.String()
    title = fields.String()
    description = fields.String()
    rowHeader = fields.String(attribute="row_header")
    threshold = fields.Integer(metadata={"description": "Counts above 0 but below this number are withheld."})
    filters = fields.Nested(ReportFiltersSchema)
    columns = fields.List(fields.Nested(ReportColumnSchema))
    rows = fields.List(fields.Nested(ReportRowSchema))
    total = fields.Nested(ReportRowSchema, allow_none=True, metadata={
        "description": "The totals row, if the report has one."})
    computedAt = UTCDateTime(attribute="computed_at", metadata={
        "description": "When these figures were counted: the reports' rollup is counted again every 15 minutes."})
