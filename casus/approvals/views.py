"""The approvals pages: the team's queue (/akkoorden), one request with its decision form, decide, withdraw.

Every approval is loaded through ``policy.get_approval`` (audited, 404 when hidden: approvals are the
team's own business, partners never see them). Only a supervisor of the team who did not ask sees the
decision form; a POST by anyone else — the requester first of all, even holding the supervisor role —
answers 403, is audited, and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from casus import policy
from casus.approvals import services
from casus.approvals.forms import DecisionForm, QueueFilterForm, WithdrawForm
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.audit.services import record_shown
from casus.clock import today
from casus.extensions import db
from casus.i18n import current_locale
from casus.labels import Labels
from casus.navigation import safe_next
from casus.security import acting_user
from casus.services import ServiceError
from casus.users.models import User
from casus.web.forms import flash_refusal, is_stale, missing_version, show_conflict, show_service_error, version_of
from casus.web.helpers import template_helpers
from workflow import TransitionRefused

bp = Blueprint("approvals", __name__, url_prefix="/akkoorden")
bp.context_processor(template_helpers)

PAGE_SIZE = 25
TABS = {"open": "open", "afgehandeld": "decided"}


@bp.app_context_processor
def approval_helpers() -> dict:
    """Labels for approvals in any template: the case overview and the voordracht page show requests too."""
    return {"kind_label": Labels(ApprovalKind), "approval_status_label": Labels(ApprovalStatus),
            "age_label": age_label}


def age_label(approval: Approval) -> str:
    days = services.age_in_days(approval, today())
    return ngettext("%(num)d dag", "%(num)d dagen", days)


# --- the queue -----------------------------------------------------------------------------------------------

@bp.get("")
def index():
    user = acting_user()
    if not policy.sees_approval_queue(user):
        policy.refuse("approval.list", status=403, object_type="approval", object_id=None)
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "open"
    form = QueueFilterForm(request.args)
    form.fill(current_locale())
    kind = form.soort.data if form.soort.data in ApprovalKind.values() else None
    page = services.list_approvals(user, status=TABS[tab], kind=kind, after=request.args.get("na"),
                                   limit=PAGE_SIZE)
    # One event per page view (a constant cost): which requests, and so which cases, were shown.
    record_shown("approval.list", [approval.case_id for approval in page.items], object_type="approval",
                 details={"tab": tab, "kind": kind, "approval_ids": [approval.id for approval in page.items]})
    args = {key: value for key, value in {"tab": tab, "soort": kind}.items() if value}
    return render_template(
        "approvals/index.html", page=page, tab=tab, form=form, kind=kind,
        tab_urls={name: url_for("approvals.index", tab=name, soort=kind) for name in TABS},
        next_url=url_for("approvals.index", **args, na=page.next_cursor) if page.next_cursor else None)


# --- one request -----------------------------------------------------------------------------------------------

@bp.get("/<int:approval_id>")
def detail(approval_id: int):
    user = acting_user()
    return _render_detail(user, policy.get_approval(user, approval_id))


def _render_detail(user: User, approval: Approval, decision_form: DecisionForm | None = None, status: int = 200):
    requester = db.session.get(User, approval.requested_by_id)
    decider = db.session.get(User, approval.decided_by_id) if approval.decided_by_id else None
    case = services.case_of(approval)
    may_decide = policy.decides_approval(user, approval)
    if may_decide and decision_form is None:
        decision_form = DecisionForm(formdata=None, version=approval.version)
    withdraw_form = WithdrawForm(formdata=None, version=approval.version) \
        if policy.withdraws_approval(user, approval) else None
    return render_template(
        "approvals/detail.html", approval=approval, case=case, requester=requester, decider=decider,
        reference=services.reference_of(approval, case),  # a destruction list has no case: its own reference
        list_items=services.destruction_items_of(approval),
        sees_case=case is not None and policy.manages(user, case), own_request=approval.requested_by_id == user.id,
        decision_form=decision_form if may_decide else None, withdraw_form=withdraw_form), status


@bp.post("/<int:approval_id>/besluit")
def decide(approval_id: int):
    user = acting_user()
    approval = policy.get_approval(user, approval_id, action="approval.decide")
    _refuse_unless_decider(user, approval)
    form = DecisionForm()
    back = safe_next(form.next.data)
    if not form.validate_on_submit():
        if missing_version(form):
            return _render_detail(user, approval, form, status=400)
        return _invalid(user, approval, form, back)
    approve = form.decision.data == "approve"
    try:
        services.decide(user, approval, approve=approve, motivation=form.motivation.data,
                        expected_version=version_of(form))
    except TransitionRefused as refused:
        flash_refusal(refused, _("Dit kon niet. Het verzoek staat nog open; er is niets gewijzigd."))
    except ServiceError as error:
        if is_stale(error):  # decided or changed meanwhile: the request as it is now, the motivation kept
            show_conflict()
            return _render_detail(user, approval, form, status=409)
        if error.field != "motivation" or back:
            flash(error.message, "error")
        else:
            show_service_error(form, error)
            return _render_detail(user, approval, form, status=400)
    else:
        flash(_("Het verzoek is goedgekeurd.") if approve else _("Het verzoek is afgewezen."), "success")
    return redirect(back or url_for("approvals.detail", approval_id=approval.id))


def _refuse_unless_decider(user: User, approval: Approval) -> None:
    """403 (audited) for the requester — whatever roles they hold — and anyone but the team's supervisors."""
    try:
        services.check_may_decide(user, approval)
    except ServiceError:
        abort(403)  # check_may_decide audited the refusal; the error response commits it


def _invalid(user: User, approval: Approval, form: DecisionForm, back: str | None):
    if back:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(back)
    return _render_detail(user, approval, form, status=400)


@bp.post("/<int:approval_id>/intrekken")
def withdraw(approval_id: int):
    user = acting_user()
    approval = policy.get_approval(user, approval_id, action="approval.withdraw")
    if approval.requested_by_id != user.id:
        policy.refuse("approval.withdrawn", status=403, object_type="approval", object_id=approval.id,
                      case_id=approval.case_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return _render_detail(user, approval, status=400)
        abort(400)
    try:
        services.withdraw(user, approval, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return _render_detail(user, approval, status=409)
        flash(error.message, "error")
    else:
        flash(_("Het verzoek is ingetrokken."), "success")
    return redirect(url_for("approvals.detail", approval_id=approval.id))
