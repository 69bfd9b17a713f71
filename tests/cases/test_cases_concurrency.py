"""Two transitions on one case at the same moment, on PostgreSQL: exactly one wins, the other gets 409.

Each request runs in its own thread with its own app context, session and connection, against committed
data in a schema of its own (the ``db`` fixture's rolled-back transaction cannot be shared between
connections). Both carry the same expected ``version``; whichever commits second finds the version moved
on — either before it writes (``StaleVersion``) or when its UPDATE matches no row (``StaleDataError``) —
and both answer 409 with nothing changed.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from support import TEST_DATABASE_URL, app_with_own_database, empty_tables

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (set CASUS_TEST_DATABASE_URL)"),
]

ROUNDS = 5


@pytest.fixture(scope="module")
def race_app(app_config, tmp_path_factory):
    with app_with_own_database(app_config, tmp_path_factory, "casus_race") as app:
        yield app


@pytest.fixture
def committed(race_app):
    """A team with a procesregisseur and a supervisor (each with a token), committed; emptied afterwards."""
    from casus.auth.tokens import create_token
    from casus.cases.categories import ensure_standard_categories
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    with race_app.test_request_context():
        categories = ensure_standard_categories()
        zvh = Organisation(name="ZVH Race", kind=OrganisationKind.ZVH, convenant_partner=True)
        politie = Organisation(name="Politie Race", kind=OrganisationKind.POLITIE, convenant_partner=True)
        team = Team(name="Team Race", gemeente="Racestad", organisation=zvh)
        users = {}
        for role in ("procesregisseur", "supervisor"):
            user = User(email=f"{role}@race.example.org", name=f"{role.title()} Race", organisation=zvh, team=team,
                        password_hash="!")
            user.role_rows = [UserRole(role=Role(role))]
            users[role] = user
        db.session.add_all([zvh, politie, team, *users.values()])
        db.session.flush()
        tokens = {role: create_token(user, days=1)[1] for role, user in users.items()}
        ids = {"category": categories["woonoverlast"].id, "team": team.id, "politie": politie.id,
               "regisseur": users["procesregisseur"].id}
        db.session.commit()
    yield {"tokens": tokens, **ids}
    empty_tables(race_app)


def _new_case(app, data) -> tuple[int, int]:
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.extensions import db
    from workflow import ParticipationRole

    with app.app_context():
        number = db.session.execute(sa.select(sa.func.count(Case.id))).scalar_one() + 1
        case = Case(reference=f"2026-9{number:04d}", title="Racecasus", category_id=data["category"],
                    team_id=data["team"], gemeente="Racestad", aanbrenger_organisation_id=data["politie"],
                    procesregisseur_id=data["regisseur"], signal_count=1)
        db.session.add(case)
        db.session.flush()
        db.session.add(Participation(case_id=case.id, organisation_id=data["politie"],
                                     role=ParticipationRole.AANBRENGER, legal_basis=LegalBasis.CONVENANT,
                                     joined_on=today()))
        db.session.commit()
        return case.id, case.version


def _race(app, data, case_id: int, version: int) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def fire(role: str) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/api/v1/cases/{case_id}/transitions",
                                   headers={"Authorization": f"Bearer {data['tokens'][role]}"},
                                   json={"trigger": "start_triage", "reason": f"Door {role}", "version": version})
            if response.status_code == 409:
                assert response.mimetype == "application/problem+json"
            statuses.append(response.status_code)
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=fire, args=(role,)) for role in ("procesregisseur", "supervisor")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return sorted(statuses)


def test_two_concurrent_transitions_exactly_one_wins(race_app, committed):
    from casus.cases.models import Case, TransitionLog
    from casus.extensions import db
    from casus.timeline.models import TimelineEvent

    for _round in range(ROUNDS):
        case_id, version = _new_case(race_app, committed)
        assert _race(race_app, committed, case_id, version) == [201, 409]
        with race_app.app_context():
            case = db.session.get(Case, case_id)
            assert case.phase == "triage" and case.version == version + 1
            logged = db.session.execute(sa.select(TransitionLog.allowed).where(
                TransitionLog.case_id == case_id)).scalars().all()
            assert logged == [True]
            transitions = db.session.execute(sa.select(sa.func.count()).select_from(TimelineEvent).where(
                TimelineEvent.case_id == case_id, TimelineEvent.kind == "case.transition")).scalar_one()
            assert transitions == 1

