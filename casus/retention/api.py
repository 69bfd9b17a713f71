"""``/api/v1`` for the data lifecycle, for the privacy officer (role ``privacy``): the retention terms, legal
holds and a case's retention extension. Destruction lists and data-subject requests add their endpoints here.

Anyone else gets 403 (audited) — the supervisors of a case's team also place and lift its legal holds.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import joinedload

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.audit.services import record
from casus.extensions import db
from casus.retention import terms
from casus.retention.models import RetentionTerm
from casus.retention.schemas import RetentionTermListSchema, RetentionTermSchema, RetentionTermUpdateSchema
from casus.security import acting_user

blp = ApiBlueprint("retention_api", __name__, description="The data lifecycle: retention terms, legal holds and "
                                                          "retention extensions, for the privacy officer")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such object, or the caller may not know about it"}
FORBIDDEN = {"schema": ProblemSchema, "description": "Only the privacy officer (role `privacy`) may do this"}
CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale (`currentVersion`); nothing changed"}


def _require_privacy(action: str, object_type: str, object_id: object = None) -> None:
    if not policy.handles_privacy(acting_user()):
        policy.refuse(action, status=403, object_type=object_type, object_id=object_id)


def _term_as_shown(term_id: int) -> dict:
    term = db.session.execute(sa.select(RetentionTerm).where(RetentionTerm.id == term_id)
                              .options(joinedload(RetentionTerm.confirmed_by))
                              .execution_options(populate_existing=True)).scalar_one()
    return _term_body(term)


def _term_body(term: RetentionTerm) -> dict:
    category = terms.category_of(term)
    return {"id": term.id, "category": category, "signal_outcome": term.signal_outcome, "months": term.months,
            "archiefnominatie": term.archiefnominatie, "basis": term.basis, "confirmed": term.confirmed,
            "confirmed_by": term.confirmed_by, "confirmed_at": term.confirmed_at, "version": term.version}


# --- retention terms ---------------------------------------------------------------------------------------------

@blp.route("/retention-terms")
class RetentionTerms(MethodView):
    @blp.response(200, RetentionTermListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def get(self):
        """Every retention term: one per case category, one per signal outcome (made from the configured
        defaults, unconfirmed, when missing). Audited: `retention_term.list`."""
        _require_privacy("retention_term.list", "retention_term")
        rows = terms.list_terms()
        record("retention_term.list", object_type="retention_term", details={"count": len(rows)})
        return {"items": [_term_as_shown(row.term.id) for row in rows]}


@blp.route("/retention-terms/<int:id>")
class RetentionTermItem(MethodView):
    @blp.arguments(RetentionTermUpdateSchema)
    @blp.response(200, RetentionTermSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def patch(self, data, id):
        """Change `months`, `archiefnominatie` and/or `basis` — which confirms the term as the caller and
        recomputes the archiefactiedatum of everything closed under it, except cases with an approved
        extension — or only `confirm` it. Audited: `retention_term.changed` / `retention_term.confirmed`."""
        _require_privacy("retention_term.change", "retention_term", id)
        term = db.session.get(RetentionTerm, id)
        if term is None:
            policy.refuse("retention_term.change", status=404, object_type="retention_term", object_id=id)
        user = acting_user()
        if {"months", "archiefnominatie", "basis"} & data.keys():
            terms.change_term(user, term, months=data.get("months", term.months),
                              archiefnominatie=data.get("archiefnominatie", str(term.archiefnominatie)),
                              basis=data.get("basis", term.basis),
                              expected_version=data["version"])
        elif data.get("confirm"):
            terms.confirm_term(user, term, expected_version=data["version"])
        return _term_as_shown(term.id)
