"""A hand-built dataset for the reports, with every expected figure worked out in the comments.

The period used throughout is 01-01-2025 up to and including 30-06-2025. Team A is the supervisor's team;
team B's cases must never show up in team A's figures. Action and escalation deadlines are relative to
today, because "over datum" is a figure of today.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest

PERIOD = {"van": "01-01-2025", "tot": "30-06-2025"}
API_PERIOD = "from=2025-01-01&to=2025-06-30"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def world(db, make_team, make_user, make_organisation):
    """Two teams, a supervisor for each (with a second factor) and three partner organisations."""
    from casus.organisations.models import OrganisationKind

    team_a = make_team(name="Team Zorg en Veiligheid", gemeente="Utrecht")
    team_b = make_team(name="Team Elders", gemeente="Elders")
    return {
        "team_a": team_a,
        "team_b": team_b,
        "supervisor": make_user("supervisor", team=team_a, organisation=team_a.organisation,
                                totp_secret=pyotp.random_base32(), name="Sanne Supervisor"),
        "supervisor_b": make_user("supervisor", team=team_b, organisation=team_b.organisation,
                                  totp_secret=pyotp.random_base32()),
        "politie": make_organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE),
        "corporatie": make_organisation(name="Woningcorporatie Thuis", kind=OrganisationKind.WONINGCORPORATIE),
        "ggz": make_organisation(name="GGZ Centrum", kind=OrganisationKind.GGZ),
    }


@pytest.fixture
def add_case(db, make_case, categories):
    """``add_case(team, phase, created, closed_on=None, category="woonoverlast", gemeente=None)``"""

    def add(team, phase, created, *, closed_on=None, category="woonoverlast", gemeente=None, **fields):
        if closed_on is not None:
            fields["closed_on"] = closed_on
        case = make_case(team=team, phase=phase, created_at=created, category=categories[category], **fields)
        case.gemeente = gemeente or team.gemeente
        db.session.flush()
        return case

    return add


@pytest.fixture
def old_cases(world, add_case):
    """A case per team, closed before the period: it carries actions, escalations and voordrachten without
    touching the stand or the inflow and outflow."""
    return tuple(add_case(world[team], "afgesloten", utc(2024, 1, 1, 9), closed_on=date(2024, 6, 30))
                 for team in ("team_a", "team_b"))


@pytest.fixture
def stand(world, add_case):
    """Cases for the stand (fase, categorie, gemeente) and for inflow and outflow.

    Ran during the period (14):   signalering 4, triage 2, aanpak.plan 0, aanpak.uitvoering 4, nazorg 1,
                                  afgesloten 3
      by category:                woonoverlast 10, jeugd 3, ondermijning 1
      by gemeente:                Utrecht 9, Zeist 5
    Inflow (created in the period, Amsterdam months): januari 4, februari 3 (total 7)
    Outflow (closed in the period): maart 2, juni 1 (total 3)
    """
    a, b = world["team_a"], world["team_b"]
    for _ in range(3):
        add_case(a, "signalering", utc(2025, 1, 10, 9))
    # 00:30 on 1 January in Amsterdam: January, not December.
    add_case(a, "signalering", utc(2024, 12, 31, 23, 30))
    for _ in range(2):
        add_case(a, "triage", utc(2025, 2, 15, 9), category="jeugd")
    for _ in range(4):
        add_case(a, "aanpak.uitvoering", utc(2024, 6, 1, 9), gemeente="Zeist")
    add_case(a, "nazorg", utc(2024, 11, 1, 9), category="jeugd", gemeente="Zeist")
    for _ in range(2):
        add_case(a, "afgesloten", utc(2024, 10, 1, 9), closed_on=date(2025, 3, 10))
    # 00:30 on 1 February in Amsterdam: February.
    add_case(a, "afgesloten", utc(2025, 1, 31, 23, 30), closed_on=date(2025, 6, 30), category="ondermijning")
    # Outside the period: closed before it, created (in Amsterdam) after it.
    add_case(a, "afgesloten", utc(2024, 1, 1, 9), closed_on=date(2024, 12, 31))
    add_case(a, "signalering", utc(2025, 6, 30, 22, 30))
    # Another team.
    for _ in range(2):
        add_case(b, "signalering", utc(2025, 3, 1, 9))
    return world


@pytest.fixture
def durations(db, world, add_case):
    """Stays per phase (days), only completed stays that ended in the period:

    signalering  1, 2, 3, 4, 10   -> n 5, median 3.0, p90 7.6
    triage       2, 4, 16         -> n 3, median 4.0, p90 13.6
    aanpak.plan  10               -> n 1
    uitvoering   10 + 6 = 16 (one case, two stays)
    nazorg       5
    """
    from casus.cases.models import TransitionLog

    a, b = world["team_a"], world["team_b"]
    actor = world["supervisor"]
    start = utc(2025, 1, 1, 8)

    def log(case, trigger, from_state, to_state, at, allowed=True):
        db.session.add(TransitionLog(case_id=case.id, machine="case", trigger=trigger, from_state=from_state,
                                     to_state=to_state if allowed else None, actor_id=actor.id, at=at,
                                     allowed=allowed))

    def day(n):
        return start + timedelta(days=n)

    cases = [add_case(a, "triage", start) for _ in range(5)]
    for case, signalering in zip(cases, (1, 2, 3, 4, 10), strict=True):
        log(case, "start_triage", "signalering", "triage", day(signalering))
    log(cases[0], "accept", "triage", "aanpak.plan", day(3))
    log(cases[1], "accept", "triage", "aanpak.plan", day(6))
    log(cases[2], "accept", "triage", "aanpak.plan", day(5), allowed=False)  # refused: no stay ends here
    log(cases[0], "adopt_plan", "aanpak.plan", "aanpak.uitvoering", day(13))
    log(cases[0], "step_down", "aanpak.uitvoering", "nazorg", day(23))
    log(cases[0], "relapse", "nazorg", "aanpak.uitvoering", day(28))
    log(cases[0], "step_down", "aanpak.uitvoering", "nazorg", day(34))
    # A stay in signalering that ended before the period; its triage stay ended in it (16 days).
    earlier = add_case(a, "aanpak.plan", utc(2024, 12, 1, 8))
    log(earlier, "start_triage", "signalering", "triage", utc(2024, 12, 20, 8))
    log(earlier, "accept", "triage", "aanpak.plan", utc(2025, 1, 5, 8))
    # Ended after the period; and another team's case.
    later = add_case(a, "triage", utc(2025, 6, 1, 8))
    log(later, "start_triage", "signalering", "triage", utc(2025, 7, 5, 8))
    elsewhere = add_case(b, "triage", start)
    log(elsewhere, "start_triage", "signalering", "triage", day(100))
    db.session.flush()
    return world


@pytest.fixture
def actions(db, world, old_cases):
    """Open actions (open or in uitvoering) per owner organisation, today:

    GGZ Centrum             2 open, 0 over datum
    Politie Voorbeeld       6 open, 2 over datum   (a finished and a cancelled one do not count)
    Woningcorporatie Thuis  5 open, 5 over datum
    total                  13 open, 7 over datum (54%)
    """
    from casus.clock import today
    from casus.plans.models import Action

    case, other = old_cases
    past, future = today() - timedelta(days=3), today() + timedelta(days=10)

    def action(organisation, due_on, status="open", on=case):
        db.session.add(Action(case_id=on.id, description="Afspraak", owner_organisation_id=organisation.id,
                              due_on=due_on, status=status))

    for due_on in (past, past, future, future, future, today()):
        action(world["politie"], due_on)
    action(world["politie"], past, "gereed")
    action(world["politie"], past, "vervallen")
    for _ in range(5):
        action(world["corporatie"], past, "in_uitvoering")
    for _ in range(2):
        action(world["ggz"], future)
    for _ in range(3):
        action(world["politie"], past, on=other)
    db.session.flush()
    return world


@pytest.fixture
def escalations(db, world, old_cases):
    """Steps on the ladder:

    tactisch     opgeschaald 3, afgeschaald 2, besluit over termijn 2 (one from before the period)
    bestuurlijk  opgeschaald 1, afgeschaald 1, besluit over termijn 0
    """
    from casus.clock import today
    from casus.escalations.models import Escalation

    actor = world["supervisor"]
    case, other = old_cases
    overdue = today() - timedelta(days=2)

    def up(from_level, to_level, created, *, deadline=date(2025, 12, 31), decided=True, on=case):
        db.session.add(Escalation(
            case_id=on.id, direction="opschalen", from_level=from_level, to_level=to_level, reason="Vastgelopen",
            decision_owner="Ketenmanagers", decision_deadline=deadline, review_on=deadline,
            decision="Besloten" if decided else None, decided_at=created if decided else None,
            created_by_id=actor.id, created_at=created))

    def down(from_level, to_level, created):
        db.session.add(Escalation(case_id=case.id, direction="afschalen", from_level=from_level, to_level=to_level,
                                  decision="Terug naar het casusoverleg", decided_at=created,
                                  created_by_id=actor.id, created_at=created))

    up("operationeel", "tactisch", utc(2025, 2, 1, 9))
    up("operationeel", "tactisch", utc(2025, 2, 2, 9))
    up("operationeel", "tactisch", utc(2025, 2, 3, 9), deadline=overdue, decided=False)
    up("tactisch", "bestuurlijk", utc(2025, 3, 1, 9))
    down("bestuurlijk", "tactisch", utc(2025, 4, 1, 9))
    down("tactisch", "operationeel", utc(2025, 4, 2, 9))
    down("tactisch", "operationeel", utc(2025, 5, 2, 9))
    up("operationeel", "tactisch", utc(2024, 11, 1, 9), deadline=date(2024, 11, 15), decided=False)
    up("operationeel", "tactisch", utc(2025, 2, 1, 9), deadline=overdue, decided=False, on=other)
    db.session.flush()
    return world


@pytest.fixture
def voordrachten(db, world, old_cases, make_organisation):
    """Voordrachten created in the period, by state: concept 1, afgewezen 1, ingediend 2, aangenomen 5,
    teruggelegd 1 (total 10)."""
    from casus.organisations.models import OrganisationKind
    from casus.voordrachten.models import Voordracht

    riec = make_organisation(name="RIEC Midden", kind=OrganisationKind.RIEC)
    case, other = old_cases

    def voordracht(state, created, on=case):
        extra = {"aangenomen": {"riec_reference": "RIEC-1"}, "teruggelegd": {"riec_advice": "Eerst bestuurlijk"},
                 "afgewezen": {"rejection_motivation": "Te weinig signalen"}}.get(state, {})
        db.session.add(Voordracht(case_id=on.id, state=state, addressee_organisation_id=riec.id,
                                  summary="Signalen van ondermijning", indicators=["drugs"],
                                  legal_basis="riec_convenant", created_by_id=world["supervisor"].id,
                                  created_at=created, **extra))

    voordracht("concept", utc(2025, 1, 5, 9))
    voordracht("afgewezen", utc(2025, 2, 5, 9))
    for _ in range(2):
        voordracht("ingediend", utc(2025, 3, 5, 9))
    for _ in range(5):
        voordracht("aangenomen", utc(2025, 4, 5, 9))
    voordracht("teruggelegd", utc(2025, 5, 5, 9))
    voordracht("aangenomen", utc(2024, 4, 5, 9))  # before the period
    voordracht("aangenomen", utc(2025, 4, 5, 9), on=other)
    db.session.flush()
    return world


@pytest.fixture
def everything(stand, actions, escalations, voordrachten):
    """Every report's dataset except the doorlooptijd's (whose cases would change the stand)."""
    return stand


@pytest.fixture
def threshold(app, monkeypatch):
    """``threshold(1)`` shows every figure; the default is 5."""

    def set_to(value: int) -> None:
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], report_min_count=value))

    return set_to
