"""Accounts that have not logged in for the configured period are deactivated by the scheduler, and the beheerders
are told (a frozen clock: the job's ``now``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from casus.notifications.inactive_accounts import deactivate_inactive_accounts
from casus.notifications.kinds import render_title
from casus.scheduling.jobs import registry

NOW = datetime(2026, 12, 7, 4, 30, tzinfo=UTC)  # 05:30 in Amsterdam


def actions(db, action: str) -> list:
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_accounts_idle_past_the_period_are_deactivated_and_the_beheerders_told(app, db, make_user,
                                                                             notifications_of):
    from casus.users.models import UserSession

    beheerder = make_user("beheerder", last_login_at=NOW - timedelta(days=1))
    idle = make_user("partner", last_login_at=NOW - timedelta(days=91))
    never = make_user("partner", created_at=NOW - timedelta(days=100))
    recent = make_user("partner", last_login_at=NOW - timedelta(days=89))
    new = make_user("partner", created_at=NOW - timedelta(days=3))
    db.session.add(UserSession(token_hash="a" * 64, user=idle))
    db.session.flush()

    assert deactivate_inactive_accounts(app, NOW) == 2
    db.session.expire_all()
    assert (idle.active, never.active) == (False, False)
    assert (beheerder.active, recent.active, new.active) == (True, True, True)
    assert db.session.execute(sa.select(UserSession).where(UserSession.user_id == idle.id)).first() is None
    events = actions(db, "user.deactivated")
    assert sorted(int(event.object_id) for event in events) == sorted([idle.id, never.id])
    assert {event.details["reason"] for event in events} == {"inactive"}
    (notification,) = notifications_of()
    assert (notification.user_id, notification.kind, notification.link) == (beheerder.id, "accounts_deactivated",
                                                                             "/beheer/gebruikers")
    assert notification.params == {"count": 2, "date": "2026-12-07", "days": 90}
    assert render_title(notification.kind, notification.params, "nl") == "2 accounts gedeactiveerd wegens inactiviteit"

    assert deactivate_inactive_accounts(app, NOW) == 0, "a rerun finds nothing left to do"
    assert len(notifications_of()) == 1


def test_an_account_whose_api_token_is_in_use_stays_active(app, db, make_user):
    from casus.auth.tokens import create_token

    system = make_user("partner", last_login_at=NOW - timedelta(days=200))
    row, _plain = create_token(system, days=365, name="Koppeling", scopes="read")
    row.last_used_at = NOW - timedelta(days=2)
    db.session.flush()
    assert deactivate_inactive_accounts(app, NOW) == 0
    row.last_used_at = NOW - timedelta(days=95)
    db.session.flush()
    assert deactivate_inactive_accounts(app, NOW) == 1


def test_the_period_is_configurable_and_zero_switches_the_sweep_off(app, db, make_user, monkeypatch):
    idle = make_user("partner", last_login_at=NOW - timedelta(days=31))
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], inactive_days=0))
    assert deactivate_inactive_accounts(app, NOW) == 0
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], inactive_days=30))
    assert deactivate_inactive_accounts(app, NOW) == 1
    db.session.expire_all()
    assert idle.active is False


def test_the_scheduler_runs_the_sweep_daily():
    spec = registry()["inactive_accounts"]
    assert spec.resolve() is deactivate_inactive_accounts
    assert spec.cron == {"hour": 5, "minute": 30}
