"""Sending e-mail over SMTP (smtplib), configured by ``CASUS_SMTP_*``.

Only the scheduler sends mail, after its job has committed (docs/DESIGN.md §7: side effects after the commit).
Nothing here logs addresses or message bodies.

Development and the demo set ``CASUS_MAIL_OUTBOX`` instead: every message is then written as an ``.eml`` file
into that directory (:class:`OutboxConnection`) and no SMTP connection is ever opened.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask

__all__ = ["Mailer", "OutboxConnection", "SMTPConnection", "is_permanent", "is_transport_error", "mailer_for"]


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 15.0
    outbox: str | None = None  # a directory: write .eml files there instead of using SMTP (development, demo)

    @classmethod
    def from_config(cls, cfg) -> Mailer:
        return cls(host=cfg.smtp_host, port=cfg.smtp_port, sender=cfg.smtp_sender,
                   username=cfg.smtp_username or None, password=cfg.smtp_password or None,
                   starttls=cfg.smtp_starttls, outbox=cfg.mail_outbox or None)

    def message(self, *, to: str, subject: str, body: str, language: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
        message.set_content(body)
        message["Content-Language"] = language  # after set_content, which resets Content-* headers
        return message

    def connect(self) -> SMTPConnection | OutboxConnection:
        return OutboxConnection(self.outbox) if self.outbox else SMTPConnection(self)


class SMTPConnection:
    """One SMTP session for a batch of messages; reconnects after a failed send."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        mailer = self.mailer
        smtp = smtplib.SMTP(mailer.host, mailer.port, timeout=mailer.timeout)
        try:
            if mailer.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mailer.username:
                smtp.login(mailer.username, mailer.password or "")
        except Exception:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(message)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except Exception:
                self.smtp.close()
            self.smtp = None

    def __enter__(self) -> SMTPConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class OutboxConnection:
    """Writes each message as ``<outbox>/<UTC time>-<random>.eml`` (RFC 5322, readable by any mail client).

    For development and the demo only (``CASUS_MAIL_OUTBOX``): nothing leaves the machine. A file appears
    whole or not at all (written under a temporary name, then renamed).
    """

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.tmp"
        partial.write_bytes(message.as_bytes())
        path = self.directory / name
        os.replace(partial, path)
        return path

    def close(self) -> None:
        pass

    def __enter__(self) -> OutboxConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_permanent(error: BaseException) -> bool:
    """A 5xx answer (unknown mailbox, refused sender) will not get better by retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def is_transport_error(error: BaseException) -> bool:
    """Trouble with the server or the connection rather than with one message: stop the batch."""
    return not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def mailer_for(app: Flask) -> Mailer:
    """The app's mailer: ``app.extensions["casus_mailer"]`` when set (tests, custom transports), else config."""
    return app.extensions.get("casus_mailer") or Mailer.from_config(app.config["CASUS"])
