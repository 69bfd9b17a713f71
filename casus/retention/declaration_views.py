"""The verklaringen van vernietiging (/verklaringen), for the privacy officer only (``policy.handles_privacy``):
the list, one verklaring, and its CSV and PDF. Every view and export is audited. A verklaring holds no personal
data — references, categories, dates, counts, and who prepared and approved it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from casus import policy
from casus.audit.services import record
from casus.labels import Labels
from casus.retention import declaration_documents as documents
from casus.retention.declarations import DeclarationRow, get_declaration, list_declarations, totals
from casus.retention.models import DeclarationKind
from casus.retention.queries import category_label
from casus.security import requires
from casus.web.exports import CSV_MIMETYPE

bp = Blueprint("declarations", __name__, url_prefix="/verklaringen")
PDF_MIMETYPE = "application/pdf"


@bp.context_processor
def declaration_helpers() -> dict:
    return {"declaration_kind_label": Labels(DeclarationKind), "count_label": documents.count_label,
            "entry_kind_label": documents.entry_kind_label, "entry_date": documents.shown_date,
            "counts_text": documents.counts_text, "category_label": category_label}


@bp.get("")
@requires(policy.handles_privacy)
def index():
    rows = list_declarations()
    record("destruction_declaration.list", object_type="destruction_declaration", details={"count": len(rows)})
    return render_template("retention/declarations.html", rows=rows)


def _row_or_404(declaration_id: int) -> DeclarationRow:
    return get_declaration(declaration_id) or abort(404)


@bp.get("/<int:declaration_id>")
@requires(policy.handles_privacy)
def detail(declaration_id: int):
    row = _row_or_404(declaration_id)
    record("destruction_declaration.view", object_type="destruction_declaration", object_id=declaration_id)
    return render_template("retention/declaration_detail.html", row=row, declaration=row.declaration,
                           kinds=documents.count_kinds(row.declaration), totals=totals(row.declaration))


@bp.get("/<int:declaration_id>.csv")
@requires(policy.handles_privacy)
def export_csv(declaration_id: int):
    row = _row_or_404(declaration_id)
    record("destruction_declaration.export", object_type="destruction_declaration", object_id=declaration_id,
           details={"format": "csv"})
    return _download(documents.declaration_csv(row), row, "csv", CSV_MIMETYPE)


@bp.get("/<int:declaration_id>.pdf")
@requires(policy.handles_privacy)
def export_pdf(declaration_id: int):
    row = _row_or_404(declaration_id)
    record("destruction_declaration.export", object_type="destruction_declaration", object_id=declaration_id,
           details={"format": "pdf"})
    return _download(documents.declaration_pdf(row), row, "pdf", PDF_MIMETYPE)


def _download(body: str | bytes, row: DeclarationRow, extension: str, mimetype: str) -> Response:
    filename = f"verklaring-van-vernietiging-{row.declaration.reference}.{extension}"
    # content_type, as is: `mimetype=` would add a second charset to the CSV's
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
