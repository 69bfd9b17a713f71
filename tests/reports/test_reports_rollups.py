"""The reports' rollup (casus.reports.rollups): on a seeded dataset every report read from the rollup gives exactly the
figures counted from the cases, for several periods, teams and categories; the page says when the rollup was counted,
counts from the cases when there is no rollup (or the period is not whole months), and costs the same number of
queries whatever the number of cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from casus.reports.figures import ReportFilters
from casus.reports.queries import REPORTS, run_reports

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)  # the "now" of a direct computation: never a rollup's time


@pytest.fixture
def seeded(app, db):
    from casus_seed.commands import seed as seed_command

    result = app.test_cli_runner().invoke(seed_command, ["--cases", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    db.session.remove()  # the seed wrote through its own connection: forget the session's state


def supervisors(db):
    from casus.users.models import User, UserRole

    users = db.session.execute(sa.select(User).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role == "supervisor", User.team_id.is_not(None))
                               .order_by(User.team_id, User.id)).scalars().all()
    by_team = {}
    for user in users:
        by_team.setdefault(user.team_id, user)
    return list(by_team.values())


def refresh():
    from casus.reports.services import refresh_rollup

    return refresh_rollup()


def figures(user, filters, *, use_rollup, today, threshold=5):
    reports = run_reports(user, filters, None, threshold=threshold, locale="nl", today=today, now=NOW,
                          use_rollup=use_rollup)
    return [replace(report, computed_at=None) for report in reports], [report.computed_at for report in reports]


def month_periods(today: date) -> list[tuple[date, date]]:
    from casus.reports.services import default_period

    first = date(today.year - 1, 1, 1)
    return [default_period(today), (first, date(today.year - 1, 12, 31)), (date(today.year - 2, 4, 1), today),
            (date(today.year - 1, 3, 1), date(today.year - 1, 5, 31))]


def test_every_report_from_the_rollup_gives_exactly_the_direct_figures(app, db, seeded):
    from casus.cases.models import Case
    from casus.clock import today

    with app.test_request_context():
        rows = refresh()
        assert rows > 0
        users = supervisors(db)
        assert len(users) >= 2
        categories = db.session.execute(sa.select(Case.category_id).group_by(Case.category_id)
                                        .order_by(sa.func.count().desc()).limit(2)).scalars().all()
        day, compared, nonzero = today(), 0, set()
        for user in users:
            for date_from, date_to in month_periods(day):
                for team_id in (None, user.team_id):
                    for category_id in (None, *categories):
                        filters = ReportFilters(date_from, date_to, team_id, category_id)
                        direct, direct_at = figures(user, filters, use_rollup=False, today=day)
                        rolled, rolled_at = figures(user, filters, use_rollup=True, today=day)
                        assert rolled == direct, (user.team_id, filters)
                        assert NOW not in rolled_at and set(direct_at) == {NOW}
                        compared += 1
                        nonzero |= {report.name for report in direct if any(
                            cell.value or cell.suppressed for row in report.rows for cell in row.cells)}
    assert compared == len(users) * 4 * 2 * 3
    # The dataset has figures to compare in every report the rollup serves.
    assert nonzero == set(REPORTS), nonzero


def test_a_case_whose_stays_in_a_phase_ended_in_different_months_counts_once_with_the_stays_in_the_period(
        app, db, durations):
    """The durations fixture's first case left aanpak.uitvoering on 24 January and on 4 February 2025."""
    from casus.clock import today

    with app.test_request_context():
        refresh()
        user, shown = durations["supervisor"], {}
        for months in ((1, 1), (2, 2), (1, 2), (1, 6), (2, 6)):
            filters = ReportFilters(date(2025, months[0], 1), date(2025, months[1] + 1, 1) - timedelta(days=1))
            rolled, rolled_at = figures(user, filters, use_rollup=True, today=today(), threshold=1)
            assert NOW not in rolled_at
            direct = figures(user, filters, use_rollup=False, today=today(), threshold=1)[0]
            assert rolled == direct, months
            durations_shown = rolled[list(REPORTS).index("doorlooptijd")].rows
            shown[months] = next(row for row in durations_shown if row.key == "aanpak.uitvoering").cells[1].display
    assert shown == {(1, 1): "10,0", (2, 2): "6,0", (1, 2): "16,0", (1, 6): "16,0", (2, 6): "6,0"}


def test_a_period_of_part_of_a_month_is_counted_from_the_cases(app, db, seeded):
    from casus.clock import today

    with app.test_request_context():
        refresh()
        user = supervisors(db)[0]
        day = today()
        for filters in (ReportFilters(date(day.year - 1, 1, 15), date(day.year - 1, 6, 30)),
                        ReportFilters(date(day.year - 1, 1, 1), date(day.year - 1, 6, 20))):
            rolled, rolled_at = figures(user, filters, use_rollup=True, today=day)
            assert set(rolled_at) == {NOW}
            assert rolled == figures(user, filters, use_rollup=False, today=day)[0]


def test_without_a_rollup_the_reports_are_counted_from_the_cases(app, db, seeded):
    from casus.clock import today
    from casus.reports.services import default_period

    with app.test_request_context():
        user = supervisors(db)[0]
        filters = ReportFilters(*default_period(today()))
        rolled, rolled_at = figures(user, filters, use_rollup=True, today=today())
        assert set(rolled_at) == {NOW}
        assert sum(cell.value or 0 for cell in rolled[0].total.cells) or rolled[0].total.cells[0].suppressed


def test_the_rollup_is_keyed_on_what_the_policy_scopes_on(app, db, seeded):
    """case_scope_teams names exactly the teams whose cases case_scope gives; a participant is never read from the
    rollup (their cases cross teams)."""
    from casus import policy
    from casus.cases.models import Case
    from casus.users.models import User, UserRole

    users = db.session.execute(sa.select(User).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role.in_(("supervisor", "procesregisseur", "partner")))
                               .order_by(User.id)).scalars().unique().all()
    seen = set()
    for user in users:
        teams = policy.case_scope_teams(user)
        if user.has_role("partner", "riec"):
            assert teams is None
            seen.add("partner")
            continue
        scoped = db.session.execute(sa.select(sa.func.count()).select_from(Case).where(policy.case_scope(user)))
        by_team = db.session.execute(sa.select(sa.func.count()).select_from(Case).where(Case.team_id.in_(teams)))
        assert scoped.scalar_one() == by_team.scalar_one() > 0
        seen.add("team")
    assert seen == {"partner", "team"}


# --- the page ----------------------------------------------------------------------------------------------

def test_updated_text_in_amsterdam_time_with_the_date_when_not_today(app):
    from casus.reports.services import updated_text

    with app.test_request_context():
        assert updated_text(datetime(2026, 12, 6, 13, 15, tzinfo=UTC), date(2026, 12, 6)) == "Bijgewerkt om 14:15"
        assert updated_text(datetime(2026, 7, 5, 22, 30, tzinfo=UTC), date(2026, 7, 6)) == "Bijgewerkt om 00:30"
        assert updated_text(datetime(2026, 12, 5, 13, 15, tzinfo=UTC), date(2026, 12, 6)) == (
            "Bijgewerkt op 05-12-2026 om 14:15")


@pytest.fixture
def logged_in_supervisor(auth, world):
    auth.login_with_totp(world["supervisor"])
    return world["supervisor"]


def _at(html: str) -> list[str]:
    import re

    return re.findall(r'casus-report__updated">([^<]*)<', html)


def test_the_page_says_when_the_rollup_was_counted(app, client, db, world, stand, logged_in_supervisor):
    from casus.clock import local_zone
    from casus.reports.rollups import latest_run

    query = "van=01-01-2025&tot=30-06-2025"
    before = client.get(f"/rapportages?{query}").get_data(as_text=True)
    assert len(_at(before)) == len(REPORTS)  # counted now, from the cases
    refresh()
    counted = latest_run().computed_at.astimezone(local_zone())
    html = client.get(f"/rapportages?{query}").get_data(as_text=True)
    shown = _at(html)
    assert shown == [f"Bijgewerkt om {counted:%H:%M}"] * len(REPORTS)
    assert page_figures(before) == page_figures(html)
    csv = client.get(f"/rapportages/fasen.csv?{query}")
    assert csv.status_code == 200
    workbook = client.get(f"/rapportages/alle.xlsx?{query}")
    assert workbook.status_code == 200


def page_figures(html: str) -> list[str]:
    import re

    return re.findall(r'numeric-column">([^<]*)<', html)


def test_the_api_gives_when_the_figures_were_counted(api, db, world, stand):
    from casus.reports.rollups import latest_run

    refresh()
    response = api(world["supervisor"], "GET", "/reports/fasen?from=2025-01-01&to=2025-06-30")
    assert response.status_code == 200
    assert datetime.fromisoformat(response.get_json()["computedAt"]) == latest_run().computed_at


def test_the_page_on_the_rollup_costs_the_same_number_of_queries_for_one_case_or_many(
        client, db, world, add_case, logged_in_supervisor, count_queries, durations, actions, escalations,
        voordrachten):
    counts = []
    for extra in (0, 12):
        for number in range(extra):
            add_case(world["team_a"], "aanpak.plan", datetime(2025, 3, 3, 9, tzinfo=UTC), gemeente=f"Plaats {number}")
        refresh()
        client.get("/rapportages?van=01-01-2025&tot=30-06-2025")  # warm up
        with count_queries() as counter:
            assert client.get("/rapportages?van=01-01-2025&tot=30-06-2025").status_code == 200
        counts.append(counter.count)
        # Every report reads the rollup; none counts the cases or their transitions (the menu's notification
        # badge still reads a case's team).
        assert sum("report_rollups" in statement for statement in counter.statements) >= 10
        assert not [statement for statement in counter.statements if "transition_log" in statement or (
            "FROM cases" in statement and "GROUP BY" in statement)]
    assert counts[0] == counts[1], counts
    assert counts[0] <= 22, counts


# --- the job and the command -------------------------------------------------------------------------------

def test_the_scheduler_counts_the_rollup_every_15_minutes(app, db, world, stand):
    from casus.reports.models import ReportRollup, ReportRollupRun
    from casus.scheduling.jobs import JOBS

    spec = next(spec for spec in JOBS if spec.name == "report_rollup")
    assert spec.cron == {"minute": "*/15"}
    assert spec.resolve()(app, NOW) > 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReportRollupRun)).scalar_one() == 1
    first = db.session.execute(sa.select(sa.func.sum(ReportRollup.n)).where(ReportRollup.kind == "phase")).scalar()
    spec.resolve()(app, NOW)  # again: replaced, not added to
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReportRollupRun)).scalar_one() == 1
    assert db.session.execute(sa.select(sa.func.sum(ReportRollup.n)).where(ReportRollup.kind == "phase")).scalar() \
        == first == db.session.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()


def test_casus_reports_refresh_as_an_operator_runs_it(tmp_path):
    from processes import assert_ok, fresh_database, production_env, run_casus

    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        output = assert_ok(run_casus("reports", "refresh", env=env, cwd=tmp_path))
        assert "Rapportagecijfers bijgewerkt: 0 rijen." in output
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            runs = connection.execute(sa.text("SELECT count(*) FROM report_rollup_runs")).scalar_one()
        engine.dispose()
        assert runs == 1
    assert "refresh" in assert_ok(run_casus("reports", "--help", env=production_env("sqlite://"), cwd=tmp_path))




def test_a_run_still_being_written_is_not_read(app, db, world, stand):
    """The rows of a refresh are written in batches; until its run is finished the reports read the previous one."""
    from casus.reports.models import ReportRollupRun
    from casus.reports.rollups import latest_run

    refresh()
    finished = latest_run()
    db.session.add(ReportRollupRun(computed_at=NOW, latest_day=date(2030, 1, 1), finished=False))
    db.session.flush()
    assert latest_run() == finished
    with app.test_request_context():
        filters = ReportFilters(date(2025, 1, 1), date(2025, 6, 30))
        _, rolled_at = figures(world["supervisor"], filters, use_rollup=True, today=date(2025, 6, 30))
    assert set(rolled_at) == {finished.computed_at}


def test_a_refreshed_rollup_is_vacuumed_and_analyzed_on_postgresql(app, db, world, stand, monkeypatch, caplog):
    """Its percentiles walk an index: an index-only scan once VACUUM has set the visibility map of the new rows."""
    from casus.reports import services

    from support import owner_url

    config = app.config["CASUS"]  # VACUUM as the tables' owner, as production's CASUS_MIGRATION_DATABASE_URL does
    monkeypatch.setitem(app.config, "CASUS", replace(config, migration_database_url=owner_url(config.database_url)))
    vacuumed = []
    real_vacuum = services.vacuum
    monkeypatch.setattr(services, "vacuum", lambda tables, url, **options: (
        vacuumed.append((sorted(tables), options)), real_vacuum(tables, url, **options)))
    refresh()
    if db.session.get_bind().dialect.name != "postgresql":
        assert vacuumed == []
        return
    assert vacuumed == [(["report_rollup_runs", "report_rollups"], {"after": "the reports' rollup", "analyze": True})]
    assert not [record for record in caplog.records if "VACUUM" in record.getMessage()], "the owner vacuums"
