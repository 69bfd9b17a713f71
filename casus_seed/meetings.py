"""Running meeting series for the region's teams (``casus demo``), made through the meeting services themselves:
held meetings with an agenda of the team's cases, minutes per case in BOB order, decisions and attendance, closed
as the application closes them; and coming meetings with an agenda.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from casus.cases.models import Case
from casus.clock import today as local_today
from casus.database import utcnow
from casus.extensions import db
from casus.meetings import agenda, minutes, series
from casus.meetings.models import AgendaItem, Decision, Meeting, MeetingSeries, MeetingStatus
from casus.meetings.services import local_date
from casus.organisations.models import Team
from casus.plans.models import Action
from casus.timeline.models import TimelineEvent
from casus.users.models import User
from casus_seed.bulk import max_id
from casus_seed.region import Region, ensure_region
from casus_seed.texts import (
    BEELDVORMING,
    BESLUITVORMING,
    DECISION_ACTIONS,
    NAZORG_MINUTES,
    OORDEELSVORMING,
    STEP_DOWN_MINUTES,
    TRENDS,
)
from workflow import CasePhase


@dataclass(frozen=True)
class SeriesPlan:
    """A meeting series of a region team, started ``weeks_back`` weeks ago."""

    team: str
    type: str
    title: str
    weekday: int  # 0 = Monday
    start: time
    location: str
    invited: tuple[str, ...]  # organisation names of REGION_ORGANISATIONS
    interval_weeks: int = 2
    duration_minutes: int = 120
    weeks_back: int = 12
    items: int = 12  # cases on the agenda of a held meeting, about (every running case comes round monthly)
    categories: tuple[str, ...] = ()  # cases of these categories first (a jeugdtafel discusses jeugd cases)
    recurrence: str = "wekelijks"  # or "maandelijks": on the week_of_month-th weekday (-1: the last)
    week_of_month: int | None = None


REGION_MEETING_SERIES = (
    SeriesPlan("Team Casusregie", "casusoverleg", "Casusoverleg Voorbeeldstad", weekday=1, start=time(9, 30),
               location="Zorg- en Veiligheidshuis Voorbeeldregio, zaal De Brug",
               invited=("Zorg- en Veiligheidshuis Voorbeeldregio", "Gemeente Voorbeeldstad",
                        "Politie Eenheid Voorbeeld", "Openbaar Ministerie Arrondissement Voorbeeld",
                        "Woonstichting Thuisbasis", "GGZ Voorbeeldregio", "Verslavingszorg Voorbeeldregio",
                        "Veilig Thuis Voorbeeldregio", "Reclassering Voorbeeld", "Wijkteam Centrum")),
    SeriesPlan("Team Jeugd en Veiligheid", "zvt_jeugd", "Zorg- en Veiligheidstafel Jeugd Voorbeeldstad", weekday=3,
               start=time(13, 30), location="Stadskantoor Voorbeeldstad, kamer 4.12", items=6,
               categories=("jeugd", "huiselijk_geweld", "radicalisering"),
               invited=("Zorg- en Veiligheidshuis Voorbeeldregio", "Gemeente Voorbeeldstad",
                        "Politie Eenheid Voorbeeld", "Halt Voorbeeldregio", "Jeugdbescherming Voorbeeldregio",
                        "CJG Voorbeeldstad", "Jongerenwerk Voorbeeldstad", "Scholengroep De Linde",
                        "Veilig Thuis Voorbeeldregio", "Openbaar Ministerie Arrondissement Voorbeeld")),
    SeriesPlan("Team Zorg en Veiligheid Lindendal", "zorgnetwerkoverleg", "Zorgnetwerkoverleg Lindendal", weekday=1,
               start=time(10, 0), location="Gemeentehuis Lindendal, raadzaal", items=6, weeks_back=20,
               recurrence="maandelijks", week_of_month=2,
               invited=("Gemeente Lindendal", "Politie Eenheid Voorbeeld", "GGZ Voorbeeldregio",
                        "Woonstichting Thuisbasis")),
)


def seed_meetings(plans: Iterable[SeriesPlan] = REGION_MEETING_SERIES, *, featured_user_ids: Iterable[int] = (),
                  seed: int = 0, now: datetime | None = None) -> int:
    """Running meeting series for the region's teams, through the meeting services: held meetings with an
    agenda of the team's cases, minutes per case in BOB order, decisions and attendance, closed as the
    application closes them; and coming meetings with an agenda (the daily agenda job, topped up by hand).

    Idempotent: a team that already has a series of the plan's title is skipped. The chair is a featured
    procesregisseur of the team when there is one (the demo's). Commits. Returns the number of series made.
    """
    now = now or utcnow()
    rng = random.Random(seed)
    region = ensure_region()
    featured = set(featured_user_ids)
    teams = {team.name: team for team, _weight in region.teams}
    made = 0
    for plan in plans:
        team = teams.get(plan.team)
        pool = region.procesregisseurs.get(team.id, []) if team else []
        if team is None or not pool or db.session.execute(sa.select(MeetingSeries.id).where(
                MeetingSeries.team_id == team.id, MeetingSeries.title == plan.title)).first():
            continue
        chair = db.session.get(User, next((uid for uid in pool if uid in featured), pool[0]))
        _seed_series(plan, team, chair, region, rng, local_today(), now)
        made += 1
    db.session.commit()
    return made


def _seed_series(plan: SeriesPlan, team: Team, chair: User, region: Region, rng: random.Random, today: date,
                 now: datetime) -> None:
    invited = [region.organisations[name].id for name in plan.invited if name in region.organisations]
    first = today - timedelta(weeks=plan.weeks_back)
    running = series.save_series(chair, None, series.SeriesInput(
        type=plan.type, title=plan.title, weekday=plan.weekday, interval_weeks=plan.interval_weeks,
        start_time=plan.start, duration_minutes=plan.duration_minutes, first_date=first, last_date=None,
        skip_holidays=True, location=plan.location, online_url=None, chair_id=chair.id,
        organisation_ids=tuple(invited), recurrence=plan.recurrence, week_of_month=plan.week_of_month), now=now)
    series.generate_meetings(running, today, since=first, now=now)  # the ones already held (not announced)
    meetings = list(db.session.execute(sa.select(Meeting).where(Meeting.series_id == running.id)
                                       .order_by(Meeting.starts_at)).scalars())
    cases = list(db.session.execute(
        sa.select(Case).where(Case.team_id == team.id, Case.phase.in_(agenda.REVIEWED_PHASES))
        .order_by(Case.id)).scalars())
    preferred = set(plan.categories)
    cases.sort(key=lambda case: (bool(preferred) and case.category.code not in preferred, case.id))
    participants = {case_id: [(o.id, o.name) for o in orgs] for case_id, orgs in
                    minutes.participants_by_case(case.id for case in cases).items()}
    names: dict[int, list[str]] = defaultdict(list)
    for organisation_id, name in db.session.execute(
            sa.select(User.organisation_id, User.name).where(User.organisation_id.in_(invited), User.active.is_(True))
            .order_by(User.id)):
        names[organisation_id].append(name)
    discussed: dict[int, date] = {}
    held = [m for m in meetings if m.ends_at <= now]
    for index, meeting in enumerate(held):
        _hold(meeting, chair, cases, participants, names, discussed, invited, rng, plan.items,
              last=index == len(held) - 1, today=today, fallback=region.org_names[chair.organisation_id])
    coming = [m for m in meetings if m.starts_at > now]
    if coming:
        agenda.schedule_review_due_cases(current_app._get_current_object(), now)
        for meeting, wanted in zip(coming, (plan.items, plan.items // 2), strict=False):
            _fill_agenda(meeting, chair, cases, discussed, wanted, now)


def _purpose(case: Case, day: date, discussed: dict[int, date]) -> str:
    """Why the case is on the agenda of ``day``: evaluating nazorg, stepping down to it (shortly before it
    started), a new case (its plan still being made, or opened recently and not discussed yet), else discussing."""
    if case.phase == CasePhase.NAZORG and case.nazorg_started_on:
        if case.nazorg_started_on <= day:
            return "evalueren"
        if case.nazorg_started_on <= day + timedelta(days=21):
            return "afschalen"
    recent = case.id not in discussed and local_date(case.created_at) >= day - timedelta(days=42)
    if case.phase == CasePhase.AANPAK_PLAN or recent:
        return "nieuw"
    return "bespreken"


def _hold(meeting: Meeting, chair: User, cases: list[Case], participants: dict[int, list[tuple[int, str]]],
          names: dict[int, list[str]], discussed: dict[int, date], invited: list[int], rng: random.Random,
          items: int, *, last: bool, today: date, fallback: str) -> None:
    """One held meeting: agenda, minutes (BOB), decisions and attendance, closed with the service; its
    timeline lines and decisions carry the meeting's own time rather than today's."""
    day = local_date(meeting.starts_at)
    eligible = [case for case in cases if local_date(case.created_at) <= day - timedelta(days=7)]
    # Not discussed for the longest time first, so that every case comes round about once a month.
    eligible.sort(key=lambda case: discussed.get(case.id, date.min))
    chosen = rng.sample(eligible[:items * 2], k=min(len(eligible), max(1, items + rng.randint(-2, 2))))
    first_timeline = max_id(TimelineEvent)
    first_action = max_id(Action)
    first_decision = max_id(Decision)
    for case in sorted(chosen, key=lambda case: case.id):
        purpose = _purpose(case, day, discussed)
        item = agenda.add_agenda_item(chair, meeting, case, purpose=purpose)
        orgs = participants.get(case.id) or []
        fill = {"org": rng.choice(orgs)[1] if orgs else fallback, "trend": rng.choice(TRENDS),
                "count": rng.randint(1, 4)}
        if purpose == "evalueren":
            texts = NAZORG_MINUTES
        elif purpose == "afschalen":
            texts = STEP_DOWN_MINUTES
        else:
            texts = (rng.choice(BEELDVORMING), rng.choice(OORDEELSVORMING), rng.choice(BESLUITVORMING))
        beeld, oordeel, besluit = (text.format(**fill) for text in texts)
        minutes.save_minutes(chair, meeting, item, beeldvorming=beeld, oordeelsvorming=oordeel,
                             besluitvorming=besluit, discussed=True)
        minutes.add_decision(chair, meeting, item, case, text=besluit)
        if last and orgs and case.phase in (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING) \
                and rng.random() < 0.5:
            # The latest meeting also hands out work: a decision that becomes an action in the plan van aanpak.
            minutes.add_decision(chair, meeting, item, case, text=rng.choice(DECISION_ACTIONS), as_action=True,
                                 owner_organisation_id=rng.choice(orgs)[0],
                                 due_on=max(today + timedelta(days=7), day + timedelta(days=rng.randint(21, 35))))
        discussed[case.id] = day
    attendance = {}
    for org_id in invited:
        present = rng.random() < 0.85
        attendance[org_id] = (present, ", ".join(names[org_id][:rng.randint(1, 2)]) if present else None)
    minutes.record_attendance(chair, meeting, attendance)
    minutes.close_meeting(chair, meeting, expected_version=meeting.version)
    db.session.flush()
    ended = meeting.ends_at
    db.session.execute(sa.update(TimelineEvent).where(TimelineEvent.id > first_timeline).values(occurred_at=ended))
    db.session.execute(sa.update(Decision).where(Decision.id > first_decision).values(created_at=ended))
    db.session.execute(sa.update(Action).where(Action.id > first_action)
                       .values(created_at=ended, last_activity_at=ended))
    db.session.execute(sa.update(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                       .values(created_at=meeting.starts_at - timedelta(days=3)))


def _fill_agenda(meeting: Meeting, chair: User, cases: list[Case], discussed: dict[int, date], wanted: int,
                 now: datetime) -> None:
    """Top a coming meeting's agenda up to about ``wanted`` cases: the longest undiscussed first."""
    present = set(db.session.execute(sa.select(AgendaItem.case_id).where(
        AgendaItem.meeting_id == meeting.id)).scalars())
    on_coming = set(db.session.execute(
        sa.select(AgendaItem.case_id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status == MeetingStatus.GEPLAND, Meeting.starts_at > now)).scalars())
    day = local_date(meeting.starts_at)
    candidates = [case for case in cases if case.id not in on_coming]
    candidates.sort(key=lambda case: discussed.get(case.id, date.min))
    for case in candidates[:max(0, wanted - len(present))]:
        agenda.add_agenda_item(chair, meeting, case, purpose=_purpose(case, day, discussed))
