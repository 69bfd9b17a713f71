"""The plan van aanpak over the API: ``/cases/{id}/goals``, ``/cases/{id}/actions``, ``/actions/{id}``
and ``/actions/{id}/progress``.

Everyone who may see the case reads its plan. The team's procesregisseurs and supervisors add goals and
actions and set an action's status; progress is written only by the organisation that owns the action
(403 for another participant, 404 for anyone who cannot see the case).
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.responses import CASE_CONFLICT, CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.extensions import db
from casus.plans import goals, services
from casus.plans.models import Action, Goal, ProgressEntry
from casus.plans.schemas import (
    ActionInputSchema,
    ActionSchema,
    ActionUpdateSchema,
    GoalInputSchema,
    GoalSchema,
    GoalUpdateSchema,
    ProgressCreatedSchema,
    ProgressInputSchema,
    ProgressSchema,
)
from casus.security import acting_user
from casus.services import ServiceError

blp = ApiBlueprint("plans_api", __name__, description="The plan van aanpak: goals, actions and progress")

GOAL_NOT_FOUND = {**CASE_NOT_FOUND, "description": "No such goal, or the caller may not know about its case"}
GOAL_CONFLICT = {**CASE_CONFLICT, "description": "The `version` is stale, or the case's phase allows no change "
                                                 "to its plan; nothing was changed"}
ACTION_NOT_FOUND = {**CASE_NOT_FOUND, "description": "No such action, or the caller may not know about its case"}



@blp.route("/cases/<int:id>/goals")
class CaseGoals(MethodView):
    @blp.response(200, GoalSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The goals (doelen) of the plan, oldest first."""
        return services.goals_of(policy.get_case(acting_user(), id))

    @blp.arguments(GoalInputSchema)
    @blp.response(201, GoalSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def post(self, data, id):
        """Add a goal. Managers only."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="goal.add")
        return services.add_goal(user, case, description=data["description"])


@blp.route("/goals/<int:id>")
class GoalItem(MethodView):
    @blp.arguments(GoalUpdateSchema)
    @blp.response(200, GoalSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **GOAL_NOT_FOUND)
    @blp.alt_response(409, **GOAL_CONFLICT)
    def patch(self, data, id):
        """Settle a goal — `behaald`, `deels_behaald` or `vervallen` with `statusOn` and an optional
        `statusNote` — or set it `open` again (with the goal's `version`). Managers only."""
        user = acting_user()
        goal = db.session.get(Goal, id)
        if goal is None:
            policy.refuse("goal.status_changed", status=404, object_type="goal", object_id=id)
        case = policy.get_case(user, goal.case_id, action="goal.status_changed")
        policy.require_manager_audited(user, case, action="goal.status_changed")
        goals.set_goal_status(user, case, goal, status=data["status"], status_on=data["status_on"],
                              status_note=data["status_note"], expected_version=data["version"])
        db.session.flush()
        return goal


@blp.route("/cases/<int:id>/actions")
class CaseActions(MethodView):
    @blp.response(200, ActionSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The actions (afspraken) of the plan, by due date."""
        return services.actions_of(policy.get_case(acting_user(), id))

    @blp.arguments(ActionInputSchema)
    @blp.response(201, ActionSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def post(self, data, id):
        """Add an action owned by a participating organisation (optionally one of its users). Managers only."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="action.add")
        action = services.add_action(
            user, case, description=data["description"], owner_organisation_id=data["owner_organisation_id"],
            due_on=data["due_on"], owner_user_id=data["owner_user_id"], goal_id=data["goal_id"])
        return _reloaded(action)


def _reloaded(action: Action) -> Action:
    """The action with its owners loaded and its version as flushed."""
    db.session.flush()
    return db.session.execute(sa.select(Action).where(Action.id == action.id)
                              .execution_options(populate_existing=True)).unique().scalar_one()


@blp.route("/actions/<int:id>")
class ActionItem(MethodView):
    @blp.response(200, ActionSchema)
    @blp.alt_response(404, **ACTION_NOT_FOUND)
    def get(self, id):
        """One action (audited as a read of its case)."""
        user = acting_user()
        action = policy.get_action(user, id)
        policy.get_case(user, action.case_id)
        return action

    @blp.arguments(ActionUpdateSchema)
    @blp.response(200, ActionSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **ACTION_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def patch(self, data, id):
        """Set an action's status and/or move its due date (with the action's `version`). Managers only."""
        user = acting_user()
        action = policy.get_action(user, id, audit_action="action.status_changed")
        case = policy.get_case(user, action.case_id)
        policy.require_manager_audited(user, case, action="action.status_changed")
        if "status" not in data and "due_on" not in data:
            raise ServiceError("Geef een nieuwe status of een nieuwe uiterste datum.", field="status")
        version = data["version"]
        if "due_on" in data:  # before the status: a finished action's date no longer moves
            services.set_action_due(user, case, action, data["due_on"], expected_version=version)
            version = None  # checked once: the first change bumps it
        if "status" in data:
            services.set_action_status(user, case, action, data["status"], expected_version=version)
        return _reloaded(action)


@blp.route("/actions/<int:id>/progress")
class ActionProgress(MethodView):
    @blp.response(200, ProgressSchema(many=True))
    @blp.alt_response(404, **ACTION_NOT_FOUND)
    def get(self, id):
        """The progress entries (voortgang) of an action, oldest first."""
        user = acting_user()
        action = policy.get_action(user, id)
        policy.get_case(user, action.case_id)
        return db.session.execute(sa.select(ProgressEntry).where(ProgressEntry.action_id == action.id)
                                  .order_by(ProgressEntry.created_at, ProgressEntry.id)).scalars().all()

    @blp.arguments(ProgressInputSchema)
    @blp.response(201, ProgressCreatedSchema)
    @blp.alt_response(403, **{**CASE_FORBIDDEN, "description": "Another organisation owns this action"})
    @blp.alt_response(404, **ACTION_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Write progress, optionally with the action's new status (with the action's `version`). Only the
        organisation that owns the action writes its progress."""
        user = acting_user()
        action = policy.get_action(user, id, audit_action="action.progress")
        case = policy.get_case(user, action.case_id)
        if not policy.writes_progress(user, action):
            policy.refuse("action.progress", status=403, object_type="action", object_id=action.id, case_id=case.id)
        entry = services.add_progress(user, case, action, text=data["text"], status=data["status"],
                                      expected_version=data["version"])
        db.session.flush()
        return SimpleNamespace(id=entry.id, action_id=entry.action_id, text=entry.text, status_after=entry.status_after,
                               author=user, organisation_id=entry.organisation_id, created_at=entry.created_at,
                               action_version=action.version)
