"""Recording, listing and reading notifications, and sending the e-mails that announce them.

Idempotency: :func:`notify_many` inserts under a unique key with ``ON CONFLICT DO NOTHING`` (SQLite and
PostgreSQL; a SAVEPOINT per row elsewhere), so a rerun, a catch-up after downtime or a second scheduler
records nothing twice — and only recorded notifications are ever mailed.

E-mail is an outbox: :func:`send_pending_emails` claims due rows (committing the claim), sends one message
per recipient, then records the outcome. A kind with an ``attachment`` builder (meeting invitations: an
.ics) is mailed one notification per message, its attachment regenerated at send time from the params —
no file is stored. Failures back off (1, 5, 25, 125 … minutes, at most
``EMAIL_MAX_DELAY``) for ``EMAIL_MAX_ATTEMPTS`` tries and never raise.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale, ngettext
from sqlalchemy.sql.elements import ColumnElement

from casus import metrics, policy
from casus.cases.models import Case
from casus.database import insert_new, utcnow
from casus.edge import BIGINT_MAX
from casus.extensions import db
from casus.mail import Mailer, is_permanent, is_transport_error, mailer_for
from casus.notifications.kinds import KINDS, render_intro, render_title
from casus.notifications.models import Delivery, Notification
from casus.notifications.preferences import deliveries, next_attempt
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.users.models import User

log = logging.getLogger("casus.notifications")

EMAIL_MAX_ATTEMPTS = 8
EMAIL_MAX_DELAY = timedelta(hours=6)
EMAIL_CLAIM_LEASE = timedelta(minutes=15)  # a send interrupted by a crash is retried after this
EMAIL_BATCH = 1000
EMAIL_MAX_SECONDS = 45.0  # per run of the every-minute job, so runs do not pile up
EMAIL_MAX_ITEMS = 20  # per message; the rest is "and N more" with a link to the list
UNREAD_CAP = 99
CASE_LINK = "/casussen/{id}"


@dataclass(frozen=True)
class NewNotification:
    """A notification to record. ``key`` is unique across all notifications, recipient included."""

    user_id: int
    key: str
    kind: str
    link: str
    params: dict = field(default_factory=dict)
    case_id: int | None = None
    locale: str | None = None  # the recipient's, for the stored title


def case_link(case_id: int) -> str:
    """The path of a case file. Kept in one place so the case pages can move without breaking mail."""
    return CASE_LINK.format(id=case_id)


def email_backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed tries: 1, 5, 25, 125 … minutes, capped."""
    return min(timedelta(minutes=5 ** max(attempts - 1, 0)), EMAIL_MAX_DELAY)


# --- recording ----------------------------------------------------------------------------------------------

def notify_many(items: Iterable[NewNotification], *, now: datetime | None = None, email: bool = True) -> int:
    """Record notifications; a key that exists already is skipped. Returns how many were new.

    Flushes only; the caller (a scheduler job) commits. ``email=False`` records in-app only; otherwise the
    e-mail follows each recipient's choice for the kind (:mod:`casus.notifications.preferences`): due now, at
    the next digest moment, or never.
    """
    now = now or utcnow()
    unique: dict[str, NewNotification] = {}
    for item in items:
        unique.setdefault(item.key, item)
    chosen = deliveries((item.user_id, item.kind) for item in unique.values()) if email and unique else {}
    rows = []
    for item in unique.values():
        rows.append({
            "key": item.key[:200], "user_id": item.user_id, "case_id": item.case_id, "kind": item.kind,
            "title": render_title(item.kind, item.params, item.locale, fallback=item.kind),
            "params": item.params, "link": item.link[:300], "created_at": now, "email_attempts": 0,
            "next_attempt_at": next_attempt(chosen[(item.user_id, item.kind)], now) if email else None,
        })
    if not rows:
        return 0
    db.session.flush()
    return insert_new(db.session, Notification.__table__, rows, unique=["key"])


def notify(user: User, *, key: str, kind: str, link: str, params: dict | None = None,
           case_id: int | None = None, email: bool = True, now: datetime | None = None) -> bool:
    """Record one notification for ``user``; False when its key was recorded before."""
    return notify_many([NewNotification(user_id=user.id, key=key, kind=kind, link=link, params=params or {},
                                        case_id=case_id, locale=user.locale)], now=now, email=email) == 1


# --- reading ------------------------------------------------------------------------------------------------

def _visible(user: User) -> ColumnElement[bool]:
    """A notification about a case shows only while the user may still see that case."""
    return sa.or_(Notification.case_id.is_(None),
                  sa.exists().where(Case.id == Notification.case_id, policy.case_scope(user)))


def _own(user: User) -> sa.Select:
    return sa.select(Notification).where(Notification.user_id == user.id, _visible(user))


def list_for(user: User, *, cursor: str | None = None, unread_only: bool = False, limit: int = 25) -> KeysetPage:
    """The user's notifications, newest first, keyset-paginated on the id (one query)."""
    query = _own(user)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return keyset_page(query, key=Notification.id, id_col=Notification.id, descending=True,
                       after=decode_cursor(cursor, int, max_id=BIGINT_MAX), before=None, limit=limit,
                       value_of=lambda notification: notification.id, dump=str)


def unread_count(user: User) -> int:
    """Unread notifications, counted up to ``UNREAD_CAP + 1`` (the badge shows "99+")."""
    capped = _own(user).where(Notification.read_at.is_(None)).with_only_columns(Notification.id) \
        .limit(UNREAD_CAP + 1).subquery()
    return db.session.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one()


def get_own(user: User, notification_id: int) -> Notification | None:
    return db.session.execute(_own(user).where(Notification.id == notification_id)).scalar_one_or_none()


def mark_read(user: User, notification: Notification, *, now: datetime | None = None) -> None:
    if notification.user_id != user.id:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()


def mark_unread(user: User, notification: Notification) -> None:
    if notification.user_id != user.id:
        raise PermissionError("not the recipient")
    notification.read_at = None
    db.session.flush()


def mark_all_read(user: User, *, ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Mark the user's unread notifications (or those of ``ids``) read; returns how many changed."""
    statement = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    result = db.session.execute(statement.values(read_at=now or utcnow()).execution_options(
        synchronize_session=False))
    return result.rowcount or 0


def title_of(notification: Notification, locale: object) -> str:
    return render_title(notification.kind, notification.params or {}, locale, fallback=notification.title)


# --- e-mail -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    """A file to attach to a notification's e-mail, built at send time."""

    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"
    params: dict = field(default_factory=dict)  # extra Content-Type parameters, e.g. {"method": "REQUEST"}


@dataclass(frozen=True)
class Recipient:
    """Who an e-mail goes to, as an attachment builder sees them."""

    id: int
    email: str
    language: str
    organisation_id: int
    team_id: int | None


class SkipEmail(Exception):
    """Raised by an attachment builder: do not mail this notification; ``reason`` becomes its error kind."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


AttachmentBuilder = Callable[..., Attachment | tuple[Attachment, ...]]  # a tuple: several files (the .ics and a PDF)


ATTACHMENTS = "casus_email_attachments"


def init_attachments(app: Flask, builders: Mapping[str, AttachmentBuilder]) -> None:
    """At app start: who builds the attachment of each kind whose e-mail carries one — the domain that owns the
    kind (``meetings.calendar`` for the invitations), which stands above notifications and so is never imported
    here. A kind left without a builder stops the app from starting rather than its e-mail at send time."""
    missing = sorted(name for name, spec in KINDS.items() if spec.attachment and name not in builders)
    if missing:
        raise RuntimeError(f"no attachment builder registered for {', '.join(missing)}")
    app.extensions[ATTACHMENTS] = dict(builders)


def attachment_builder(kind: str) -> AttachmentBuilder | None:
    """The builder registered for ``kind`` at app start, if its e-mail carries an attachment."""
    spec = KINDS.get(kind)
    if spec is None or not spec.attachment:
        return None
    return current_app.extensions[ATTACHMENTS][kind]


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    skipped: int = 0
    error_kinds: set[str] = field(default_factory=set)


def send_pending_emails(app: Flask, now: datetime, *, mailer: Mailer | None = None, batch: int = EMAIL_BATCH,
                        max_seconds: float = EMAIL_MAX_SECONDS) -> SendReport:
    """Send the e-mails that are due, batch after batch, for at most ``max_seconds``.

    Each batch commits its claim before sending and its outcome after. Runs in an app context (the
    scheduler's job wrapper provides one). Never raises for SMTP trouble.
    """
    report = SendReport()
    mailer = mailer or mailer_for(app)
    deadline = time.monotonic() + max_seconds
    while _send_batch(app, now, mailer, batch, report) and time.monotonic() < deadline:
        pass
    _log_report(report)
    return report


def _log_report(report: SendReport) -> None:
    """Counts and exception type names only: never an address, a subject or a body."""
    metrics.emails_sent(report.sent, report.failed + report.given_up)
    if not (report.sent or report.failed or report.given_up or report.skipped):
        return
    log.log(logging.WARNING if report.failed or report.given_up else logging.INFO,
            "e-mail: %d sent, %d failed, %d given up, %d skipped", report.sent, report.failed, report.given_up,
            report.skipped, extra={"sent": report.sent, "failed": report.failed, "given_up": report.given_up,
                                   "skipped": report.skipped, "error_kinds": sorted(report.error_kinds)})


def _send_batch(app: Flask, now: datetime, mailer: Mailer, batch: int, report: SendReport) -> bool:
    """One batch; False when nothing was due."""
    due = list(db.session.execute(
        sa.select(Notification.id).where(Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id).limit(batch)).scalars())
    if not due:
        return False
    # Claim: whoever moves next_attempt_at first owns the send; a second scheduler or a crash cannot double it.
    claimed = dict(db.session.execute(
        sa.update(Notification).where(Notification.id.in_(due), Notification.next_attempt_at <= now)
        .values(email_attempts=Notification.email_attempts + 1, next_attempt_at=now + EMAIL_CLAIM_LEASE)
        .returning(Notification.id, Notification.email_attempts)
        .execution_options(synchronize_session=False)).all())
    db.session.commit()
    if not claimed:
        return False
    visible = policy.sees_case(User, Case)
    rows = db.session.execute(
        sa.select(Notification, User.email, User.locale, User.active, User.organisation_id, User.team_id,
                  sa.or_(Notification.case_id.is_(None), sa.exists().where(Case.id == Notification.case_id, visible)))
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(list(claimed)))
        .order_by(Notification.user_id, Notification.id)
        .execution_options(populate_existing=True)).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    recipients: dict[int, Recipient] = {}
    outcome: dict[str, list[int]] = defaultdict(list)
    for notification, email, locale, active, organisation_id, team_id, may_see in rows:
        if not active or not may_see:
            outcome["skip"].append(notification.id)  # the recipient lost access meanwhile: say nothing
            continue
        by_user[notification.user_id].append(notification)
        recipients[notification.user_id] = Recipient(notification.user_id, email, _language(locale, app),
                                                     organisation_id, team_id)
    base_url = app.config["CASUS"].base_url.rstrip("/")
    failures: dict[int, str] = {}
    digest = deliveries((item.user_id, item.kind) for items in by_user.values() for item in items)
    messages = _compose(mailer, by_user, recipients, base_url, outcome, failures, report,
                        {pair for pair, delivery in digest.items() if delivery == Delivery.DIGEST})
    transport_down = False
    with mailer.connect() as connection:
        for user_id, ids, message in messages:
            if transport_down:  # the server is away: do not knock again for every recipient
                failures.update(dict.fromkeys(ids, transport_down))
                continue
            try:
                connection.send(message)
            except Exception as error:  # any transport trouble is retried, never raised
                kind = type(error).__name__
                report.error_kinds.add(kind)
                log.warning("e-mail to user %s failed: %s", user_id, kind, extra={"user_id": user_id, "exc_type": kind})
                failures.update(dict.fromkeys(ids, kind))
                if is_permanent(error):
                    outcome["give_up"].extend(ids)
                elif is_transport_error(error):
                    transport_down = kind
                continue
            outcome["sent"].extend(ids)
    _record_outcome(now, claimed, outcome, failures, report)
    db.session.commit()
    return not transport_down


def _compose(mailer: Mailer, by_user: dict[int, list[Notification]], recipients: dict[int, Recipient],
             base_url: str, outcome: dict[str, list[int]], failures: dict[int, str],
             report: SendReport, digest: set[tuple[int, str]] = frozenset()) -> list[tuple[int, list[int], object]]:
    """The messages to send, as ``(user_id, notification ids, message)``: per recipient one message of the
    plain notifications the recipient wants by e-mail at once, one dagoverzicht of those of the kinds in
    ``digest`` (``(user_id, kind)`` pairs: due together at the digest moment), plus one message per
    notification whose kind has an attachment."""
    messages = []
    cache: dict = {}  # shared by the attachment builders of this batch
    for user_id, items in by_user.items():
        recipient = recipients[user_id]
        plain = []
        for item in items:
            builder = attachment_builder(item.kind)
            if builder is None:
                plain.append(item)
                continue
            try:
                attachment = builder(item, recipient=recipient, base_url=base_url, sender=mailer.sender,
                                     cache=cache)
            except SkipEmail as skip:
                outcome[f"skip:{skip.reason}"].append(item.id)
                continue
            except Exception as error:  # a broken builder is retried like a failed send, never raised
                kind = type(error).__name__
                report.error_kinds.add(kind)
                log.warning("attachment for notification %s failed: %s", item.id, kind,
                            extra={"notification_id": item.id, "exc_type": kind})
                failures[item.id] = kind
                continue
            messages.append((user_id, [item.id], _message(mailer, recipient.email, recipient.language, [item],
                                                          base_url, attachment)))
        daily = [item for item in plain if (user_id, item.kind) in digest]
        for group, is_digest in (([item for item in plain if item not in daily], False), (daily, True)):
            if group:
                messages.append((user_id, [item.id for item in group],
                                 _message(mailer, recipient.email, recipient.language, group, base_url,
                                          digest=is_digest)))
    return messages


def _record_outcome(now: datetime, claimed: dict[int, int], outcome: dict[str, list[int]],
                    failures: dict[int, str], report: SendReport) -> None:
    def update(ids, **values):
        if ids:
            db.session.execute(sa.update(Notification).where(Notification.id.in_(ids)).values(**values)
                               .execution_options(synchronize_session=False))

    update(outcome["sent"], email_sent_at=now, next_attempt_at=None, last_error_kind=None)
    update(outcome["skip"], next_attempt_at=None, last_error_kind="not_visible")
    report.sent += len(outcome["sent"])
    report.skipped += len(outcome["skip"])
    for name, ids in outcome.items():
        if name.startswith("skip:"):  # an attachment builder said no: superseded, gone, not visible
            update(ids, next_attempt_at=None, last_error_kind=name[5:][:80])
            report.skipped += len(ids)
    permanent = set(outcome["give_up"])
    retry: dict[tuple[int, str], list[int]] = defaultdict(list)
    for notification_id, kind in failures.items():
        attempts = claimed[notification_id]
        if notification_id in permanent or attempts >= EMAIL_MAX_ATTEMPTS:
            retry[(-1, kind)].append(notification_id)
        else:
            retry[(attempts, kind)].append(notification_id)
    for (attempts, kind), ids in retry.items():
        if attempts < 0:
            update(ids, next_attempt_at=None, last_error_kind=kind[:80])
            report.given_up += len(ids)
        else:
            update(ids, next_attempt_at=now + email_backoff(attempts), last_error_kind=kind[:80])
            report.failed += len(ids)


def _language(locale: str | None, app: Flask) -> str:
    locale = locale or app.config["CASUS"].default_locale
    return "en" if str(locale).startswith("en") else "nl"


def _message(mailer: Mailer, to: str, language: str, items: list[Notification], base_url: str,
             attachment: Attachment | tuple[Attachment, ...] | None = None, *, digest: bool = False):
    shown = [{"title": title_of(item, language), "intro": render_intro(item.kind, item.params or {}, language),
              "url": f"{base_url}{item.link}"} for item in items[:EMAIL_MAX_ITEMS]]
    with force_locale(language):
        if digest:
            subject = ngettext("Dagoverzicht Casus: %(num)d melding", "Dagoverzicht Casus: %(num)d meldingen",
                               len(items))
        elif len(items) == 1:
            subject = f"Casus: {shown[0]['title']}"
        else:
            subject = ngettext("Casus: %(num)d nieuwe melding", "Casus: %(num)d nieuwe meldingen", len(items))
    # The environment directly, not render_template: context processors expect a request, and mail has none.
    template = current_app.jinja_env.get_template(f"notifications/email_{language}.txt")
    body = template.render(items=shown, more=len(items) - len(shown), list_url=f"{base_url}/meldingen",
                           preferences_url=f"{base_url}/meldingen/voorkeuren")
    message = mailer.message(to=to, subject=subject, body=body, language=language)
    attachments = attachment if isinstance(attachment, tuple) else (attachment,) if attachment is not None else ()
    for one in attachments:
        message.add_attachment(one.content, maintype=one.maintype, subtype=one.subtype, filename=one.filename,
                               params=one.params)
    if attachments:
        message["Content-Language"] = language  # making it multipart moved the Content-* headers to the body part
    return message
