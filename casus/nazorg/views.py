"""The case file's Nazorg tab: the planned and recorded check-ins of the case, and the form that records one.

Everyone who may see the case reads the check-ins (policy.get_case: need-to-know, audited); the case's team
(policy.manages) records them. A recorded signal of relapse offers the case's ``relapse`` step right here: a
form that posts to the case's transition page (cases.transition) with the trigger and a reason filled in, so
the workflow's guards and the case's version judge it as any step.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from casus import policy
from casus.cases.forms import unique_ids
from casus.cases.models import Case
from casus.extensions import db
from casus.nazorg import services
from casus.nazorg.forms import CheckinForm
from casus.nazorg.models import NazorgCheckin
from casus.security import acting_user
from casus.web.forms import submit_form
from casus.web.helpers import template_helpers
from workflow import CasePhase

bp = Blueprint("nazorg", __name__, url_prefix="/casussen")
bp.context_processor(template_helpers)


def checkin_of(case: Case, checkin_id: int, *, action: str) -> NazorgCheckin:
    found = db.session.get(NazorgCheckin, checkin_id)
    if found is None or found.case_id != case.id:
        policy.refuse(action, status=404, object_type="nazorg_checkin", object_id=checkin_id, case_id=case.id)
    return found


@bp.get("/<int:case_id>/nazorg")
def checkins(case_id: int):
    return _render(policy.get_case(acting_user(), case_id))


def _render(case: Case, *, failed: tuple[int, CheckinForm] | None = None, status: int = 200):
    user = acting_user()
    manages = policy.manages(user, case)
    found = services.checkins_of(case)
    current = services.current_period(case, found) if case.phase == CasePhase.NAZORG else []
    forms: dict[int, CheckinForm] = {}
    if manages:
        for checkin in current:
            if failed and failed[0] == checkin.id:
                form = failed[1]
                form.version.data = checkin.version  # a stale save: the next one is checked against what is stored
            else:
                form = CheckinForm(formdata=None, version=checkin.version, done_on=checkin.done_on,
                                   contact_made={True: "ja", False: "nee"}.get(checkin.contact_made, ""),
                                   outcome=checkin.outcome, relapse_signal=checkin.relapse_signal)
            unique_ids(form, f"nazorg-{checkin.id}")
            forms[checkin.id] = form
    offers_relapse = manages and services.relapse_signalled(case, found)
    relapse_at = next((c for c in current if c.relapse_signal and c.is_done), None)
    return render_template(
        "nazorg/checkins.html", case=case, active_tab="nazorg.checkins", checkins=found, current=current,
        forms=forms, manages=manages, offers_relapse=offers_relapse,
        relapse_reason=ngettext("Signaal van terugval bij het nazorgcontact na %(num)d maand.",
                                "Signaal van terugval bij het nazorgcontact na %(num)d maanden.",
                                relapse_at.months) if relapse_at else ""), status


@bp.post("/<int:case_id>/nazorg/<int:checkin_id>")
def record(case_id: int, checkin_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="nazorg_checkin.recorded")
    checkin = checkin_of(case, checkin_id, action="nazorg_checkin.recorded")
    form = CheckinForm()
    saved = submit_form(form, lambda: services.record_checkin(
        user, case, checkin, done_on=form.done_on.data, contact_made=form.contact, outcome=form.outcome.data,
        relapse_signal=bool(form.relapse_signal.data), expected_version=int(form.version.data)),
        success=_("Het nazorgcontact is vastgelegd."))
    if saved:
        return redirect(url_for("nazorg.checkins", case_id=case.id))
    return _render(case, failed=(checkin.id, form), status=saved.status if saved.status != 200 else 400)
