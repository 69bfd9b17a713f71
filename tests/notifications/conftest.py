"""Fixtures for notification tests: a real SMTP server (aiosmtpd), a mailer pointing at it, small factories."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smtp_support import Inbox, free_port, smtp_server  # noqa: F401 (fixtures and helpers the tests here use)


@pytest.fixture
def managed_case(make_case, make_user, make_team, make_organisation):
    """``managed_case(**case_fields)`` -> (case, procesregisseur, team): a case in a team with its procesregisseur."""

    def make(*, regisseur_fields=None, **fields):
        team = fields.pop("team", None) or make_team()
        regisseur = make_user("procesregisseur", team=team, organisation=team.organisation, **(regisseur_fields or {}))
        partners = fields.pop("partners", None) or [team.organisation]
        case = make_case(team=team, partners=partners, procesregisseur=regisseur, **fields)
        return case, regisseur, team

    return make


@pytest.fixture
def notifications_of(db):
    """``notifications_of(user=None)`` -> the recorded notifications (of ``user``), oldest first."""
    import sqlalchemy as sa

    from casus.notifications.models import Notification

    def read(user=None):
        query = sa.select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        return list(db.session.execute(query.execution_options(populate_existing=True)).scalars())

    return read


def at(year, month, day, hour=7, minute=0) -> datetime:
    """An aware moment in Amsterdam time (what a 07:00 cron fire passes as ``now``), as UTC."""
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


@pytest.fixture
def local_moment():
    return at
