"""The escalation ladder and RIEC voordrachten of synthetic cases (docs/DESIGN.md §3.2, §3.3).

The steps are read from the workflow's ESCALATION and VOORDRACHT tables: an escalated case has every step up
from operationeel that brought it to its level, and a voordracht went the shortest way from concept to its state,
its four-eyes step decided by a supervisor other than its requester and the RIEC's answer given by a RIEC user.
"""

from __future__ import annotations

from datetime import date, timedelta

from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.escalations.models import Escalation, EscalationDirection
from casus.organisations.models import OrganisationKind
from casus.voordrachten.models import Voordracht, VoordrachtSubject
from casus.voordrachten.services import NUMBER_FORMAT
from casus_seed.context import SeedContext, Timeline
from casus_seed.draws import weighted
from casus_seed.texts import DECISION_OWNERS, ESCALATION_DECISIONS, ESCALATION_REASONS, VOORDRACHT_SUMMARIES
from workflow import ESCALATION, VOORDRACHT, EscalationLevel, Role, VoordrachtState
from workflow.tables import TransitionSpec

_V = VoordrachtState
VOORDRACHT_STATES = tuple((state.value, weight) for state, weight in (
    (_V.CONCEPT, 12), (_V.TER_BEOORDELING, 15), (_V.GOEDGEKEURD, 8), (_V.AFGEWEZEN, 5), (_V.INGEDIEND, 20),
    (_V.AANGENOMEN, 28), (_V.TERUGGELEGD, 12)))
REJECTION = "Onvoldoende onderbouwd; eerst aanvullende informatie van de politie."
RIEC_ADVICE = "Pak dit lokaal aan met bestuurlijke handhaving; het RIEC denkt mee."
INDICATORS = ("vastgoed", "drugs", "mensenhandel", "arbeidsuitbuiting", "witwassen", "zorgfraude")


def steps_up(level: str) -> list[tuple[str, str]]:
    """The (from, to) steps up the ladder that bring a case from the first level to ``level``."""
    steps, current = [], ESCALATION.initial
    while current != level:
        target = ESCALATION.target(current, "escalate")
        if target is None:
            raise ValueError(f"the escalation ladder does not reach {level!r}")
        steps.append((current, target))
        current = target
    return steps


def _voordracht_routes() -> dict[str, tuple[TransitionSpec, ...]]:
    """The shortest way through the VOORDRACHT table from its first state to every state."""
    routes: dict[str, tuple[TransitionSpec, ...]] = {VOORDRACHT.initial: ()}
    frontier = [VOORDRACHT.initial]
    while frontier:
        state = frontier.pop(0)
        for spec in VOORDRACHT.transitions:
            if state in spec.sources and spec.dest not in routes:
                routes[spec.dest] = (*routes[state], spec)
                frontier.append(spec.dest)
    if missing := {state for state, _weight in VOORDRACHT_STATES} - set(routes):
        raise ValueError(f"no way to the voordracht state(s) {sorted(missing)}")
    return routes


VOORDRACHT_ROUTES = _voordracht_routes()


def add_ladder(ctx: SeedContext, case_id: int, team_id: int, level: str, since: date, actor: int,
               tl: Timeline) -> None:
    """The steps up that brought an escalated case to ``level``; most decisions are in, some overdue."""
    rng = ctx.rng
    day = max(since, ctx.today - timedelta(days=rng.randint(5, 150)))
    for from_level, to_level in steps_up(level):
        moment, reason = ctx.at(day), rng.choice(ESCALATION_REASONS)
        deadline = ctx.cadences.escalation_decision_due(day)
        decider = ctx.supervisor_for(team_id, None)
        decided = decider is not None and (rng.random() < 0.75 if deadline < ctx.today else rng.random() < 0.3)
        decided_at = ctx.at(min(ctx.today, day + timedelta(days=rng.randint(1, 12)))) if decided else None
        decision = rng.choice(ESCALATION_DECISIONS) if decided else None
        ctx.add(Escalation, id=ctx.new_id(Escalation), case_id=case_id, direction=EscalationDirection.OPSCHALEN.value,
                from_level=from_level, to_level=to_level, reason=reason,
                decision_owner=rng.choice(DECISION_OWNERS[to_level]), decision_deadline=deadline,
                review_on=day + timedelta(days=rng.choice((28, 42, 56))), decision=decision,
                decided_at=decided_at, decided_by_id=decider if decided else None, created_by_id=actor,
                created_at=moment, resolved_at=None)
        label = EscalationLevel(to_level).label_nl
        tl("escalation.escalated", f"Opgeschaald naar {label}: {reason}", moment, actor)
        if decided:
            tl("escalation.decided", f"Besluit ({label}): {decision}", decided_at, decider)
        day = min(ctx.today, day + timedelta(days=rng.randint(5, 40)))


def add_voordracht(ctx: SeedContext, case_id: int, team_id: int, subject_ids: list[int], requester: int,
                   since: date, tl: Timeline) -> None:
    """A RIEC voordracht in a realistic state, with its four-eyes approval once it was submitted."""
    rng, region = ctx.rng, ctx.region
    riecs = region.by_kind.get(str(OrganisationKind.RIEC)) or []
    approver = ctx.supervisor_for(team_id, requester)
    if not riecs or approver is None:
        return
    state = weighted(rng, VOORDRACHT_STATES)
    route = VOORDRACHT_ROUTES[state]
    created_on = max(since, ctx.today - timedelta(days=rng.randint(4, 160)))
    offsets = (0, 1, rng.randint(2, 5), rng.randint(6, 9), rng.randint(10, 30))
    # The moment the voordracht reached each state of its route (concept first).
    moments = [min(ctx.at(created_on + timedelta(days=offset)), ctx.now - timedelta(seconds=1)) for offset in offsets]
    reached = {VOORDRACHT.initial: moments[0]} | {spec.dest: moments[index + 1] for index, spec in enumerate(route)}
    review = next((spec for spec in route if spec.four_eyes), None)  # the supervisor's approve or reject
    answered = bool(route) and Role.RIEC in route[-1].roles
    voordracht_id = ctx.new_id(Voordracht)
    riec_user = ctx.user_of(riecs[0])
    ctx.add(Voordracht, id=voordracht_id, case_id=case_id, state=state, addressee_organisation_id=riecs[0],
            summary=rng.choice(VOORDRACHT_SUMMARIES), indicators=sorted(rng.sample(INDICATORS, rng.randint(1, 2))),
            indicator_other=None, legal_basis="riec_convenant",
            urgency=weighted(rng, (("regulier", 70), ("hoog", 25), ("spoed", 5))), created_by_id=requester,
            submitted_at=reached.get(_V.TER_BEOORDELING), sent_at=reached.get(_V.INGEDIEND),
            answered_at=reached[state] if answered else None,
            rejection_motivation=REJECTION if state == _V.AFGEWEZEN else None,
            riec_reference=f"RIEC-{ctx.today.year}-{voordracht_id:04d}" if state == _V.AANGENOMEN else None,
            riec_advice=RIEC_ADVICE if state == _V.TERUGGELEGD else None,
            answered_by_id=riec_user if answered else None, version=1, created_at=reached[VOORDRACHT.initial],
            updated_at=reached[state])
    for subject_id in subject_ids[:rng.randint(1, 2)]:
        ctx.add(VoordrachtSubject, voordracht_id=voordracht_id, subject_id=subject_id)
    number = NUMBER_FORMAT.format(id=voordracht_id)
    tl("voordracht.created", f"RIEC-voordracht {number} opgesteld (concept)", reached[VOORDRACHT.initial], requester)
    if route:
        _add_approval(ctx, case_id, team_id, voordracht_id, requester, approver, review, reached)
    for spec in route:
        actor = approver if spec.four_eyes else riec_user if Role.RIEC in spec.roles else requester
        label = _V(spec.dest).label_nl
        tl("voordracht.transition", f"RIEC-voordracht {number}: {label[0].lower()}{label[1:]}", reached[spec.dest],
           actor)


def _add_approval(ctx: SeedContext, case_id: int, team_id: int, voordracht_id: int, requester: int, approver: int,
                  review: TransitionSpec | None, reached: dict) -> None:
    """The four-eyes request of a submitted voordracht: open until the supervisor approved or rejected it."""
    if review is None:
        status = ApprovalStatus.OPEN
    else:
        status = ApprovalStatus.GOEDGEKEURD if review.dest == _V.GOEDGEKEURD else ApprovalStatus.AFGEWEZEN
    ctx.add(Approval, id=ctx.new_id(Approval), kind=ApprovalKind.RIEC_VOORDRACHT.value, status=status.value,
            case_id=case_id, team_id=team_id, voordracht_id=voordracht_id, requested_by_id=requester,
            requested_at=reached[_V.TER_BEOORDELING], reason="Voordracht voor het RIEC.", details={},
            decided_by_id=approver if review else None, decided_at=reached[review.dest] if review else None,
            motivation=REJECTION if status == ApprovalStatus.AFGEWEZEN else None, version=1)
