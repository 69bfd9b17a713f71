"""The audit chain's jobs: chaining every minute, sealing daily (refused in production without a key)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casus.audit.jobs import chain_new_events, seal_daily
from casus.audit.models import AuditChainLink, AuditSeal
from casus.audit.seals import SealRefused
from casus.scheduling.jobs import registry
from casus.scheduling.runner import run_job

NOW = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)


def count(db, model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_the_jobs_are_in_the_registry():
    jobs = registry()
    assert jobs["audit_chain"].cron == {"minute": "*"}
    assert jobs["audit_seal"].resolve() is seal_daily
    assert jobs["audit_verify"].resolve().__name__ == "verify_audit_log"


def test_the_minute_job_links_new_events(chain_app, chain_db, write_events):
    write_events(3)
    assert chain_new_events(chain_app, NOW) == 3
    assert chain_new_events(chain_app, NOW) == 0
    assert count(chain_db, AuditChainLink) == 3


def test_the_daily_seal(chain_app, chain_db, write_events):
    write_events(2)
    assert seal_daily(chain_app, NOW) == 1
    assert chain_db.session.execute(sa.select(AuditSeal.head_position)).scalar_one() == 2


def test_without_a_key_the_seal_is_skipped_outside_production(chain_app, chain_db, monkeypatch, caplog):
    monkeypatch.setitem(chain_app.config, "CASUS", replace(chain_app.config["CASUS"], audit_seal_key=""))
    with caplog.at_level(logging.WARNING, logger="casus.audit"):
        assert seal_daily(chain_app, NOW) == 0
    assert "audit seal skipped: no key" in caplog.text
    assert count(chain_db, AuditSeal) == 0


def test_without_a_key_production_fails_the_seal_job_and_says_why(chain_app, chain_db, monkeypatch, caplog):
    monkeypatch.setitem(chain_app.config, "CASUS", replace(chain_app.config["CASUS"], audit_seal_key="",
                                                           env="production"))
    with pytest.raises(SealRefused):
        seal_daily(chain_app, NOW)
    with caplog.at_level(logging.ERROR):
        assert run_job(chain_app, registry()["audit_seal"], NOW) is None
    assert "audit seal refused: no key to seal the audit log with" in caplog.text
    assert "job audit_seal failed: SealRefused" in caplog.text
    assert count(chain_db, AuditSeal) == 0
