"""The dashboard per role: bounded blocks of visible data only, at a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

NUMBERS = count(1)


@pytest.fixture
def make_signal(db, categories):
    from casus.signals.models import Signal

    def make(*, team, organisation, reporter, status="ontvangen", case=None, received_at=None, **fields):
        fields.setdefault("description", "Synthetische melding")
        signal = Signal(reference=f"S-2026-{next(NUMBERS):06d}", category=fields.pop("category",
                        categories["jeugd"]), team=team,
                        reporting_organisation_id=organisation.id, reported_by_id=reporter.id, status=status,
                        case_id=getattr(case, "id", None), received_at=received_at or datetime.now(UTC), **fields)
        db.session.add(signal)
        db.session.flush()
        return signal

    return make


@pytest.fixture
def make_action(db):
    from casus.clock import today
    from casus.plans.models import Action

    def make(case, organisation, *, days_over=3, status="open", description=None):
        action = Action(case_id=case.id, owner_organisation_id=organisation.id, status=status,
                        description=description or f"Actie {next(NUMBERS)}",
                        due_on=today() - timedelta(days=days_over))
        db.session.add(action)
        db.session.flush()
        return action

    return make


@pytest.fixture
def region(make_organisation, make_team):
    zvh = make_organisation(name="ZVH Testregio")
    return {
        "zvh": zvh,
        "team": make_team(organisation=zvh, name="Team Noord"),
        "other_team": make_team(organisation=zvh, name="Team Zuid"),
        "politie": make_organisation(name="Politie Testeenheid"),
        "corporatie": make_organisation(name="Woonstichting Test"),
    }


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_partner_sees_only_cases_and_actions_of_cases_their_organisation_takes_part_in(
        client, login_as, region, make_case, make_action, make_signal, make_user, db):
    from casus.clock import today

    partner = login_as("partner", organisation=region["politie"])
    mine = make_case(team=region["team"], partners=[region["corporatie"], region["politie"]], title="Zichtbare casus")
    hidden = make_case(team=region["team"], partners=[region["corporatie"]], title="Verborgen casus")
    left = make_case(team=region["team"], partners=[region["corporatie"], region["politie"]], title="Verlaten casus")
    from casus.cases.models import Participation

    for participation in db.session.query(Participation).filter_by(case_id=left.id,
                                                                   organisation_id=region["politie"].id):
        participation.left_on = today()
    make_action(mine, region["politie"], description="Huisbezoek politie")
    make_action(mine, region["corporatie"], description="Brief corporatie")
    make_action(hidden, region["politie"], description="Actie in verborgen casus")
    make_action(left, region["politie"], description="Actie in verlaten casus")
    make_action(mine, region["politie"], days_over=-5, description="Nog niet over datum")
    make_action(mine, region["politie"], status="gereed", description="Al gereed")
    colleague = make_user("partner", organisation=region["politie"])
    make_signal(team=region["team"], organisation=region["politie"], reporter=colleague, status="gebundeld",
                case=hidden, description="x")
    make_signal(team=region["team"], organisation=region["corporatie"], reporter=make_user(
        "partner", organisation=region["corporatie"]))

    html = page(client.get("/"))
    assert "Zichtbare casus" in html and mine.reference in html
    assert "Verborgen casus" not in html and hidden.reference not in html
    assert "Verlaten casus" not in html
    assert "Huisbezoek politie" in html
    for absent in ("Brief corporatie", "Actie in verborgen casus", "Actie in verlaten casus",
                   "Nog niet over datum", "Al gereed"):
        assert absent not in html, absent
    # Their own signal shows with its status, but never the case behind it.
    assert "Signalen van mijn organisatie" in html and "Gebundeld in een casus" in html
    assert html.count("S-2026-") == 1
    assert "Te wegen signalen" not in html and "Mijn casussen" not in html
    assert partner.organisation_id == region["politie"].id


def test_procesregisseur_sees_own_cases_team_signals_and_overdue_actions(
        client, login_as, region, make_case, make_action, make_signal, make_user):
    from casus.clock import today

    regisseur = login_as("procesregisseur", organisation=region["zvh"], team=region["team"])
    colleague = make_user("procesregisseur", organisation=region["zvh"], team=region["team"])
    partners = [region["politie"], region["corporatie"]]
    mine = make_case(team=region["team"], partners=partners, procesregisseur=regisseur, phase="aanpak.uitvoering",
                     title="Mijn lopende casus", next_review_on=today() - timedelta(days=2))
    make_case(team=region["team"], partners=partners, procesregisseur=regisseur, phase="afgesloten",
              title="Mijn gesloten casus")
    theirs = make_case(team=region["team"], partners=partners, procesregisseur=colleague, title="Casus collega")
    other = make_case(team=region["other_team"], partners=partners, title="Casus ander team")
    make_action(theirs, region["politie"], description="Teamactie over datum")
    make_action(other, region["politie"], description="Actie ander team")
    reporter = make_user("partner", organisation=region["politie"])
    old = make_signal(team=region["team"], organisation=region["politie"], reporter=reporter,
                      received_at=datetime.now(UTC) - timedelta(days=14))
    new = make_signal(team=region["team"], organisation=region["politie"], reporter=reporter)
    foreign = make_signal(team=region["other_team"], organisation=region["politie"], reporter=reporter)
    bundled = make_signal(team=region["team"], organisation=region["politie"], reporter=reporter, status="in_triage")

    html = page(client.get("/"))
    assert "Mijn lopende casus" in html and mine.reference in html and "over datum" in html
    assert "Mijn gesloten casus" not in html
    assert "Teamactie over datum" in html and "Actie ander team" not in html
    assert "Casus ander team" not in html
    assert old.reference in html and new.reference in html
    assert foreign.reference not in html and bundled.reference not in html
    assert html.index(old.reference) < html.index(new.reference)  # oldest first
    assert "triagetermijn verstreken" in html and "werkdagen" in html
    # The phase chart gives the numbers as text.
    assert "Casussen van het team per fase" in html
    assert f'href="/casussen/{mine.id}"' in html or "/casussen" not in html


def test_supervisor_sees_overdue_reviews_and_pending_early_closures(client, login_as, region, make_case, make_user):
    from casus.approvals.case_requests import request_early_closure
    from casus.clock import today

    login_as("supervisor", organisation=region["zvh"], team=region["team"])
    regisseur = make_user("procesregisseur", organisation=region["zvh"], team=region["team"])
    partners = [region["politie"], region["corporatie"]]
    make_case(team=region["team"], partners=partners, phase="aanpak.uitvoering", title="Herbeoordeling verlopen",
              next_review_on=today() - timedelta(days=1))
    asked = make_case(team=region["team"], partners=partners, phase="aanpak.plan", title="Afsluiten gevraagd",
                      next_review_on=today() + timedelta(days=10))
    request_early_closure(regisseur, asked, reason="Verhuisd", result="verhuisd")
    make_case(team=region["team"], partners=partners, phase="aanpak.uitvoering", title="Loopt op schema",
              next_review_on=today() + timedelta(days=10))
    make_case(team=region["other_team"], partners=partners, phase="aanpak.uitvoering", title="Ander team verlopen",
              next_review_on=today() - timedelta(days=1))

    html = page(client.get("/"))
    assert "Casussen die aandacht vragen" in html
    assert "Herbeoordeling verlopen" in html and "Afsluiten gevraagd" in html and "akkoord gevraagd" in html
    assert html.index("Afsluiten gevraagd") < html.index("Herbeoordeling verlopen")  # requests first
    assert "Loopt op schema" not in html and "Ander team verlopen" not in html
    assert "Mijn casussen" not in html


def test_riec_sees_participating_cases_only(client, login_as, region, make_case, make_organisation):
    riec = make_organisation(name="RIEC Test")
    login_as("riec", organisation=riec)
    make_case(team=region["team"], partners=[region["politie"], riec], title="RIEC neemt deel")
    make_case(team=region["team"], partners=[region["politie"]], title="Zonder RIEC")
    html = page(client.get("/"))
    assert "RIEC neemt deel" in html and "Zonder RIEC" not in html
    assert "Signalen van mijn organisatie" not in html


@pytest.mark.parametrize("role", ["beheerder", "privacy"])
def test_beheerder_and_privacy_see_no_case_content(client, login_as, region, make_case, role):
    login_as(role, organisation=region["politie"])
    make_case(team=region["team"], partners=[region["politie"]], title="Casusinhoud")
    html = page(client.get("/"))
    assert "Casusinhoud" not in html
    if role == "beheerder":
        assert "/beheer/organisaties" in html and "/beheer/gebruikers" in html
    else:
        assert "Auditlog" in html


def _cost(client, count_queries) -> int:
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    return counter.count


def test_partner_dashboard_costs_the_same_queries_for_1_and_20_rows(
        client, login_as, region, make_case, make_action, make_signal, make_user, count_queries):
    login_as("partner", organisation=region["politie"])
    reporter = make_user("partner", organisation=region["politie"])
    partners = [region["politie"], region["corporatie"]]

    def add_rows(n: int) -> None:
        for _ in range(n):
            case = make_case(team=region["team"], partners=partners)
            make_action(case, region["politie"])
            make_signal(team=region["team"], organisation=region["politie"], reporter=reporter,
                        status="gebundeld", case=case)

    add_rows(1)
    one = _cost(client, count_queries)
    add_rows(20)
    assert _cost(client, count_queries) == one


def test_procesregisseur_dashboard_costs_the_same_queries_for_1_and_20_rows(
        client, login_as, region, make_case, make_action, make_signal, make_user, count_queries):
    from casus.clock import today

    regisseur = login_as("procesregisseur", "supervisor", organisation=region["zvh"], team=region["team"])
    reporter = make_user("partner", organisation=region["politie"])
    partners = [region["politie"], region["corporatie"]]

    def add_rows(n: int) -> None:
        for _ in range(n):
            case = make_case(team=region["team"], partners=partners, procesregisseur=regisseur,
                             phase="aanpak.uitvoering", next_review_on=today() - timedelta(days=1))
            make_action(case, region["corporatie"])
            make_signal(team=region["team"], organisation=region["politie"], reporter=reporter)

    add_rows(1)
    one = _cost(client, count_queries)
    add_rows(20)
    html = page(client.get("/"))
    assert "Alle mijn casussen" in html or "/casussen" not in html
    assert _cost(client, count_queries) == one


def test_my_cases_spell_the_running_case_condition_for_a_partial_index(
        client, login_as, region, make_case, count_queries):
    """A partial index over the running cases serves "my cases" only when the query repeats its condition as
    literal SQL (SQLite cannot match a bound parameter, nor can a generic PostgreSQL plan)."""
    from casus.cases.models import RUNNING_CASES_SQL

    regisseur = login_as("procesregisseur", organisation=region["zvh"], team=region["team"])
    make_case(team=region["team"], partners=[region["politie"]], procesregisseur=regisseur, phase="aanpak.plan")
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    assert any(f"cases.{RUNNING_CASES_SQL}" in statement for statement in counter.statements)


def test_my_cases_are_walked_on_the_partial_index_of_running_cases(client, db, login_as, region, make_case):
    """The statement the dashboard sends for "my cases" is one the partial index ix_cases_procesregisseur_open
    serves (sequential scans priced out on PostgreSQL: with a handful of rows its planner would rightly scan)."""
    import sqlalchemy as sa

    from casus.cases.models import RUNNING_CASES_SQL

    regisseur = login_as("procesregisseur", organisation=region["zvh"], team=region["team"])
    make_case(team=region["team"], partners=[region["politie"]], procesregisseur=regisseur, phase="aanpak.plan")
    sent = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        if f"cases.{RUNNING_CASES_SQL}" in statement:
            sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get("/").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    assert sent
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN"
    else:
        explain = "EXPLAIN QUERY PLAN"
    for statement, parameters in sent:
        plan = " ".join(str(cell) for row in connection.exec_driver_sql(f"{explain} {statement}", parameters)
                        for cell in row)
        assert "ix_cases_procesregisseur_open" in plan, plan
