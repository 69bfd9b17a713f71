"""What the approvals domain publishes for the domains whose requests it carries (mechanism: ``casus.events``).

Both events are published before the approval's own status changes: a handler that refuses — raises a
``ServiceError`` or a workflow's ``TransitionRefused`` — leaves the request open and changes nothing else.
Handlers look at ``approval.kind`` and ignore the kinds that are not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from casus.approvals.models import Approval
from casus.users.models import User


@dataclass(frozen=True)
class ApprovalDecided:
    """A supervisor other than the requester approved or rejected ``approval``: carry it out (or not)."""

    approver: User
    approval: Approval
    approved: bool
    motivation: str | None


@dataclass(frozen=True)
class ApprovalWithdrawn:
    """The requester took ``approval`` back: undo what asking did (a voordracht returns to concept)."""

    user: User
    approval: Approval
