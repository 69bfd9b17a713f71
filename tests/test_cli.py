"""The ``casus`` command line: create-user, create-token and the demo seed."""

import sqlalchemy as sa

from casus.cli import create_token, create_user, revoke_token
from casus.users.models import ApiToken, User


def test_create_user_with_password_from_stdin(app, db, make_organisation):
    organisation = make_organisation(name="Gemeente Testdorp")
    result = app.test_cli_runner().invoke(create_user, [
        "--email", "Nieuw@Example.org", "--name", "Nieuwe Partner",
        "--organisation", organisation.name, "--role", "partner", "--password-stdin"],
        input="een-lang-geheim-wachtwoord\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "nieuw@example.org")).unique().scalar_one()
    assert user.roles == {"partner"}
    assert "een-lang-geheim-wachtwoord" not in result.output


def test_create_user_refuses_unknown_organisation_and_missing_team(app, db, make_organisation):
    runner = app.test_cli_runner()
    result = runner.invoke(create_user, ["--email", "a@example.org", "--name", "A",
                                 "--organisation", "Bestaat Niet", "--role", "partner"])
    assert result.exit_code != 0 and "Onbekende organisatie" in result.output
    organisation = make_organisation()
    result = runner.invoke(create_user, ["--email", "b@example.org", "--name", "B",
                                 "--organisation", organisation.name, "--role", "procesregisseur"])
    assert result.exit_code != 0 and "team" in result.output


def test_create_token_prints_it_once_and_stores_only_a_hash(app, db, make_user):
    user = make_user()
    result = app.test_cli_runner().invoke(create_token, ["--email", user.email, "--days", "30"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    assert plain.startswith("casus_")
    row = db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    assert plain not in (row.token_hash, row.prefix, row.name)
    assert len(row.token_hash) == 64


def test_demo_seed_creates_one_user_per_role_and_is_idempotent(app, db):
    from casus_seed.demo import seed_demo

    with app.test_request_context():
        users = seed_demo()
        again = seed_demo()
    roles = set().union(*(user.roles for user in users))
    assert roles == {"procesregisseur", "partner", "supervisor", "riec", "privacy", "beheerder"}
    assert [u.id for u in users] == [u.id for u in again]


def test_demo_command_prepares_the_database_without_serving(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from casus_seed.commands import demo

    monkeypatch.setenv("CASUS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CASUS_DATABASE_URL", raising=False)
    result = CliRunner().invoke(demo, ["--no-serve"])
    assert result.exit_code == 0, result.output
    assert "regisseur@demo.example.org" in result.output
    assert (tmp_path / "casus.db").exists()


def test_revoke_token_makes_it_useless(app, db, make_user):
    user = make_user()
    runner = app.test_cli_runner()
    created = runner.invoke(create_token, ["--email", user.email, "--days", "30"])
    plain = created.output.strip().splitlines()[-1]
    prefix = plain.split("_")[1]
    result = runner.invoke(revoke_token, ["--prefix", prefix])
    assert result.exit_code == 0, result.output
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def _casus(*args: str, env_overrides: dict | None = None):
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("CASUS_")}
    env.update(env_overrides or {})
    return subprocess.run([sys.executable, "-c", "from casus.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_casus_demo_needs_no_configuration():
    """Regression: `casus demo` on a fresh clone failed because the production app was built first."""
    result = _casus("demo", "--help")
    assert result.returncode == 0, result.stderr
    assert "demo database" in result.stdout


def test_missing_secret_is_a_clear_message_not_a_traceback():
    result = _casus("create-user", "--email", "a@example.org", "--name", "A", "--organisation", "O",
                    "--role", "partner")
    assert result.returncode != 0
    assert "CASUS_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
