"""Two supervisors decide one request at the same moment, on PostgreSQL: exactly one wins, the other gets 409.

As in tests/cases/test_cases_concurrency.py, each request runs in its own thread and connection against
committed data in a schema of its own. One approves (which closes the case), the other rejects, both with
the same ``version``; whichever commits second finds the version moved on (``StaleVersion`` before it
writes, or ``StaleDataError`` when its UPDATE of the approval — or of the case — matches no row).
"""

from __future__ import annotations

import functools
import threading

import pytest
import sqlalchemy as sa

from support import TEST_DATABASE_URL, app_with_own_database, empty_tables, run_threads

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (set CASUS_TEST_DATABASE_URL)"),
]

ROUNDS = 4


@pytest.fixture(scope="module")
def race_app(app_config, tmp_path_factory):
    with app_with_own_database(app_config, tmp_path_factory, "casus_approval_race") as app:
        yield app


@pytest.fixture
def committed(race_app):
    """A team with a procesregisseur and two supervisors (the supervisors with tokens), committed."""
    from casus.auth.tokens import create_token
    from casus.cases.categories import ensure_standard_categories
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    with race_app.test_request_context():
        categories = ensure_standard_categories()
        zvh = Organisation(name="ZVH Akkoordrace", kind=OrganisationKind.ZVH, convenant_partner=True)
        team = Team(name="Team Akkoordrace", gemeente="Racestad", organisation=zvh)
        users = {}
        for name, role in (("regisseur", "procesregisseur"), ("approver", "supervisor"), ("rejecter", "supervisor")):
            user = User(email=f"{name}@akkoordrace.example.org", name=name.title(), organisation=zvh, team=team,
                        password_hash="!")
            user.role_rows = [UserRole(role=Role(role))]
            users[name] = user
        db.session.add_all([zvh, team, *users.values()])
        db.session.flush()
        tokens = {name: create_token(users[name], days=1)[1] for name in ("approver", "rejecter")}
        ids = {"category": categories["woonoverlast"].id, "team": team.id, "zvh": zvh.id,
               "regisseur": users["regisseur"].id}
        db.session.commit()
    yield {"tokens": tokens, **ids}
    empty_tables(race_app)


def _requested(app, data) -> tuple[int, int]:
    from casus.approvals.case_requests import request_early_closure
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.extensions import db
    from casus.users.models import User
    from workflow import ParticipationRole

    with app.test_request_context():
        number = db.session.execute(sa.select(sa.func.count(Case.id))).scalar_one() + 1
        case = Case(reference=f"2026-8{number:04d}", title="Akkoordrace", category_id=data["category"],
                    team_id=data["team"], gemeente="Racestad", aanbrenger_organisation_id=data["zvh"],
                    procesregisseur_id=data["regisseur"], signal_count=1, phase="aanpak.uitvoering")
        db.session.add(case)
        db.session.flush()
        db.session.add(Participation(case_id=case.id, organisation_id=data["zvh"], role=ParticipationRole.AANBRENGER,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=today()))
        approval = request_early_closure(db.session.get(User, data["regisseur"]), case, reason="Verhuisd",
                                         result="verhuisd")
        db.session.commit()
        return case.id, approval.id


def _race(app, data, approval_id: int) -> dict[str, int]:
    barrier = threading.Barrier(2)
    bodies = {"approver": {"decision": "approve", "version": 1},
              "rejecter": {"decision": "reject", "motivation": "Nog niet", "version": 1}}

    def decide(name: str) -> int:
        client = app.test_client()
        barrier.wait(timeout=10)
        response = client.post(f"/api/v1/approvals/{approval_id}/decision", json=bodies[name],
                                headers={"Authorization": f"Bearer {data['tokens'][name]}"})
        if response.status_code == 409:
            assert response.mimetype == "application/problem+json"
        return response.status_code

    statuses = run_threads([functools.partial(decide, name) for name in bodies], barrier=barrier, timeout=30)
    return dict(zip(bodies, statuses, strict=True))


def test_two_concurrent_decisions_exactly_one_wins(race_app, committed):
    from casus.approvals.models import Approval
    from casus.cases.models import Case
    from casus.extensions import db

    for _round in range(ROUNDS):
        case_id, approval_id = _requested(race_app, committed)
        statuses = _race(race_app, committed, approval_id)
        assert sorted(statuses.values()) == [200, 409], statuses
        winner = next(name for name, status in statuses.items() if status == 200)
        with race_app.app_context():
            approval = db.session.get(Approval, approval_id)
            case = db.session.get(Case, case_id)
            assert approval.version == 2
            if winner == "approver":
                assert approval.status == "goedgekeurd" and case.phase == "afgesloten"
            else:
                assert approval.status == "afgewezen" and case.phase == "aanpak.uitvoering"
            db.session.remove()
