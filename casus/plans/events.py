"""What the plans domain publishes for the domains above it (the mechanism: ``casus.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from casus.cases.models import Case
from casus.plans.models import Action
from casus.users.models import User


@dataclass(frozen=True)
class ActionAssigned:
    """``user`` gave ``action`` (flushed) in ``case`` to its owner organisation, and owner user if any.
    Handler: notifications tells the owner user, else the organisation's contact person or people."""

    user: User
    case: Case
    action: Action


@dataclass(frozen=True)
class ActionDueChanged:
    """``user`` moved ``action``'s due date (flushed, the new ``version`` and ``due_on`` set). Handler:
    notifications tells whoever the action is assigned to. Published by the service that changes a due date."""

    user: User
    case: Case
    action: Action
