"""The escalation ladder over the API: ``/cases/{id}/escalations``, ``/escalations`` and
``/escalations/{id}`` (with ``/escalations/{id}/decision``).

Escalation steps are part of the case file: whoever may see the case reads its ladder (404 for anyone
else, audited). Only the team's procesregisseurs and supervisors take a step or record a decision (403 for
a partner who can see the case). A step carries the case's ``version``: a stale one answers 409, and so
does a step the workflow refuses (``failedGuards`` names the guard codes; the attempt is recorded).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import abort

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.paging import page_body
from casus.api.responses import CASE_CONFLICT, CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.cases.models import Case
from casus.clock import today
from casus.errors import refused_problem
from casus.escalations import services
from casus.escalations.models import Escalation, EscalationDirection
from casus.escalations.schemas import (
    EscalationCreatedSchema,
    EscalationDecisionInputSchema,
    EscalationInputSchema,
    EscalationListArgsSchema,
    EscalationPageSchema,
    EscalationSchema,
)
from casus.extensions import db
from casus.security import acting_user
from workflow import TransitionRefused

blp = ApiBlueprint("escalations_api", __name__, description="The escalation ladder of a case: opschalen, "
                                                            "decisions and afschalen")

STEP_NOT_FOUND = {**CASE_NOT_FOUND, "description": "No such escalation step, or the caller may not know about its case"}
STEP_CONFLICT = {**CASE_CONFLICT, "description": "The step's `version` is stale, the step is no longer open, or its "
                                            "decision was recorded already; nothing was changed"}


@dataclass
class StepView:
    """A step with its case (reference, level) and what the API computes from the date."""

    step: Escalation
    case: Case
    case_version: int | None = None

    def __getattr__(self, name):
        return getattr(self.step, name)

    @property
    def decision_overdue(self) -> bool:
        step = self.step
        return step.is_open and step.decision is None and step.decision_deadline < today()

    @property
    def review_due(self) -> bool:
        return self.step.is_open and self.step.review_on <= today()


@blp.route("/cases/<int:id>/escalations")
class CaseEscalations(MethodView):
    @blp.response(200, EscalationSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """Every step on the case's escalation ladder, newest first (audited as a read of the case)."""
        case = policy.get_case(acting_user(), id)
        return [StepView(step, case) for step in services.history(case)]

    @blp.arguments(EscalationInputSchema)
    @blp.response(201, EscalationCreatedSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Take one step: `opschalen` (with `reason`, `decisionOwner`, `reviewOn` and optionally
        `decisionDeadline`) or `afschalen` (with the `decision` taken, which also closes the open step up).
        Managers only; the team's other supervisors are notified of a step up."""
        user = acting_user()
        case = policy.get_case(user, id)
        action = "escalation.escalate" if data["direction"] == EscalationDirection.OPSCHALEN else \
            "escalation.deescalate"
        policy.require_manager_audited(user, case, action=action)
        try:
            if data["direction"] == EscalationDirection.OPSCHALEN:
                step = services.escalate(
                    user, case, reason=data["reason"], decision_owner=data["decision_owner"],
                    decision_deadline=data["decision_deadline"] or services.default_decision_deadline(),
                    review_on=data["review_on"], expected_version=data["version"])
            else:
                step = services.deescalate(user, case, decision=data["decision"], expected_version=data["version"])
        except TransitionRefused as refused:
            return refused_problem(refused)
        db.session.flush()
        return StepView(_reloaded(step), case, case_version=case.version)


def _reloaded(step: Escalation) -> Escalation:
    """The step with its people loaded (lazy="raise" otherwise)."""
    return db.session.execute(services.with_people(
        sa.select(Escalation).where(Escalation.id == step.id)).execution_options(populate_existing=True)
    ).unique().scalar_one()


@blp.route("/escalations")
class Escalations(MethodView):
    @blp.arguments(EscalationListArgsSchema, location="query")
    @blp.response(200, EscalationPageSchema)
    def get(self, args):
        """The open escalation steps — each case's step up at its current level — of every case the caller
        may see, by decision deadline (earliest, so overdue, first); keyset-paginated. For a team's
        procesregisseurs and supervisors that is the team's queue."""
        user = acting_user()
        try:
            page, cases = services.open_steps_page(user, overdue_only=args["overdue"], cursor=args.get("cursor"),
                                                   limit=args["limit"])
        except ValueError:
            abort(400, errors={"query": {"cursor": ["Not a cursor from a previous page."]}})
        page.items = [StepView(step, cases[step.case_id]) for step in page.items]
        return page_body(page, "escalations_api.Escalations")


@blp.route("/escalations/<int:id>")
class EscalationItem(MethodView):
    @blp.response(200, EscalationSchema)
    @blp.alt_response(404, **STEP_NOT_FOUND)
    def get(self, id):
        """One step of a case's ladder (audited as a read of its case)."""
        user = acting_user()
        step = services.get_escalation(user, id)
        return StepView(step, policy.get_case(user, step.case_id))


@blp.route("/escalations/<int:id>/decision")
class EscalationDecision(MethodView):
    @blp.arguments(EscalationDecisionInputSchema)
    @blp.response(201, EscalationSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **STEP_NOT_FOUND)
    @blp.alt_response(409, **STEP_CONFLICT)
    def post(self, data, id):
        """Record the decision taken on an open step up, once, with the step's `version`. Managers only."""
        user = acting_user()
        step = services.get_escalation(user, id, action="escalation.decision")
        case = policy.get_case(user, step.case_id)
        policy.require_manager_audited(user, case, action="escalation.decision")
        services.record_decision(user, step, decision=data["decision"], expected_version=data["version"])
        return StepView(_reloaded(step), case)
