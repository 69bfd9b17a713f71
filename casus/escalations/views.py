"""The escalations tab of the case file (``/casussen/<id>/escalaties``) and the team's queue (``/escalaties``).

Whoever may see the case sees its ladder (policy.get_case: audited, 404 when hidden); only the team's
procesregisseurs and supervisors (policy.manages) escalate, record the decision and de-escalate — anyone
else who posts gets 403, audited. A refused step changes nothing and shows every failing guard next to its
field; a stale version sends the user back to the fresh page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from casus import policy
from casus.audit.services import record_shown
from casus.cases.forms import unique_ids
from casus.cases.models import Case
from casus.escalations import services
from casus.escalations.forms import GUARD_FIELDS, DecisionForm, DeescalateForm, EscalateForm
from casus.escalations.models import Escalation, EscalationDirection
from casus.i18n import current_locale
from casus.labels import Labels, enum_label
from casus.security import acting_user
from casus.services import ServiceError
from casus.web.forms import is_stale, show_conflict, show_service_error, version_of
from casus.web.helpers import template_helpers
from workflow import ESCALATION, EscalationLevel, TransitionRefused

bp = Blueprint("escalations", __name__, url_prefix="")
bp.context_processor(template_helpers)


@bp.context_processor
def _escalation_helpers() -> dict:
    return {"direction_label": Labels(EscalationDirection)}


@bp.app_template_global("current_escalation")
def current_escalation(case: Case) -> Escalation | None:
    """For the case overview (``escalations/_current.html``): the open step at the case's level."""
    return services.current_step(case)


def _back(case: Case):
    return redirect(url_for("escalations.for_case", case_id=case.id))


# --- the tab -----------------------------------------------------------------------------------------------

@bp.get("/casussen/<int:case_id>/escalaties")
def for_case(case_id: int):
    return _render_tab(policy.get_case(acting_user(), case_id))


def _render_tab(case: Case, *, escalate_form: EscalateForm | None = None, decision_form: DecisionForm | None = None,
                deescalate_form: DeescalateForm | None = None, status: int = 200):
    user = acting_user()
    steps = services.history(case)
    current = services.current_step(case, steps)
    manages = policy.manages(user, case)
    level = case.escalation_level
    up, down = ESCALATION.target(level, "escalate"), ESCALATION.target(level, "deescalate")
    forms = {}
    if manages and up and not case.is_closed:
        forms["escalate_form"] = unique_ids(escalate_form or EscalateForm(
            formdata=None, version=case.version, decision_deadline=services.default_decision_deadline()),
            "opschalen")
    if manages and current is not None and current.decision is None:
        forms["decision_form"] = unique_ids(decision_form or DecisionForm(formdata=None), "besluit")
    if manages and down:
        forms["deescalate_form"] = unique_ids(deescalate_form or DeescalateForm(
            formdata=None, version=case.version, decision=getattr(current, "decision", None)), "afschalen")
    return render_template(
        "escalations/for_case.html", case=case, active_tab="escalations.for_case", steps=steps, current=current,
        manages=manages, up_level=up, down_level=down, **forms), status


def _show_refusal(form, refused: TransitionRefused) -> None:
    """Every failing guard: next to its field when it has one, otherwise as a message."""
    flash(_("Dit kon niet. Er is niets gewijzigd."), "error")
    for failure in refused.failures:
        message = failure.message(current_locale())
        name = GUARD_FIELDS.get(failure.code)
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            flash(message, "error")


def _level(value) -> str:
    return enum_label(EscalationLevel, value)


def _stale(error: ServiceError) -> bool:
    """A refusal that re-renders nothing: the step was taken or decided meanwhile (409)."""
    if error.status != 409:
        return False
    flash(error.message, "error")
    return True


@bp.post("/casussen/<int:case_id>/escalaties/opschalen")
def escalate(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="escalation.escalate")
    form = EscalateForm()
    return _climb(case, form, "escalate_form", lambda: services.escalate(
        user, case, reason=form.reason.data, decision_owner=form.decision_owner.data,
        decision_deadline=form.decision_deadline.data, review_on=form.review_on.data,
        expected_version=version_of(form)), _("De casus is opgeschaald naar %(level)s."))


@bp.post("/casussen/<int:case_id>/escalaties/<int:escalation_id>/besluit")
def decide(case_id: int, escalation_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="escalation.decision")
    step = policy.get_of_case(case, Escalation, escalation_id, action="escalation.decision", user=user)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.record_decision(user, step, decision=form.decision.data, expected_version=version_of(form))
        except ServiceError as error:
            if is_stale(error):  # the step changed meanwhile: the tab shows it as it is now, the input kept
                show_conflict()
                return _render_tab(case, decision_form=form, status=409)
            if _stale(error):
                return _back(case)
            show_service_error(form, error)
        else:
            flash(_("Het besluit is vastgelegd."), "success")
            return _back(case)
    return _render_tab(case, decision_form=form, status=400 if form.version.errors else 200)


@bp.post("/casussen/<int:case_id>/escalaties/afschalen")
def deescalate(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="escalation.deescalate")
    form = DeescalateForm()
    return _climb(case, form, "deescalate_form", lambda: services.deescalate(
        user, case, decision=form.decision.data, expected_version=version_of(form)),
        _("De casus is afgeschaald naar %(level)s."))


def _climb(case: Case, form, form_name: str, step, done: str):
    """One step on the ladder: guard messages next to their fields, a stale form back to the tab."""
    status = 200
    if form.validate_on_submit():
        try:
            step()
        except TransitionRefused as refused:
            _show_refusal(form, refused)
        except ServiceError as error:
            if is_stale(error):  # the case changed meanwhile: the tab shows it as it is now, the input kept
                show_conflict()
                status = 409
            elif _stale(error):
                return _back(case)
            else:
                show_service_error(form, error)
        else:
            flash(done % {"level": _level(case.escalation_level)}, "success")
            return _back(case)
    elif form.version.errors:  # a form without its version is refused, never saved unchecked
        status = 400
    return _render_tab(case, status=status, **{form_name: form})


# --- the queue ---------------------------------------------------------------------------------------------

@bp.get("/escalaties")
def index():
    user = acting_user()
    if not policy.sees_escalation_queue(user):
        policy.refuse("escalation.list", status=403, object_type="escalation", object_id=None)
    queue = services.team_queue(user)
    record_shown("escalation.queue.view", [row.case.id for row in queue.rows], user=user)
    return render_template("escalations/index.html", queue=queue, limit=services.QUEUE_LIMIT)
