"""The read-only views that guards judge: facts about the object, and the context of the request.

The rule of thumb for where a value belongs:

* **facts** (``CaseFacts``, ``EscalationFacts``, ``VoordrachtFacts``) describe what is *stored* on the object
  and its children; the app builds them from its models just before firing a trigger;
* **context** (``Context``) is what the *actor supplies with this trigger*: who they are, the reason, the
  chosen result, a motivation, the data of a new escalation step, the clock.

All of them are frozen dataclasses with defaults for everything, so a test or a caller states only what
matters. Collections are normalised to tuples and frozensets, and enum members to their string values.
Identifiers (``Id``) are whatever the app uses as primary keys: ints or strings, compared with ``==``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

from workflow.cadences import Cadences
from workflow.enums import ActionStatus, ParticipationRole

__all__ = [
    "LOCAL_TIMEZONE",
    "ActionFacts",
    "Actor",
    "CaseFacts",
    "Context",
    "EscalationFacts",
    "Id",
    "Participation",
    "VoordrachtFacts",
]

Id = int | str
LOCAL_TIMEZONE = ZoneInfo("Europe/Amsterdam")


def plain(value: object) -> object:
    """An enum member as its value, anything else unchanged; keeps comparisons and hashing trivial."""
    return value.value if isinstance(value, Enum) else value


def _freeze(obj: object, name: str, kind: type, items: Iterable[object] | None) -> None:
    # Frozen dataclasses need object.__setattr__ to normalise in __post_init__.
    object.__setattr__(obj, name, kind(plain(item) for item in (items or ())))


@dataclass(frozen=True)
class Actor:
    """The user firing a trigger.

    Attributes:
        id: the user's id; compared with ``requester_id`` for the four-eyes rule.
        roles: role names (``Role`` values); a user may hold several.
        organisation_id: the user's one organisation.
    """

    id: Id
    roles: frozenset[str] = frozenset()
    organisation_id: Id | None = None

    def __post_init__(self) -> None:
        _freeze(self, "roles", frozenset, self.roles)

    def has_role(self, *roles: str) -> bool:
        return any(plain(role) in self.roles for role in roles)


@dataclass(frozen=True)
class Participation:
    """An organisation's casusdeelname.

    Attributes:
        organisation_id: the participating organisation.
        role: ``ParticipationRole`` value (aanbrenger, casushouder, deelnemer).
        has_legal_basis: convenant partner, or a signed geheimhoudingsverklaring for an ad-hoc deelnemer.
        active: False once the organisation has left the case.
    """

    organisation_id: Id
    role: str = ParticipationRole.DEELNEMER.value
    has_legal_basis: bool = False
    active: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", plain(self.role))


@dataclass(frozen=True)
class ActionFacts:
    """One afspraak/actie of the plan van aanpak.

    Attributes:
        owner_organisation_id: the organisation that owns the action, or None if not yet assigned.
        due_date: the agreed due date, or None.
        status: ``ActionStatus`` value.
    """

    owner_organisation_id: Id | None = None
    due_date: date | None = None
    status: str = ActionStatus.OPEN.value

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", plain(self.status))


@dataclass(frozen=True)
class CaseFacts:
    """What the case guards may know about a casus.

    Attributes:
        signal_count: signals bundled into the case.
        procesregisseur_id: the assigned procesregisseur, or None.
        participations: every casusdeelname, active or not.
        triage_outcome: ``TriageOutcome`` value recorded in triage, or None.
        inclusion_criteria: ``InclusionCriterion`` values recorded for outcome A.
        referral_organisation_id: the receiving organisation for ``refer``.
        goal_count: goals (doelen) in the plan van aanpak.
        actions: the plan's actions.
        plan_discussed_in_meeting: the plan was discussed in (or after) a casusoverleg.
        evaluation: the written evaluation, needed to step down to nazorg.
        nazorg_started_on: the day the case entered nazorg.
        result: the stored ``ClosureResult`` value (after closure), or None.
        requester_id: the user who requested the pending four-eyes decision (early closure), or None.
        closed_on: the day the case was closed.
        retention_until: an explicit end of retention (e.g. extended by a supervisor); when None, retention
            ends ``ctx.cadences.retention_years`` after ``closed_on``.
    """

    signal_count: int = 0
    procesregisseur_id: Id | None = None
    participations: tuple[Participation, ...] = ()
    triage_outcome: str | None = None
    inclusion_criteria: frozenset[str] = frozenset()
    referral_organisation_id: Id | None = None
    goal_count: int = 0
    actions: tuple[ActionFacts, ...] = ()
    plan_discussed_in_meeting: bool = False
    evaluation: str | None = None
    nazorg_started_on: date | None = None
    result: str | None = None
    requester_id: Id | None = None
    closed_on: date | None = None
    retention_until: date | None = None

    def __post_init__(self) -> None:
        _freeze(self, "participations", tuple, self.participations)
        _freeze(self, "inclusion_criteria", frozenset, self.inclusion_criteria)
        _freeze(self, "actions", tuple, self.actions)
        object.__setattr__(self, "triage_outcome", plain(self.triage_outcome))
        object.__setattr__(self, "result", plain(self.result))

    @property
    def active_participations(self) -> tuple[Participation, ...]:
        return tuple(p for p in self.participations if p.active)


@dataclass(frozen=True)
class EscalationFacts:
    """What the escalation guards may know about the case being escalated.

    The data of a *new* step (reason, decision owner, deadline, review date, decision taken) is supplied by
    the actor and therefore lives on ``Context``; stale values from an earlier step can never satisfy a guard.

    Attributes:
        case_phase: the case's ``CasePhase`` value, for callers and reports; no guard reads it, because the
            ladder is orthogonal to the phase (docs/DESIGN.md §3.2).
    """

    case_phase: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_phase", plain(self.case_phase))


@dataclass(frozen=True)
class VoordrachtFacts:
    """What the voordracht guards may know about a RIEC-voordracht.

    Attributes:
        requester_id: the user who drew up and submitted the voordracht; may never approve or reject it.
        summary: the summary shared with the RIEC.
        subject_count: betrokkenen the voordracht concerns.
        legal_basis: the legal basis for sharing with the RIEC (e.g. the RIEC-convenant).
        riec_reference: the RIEC's casus reference, required when the RIEC accepts.
        addressee_organisation_id: the RIEC organisation the voordracht is addressed to.
    """

    requester_id: Id | None = None
    summary: str | None = None
    subject_count: int = 0
    legal_basis: str | None = None
    riec_reference: str | None = None
    addressee_organisation_id: Id | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """Who fires the trigger, with what, and when.

    Attributes:
        actor: the user firing the trigger.
        reason: the reason given (dismiss, refer, relapse, close_early, reopen, escalate).
        override: a supervisor overrides the nazorg period on ``close``.
        now: an aware datetime; the date in Europe/Amsterdam (``today``) is what periods are measured by.
        result: the chosen ``ClosureResult`` value (close, close_early; dismiss accepts only ``geen_casus``).
        motivation: required to reject a voordracht or return it with advice.
        decision_owner: who must decide at the new escalation level.
        decision_deadline: when that decision is due.
        review_on: when to review de-escalation.
        decision: the decision taken, required to de-escalate.
        cadences: the configured periods; defaults to docs/DESIGN.md §3.4.
    """

    actor: Actor
    reason: str | None = None
    override: bool = False
    now: datetime = field(default_factory=_utc_now)
    result: str | None = None
    motivation: str | None = None
    decision_owner: str | None = None
    decision_deadline: date | None = None
    review_on: date | None = None
    decision: str | None = None
    cadences: Cadences = field(default_factory=Cadences)

    def __post_init__(self) -> None:
        # A naive datetime would silently shift every period by the server's offset.
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("Context.now must be an aware datetime")
        object.__setattr__(self, "result", plain(self.result))

    @property
    def today(self) -> date:
        """The calendar date in the Netherlands at ``now``."""
        return self.now.astimezone(LOCAL_TIMEZONE).date()
