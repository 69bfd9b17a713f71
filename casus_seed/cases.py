"""One synthetic case at a time, complete and consistent with its phase: participations, signals, the
transitions of its route (transition log, tijdlijn, audit), a pending four-eyes request now and then, the ladder,
a voordracht, the plan van aanpak, notes; and the loose signals still waiting to be weighed.

The phases and closure results come from the route (``casus_seed.skeletons``, read from the workflow's tables);
the status a reporter sees on a signal comes from the signals service's own rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.cases.models import Case, CaseSubject, Category, Note, NoteAudience, Participation, TransitionLog
from casus.search.keys import fold
from casus.signals.models import Signal, SignalStatus, SignalSubject
from casus.signals.services import signal_status_for
from casus.timeline.models import TimelineEvent
from casus_seed.assessments import add_assessments
from casus_seed.context import SeedContext, Timeline
from casus_seed.draws import weighted
from casus_seed.escalations import add_ladder, add_voordracht
from casus_seed.nazorg import add_checkins
from casus_seed.plans import add_plan
from casus_seed.region import CATEGORY_PARTNERS, DEFAULT_PARTNERS
from casus_seed.skeletons import CHOSEN_RESULTS, Skeleton
from casus_seed.subjects import NamePools, SubjectMaker
from casus_seed.texts import (
    BUSINESS_TYPES,
    CLOSE_EARLY_REASON,
    DEFAULT_SIGNAL_TEXTS,
    DEFAULT_TITLES,
    EVALUATIONS,
    NOTES,
    PLACES,
    RESTRICTED_NOTES,
    SIGNAL_TEXTS,
    TITLES,
    TRANSITION_REASONS,
)
from workflow import CASE, CasePhase, InclusionCriterion, ParticipationRole, TriageOutcome
from workflow.enums import REFERRAL_OUTCOMES
from workflow.guards import has_goal

_P = CasePhase
AANPAK = (_P.AANPAK_PLAN, _P.AANPAK_UITVOERING)
NOTE_MIX = (("alle_deelnemers", 76), ("eigen_organisatie", 14), ("genoemde_organisaties", 10))
URGENCIES = (("laag", 15), ("normaal", 60), ("hoog", 20), ("acuut", 5))
INCLUSION_CRITERIA = InclusionCriterion.values()
REFERRAL_CHOICES = tuple(sorted(REFERRAL_OUTCOMES))  # sorted: a set's order changes from run to run


class CaseFactory:
    """Builds the rows of one case at a time into the context's row buffer (inserted by its ``flush``)."""

    def __init__(self, ctx: SeedContext, names: NamePools, categories: dict[str, Category]):
        self.ctx, self.names, self.categories = ctx, names, categories
        self.subjects = SubjectMaker(ctx, names)

    def build(self, skeleton: Skeleton, reference: str, signal_references: list[str]) -> None:
        ctx, rng, region = self.ctx, self.ctx.rng, self.ctx.region
        team, _weight = region.teams[skeleton.team_index]
        category = self.categories[skeleton.category]
        case_id = ctx.new_id(Case)
        phase, triggers = skeleton.phase, skeleton.triggers
        procesregisseur = ctx.procesregisseur_for(team.id)
        if phase == _P.SIGNALERING and rng.random() < 0.15:
            procesregisseur = None  # not yet assigned
        actor = procesregisseur or (region.supervisors.get(team.id) or [None])[0]
        milestones, moments = self._milestones(skeleton)
        opened_at, last_at = moments[0], moments[-1]

        # Participants: the aanbrenger first, drawn from the organisations that fit the category.
        kinds = CATEGORY_PARTNERS.get(skeleton.category, DEFAULT_PARTNERS)
        candidates = list(dict.fromkeys(org for kind in kinds for org in region.by_kind.get(str(kind), ())))
        rng.shuffle(candidates)
        reached_aanpak = "accept" in triggers
        if reached_aanpak:
            count = int(weighted(rng, ((2, 20), (3, 30), (4, 25), (5, 15), (6, 10))))
        else:
            count = int(weighted(rng, ((1, 60), (2, 40))))
        orgs = candidates[:max(1, min(count, len(candidates)))]
        gemeente = team.gemeente
        subject_ids = self.subjects.for_case(skeleton.category, gemeente)
        accepted_on = milestones[triggers.index("accept") + 1] if reached_aanpak else None
        participations = self._participations(case_id, orgs, milestones, accepted_on)
        participant_orgs = [p["organisation_id"] for p in participations]

        fields = self._route_fields(skeleton, milestones, candidates, participant_orgs)
        closed_on, adopted_on = fields["closed_on"], fields["adopted_on"]
        close_request = phase in AANPAK and procesregisseur and rng.random() < 0.04
        escalation = "operationeel"
        if phase in AANPAK or phase == _P.NAZORG:
            escalation = weighted(rng, (("operationeel", 86), ("tactisch", 11), ("bestuurlijk", 3)))
        title = self._title(skeleton.category)
        case_row = ctx.add(
            Case, id=case_id, reference=reference, title=title, search_key=fold(title), category_id=category.id,
            team_id=team.id, gemeente=gemeente, phase=phase, escalation_level=escalation,
            risk_level=weighted(rng, (("laag", 25), ("midden", 50), ("hoog", 25))),
            procesregisseur_id=procesregisseur, aanbrenger_organisation_id=orgs[0], legal_basis="convenant",
            triage_outcome=fields["triage_outcome"], inclusion_criteria=fields["criteria"],
            referral_organisation_id=fields["referral"],
            evaluation=rng.choice(EVALUATIONS) if "step_down" in triggers else None,
            plan_discussed_on=adopted_on - timedelta(days=rng.randint(0, 3)) if adopted_on else None,
            triage_due_on=ctx.cadences.triage_due(milestones[0]), next_review_on=fields["next_review_on"],
            nazorg_started_on=fields["nazorg_started_on"], closed_on=closed_on, result=fields["result"],
            phase_changed_at=last_at, signal_count=len(signal_references), version=1 + len(triggers),
            created_at=opened_at, updated_at=last_at)
        for subject_id in subject_ids:
            ctx.add(CaseSubject, case_id=case_id, subject_id=subject_id)

        tl = Timeline(region)
        tl("case.created", f"Casus {reference} geopend", opened_at, actor)
        active_until = closed_on or ctx.today
        self._signals(case_id, team.id, category, skeleton, signal_references, orgs, participant_orgs, subject_ids,
                      milestones[0], opened_at, active_until, fields["result"], actor, tl)
        for participation in participations[1:]:
            org_name = region.org_names[participation["organisation_id"]]
            role_label = ParticipationRole(participation["role"]).label_nl
            joined_at = ctx.at(participation["joined_on"])
            tl("participation.added", f"{org_name} neemt deel als {role_label}", max(joined_at, opened_at), actor)
        self._transitions(case_id, skeleton, moments, fields["result"], actor, tl)
        if close_request:
            self._close_request(case_id, team.id, procesregisseur, last_at, tl)
        if escalation != "operationeel":
            add_ladder(ctx, case_id, team.id, escalation, accepted_on, procesregisseur or actor, tl)
        if skeleton.category == "ondermijning" and reached_aanpak and procesregisseur and rng.random() < 0.4:
            add_voordracht(ctx, case_id, team.id, subject_ids, procesregisseur, accepted_on, tl)
        if reached_aanpak:  # the plan van aanpak, once the case is accepted
            add_plan(ctx, case_id, finished=phase in (_P.NAZORG, _P.AFGESLOTEN), accepted_on=accepted_on,
                     adopted_on=adopted_on, closed_on=closed_on, orgs=participant_orgs,
                     author=procesregisseur or actor, tl=tl)
            add_assessments(ctx, case_id, accepted_on=accepted_on, closed_on=closed_on,
                            author=procesregisseur or actor, tl=tl)
        if phase == _P.NAZORG:  # its check-ins, planned and (when due) mostly recorded
            add_checkins(ctx, case_id, nazorg_started_on=fields["nazorg_started_on"],
                         author=procesregisseur or actor, tl=tl)
        if phase != _P.SIGNALERING:  # notes once the case is being worked on
            for _ in range(int(weighted(rng, ((0, 25), (1, 35), (2, 25), (3, 10), (4, 5))))):
                self._note(case_id, participant_orgs, procesregisseur, milestones[0], active_until, tl)
        self._views(case_id, actor, procesregisseur, participant_orgs, milestones[0], opened_at, active_until)
        self._write_timeline(case_id, case_row, tl)

    def _milestones(self, skeleton: Skeleton) -> tuple[list[date], list[datetime]]:
        """The day the case was opened and one per step of its route; and the moments, strictly in order."""
        rng, ctx = self.ctx.rng, self.ctx
        milestones = [skeleton.opened_on]
        for days in skeleton.durations:
            milestones.append(milestones[-1] + timedelta(days=days))
        moments = [ctx.at(day) for day in milestones]
        for index in range(1, len(moments)):  # keep the order even when two milestones fall on one day
            if moments[index] <= moments[index - 1]:
                moments[index] = moments[index - 1] + timedelta(minutes=rng.randint(5, 90))
        return milestones, [min(m, ctx.now - timedelta(seconds=1)) for m in moments]

    def _participations(self, case_id: int, orgs: list[int], milestones: list[date],
                        accepted_on: date | None) -> list[dict]:
        """The aanbrenger, a casushouder now and then, deelnemers; rarely an ad-hoc partner who signed a
        geheimhoudingsverklaring (the workflow's legal-basis guard)."""
        ctx, rng, region = self.ctx, self.ctx.rng, self.ctx.region
        participations = []
        for index, org_id in enumerate(orgs):
            role = ParticipationRole.AANBRENGER if index == 0 else (
                ParticipationRole.CASUSHOUDER if index == 1 and rng.random() < 0.5 else ParticipationRole.DEELNEMER)
            joined = milestones[0] if index == 0 else (accepted_on or milestones[-1])
            participations.append(ctx.add(
                Participation, id=ctx.new_id(Participation), case_id=case_id, organisation_id=org_id, role=str(role),
                legal_basis="convenant", confidentiality_signed_on=None, joined_on=joined, left_on=None,
                contact_user_id=ctx.user_of(org_id) if rng.random() < 0.4 else None))
        if accepted_on and region.non_convenant and rng.random() < 0.05:
            signed = accepted_on - timedelta(days=rng.randint(0, 5))
            participations.append(ctx.add(
                Participation, id=ctx.new_id(Participation), case_id=case_id,
                organisation_id=region.non_convenant[0], role=ParticipationRole.DEELNEMER.value,
                legal_basis="geheimhoudingsverklaring", confidentiality_signed_on=signed, joined_on=accepted_on,
                left_on=None, contact_user_id=None))
        return participations

    def _route_fields(self, skeleton: Skeleton, milestones: list[date], candidates: list[int],
                      participant_orgs: list[int]) -> dict:
        """The case's fields that follow from its route: triage outcome, criteria, referral, result and dates."""
        ctx, rng = self.ctx, self.ctx.rng
        phase, route, triggers = skeleton.phase, skeleton.route, skeleton.triggers
        fields = {"triage_outcome": None, "criteria": [], "referral": None, "result": None, "closed_on": None}
        if "accept" in triggers:
            fields["triage_outcome"] = TriageOutcome.A.value
            fields["criteria"] = sorted(rng.sample(INCLUSION_CRITERIA, rng.randint(1, 3)))
        last = skeleton.steps[-1] if skeleton.steps else None
        if route == "dismissed":
            fields["triage_outcome"] = TriageOutcome.GEEN_CASUS.value
        elif route == "referred":
            fields["triage_outcome"] = rng.choice(REFERRAL_CHOICES)
            fields["referral"] = rng.choice([o for o in candidates if o not in participant_orgs[:1]] or candidates)
        if phase == _P.AFGESLOTEN:
            # The result the closing trigger always records, else the one the person closing chose.
            fields["result"] = last.result or weighted(rng, CHOSEN_RESULTS[route])
            fields["closed_on"] = milestones[-1]
        adopted_on = milestones[triggers.index("adopt_plan") + 1] if "adopt_plan" in triggers else None
        nazorg_started_on = milestones[triggers.index("step_down") + 1] if phase == _P.NAZORG else None
        fields.update(adopted_on=adopted_on, nazorg_started_on=nazorg_started_on)
        cadences, next_review_on = ctx.cadences, None
        if phase == _P.AANPAK_PLAN:
            next_review_on = cadences.next_review(milestones[triggers.index("accept") + 1])
        elif phase == _P.AANPAK_UITVOERING:
            next_review_on = adopted_on + timedelta(days=cadences.review_interval_days)
            while next_review_on < ctx.today - timedelta(days=rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 9))):
                next_review_on += timedelta(days=cadences.review_interval_days)
        elif phase == _P.NAZORG:
            checkins = [d for d in cadences.nazorg_checkins(nazorg_started_on) if d >= ctx.today]
            next_review_on = checkins[0] if checkins else cadences.nazorg_ends(nazorg_started_on)
        fields["next_review_on"] = next_review_on
        return fields

    def _title(self, category: str) -> str:
        rng, names = self.ctx.rng, self.names
        surname = rng.choice(names.last_names)
        title = rng.choice(TITLES.get(category, DEFAULT_TITLES)).format(
            street=rng.choice(names.streets), place=rng.choice(PLACES), surname=surname,
            initial=rng.choice(names.first_names)[0], business=f"{rng.choice(BUSINESS_TYPES)} {surname}")
        return title[:200]

    def _signals(self, case_id: int, team_id: int, category: Category, skeleton: Skeleton, references: list[str],
                 orgs: list[int], participant_orgs: list[int], subject_ids: list[int], opened_on: date,
                 opened_at: datetime, active_until: date, result: str | None, actor: int | None,
                 tl: Timeline) -> None:
        """The first signal from the aanbrenger when the case was opened, later ones from participants."""
        ctx, rng = self.ctx, self.ctx.rng
        status = signal_status_for(skeleton.phase, result).value
        for index, reference in enumerate(references):
            reporter_org = orgs[0] if index == 0 else rng.choice(participant_orgs)
            received = opened_at if index == 0 else ctx.at(
                min(active_until, opened_on + timedelta(days=rng.randint(1, 90))))
            received = max(received, opened_at)
            signal_id = ctx.new_id(Signal)
            ctx.add(Signal, id=signal_id, reference=reference, category_id=category.id,
                    description=rng.choice(SIGNAL_TEXTS.get(skeleton.category, DEFAULT_SIGNAL_TEXTS)),
                    urgency=weighted(rng, URGENCIES), team_id=team_id, reporting_organisation_id=reporter_org,
                    reported_by_id=ctx.user_of(reporter_org) or actor, received_at=received, status=status,
                    case_id=case_id)
            for subject_id in (subject_ids if index == 0 else subject_ids[:1]):
                ctx.add(SignalSubject, signal_id=signal_id, subject_id=subject_id)
            tl("signal.bundled", f"Signaal {reference} ({category.name}) toegevoegd", received, actor)

    def _transitions(self, case_id: int, skeleton: Skeleton, moments: list[datetime], result: str | None,
                     actor: int | None, tl: Timeline) -> None:
        """Every step of the route, with an occasional refused attempt first (as in real use)."""
        ctx, rng = self.ctx, self.ctx.rng
        for step, moment in zip(skeleton.steps, moments[1:], strict=True):
            source, target = step.source, step.target
            if step.trigger == "adopt_plan" and rng.random() < 0.06:
                ctx.add(TransitionLog, id=ctx.new_id(TransitionLog), case_id=case_id, machine=CASE.name,
                        trigger=step.trigger, from_state=source, to_state=target, actor_id=actor, reason=None,
                        at=moment - timedelta(days=2), allowed=False, failure_codes=has_goal.code)
            reason = TRANSITION_REASONS.get(step.trigger)
            ctx.add(TransitionLog, id=ctx.new_id(TransitionLog), case_id=case_id, machine=CASE.name,
                    trigger=step.trigger, from_state=source, to_state=target, actor_id=actor, reason=reason,
                    at=moment, allowed=True, failure_codes=None)
            summary = f"{_P(source).label_nl} → {_P(target).label_nl}" + (f": {reason}" if reason else "")
            tl("case.transition", summary, moment, actor)
            ctx.audit(actor, "case.transition", "case", case_id, case_id, moment,
                      {"trigger": step.trigger, "from": source, "to": target})

    def _close_request(self, case_id: int, team_id: int, procesregisseur: int, last_at: datetime,
                       tl: Timeline) -> None:
        """A pending four-eyes request to close early, waiting under /akkoorden."""
        ctx, rng = self.ctx, self.ctx.rng
        requested_at = max(ctx.at(ctx.today - timedelta(days=rng.randint(0, 5))), last_at)
        approval_id = ctx.new_id(Approval)
        ctx.add(Approval, id=approval_id, kind=ApprovalKind.CLOSE_EARLY.value, status=ApprovalStatus.OPEN.value,
                case_id=case_id, team_id=team_id, voordracht_id=None, requested_by_id=procesregisseur,
                requested_at=requested_at, reason=CLOSE_EARLY_REASON, details={"result": "verhuisd"},
                decided_by_id=None, decided_at=None, motivation=None, version=1)
        tl("approval.requested", f"Vroegtijdig afsluiten: akkoord gevraagd. Reden: {CLOSE_EARLY_REASON}",
           requested_at, procesregisseur)
        ctx.audit(procesregisseur, "approval.requested", "approval", approval_id, case_id, requested_at,
                  {"kind": ApprovalKind.CLOSE_EARLY.value})

    def _note(self, case_id: int, orgs: list[int], procesregisseur: int | None, start: date, end: date,
              tl: Timeline) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        visibility = weighted(rng, NOTE_MIX)
        author_org = rng.choice(orgs)
        author = ctx.user_of(author_org)
        if procesregisseur and (author is None or rng.random() < 0.4):
            author, author_org = procesregisseur, ctx.region.org_of[procesregisseur]
        if author is None:
            return
        if visibility == "genoemde_organisaties" and len(orgs) < 2:
            visibility = "alle_deelnemers"
        text = rng.choice(NOTES if visibility == "alle_deelnemers" else RESTRICTED_NOTES)
        moment = ctx.at(start + timedelta(days=rng.randint(0, max(0, (end - start).days))))
        note_id = ctx.new_id(Note)
        ctx.add(Note, id=note_id, case_id=case_id, author_id=author, organisation_id=author_org,
                visibility=visibility, text=text, created_at=moment)
        if visibility == "genoemde_organisaties":
            others = [o for o in orgs if o != author_org]
            for org_id in sorted({author_org, *rng.sample(others, k=min(len(others), rng.randint(1, 2)))}):
                ctx.add(NoteAudience, note_id=note_id, organisation_id=org_id)
        tl("note.added", text[:200], moment, author, note_id)

    def _views(self, case_id: int, actor: int | None, procesregisseur: int | None, participant_orgs: list[int],
               opened_on: date, opened_at: datetime, active_until: date) -> None:
        """The audit log of the case: its opening, and two people who looked at it."""
        ctx, rng = self.ctx, self.ctx.rng
        ctx.audit(actor, "case.created", "case", case_id, case_id, opened_at, None)
        viewers = [v for v in [procesregisseur] + [ctx.user_of(o) for o in participant_orgs] if v]
        for viewer in rng.sample(viewers, k=min(2, len(viewers))):
            ctx.audit(viewer, "case.view", "case", case_id, case_id, ctx.at(
                active_until - timedelta(days=rng.randint(0, max(0, (active_until - opened_on).days)))), None)

    def _write_timeline(self, case_id: int, case_row: dict, tl: Timeline) -> None:
        ctx = self.ctx
        case_row["updated_at"] = max(moment for _k, _s, moment, *_rest in tl.lines)
        for kind, summary, moment, user_id, org_id, note_id in tl.lines:
            ctx.add(TimelineEvent, id=ctx.new_id(TimelineEvent), case_id=case_id, occurred_at=moment, kind=kind,
                    summary=summary, actor_id=user_id, organisation_id=org_id, note_id=note_id)

    def loose_signal(self, reference: str, category: Category, category_code: str) -> None:
        """A signal waiting to be weighed (status ontvangen), not yet in a case."""
        ctx, rng, region = self.ctx, self.ctx.rng, self.ctx.region
        team, _ = region.teams[rng.randrange(len(region.teams))]
        kinds = CATEGORY_PARTNERS.get(category_code, DEFAULT_PARTNERS)
        orgs = [o for kind in kinds for o in region.by_kind.get(str(kind), ())]
        reporter = rng.choice(orgs)
        signal_id = ctx.new_id(Signal)
        ctx.add(Signal, id=signal_id, reference=reference, category_id=category.id,
                description=rng.choice(SIGNAL_TEXTS.get(category_code, DEFAULT_SIGNAL_TEXTS)),
                urgency=weighted(rng, URGENCIES), team_id=team.id, reporting_organisation_id=reporter,
                reported_by_id=ctx.user_of(reporter) or (region.procesregisseurs.get(team.id) or [None])[0],
                received_at=ctx.at(ctx.today - timedelta(days=rng.randint(0, 12))),
                status=SignalStatus.ONTVANGEN.value, case_id=None)
        ctx.add(SignalSubject, signal_id=signal_id, subject_id=self.subjects.person(18, 80, team.gemeente))
