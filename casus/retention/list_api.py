"""``/api/v1/destruction-lists``: the monthly destruction lists, their review and submission, for the privacy
officer (role ``privacy``); anyone else gets 403 (audited). The second person decides through the approvals
endpoint (``POST /api/v1/approvals/{id}/decision``), which carries the destruction out when approved.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.approvals.models import Approval
from casus.audit.services import record
from casus.extensions import db
from casus.retention import lists
from casus.retention.list_schemas import (
    DestructionListArgsSchema,
    DestructionListPageSchema,
    DestructionListSchema,
    ItemPostponementInputSchema,
    ItemRemovalInputSchema,
    ListSubmissionInputSchema,
)
from casus.retention.models import DestructionList
from casus.security import acting_user

blp = ApiBlueprint("destruction_lists_api", __name__,
                   description="Destruction lists: proposed monthly, reviewed by the privacy officer, approved by "
                               "a second person")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such list or item"}
FORBIDDEN = {"schema": ProblemSchema, "description": "Only the privacy officer (role `privacy`) may do this"}
CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale (`currentVersion`), or the list is no "
                                                    "longer in review; nothing changed"}


def _list(list_id: int, action: str) -> DestructionList:
    policy.require_privacy_audited(acting_user(), action=action, object_type="destruction_list", object_id=list_id)
    destruction_list = lists.get_list(list_id)
    if destruction_list is None:
        policy.refuse(action, status=404, object_type="destruction_list", object_id=list_id)
    return destruction_list


def _body(list_id: int) -> dict:
    """The list as stored now, with each item's legal-hold flag and the latest approval."""
    db.session.expire_all()
    destruction_list = lists.get_list(list_id)
    held = lists.held_case_ids(destruction_list)
    approval_id = db.session.execute(
        sa.select(Approval.id).where(Approval.destruction_list_id == list_id)
        .order_by(Approval.requested_at.desc(), Approval.id.desc()).limit(1)).scalar_one_or_none()
    items = [{**{column: getattr(item, column) for column in (
        "id", "record_kind", "reference", "category_code", "closed_on", "archiefactiedatum", "status", "reason",
        "postponed_until")}, "legal_hold": item.case_id is not None and item.case_id in held}
        for item in destruction_list.items]
    return {**{column: getattr(destruction_list, column) for column in (
        "id", "reference", "team_id", "period", "status", "proposed_at", "prepared_at", "destroyed_at",
        "version")}, "approval_id": approval_id, "items": items}


@blp.route("/destruction-lists")
class DestructionLists(MethodView):
    @blp.arguments(DestructionListArgsSchema, location="query")
    @blp.response(200, DestructionListPageSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def get(self, args):
        """Every destruction list, newest first (at most 200), filtered by `status`. Audited:
        `destruction_list.list`."""
        policy.require_privacy_audited(acting_user(), action="destruction_list.list", object_type="destruction_list")
        rows = db.session.execute(lists.lists_query(args.get("status")).limit(200)).unique().scalars().all()
        record("destruction_list.list", object_type="destruction_list", details={"count": len(rows)})
        return {"items": rows}


@blp.route("/destruction-lists/<int:id>")
class OneDestructionList(MethodView):
    @blp.response(200, DestructionListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One list with its items: references, categories and dates only. Audited: `destruction_list.view`."""
        destruction_list = _list(id, "destruction_list.view")
        record("destruction_list.view", object_type="destruction_list", object_id=destruction_list.id)
        return _body(destruction_list.id)


def _item_change(list_id: int, item_id: int, action: str):
    destruction_list = _list(list_id, action)
    return destruction_list, lists.get_item(destruction_list, item_id)


@blp.route("/destruction-lists/<int:id>/items/<int:item>/removal")
class ItemRemoval(MethodView):
    @blp.arguments(ItemRemovalInputSchema)
    @blp.response(200, DestructionListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id, item):
        """Take an item off the list with a `reason` (status `verwijderd`): it is not destroyed with this list."""
        destruction_list, entry = _item_change(id, item, "destruction_list.item_removed")
        lists.remove_item(acting_user(), destruction_list, entry, reason=data["reason"],
                          expected_version=data["version"])
        return _body(id)


@blp.route("/destruction-lists/<int:id>/items/<int:item>/postponement")
class ItemPostponement(MethodView):
    @blp.arguments(ItemPostponementInputSchema)
    @blp.response(200, DestructionListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id, item):
        """Postpone an item `until` a later date with a `reason` (status `uitgesteld`); the case's or signal's
        archiefactiedatum moves to that date, so a later list proposes it again."""
        destruction_list, entry = _item_change(id, item, "destruction_list.item_postponed")
        lists.postpone_item(acting_user(), destruction_list, entry, until=data["until"], reason=data["reason"],
                            expected_version=data["version"])
        return _body(id)


@blp.route("/destruction-lists/<int:id>/items/<int:item>/restoration")
class ItemRestoration(MethodView):
    @blp.arguments(ListSubmissionInputSchema)
    @blp.response(200, DestructionListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id, item):
        """Put a removed or postponed item back on the list (a postponed record gets its own date back)."""
        destruction_list, entry = _item_change(id, item, "destruction_list.item_restored")
        lists.restore_item(acting_user(), destruction_list, entry, expected_version=data["version"])
        return _body(id)


@blp.route("/destruction-lists/<int:id>/submission")
class ListSubmission(MethodView):
    @blp.arguments(ListSubmissionInputSchema)
    @blp.response(200, DestructionListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Submit the reviewed list for approval (status `ter_goedkeuring`): an approval of kind
        `destruction_list` is opened (`approvalId`) for a second person — another privacy officer or a supervisor
        of the team, never the caller. Cases under legal hold drop off first."""
        destruction_list = _list(id, "destruction_list.submitted")
        lists.submit(acting_user(), destruction_list, expected_version=data["version"])
        return _body(id)
