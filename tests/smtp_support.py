"""A real SMTP server (aiosmtpd) for the tests that send e-mail: ``smtp_server`` starts one on a free port and points
the app's mailer at it; it yields the Inbox of what arrived."""

from __future__ import annotations

import socket
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
        self.port: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.answer:
            return self.answer
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def text(self, index: int = -1) -> str:
        _recipients, message = self.messages[index]
        return f"{message['Subject']}\n{message.get_content()}"

    def to(self, address: str) -> list:
        """The messages sent to ``address`` alone."""
        return [message for recipients, message in self.messages if recipients == [address]]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on a free port; the app's mailer sends to it. Yields the inbox."""
    from aiosmtpd.controller import Controller

    from casus.mail import Mailer

    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    monkeypatch.setitem(app.extensions, "casus_mailer", Mailer(host="127.0.0.1", port=inbox.port,
                                                               sender="casus@example.org", timeout=5))
    try:
        yield inbox
    finally:
        controller.stop()
