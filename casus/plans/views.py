"""The plan van aanpak tab of the case file: goals, actions and their progress.

Managers of the case (policy.manages) add goals and actions and change an action's status; only users
of the organisation that owns an action write its voortgang (policy.writes_progress). Actions carry a
``version``, so a stale form changes nothing.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from casus import policy
from casus.cases.forms import unique_ids
from casus.cases.models import Case
from casus.cases.services import participations_of
from casus.clock import today
from casus.extensions import db
from casus.i18n import current_locale
from casus.plans import goals as goal_services
from casus.plans import services
from casus.plans.forms import ActionForm, ActionStatusForm, GoalForm, GoalStatusForm, ProgressForm
from casus.plans.models import Action, Goal, ProgressEntry
from casus.security import acting_user
from casus.services import ServiceError
from casus.users.models import User
from casus.web.forms import is_stale, show_conflict, show_service_error, submit_form, version_of
from casus.web.helpers import template_helpers
from workflow import CasePhase

bp = Blueprint("plans", __name__, url_prefix="/casussen")
bp.context_processor(template_helpers)



def _back(case: Case):
    return redirect(url_for("plans.plan", case_id=case.id))


def _action_of(case: Case, action_id: int) -> Action:
    return policy.get_of_case(case, Action, action_id, action="action.view", user=acting_user())


@bp.get("/<int:case_id>/plan")
def plan(case_id: int):
    return _render_plan(policy.get_case(acting_user(), case_id))


def _render_plan(case: Case, *, goal_form=None, action_form=None, action_forms=None, goal_status_forms=None,
                 status: int = 200):
    user = acting_user()
    manages = policy.manages(user, case)
    goals = services.goals_of(case)
    actions = services.actions_of(case)
    progress: dict[int, list[ProgressEntry]] = defaultdict(list)
    for entry in db.session.execute(
            sa.select(ProgressEntry).join(Action, Action.id == ProgressEntry.action_id)
            .where(Action.case_id == case.id)
            .order_by(ProgressEntry.created_at.desc(), ProgressEntry.id.desc())).scalars():
        progress[entry.action_id].append(entry)
    editable = not case.is_closed
    plannable = manages and case.phase in services.PLANNABLE_PHASES
    if plannable:
        goal_form = goal_form or GoalForm(formdata=None, prefix="doel")
        if action_form is None:
            action_form = ActionForm(formdata=None, prefix="actie")
        participating = [p.organisation for p in participations_of(case, active_only=True)]
        action_form.fill(goals=goals, organisations=participating, users=_users_of(participating))
    forms = dict(action_forms or {})
    for action in actions:
        status_form, progress_form = forms.get(action.id, (None, None))
        if manages and editable and status_form is None:
            status_form = ActionStatusForm(formdata=None, status=action.status, version=action.version,
                                           due_on=action.due_on)
        if status_form is not None:
            status_form.fill(current_locale())
            unique_ids(status_form, f"status-{action.id}")
        if policy.writes_progress(user, action) and editable and progress_form is None:
            progress_form = ProgressForm(formdata=None, version=action.version)
        if progress_form is not None:
            progress_form.fill(current_locale())
            unique_ids(progress_form, f"voortgang-{action.id}")
        forms[action.id] = (status_form, progress_form)
    status_forms = dict(goal_status_forms or {})
    if plannable:
        for goal in goals:
            form = status_forms.get(goal.id) or GoalStatusForm(
                formdata=None, version=goal.version, status=goal.status.value, status_on=goal.status_on,
                status_note=goal.status_note)
            form.fill(current_locale())
            unique_ids(form, f"doel-{goal.id}")
            status_forms[goal.id] = form
    goal_names = {goal.id: goal.description for goal in goals}
    return render_template(
        "plans/plan.html", case=case, active_tab="plans.plan", manages=manages, goals=goals, actions=actions,
        progress=progress, goal_names=goal_names, goal_form=goal_form if plannable else None,
        action_form=action_form if plannable else None, action_forms=forms, today_=today(),
        goal_status_forms=status_forms if plannable else {},
        planning_closed=manages and not plannable and case.phase != CasePhase.AFGESLOTEN), status


def _users_of(organisations) -> list[User]:
    ids = [o.id for o in organisations]
    if not ids:
        return []
    return list(db.session.execute(
        sa.select(User).where(User.active.is_(True), User.organisation_id.in_(ids))
        .order_by(User.organisation_id, User.name)).scalars())


@bp.post("/<int:case_id>/plan/doelen")
def add_goal(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="goal.added")
    form = GoalForm(prefix="doel")
    if submit_form(form, lambda: services.add_goal(user, case, description=form.description.data),
            success=_("Het doel is toegevoegd.")):
        return _back(case)
    return _render_plan(case, goal_form=form)


@bp.post("/<int:case_id>/plan/doelen/<int:goal_id>/status")
def set_goal_status(case_id: int, goal_id: int):
    """Mark a goal behaald / deels behaald / vervallen (with a date and a note), or open it again."""
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="goal.status_changed")
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.case_id != case.id:
        policy.refuse("goal.status_changed", status=404, object_type="goal", object_id=goal_id, case_id=case.id)
    form = GoalStatusForm()
    form.fill(current_locale())
    saved = submit_form(form, lambda: goal_services.set_goal_status(
        user, case, goal, status=form.status.data, status_on=form.status_on.data, status_note=form.status_note.data,
        expected_version=version_of(form)), success=_("De status van het doel is gewijzigd."))
    if saved:
        return _back(case)
    if saved.stale:
        form.version.data = goal.version  # the next save is checked against what is stored now
    return _render_plan(case, goal_status_forms={goal.id: form}, status=saved.status if saved.status != 200 else 400)


@bp.post("/<int:case_id>/plan/acties")
def add_action(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="action.added")
    form = ActionForm(prefix="actie")
    participating = [p.organisation for p in participations_of(case, active_only=True)]
    form.fill(goals=services.goals_of(case), organisations=participating, users=_users_of(participating))
    if submit_form(form, lambda: services.add_action(user, case, description=form.description.data,
            owner_organisation_id=form.owner_organisation_id.data, due_on=form.due_on.data,
            owner_user_id=form.owner_user_id.data, goal_id=form.goal_id.data),
            success=_("De actie is toegevoegd.")):
        return _back(case)
    return _render_plan(case, action_form=form)


@bp.post("/<int:case_id>/plan/acties/<int:action_id>/status")
def set_status(case_id: int, action_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="action.status_changed")
    action = _action_of(case, action_id)
    form = ActionStatusForm()
    form.fill(current_locale())
    if form.validate_on_submit():
        moved = form.due_on.data is not None and form.due_on.data != action.due_on
        try:
            if moved:  # the date first (an open action's), then the status if that changed too
                services.set_action_due(user, case, action, form.due_on.data, expected_version=version_of(form))
            if not moved or form.status.data != action.status:
                services.set_action_status(user, case, action, form.status.data,
                                           expected_version=None if moved else version_of(form))
        except ServiceError as error:
            if is_stale(error):  # changed meanwhile: the plan shows the action as it is now, the choice kept
                show_conflict()
                return _render_plan(case, action_forms={action.id: (form, None)}, status=409)
            flash(error.message, "error")
        else:
            flash(_("De uiterste datum van de actie is gewijzigd.") if moved
                  else _("De status van de actie is gewijzigd."), "success")
        return _back(case)
    return _render_plan(case, action_forms={action.id: (form, None)}, status=400)


@bp.post("/<int:case_id>/plan/acties/<int:action_id>/voortgang")
def add_progress(case_id: int, action_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    action = _action_of(case, action_id)
    if not policy.writes_progress(user, action):
        policy.refuse("action.progress", status=403, object_type="action", object_id=action.id, case_id=case.id)
    form = ProgressForm()
    form.fill(current_locale())
    if form.validate_on_submit():
        try:
            services.add_progress(user, case, action, text=form.text.data, status=form.status.data or None,
                                  expected_version=version_of(form))
        except ServiceError as error:
            if is_stale(error):  # the action changed meanwhile: shown as it is now, the progress text kept
                show_conflict()
                return _render_plan(case, action_forms={action.id: (None, form)}, status=409)
            if error.status == 409:
                flash(error.message, "error")
                return _back(case)
            show_service_error(form, error)
        else:
            flash(_("De voortgang is vastgelegd."), "success")
            return _back(case)
    return _render_plan(case, action_forms={action.id: (None, form)}, status=400)
