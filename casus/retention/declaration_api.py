"""``/api/v1/destruction-declarations``: the verklaringen van vernietiging, for the privacy officer (role
``privacy``) only; anyone else gets 403 (audited). Read-only: a verklaring is written by the destruction itself
and never changed."""

from __future__ import annotations

from datetime import date

from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.audit.services import record
from casus.retention.declaration_schemas import DeclarationPageSchema, DeclarationSchema
from casus.retention.declarations import DeclarationRow, get_declaration, list_declarations, totals
from casus.security import acting_user

blp = ApiBlueprint("declarations_api", __name__,
                   description="Verklaringen van vernietiging: the proof of what was destroyed, without personal data")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such verklaring"}
FORBIDDEN = {"schema": ProblemSchema, "description": "Only the privacy officer (role `privacy`) may read them"}


def _summary(row: DeclarationRow) -> dict:
    declaration = row.declaration
    return {**{column: getattr(declaration, column) for column in (
        "id", "reference", "kind", "destruction_list_id", "subject_request_id", "team_id", "destroyed_at")},
        "list_reference": row.list_reference, "team_name": row.team_name,
        "prepared_by": declaration.prepared_by.name, "approved_by": declaration.approved_by.name,
        "record_count": len(declaration.entries)}


@blp.route("/destruction-declarations")
class Declarations(MethodView):
    @blp.response(200, DeclarationPageSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def get(self):
        """Every verklaring van vernietiging, newest first (at most 200). Audited: `destruction_declaration.list`."""
        policy.require_privacy_audited(acting_user(), action="destruction_declaration.list",
                                       object_type="destruction_declaration")
        rows = list_declarations()
        record("destruction_declaration.list", object_type="destruction_declaration", details={"count": len(rows)})
        return {"items": [_summary(row) for row in rows]}


@blp.route("/destruction-declarations/<int:id>")
class OneDeclaration(MethodView):
    @blp.response(200, DeclarationSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One verklaring with its entries: per destroyed case or signal its reference, category, dates and
        counts per kind of record. Audited: `destruction_declaration.view`."""
        policy.require_privacy_audited(acting_user(), action="destruction_declaration.view",
                                       object_type="destruction_declaration", object_id=id)
        row = get_declaration(id)
        if row is None:
            policy.refuse("destruction_declaration.view", status=404, object_type="destruction_declaration",
                          object_id=id)
        record("destruction_declaration.view", object_type="destruction_declaration", object_id=id)
        return {**_summary(row), "totals": totals(row.declaration),
                "entries": [_entry(entry) for entry in row.declaration.entries]}


def _entry(entry: dict) -> dict:
    """The stored entry with its ISO dates as dates again (the schema writes them out)."""
    return {**entry, **{key: date.fromisoformat(entry[key]) if entry[key] else None
                        for key in ("closed_on", "destroyed_on")}}
