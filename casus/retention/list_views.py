"""The destruction-list pages (/vernietigingslijsten), for the privacy officer only (``policy.handles_privacy``).

They show references, categories, dates and counts — never case content. The review of one item (take it off,
postpone it, put it back) has its own page; the list page submits the list and, for a second privacy officer,
carries the decision form of its open approval (the same form and endpoint as /akkoorden).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casus import policy
from casus.approvals.forms import DecisionForm
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.audit.services import record
from casus.extensions import db
from casus.labels import Labels
from casus.retention import lists
from casus.retention.list_forms import PostponeItemForm, RemoveItemForm, RestoreItemForm, SubmitListForm
from casus.retention.models import (
    DestructionDeclaration,
    DestructionItemStatus,
    DestructionList,
    DestructionListStatus,
)
from casus.retention.queries import category_label
from casus.security import acting_user, requires
from casus.web.forms import submit_form, version_of

bp = Blueprint("destruction_lists", __name__, url_prefix="/vernietigingslijsten")


@bp.context_processor
def list_helpers() -> dict:
    return {"list_status_label": Labels(DestructionListStatus), "item_status_label": Labels(DestructionItemStatus),
            "category_label": category_label}


@bp.get("")
@requires(policy.handles_privacy)
def index():
    status = request.args.get("status")
    rows = db.session.execute(lists.lists_query(status).limit(200)).unique().scalars().all()
    counts = lists.item_counts([row.id for row in rows])
    record("destruction_list.list", object_type="destruction_list", details={"count": len(rows)})
    return render_template("retention/lists.html", rows=rows, counts=counts, status=status,
                           statuses=DestructionListStatus)


def _list_or_404(list_id: int) -> DestructionList:
    return lists.get_list(list_id) or abort(404)


@bp.get("/<int:list_id>")
@requires(policy.handles_privacy)
def detail(list_id: int):
    destruction_list = _list_or_404(list_id)
    record("destruction_list.view", object_type="destruction_list", object_id=destruction_list.id)
    return _render_detail(destruction_list)


def _render_detail(destruction_list: DestructionList, status: int = 200):
    user = acting_user()
    approvals = db.session.execute(
        sa.select(Approval).where(Approval.destruction_list_id == destruction_list.id,
                                  Approval.kind == ApprovalKind.DESTRUCTION_LIST)
        .order_by(Approval.requested_at.desc(), Approval.id.desc())).scalars().all()
    open_approval = next((approval for approval in approvals if approval.is_open), None)
    rejected = next((approval for approval in approvals if approval.status == ApprovalStatus.AFGEWEZEN), None)
    reviewable = destruction_list.status in lists.REVIEWABLE
    may_decide = open_approval is not None and policy.decides_approval(user, open_approval)
    declaration_id = db.session.execute(sa.select(DestructionDeclaration.id).where(
        DestructionDeclaration.destruction_list_id == destruction_list.id)).scalar_one_or_none()
    return render_template(
        "retention/list_detail.html", destruction_list=destruction_list, items=destruction_list.items,
        held=lists.held_case_ids(destruction_list) if reviewable else set(), reviewable=reviewable,
        not_due=lists.not_due(destruction_list) if reviewable else {},
        submit_form=SubmitListForm(formdata=None, version=destruction_list.version) if reviewable else None,
        open_approval=open_approval, rejected=rejected if destruction_list.status == DestructionListStatus.AFGEWEZEN
        else None, approval=open_approval,
        decision_form=DecisionForm(formdata=None, version=open_approval.version) if may_decide else None,
        decision_next=url_for("destruction_lists.detail", list_id=destruction_list.id),
        own_list=open_approval is not None and open_approval.requested_by_id == user.id,
        declaration_id=declaration_id), status


@bp.post("/<int:list_id>/aanbieden")
@requires(policy.handles_privacy)
def submit(list_id: int):
    destruction_list = _list_or_404(list_id)
    form = SubmitListForm()
    submission = submit_form(form, lambda: lists.submit(acting_user(), destruction_list,
                                                        expected_version=version_of(form)),
                             success=_("De lijst is ter goedkeuring aangeboden."))
    if not submission and submission.status != 200:
        return _render_detail(destruction_list, submission.status)
    return redirect(url_for("destruction_lists.detail", list_id=destruction_list.id))


# --- one item ----------------------------------------------------------------------------------------------------

@bp.get("/<int:list_id>/items/<int:item_id>")
@requires(policy.handles_privacy)
def item(list_id: int, item_id: int):
    destruction_list = _list_or_404(list_id)
    item = _item_or_404(destruction_list, item_id)
    record("destruction_list.view", object_type="destruction_list", object_id=destruction_list.id,
           details={"item_id": item.id})
    return _render_item(destruction_list, item)


def _item_or_404(destruction_list: DestructionList, item_id: int):
    return next((item for item in destruction_list.items if item.id == item_id), None) or abort(404)


def _render_item(destruction_list, item, *, remove_form=None, postpone_form=None, status: int = 200):
    version = destruction_list.version
    reviewable = destruction_list.status in lists.REVIEWABLE
    remove_form = remove_form or RemoveItemForm(formdata=None, version=version)
    postpone_form = postpone_form or PostponeItemForm(formdata=None, version=version)
    remove_form.version.data = postpone_form.version.data = version
    return render_template(
        "retention/list_item.html", destruction_list=destruction_list, item=item, reviewable=reviewable,
        held=item.case_id in lists.held_case_ids(destruction_list), remove_form=remove_form,
        postpone_form=postpone_form, restore_form=RestoreItemForm(formdata=None, version=version)), status


@bp.post("/<int:list_id>/items/<int:item_id>/verwijderen")
@requires(policy.handles_privacy)
def remove_item(list_id: int, item_id: int):
    destruction_list = _list_or_404(list_id)
    item = _item_or_404(destruction_list, item_id)
    form = RemoveItemForm()
    submission = submit_form(form, lambda: lists.remove_item(
        acting_user(), destruction_list, item, reason=form.reason.data, expected_version=version_of(form)),
        success=_("Het item is van de lijst gehaald."))
    if submission:
        return redirect(url_for("destruction_lists.detail", list_id=destruction_list.id))
    return _render_item(destruction_list, item, remove_form=form, status=submission.status)


@bp.post("/<int:list_id>/items/<int:item_id>/uitstellen")
@requires(policy.handles_privacy)
def postpone_item(list_id: int, item_id: int):
    destruction_list = _list_or_404(list_id)
    item = _item_or_404(destruction_list, item_id)
    form = PostponeItemForm()
    submission = submit_form(form, lambda: lists.postpone_item(
        acting_user(), destruction_list, item, until=form.until.data, reason=form.postpone_reason.data,
        expected_version=version_of(form)), success=_("Het item is uitgesteld."))
    if submission:
        return redirect(url_for("destruction_lists.detail", list_id=destruction_list.id))
    return _render_item(destruction_list, item, postpone_form=form, status=submission.status)


@bp.post("/<int:list_id>/items/<int:item_id>/terugzetten")
@requires(policy.handles_privacy)
def restore_item(list_id: int, item_id: int):
    destruction_list = _list_or_404(list_id)
    item = _item_or_404(destruction_list, item_id)
    form = RestoreItemForm()
    submit_form(form, lambda: lists.restore_item(acting_user(), destruction_list, item,
                                                 expected_version=version_of(form)),
                success=_("Het item staat weer op de lijst."))
    return redirect(url_for("destruction_lists.detail", list_id=destruction_list.id))
