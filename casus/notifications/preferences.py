"""How each kind of notification reaches a user: e-mailed at once, in the daily digest, or only in Casus.

A user chooses per kind (``NotificationPreference``); no row means the kind's default (``Kind.delivery`` in
:mod:`casus.notifications.kinds`). The choice decides a new notification's ``next_attempt_at`` — the moment the
existing e-mail outbox (:func:`casus.notifications.services.send_pending_emails`) picks it up:

* direct: now;
* dagoverzicht: the next digest moment (``CASUS_DIGEST_TIME``, 07:00 local time by default), so that the outbox
  finds all of a user's digest notifications due at once and sends them as one message;
* alleen in de app: never (NULL) — the notification is only in the list.

A service module (the only writer of preferences); the change is audited, the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casus.audit.services import record
from casus.clock import local_zone
from casus.extensions import db
from casus.labels import N_, Label
from casus.notifications.kinds import KINDS, Kind, default_delivery
from casus.notifications.models import Delivery, NotificationPreference
from casus.services import ServiceError
from casus.users.models import User

__all__ = ["choosable_kinds", "deliveries", "grouped_kinds", "next_attempt", "next_digest", "preferences_of",
           "set_preferences"]

_CHUNK = 500  # user ids per IN list when a job notifies thousands of users at once


def next_digest(now: datetime) -> datetime:
    """The first digest moment after ``now``: today's ``CASUS_DIGEST_TIME`` in the local zone if it is still
    ahead, else tomorrow's (a wall-clock time, so 07:00 stays 07:00 across a daylight-saving change). Aware."""
    zone = local_zone()
    at = current_app.config["CASUS"].digest_time
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), at, tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return moment


def next_attempt(delivery: Delivery, now: datetime) -> datetime | None:
    """When a new notification's e-mail is due under ``delivery``; None for in-app only."""
    if delivery == Delivery.IMMEDIATELY:
        return now
    if delivery == Delivery.DIGEST:
        return next_digest(now)
    return None


def deliveries(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Delivery]:
    """The delivery for each ``(user_id, kind)``: the user's choice, else the kind's default.

    One query per 500 users, whatever the number of notifications."""
    pairs = set(pairs)
    result = {pair: default_delivery(pair[1]) for pair in pairs}
    user_ids = sorted({user_id for user_id, _ in pairs})
    kinds = sorted({kind for _, kind in pairs})
    for start in range(0, len(user_ids), _CHUNK):
        rows = db.session.execute(sa.select(NotificationPreference.user_id, NotificationPreference.kind,
                                            NotificationPreference.delivery)
                                  .where(NotificationPreference.user_id.in_(user_ids[start:start + _CHUNK]),
                                         NotificationPreference.kind.in_(kinds)))
        for user_id, kind, delivery in rows:
            if (user_id, kind) in result:
                result[(user_id, kind)] = Delivery(delivery)
    return result


def choosable_kinds() -> list[Kind]:
    """Every kind a user may choose a delivery for, in the order they were registered."""
    return [spec for spec in KINDS.values() if spec.label is not None]


# The preferences page in sections, so that some forty kinds read as a few topics; a kind not named here shows
# under "Overige meldingen".
GROUPS: tuple[tuple[Label, tuple[str, ...]], ...] = (
    (N_("Casussen waaraan u deelneemt"), ("participation_started", "participation_ended", "action_assigned",
                                          "action_due_changed", "case_on_agenda", "case_relapse",
                                          "subject_corrected")),
    (N_("Uw signalen"), ("signal_bundled", "signal_referred", "signal_dismissed")),
    (N_("Termijnen en herinneringen"), ("triage_deadline", "actions_overdue", "action_stale", "review_due",
                                        "nazorg_checkin")),
    (N_("Overleggen"), ("meeting_invitation", "meeting_agenda", "meeting_update", "meeting_cancelled",
                        "meeting_uninvited", "meeting_reminder")),
    (N_("Akkoorden, escalaties en RIEC-voordrachten"), (
        "approval_requested", "approval_decided", "approval_withdrawn", "approval_reminder", "escalation_raised",
        "escalation_decision_overdue", "escalation_review_due", "voordracht_received", "voordracht_answered",
        "voordracht_stale")),
    (N_("Privacy, auditlog en bewaring"), (
        "audit_verification_failed", "subject_request_due_soon", "subject_request_overdue",
        "destruction_list_proposed", "destruction_list_submitted", "destruction_list_reminder",
        "destruction_list_decided", "accounts_deactivated", "document_corrupt")),
)
OTHER = N_("Overige meldingen")


def grouped_kinds() -> list[tuple[Label, list[Kind]]]:
    """The choosable kinds by section (:data:`GROUPS`), each section in registration order; empty ones left out."""
    kinds = choosable_kinds()
    placed = {name for _label, names in GROUPS for name in names}
    groups = [(label, [spec for spec in kinds if spec.name in names]) for label, names in GROUPS]
    groups.append((OTHER, [spec for spec in kinds if spec.name not in placed]))
    return [(label, specs) for label, specs in groups if specs]


def preferences_of(user: User) -> dict[str, Delivery]:
    """``{kind: delivery}`` for every choosable kind: the user's choice, else the default (one query)."""
    chosen = dict(db.session.execute(sa.select(NotificationPreference.kind, NotificationPreference.delivery)
                                     .where(NotificationPreference.user_id == user.id)).all())
    return {spec.name: Delivery(chosen.get(spec.name, spec.delivery)) for spec in choosable_kinds()}


def set_preferences(user: User, choices: Mapping[str, str]) -> dict[str, Delivery]:
    """Store ``choices`` (``{kind: delivery value}``; kinds left out keep their setting). A choice equal to the
    kind's default removes the row, so a later change of the default reaches everyone who never chose.

    Refuses an unknown kind or delivery as a whole, naming it (ServiceError, field = the kind). Audited with the
    kinds changed and their new delivery — nothing else. Returns every kind's delivery after the change."""
    known = {spec.name: spec for spec in choosable_kinds()}
    wanted: dict[str, Delivery] = {}
    for kind, value in choices.items():
        if kind not in known:
            raise ServiceError("Onbekend soort melding: %(kind)s.", field=str(kind)[:40], kind=str(kind)[:40])
        try:
            wanted[kind] = Delivery(value)
        except ValueError as error:
            raise ServiceError("Kies direct, dagoverzicht of alleen in Casus.", field=kind) from error
    current = preferences_of(user)
    changed = {kind: delivery for kind, delivery in wanted.items() if current[kind] != delivery}
    if not changed:
        return current
    db.session.execute(sa.delete(NotificationPreference).where(NotificationPreference.user_id == user.id,
                                                               NotificationPreference.kind.in_(list(changed))))
    rows = [{"user_id": user.id, "kind": kind, "delivery": delivery}
            for kind, delivery in changed.items() if delivery != known[kind].delivery]
    if rows:
        db.session.execute(sa.insert(NotificationPreference), rows)
    record("notification_preferences.changed", object_type="user", object_id=user.id,
           details={"changed": {kind: delivery.value for kind, delivery in sorted(changed.items())}}, user=user)
    return {**current, **changed}
