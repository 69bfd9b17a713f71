"""Backup and restore as docs/OPERATIONS.md describes it: ``pg_dump -Fc`` of a seeded database, ``pg_restore``
into a new one, ``casus db upgrade`` (a no-op), and the restored Casus serves the same cases and takes new
writes."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from deploy_support import libpq_url, production_env, query, run_casus

pytestmark = pytest.mark.deploy

CASES = 30


@pytest.fixture(scope="module")
def tools():
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install postgresql-client)")
    return {tool: shutil.which(tool) for tool in ("pg_dump", "pg_restore")}


def _app(url: str):
    from casus import create_app, testing_config

    return create_app(testing_config(database_url=url))


def _dispose(app) -> None:
    from casus.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _tokens_per_team(app) -> dict[int, str]:
    """An API token for one procesregisseur of each team (every seeded case belongs to a team), committed."""
    import sqlalchemy as sa

    from casus.auth.tokens import create_token
    from casus.extensions import db
    from casus.users.models import User, UserRole

    with app.test_request_context():
        users = db.session.execute(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "procesregisseur").order_by(User.team_id, User.id)).scalars().all()
        first_per_team = {}
        for user in users:
            first_per_team.setdefault(user.team_id, user)
        tokens = {team_id: create_token(user, days=1)[1] for team_id, user in first_per_team.items()}
        db.session.commit()
    return tokens


def _served_cases(app, tokens: dict[int, str]) -> dict[int, list[tuple]]:
    """Per team: (reference, phase, version) of every case the API lists for its procesregisseur, all pages."""
    client = app.test_client()
    served = {}
    for team_id, token in tokens.items():
        rows, cursor = [], None
        while True:
            page = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            response = client.get("/api/v1/cases", query_string=page, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.get_data(as_text=True)
            body = response.get_json()
            rows += [(item["reference"], item["phase"], item["version"]) for item in body["items"]]
            cursor = body["next"]
            if not cursor:
                break
        served[team_id] = sorted(rows)
    return served


def test_pg_dump_and_restore_serve_the_same_cases(tools, new_database, tmp_path):
    original = new_database("casus_backup")
    env = production_env(original)
    run_casus("db", "upgrade", env=env)
    run_casus("seed", "--cases", str(CASES), "--seed", "7", env=env)
    app = _app(original)
    try:
        tokens = _tokens_per_team(app)
        before = _served_cases(app, tokens)
    finally:
        _dispose(app)

    dump = tmp_path / "casus.dump"
    subprocess.run([tools["pg_dump"], "-Fc", "--file", str(dump), libpq_url(original)], check=True,
                   capture_output=True, timeout=120)
    restored = new_database("casus_restored")
    restore = subprocess.run([tools["pg_restore"], "--no-owner", "--exit-on-error", "--dbname", libpq_url(restored),
                              str(dump)], capture_output=True, text=True, timeout=120, check=False)
    assert restore.returncode == 0, restore.stderr

    revision = query(restored, "SELECT version_num FROM alembic_version")
    output = run_casus("db", "upgrade", env=production_env(restored))
    assert "Running upgrade" not in output
    assert query(restored, "SELECT version_num FROM alembic_version") == revision == query(
        original, "SELECT version_num FROM alembic_version")

    app = _app(restored)
    try:
        after = _served_cases(app, tokens)
        assert after == before
        served = sorted(reference for rows in after.values() for reference, _phase, _version in rows)
        stored = sorted(reference for (reference,) in query(restored, "SELECT reference FROM cases"))
        assert served == stored and len(stored) == CASES

        # The restored database takes new writes: its sequences came along (no primary key collides).
        team_id, token = next(iter(tokens.items()))
        case_id = query(restored, "SELECT id FROM cases WHERE team_id = %s ORDER BY id LIMIT 1", (team_id,))[0][0]
        response = app.test_client().post(f"/api/v1/cases/{case_id}/notes", headers={
            "Authorization": f"Bearer {token}"}, json={"text": "Na het terugzetten", "visibility": "alle_deelnemers"})
        assert response.status_code == 201, response.get_data(as_text=True)
    finally:
        _dispose(app)

    # The audit table stays append-only: its trigger is part of the dump.
    triggers = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"
    assert query(restored, triggers) == query(original, triggers) != []
