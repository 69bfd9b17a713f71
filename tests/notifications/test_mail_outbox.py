"""``CASUS_MAIL_OUTBOX`` (development and demo): the mail step writes .eml files and never knocks on SMTP."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from email import message_from_bytes, policy

import pytest


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    """The app configured with an outbox directory; any SMTP connection fails the test."""
    import smtplib

    def no_smtp(*args, **kwargs):
        raise AssertionError("an SMTP connection was opened")

    monkeypatch.setattr(smtplib, "SMTP", no_smtp)
    monkeypatch.delitem(app.extensions, "casus_mailer", raising=False)
    directory = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], mail_outbox=str(directory)))
    return directory


def test_the_mail_job_writes_eml_files_and_opens_no_smtp_connection(app, db, outbox, managed_case,
                                                                     local_moment, notifications_of, caplog):
    from casus.notifications import jobs

    case, regisseur, team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20))
    other = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 19), team=team)[0]
    now = local_moment(2026, 11, 23)
    assert jobs.review_due(app, now) == 2
    with caplog.at_level(logging.WARNING):
        assert jobs.send_emails(app, now) == 2
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []

    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2 and not list(outbox.glob(".*.tmp"))
    messages = [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert regisseur.email in {message["To"] for message in messages}
    bodies = "\n".join(message.get_content() for message in messages)
    assert f"http://127.0.0.1:5000/casussen/{case.id}" in bodies
    assert f"http://127.0.0.1:5000/casussen/{other.id}" in bodies
    assert all(n.email_sent_at == now and n.last_error_kind is None for n in notifications_of())
    # Sent is sent: a second run writes nothing more.
    assert jobs.send_emails(app, now) == 0
    assert len(list(outbox.glob("*.eml"))) == 2


def test_mailer_from_config_uses_the_outbox_only_when_set(tmp_path):
    from casus import testing_config
    from casus.mail import Mailer, OutboxConnection, SMTPConnection

    config = testing_config(instance_path=str(tmp_path))
    assert isinstance(Mailer.from_config(config).connect(), SMTPConnection)
    outboxed = Mailer.from_config(replace(config, mail_outbox=str(tmp_path / "out")))
    with outboxed.connect() as connection:
        assert isinstance(connection, OutboxConnection)
        path = connection.send(outboxed.message(to="a@example.org", subject="Onderwerp", body="Tekst",
                                                language="nl"))
    assert path.parent == tmp_path / "out" and path.suffix == ".eml"
    assert message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"] == "Onderwerp"


def test_production_refuses_an_outbox():
    from casus.config import Config, ConfigError

    with pytest.raises(ConfigError, match="CASUS_MAIL_OUTBOX"):
        Config.from_env({"CASUS_SECRET_KEY": "x" * 40, "CASUS_MAIL_OUTBOX": "/tmp/outbox"})
    config = Config.from_env({"CASUS_ENV": "development", "CASUS_MAIL_OUTBOX": "/tmp/outbox",
                              "CASUS_DATABASE_URL": "sqlite://"})
    assert config.mail_outbox == "/tmp/outbox"
