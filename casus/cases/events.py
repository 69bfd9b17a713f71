"""What the cases domain publishes for the domains above it (the mechanism: ``casus.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from casus.cases.models import Case, Participation
from casus.users.models import User
from workflow import TransitionRecord


@dataclass(frozen=True)
class CaseTransitioned:
    """``user`` moved ``case`` a step along the CASE machine (``outcome``); the step is applied and recorded.

    Handlers: the status reporters see on the signals bundled into the case follows it (signals), and a
    pending request the new phase makes pointless is withdrawn (approvals)."""

    user: User
    case: Case
    outcome: TransitionRecord


@dataclass(frozen=True)
class ParticipationStarted:
    """``user`` invited an organisation into ``case`` (``participation``, flushed). Handler: notifications tells
    the organisation's contact person, else its people who may now see the case."""

    user: User
    case: Case
    participation: Participation


@dataclass(frozen=True)
class ParticipationEnded:
    """``user`` ended ``participation`` in ``case`` (``left_on`` set, flushed). Handler: notifications tells
    the organisation by the case's reference — it no longer sees the case."""

    user: User
    case: Case
    participation: Participation
