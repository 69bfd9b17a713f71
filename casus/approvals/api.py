"""``/api/v1/approvals``: the four-eyes requests of the caller's team, their decision and withdrawal, and
``POST /api/v1/cases/{id}/approvals`` to ask for early closure or reopening.

Approvals are the team's own business (``policy.approval_scope``): anyone else gets 404, exactly as for an
id that does not exist. Deciding is for a supervisor of the team who did not ask; the requester gets 403
(audited, nothing changed) whatever roles they hold. A stale ``version`` or a request decided meanwhile
answers 409; so does a decision the workflow refuses (``failedGuards``), which leaves the request open.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy.orm import joinedload

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.paging import page_body
from casus.api.responses import CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.api.schemas import ProblemSchema
from casus.approvals import case_requests, services
from casus.approvals.models import Approval
from casus.approvals.schemas import (
    ApprovalDecisionInputSchema,
    ApprovalListArgsSchema,
    ApprovalPageSchema,
    ApprovalRequestInputSchema,
    ApprovalSchema,
    ApprovalWithdrawalInputSchema,
)
from casus.audit.services import record
from casus.errors import problem, refused_problem
from casus.extensions import db
from casus.pagination import decode_cursor
from casus.security import acting_user
from casus.services import ServiceError
from workflow import TransitionRefused

blp = ApiBlueprint("approvals_api", __name__, description="Four-eyes approvals: early closure, reopening and "
                                                          "RIEC voordrachten, decided by a second supervisor")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such approval, or the caller may not know about it"}
CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale, the request was decided meanwhile, "
                                                    "or the workflow refused to carry it out (`failedGuards`); "
                                                    "nothing was changed"}
NOT_ALLOWED = {"schema": ProblemSchema, "description": "The caller may see the request but not do this — the "
                                                       "requester never decides their own request"}


def _loaded(approval_id: int) -> Approval:
    """The approval as the schema shows it (requester, decider and case loaded), fresh from the database."""
    return db.session.execute(
        sa.select(Approval).where(Approval.id == approval_id)
        .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by), joinedload(Approval.case))
        .execution_options(populate_existing=True)).unique().scalar_one()



def _forbidden(error: ServiceError):
    """A 403 the service audited: answered as an HTTP error, so the denial commits (a ServiceError rolls back)."""
    abort(403, message=error.message)


@blp.route("/approvals")
class Approvals(MethodView):
    @blp.arguments(ApprovalListArgsSchema, location="query")
    @blp.response(200, ApprovalPageSchema)
    def get(self, args):
        """The requests the caller may see — their team's, and their own — filtered by `status`, `kind` and
        `caseId`; keyset-paginated (`limit`, `cursor`)."""
        user = acting_user()
        cursor = args.get("cursor")
        if cursor and decode_cursor(cursor, datetime.fromisoformat) is None:
            abort(400, errors={"query": {"cursor": ["Not a cursor from a previous page."]}})
        page = services.list_approvals(user, status=args.get("status"), kind=args.get("kind"),
                                       case_id=args.get("case_id"), after=cursor, limit=args["limit"])
        record("approval.list", object_type="approval",
                      details={"approval_ids": [approval.id for approval in page.items]})
        return page_body(page, "approvals_api.Approvals")


@blp.route("/approvals/<int:id>")
class ApprovalItem(MethodView):
    @blp.response(200, ApprovalSchema)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One request with its decision (audited: `approval.view`)."""
        approval = policy.get_approval(acting_user(), id)
        return _loaded(approval.id)


@blp.route("/approvals/<int:id>/decision")
class ApprovalDecision(MethodView):
    @blp.arguments(ApprovalDecisionInputSchema)
    @blp.response(200, ApprovalSchema)
    @blp.alt_response(403, **NOT_ALLOWED)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Approve or reject (`motivation` required to reject) with the approval's `version`. Approving
        carries the request out at once — `close_early` closes the case, `reopen` reopens it — or answers 409
        with the workflow's `failedGuards`, the request still open. Supervisors of the team, never the requester."""
        user = acting_user()
        approval = policy.get_approval(user, id, action="approval.decide")
        try:
            services.check_may_decide(user, approval)
        except ServiceError as error:
            _forbidden(error)
        try:
            services.decide(user, approval, approve=data["decision"] == "approve", motivation=data["motivation"],
                            expected_version=data["version"])
        except TransitionRefused as refused:
            return refused_problem(refused)
        except ServiceError as error:
            if not getattr(error, "codes", None):
                raise
            # A domain that wraps its workflow refusal (a voordracht) names the guards too: the same 409,
            # answered rather than raised so the recorded refusal commits.
            return problem(409, "Transition refused", error.message, failedGuards=list(error.codes))
        return _loaded(approval.id)


@blp.route("/approvals/<int:id>/withdrawal")
class ApprovalWithdrawal(MethodView):
    @blp.arguments(ApprovalWithdrawalInputSchema)
    @blp.response(200, ApprovalSchema)
    @blp.alt_response(403, **NOT_ALLOWED)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """The requester withdraws a pending request (with its `version`); nothing changes on the case."""
        user = acting_user()
        approval = policy.get_approval(user, id, action="approval.withdraw")
        if approval.requested_by_id != user.id:
            policy.refuse("approval.withdrawn", status=403, object_type="approval", object_id=approval.id,
                          case_id=approval.case_id)
        services.withdraw(user, approval, expected_version=data["version"])
        return _loaded(approval.id)


@blp.route("/cases/<int:id>/approvals")
class CaseApprovals(MethodView):
    @blp.arguments(ApprovalRequestInputSchema)
    @blp.response(201, ApprovalSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Ask a second supervisor for `close_early` (during the approach, with `result`) or `reopen` (a
        closed case within its retention period). The team's other supervisors are notified; one request of
        a kind may be open per case. Managers of the case only."""
        user = acting_user()
        case = policy.get_case(user, id)
        if not policy.manages(user, case):  # a partner of the case: visible, but not theirs to ask
            policy.refuse("approval.requested", status=403, object_type="case", object_id=case.id, case_id=case.id)
        if data["kind"] == "close_early":
            approval = case_requests.request_early_closure(user, case, reason=data["reason"], result=data["result"])
        else:
            approval = case_requests.request_reopening(user, case, reason=data["reason"])
        return _loaded(approval.id)

