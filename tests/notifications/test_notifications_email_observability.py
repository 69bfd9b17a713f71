"""E-mail in the logs and the metrics: counts and exception types only — never an address, a subject or a body —
and the queue length on /metrics."""

from __future__ import annotations

import socket
from datetime import date

from prometheus_client import REGISTRY


def _counter(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gauge(client, name: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    line = next(line for line in text.splitlines() if line.startswith(f"{name} "))
    return float(line.split(" ")[1])


def test_failed_and_sent_mail_is_counted_and_logged_without_personal_data(app, db, client, managed_case,
                                                                           make_subject, local_moment, smtp_server,
                                                                           monkeypatch, caplog):
    from casus.mail import Mailer
    from casus.notifications import jobs
    from casus.notifications.services import send_pending_emails

    subject = make_subject(name="Jan Jansen", bsn="123456782")
    case, regisseur, _team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20),
                                          title="Woonoverlast Jan Jansen", subjects=[subject])
    now = local_moment(2026, 11, 23)
    assert jobs.review_due(app, now) == 1
    assert (_gauge(client, "casus_email_queue_length"), _gauge(client, "casus_email_retrying")) == (1.0, 0.0)

    failures, sent = _counter("casus_email_send_failures_total"), _counter("casus_email_sent_total")
    down = Mailer(host="127.0.0.1", port=_closed_port(), sender="casus@example.org", timeout=2)
    report = send_pending_emails(app, now, mailer=down)
    assert (report.sent, report.failed) == (0, 1)
    assert _counter("casus_email_send_failures_total") == failures + 1
    assert (_gauge(client, "casus_email_queue_length"), _gauge(client, "casus_email_retrying")) == (1.0, 1.0)
    [batch] = [record for record in caplog.records if record.getMessage().startswith("e-mail: ")]
    assert batch.getMessage() == "e-mail: 0 sent, 1 failed, 0 given up, 0 skipped"
    assert (batch.sent, batch.failed, batch.error_kinds) == (0, 1, ["ConnectionRefusedError"])

    report = send_pending_emails(app, local_moment(2026, 11, 23, 8), mailer=None)  # the relay is back
    assert report.sent == 1 and len(smtp_server.messages) == 1
    assert _counter("casus_email_sent_total") == sent + 1
    assert _gauge(client, "casus_email_queue_length") == 0.0
    _recipients, message = smtp_server.messages[0]
    # Everything Casus logged (aiosmtpd, the test's SMTP server, logs its recipients on "mail.log": not ours).
    ours = "\n".join(f"{record.getMessage()} {record.__dict__!r}" for record in caplog.records
                     if not record.name.startswith("mail."))
    for secret in (regisseur.email, message["Subject"], "Herbeoordeling", "Jansen", "123456782", case.reference):
        assert secret not in ours, secret
