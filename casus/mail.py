"""Sending e-mail over SMTP (smtplib), configured by ``CASUS_SMTP_*``.

Only the scheduler sends mail, after its job has committed (DESIGN §7: side effects after the commit).
Nothing here logs addresses or message bodies.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask

__all__ = ["Mailer", "SMTPConnection", "is_permanent", "is_transport_error", "mailer_for"]


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 15.0

    @classmethod
    def from_config(cls, cfg) -> Mailer:
        return cls(host=cfg.smtp_host, port=cfg.smtp_port, sender=cfg.smtp_sender,
                   username=cfg.smtp_username or None, password=cfg.smtp_password or None,
                   starttls=cfg.smtp_starttls)

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

    def connect(self) -> SMTPConnection:
        return SMTPConnection(self)


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
