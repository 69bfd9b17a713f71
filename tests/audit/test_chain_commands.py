"""``casus audit seal`` and ``casus audit verify``: the command group in the test's app context, and as installed
(the ``casus`` script in a subprocess, on a fresh database)."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from click.testing import CliRunner

from casus.audit.commands import audit_group
from casus.audit.models import AuditVerification

from processes import assert_ok, fresh_database, production_env, run_casus

SEAL_KEY = "installed-seal-key-" + "s" * 32


def test_seal_then_verify_through_the_command_group(chain_app, chain_db, write_events, tamper):
    ids = write_events(3)
    runner = CliRunner()  # inside chain_db's app context: the commands use that app
    sealed = runner.invoke(audit_group, ["seal"])
    assert sealed.exit_code == 0, sealed.output
    assert "Zegel gezet: positie 3, 3 schakels" in sealed.output and "bewaard in: database, file" in sealed.output
    verified = runner.invoke(audit_group, ["verify"])
    assert verified.exit_code == 0, verified.output
    assert "3 schakels, 1 zegel (" in verified.output and "Geen bevindingen" in verified.output
    tamper(f"UPDATE audit_events SET object_type = 'subject' WHERE id = {ids[1]}",
           bypass=("audit_events",))
    failed = runner.invoke(audit_group, ["verify"])
    assert failed.exit_code == 1
    assert f"BEVINDING modified: gebeurtenis gewijzigd (of de schakel ervoor herschreven) — positie 2, " \
           f"gebeurtenis {ids[1]}" in failed.output
    assert "subject" not in failed.output and "case.view" not in failed.output, "no event contents"
    stored = chain_db.session.execute(sa.select(AuditVerification.ok, AuditVerification.started_by)
                                      .order_by(AuditVerification.id)).all()
    assert stored == [(True, "cli"), (False, "cli")]


def test_seal_without_a_key_says_what_to_set_in_one_line(chain_app, chain_db, monkeypatch):
    monkeypatch.setitem(chain_app.config, "CASUS", replace(chain_app.config["CASUS"], audit_seal_key=""))
    result = CliRunner().invoke(audit_group, ["seal"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: no key to seal the audit log with: set CASUS_AUDIT_SEAL_KEY")


def test_seal_and_verify_as_installed(tmp_path):
    seals = tmp_path / "seals"
    with fresh_database(tmp_path) as url:
        env = production_env(url, CASUS_AUDIT_SEAL_KEY=SEAL_KEY, CASUS_AUDIT_SEAL_DIR=str(seals))
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        assert_ok(run_casus("create-organisation", "--name", "Gemeente Zegeldorp", "--kind", "gemeente",
                            env=env, cwd=tmp_path))
        assert "Zegel gezet: positie 1, 1 schakel," in assert_ok(run_casus("audit", "seal", env=env, cwd=tmp_path))
        assert (seals / "audit-seals.jsonl").read_text().count("\n") == 1
        assert "Geen bevindingen" in assert_ok(run_casus("audit", "verify", env=env, cwd=tmp_path))

        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("TRUNCATE audit_events, audit_chain")
            else:
                connection.exec_driver_sql("DELETE FROM audit_events")
                connection.exec_driver_sql("DELETE FROM audit_chain")
        engine.dispose()
        failed = run_casus("audit", "verify", env=env, cwd=tmp_path)
        assert failed.returncode == 1 and "Traceback" not in failed.stderr
        assert "BEVINDING truncated" in failed.stdout and "positie 1" in failed.stdout

        unkeyed = run_casus("audit", "seal", env={**env, "CASUS_AUDIT_SEAL_KEY": ""}, cwd=tmp_path)
        assert unkeyed.returncode == 1 and "Traceback" not in unkeyed.stderr
        assert [line for line in unkeyed.stderr.splitlines() if line.startswith("Error")] == [
            "Error: no key to seal the audit log with: set CASUS_AUDIT_SEAL_KEY or CASUS_AUDIT_SEAL_KEY_FILE "
            "(docs/OPERATIONS.md, 'The audit chain')"]
