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
from casus.approvals.models import Approval
from casus.approvals.schemas import ApprovalSchema
from casus.audit.services import record
from casus.cases.models import Case
from casus.extensions import db
from casus.retention import extension, holds, terms
from casus.retention.models import LegalHold, RetentionTerm
from casus.retention.schemas import (
    CaseLegalHoldsSchema,
    LegalHoldInputSchema,
    LegalHoldLiftSchema,
    LegalHoldSchema,
    RetentionExtensionInputSchema,
    RetentionTermListSchema,
    RetentionTermSchema,
    RetentionTermUpdateSchema,
)
from casus.security import acting_user

blp = ApiBlueprint("retention_api", __name__, description="The data lifecycle: retention terms, legal holds and "
                                                          "retention extensions, for the privacy officer")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such object, or the caller may not know about it"}
FORBIDDEN = {"schema": ProblemSchema, "description": "Only the privacy officer (role `privacy`) may do this"}
CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale (`currentVersion`); nothing changed"}
HOLD_FORBIDDEN = {"schema": ProblemSchema, "description": "The caller sees the case but may not do this: legal holds "
                                                          "are for the privacy officer and the team's supervisors"}
EXTENSION_CONFLICT = {"schema": ProblemSchema, "description": "The case is not closed, or a request is open already"}


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
        policy.require_privacy_audited(acting_user(), action="retention_term.list", object_type="retention_term")
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
        recomputes the archiefactiedatum of everything closed under it (a date moved by an approved extension or
        a postponement only ever later) — or only `confirm` it.
        Audited: `retention_term.changed` / `retention_term.confirmed`."""
        policy.require_privacy_audited(acting_user(), action="retention_term.change",
                                       object_type="retention_term", object_id=id)
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


# --- legal holds ---------------------------------------------------------------------------------------------------

def _case_for_retention(case_id: int, action: str) -> Case:
    """The case, for the privacy officer, a supervisor of its team or (extensions) its team; else 403 when the
    caller sees the case otherwise, 404 when not (audited either way)."""
    user = acting_user()
    case = db.session.execute(sa.select(Case).where(Case.id == case_id)).unique().scalar_one_or_none()
    if case is None:
        policy.refuse(action, status=404, object_type="case", object_id=case_id)
    status = holds.refusal_status(user, case)
    if status is not None:
        policy.refuse(action, status=status, object_type="case", object_id=case.id, case_id=case.id)
    return case


def _hold_body(hold: LegalHold) -> dict:
    fresh = db.session.execute(sa.select(LegalHold).where(LegalHold.id == hold.id)
                               .options(joinedload(LegalHold.placed_by), joinedload(LegalHold.lifted_by))
                               .execution_options(populate_existing=True)).scalar_one()
    return {**{column: getattr(fresh, column) for column in (
        "id", "case_id", "reason", "placed_by", "placed_at", "until", "lifted_by", "lifted_at", "lift_reason",
        "version")}, "active": holds.is_active(fresh)}


def _archive_body(case: Case) -> dict:
    return {"id": case.id, "reference": case.reference, "closed_on": case.closed_on,
            "archiefnominatie": case.archiefnominatie, "archiefactiedatum": case.archiefactiedatum,
            "archiefstatus": case.archiefstatus, "under_legal_hold": holds.is_under_hold(case.id)}


@blp.route("/cases/<int:id>/legal-holds")
class CaseLegalHolds(MethodView):
    @blp.response(200, CaseLegalHoldsSchema)
    @blp.alt_response(403, **HOLD_FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """The case's archive fields and every legal hold on it, newest first. For the privacy officer and the
        case's team (no case content). Audited: `legal_hold.view`."""
        case = _case_for_retention(id, "legal_hold.view")
        record("legal_hold.view", object_type="case", object_id=case.id, case_id=case.id)
        return {"case": _archive_body(case), "items": [_hold_body(hold) for hold in holds.holds_of(case)]}

    @blp.arguments(LegalHoldInputSchema)
    @blp.response(201, LegalHoldSchema)
    @blp.alt_response(403, **HOLD_FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    def post(self, data, id):
        """Place a legal hold (`reason`, optional `until`): the case is kept off every destruction list while it
        holds. The privacy officer or a supervisor of the case's team. Audited: `legal_hold.placed`."""
        case = _case_for_retention(id, "legal_hold.placed")
        _require_hold_rights(case, "legal_hold.placed")
        hold = holds.place_hold(acting_user(), case, reason=data["reason"], until=data["until"])
        return _hold_body(hold), 201


@blp.route("/legal-holds/<int:id>/lift")
class LegalHoldLift(MethodView):
    @blp.arguments(LegalHoldLiftSchema)
    @blp.response(200, LegalHoldSchema)
    @blp.alt_response(403, **HOLD_FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Lift a legal hold (`reason`, `version`); lifting one lifted already answers 409. The privacy officer
        or a supervisor of the case's team. Audited: `legal_hold.lifted`."""
        hold = db.session.get(LegalHold, id)
        if hold is None:
            policy.refuse("legal_hold.lifted", status=404, object_type="legal_hold", object_id=id)
        case = _case_for_retention(hold.case_id, "legal_hold.lifted")
        _require_hold_rights(case, "legal_hold.lifted")
        holds.lift_hold(acting_user(), hold, reason=data["reason"], expected_version=data["version"])
        return _hold_body(hold)


def _require_hold_rights(case: Case, action: str) -> None:
    if not policy.places_legal_hold(acting_user(), case.team_id):
        policy.refuse(action, status=403, object_type="case", object_id=case.id, case_id=case.id)


# --- retention extension ---------------------------------------------------------------------------------------

@blp.route("/cases/<int:id>/retention-extension")
class CaseRetentionExtension(MethodView):
    @blp.arguments(RetentionExtensionInputSchema)
    @blp.response(201, ApprovalSchema)
    @blp.alt_response(403, **HOLD_FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **EXTENSION_CONFLICT)
    def post(self, data, id):
        """Ask to keep a closed case until `until` (after its archiefactiedatum), with a `reason`: a four-eyes
        request (kind `retention_extension`) that a supervisor of the team or another privacy officer decides
        through `POST /approvals/{id}/decision` — never the one who asked. Approved, the case's
        archiefactiedatum becomes `until`. The privacy officer or the case's procesregisseurs and supervisors."""
        case = _case_for_retention(id, "retention_extension.requested")
        approval = extension.request_extension(acting_user(), case, until=data["until"], reason=data["reason"])
        return db.session.execute(
            sa.select(Approval).where(Approval.id == approval.id)
            .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by), joinedload(Approval.case))
            .execution_options(populate_existing=True)).unique().scalar_one(), 201
