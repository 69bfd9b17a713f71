"""Fixtures for notification tests: a real SMTP server (aiosmtpd), a mailer pointing at it, small factories."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message; ``answer`` replaces the reply to DATA (e.g. a 451)."""

    def __init__(self) -> None:
        self.messages: list = []
        self.answer: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.answer:
            return self.answer
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def text(self, index: int = -1) -> str:
        _recipients, message = self.messages[index]
        return f"{message['Subject']}\n{message.get_content()}"


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on a free port; the app's mailer sends to it. Yields the inbox."""
    from aiosmtpd.controller import Controller

    from casus.mail import Mailer

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    monkeypatch.setitem(app.extensions, "casus_mailer", Mailer(host="127.0.0.1", port=port,
                                                               sender="casus@example.org", timeout=5))
    try:
        yield inbox
    finally:
        controller.stop()


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
