"""Writing audit events. Called by services in the same transaction as the change they describe."""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_login import current_user

from casus.audit.models import AuditEvent, Outcome
from casus.extensions import db


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    case_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    purpose: str | None = None,
    details: dict | None = None,
    user=None,
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits or rolls back with the change.

    ``user`` defaults to the logged-in user; pass it explicitly for events before login
    (a failed login attempt against a known account, say).
    """
    actor = user if user is not None else _current_actor()
    event = AuditEvent(
        user_id=getattr(actor, "id", None),
        organisation_id=getattr(actor, "organisation_id", None),
        roles=" ".join(sorted(actor.roles)) if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_id=case_id,
        outcome=outcome,
        purpose=purpose,
        details=details,
    )
    if has_request_context():
        event.ip = request.remote_addr
        event.request_id = g.get("request_id")
    db.session.add(event)
    return event


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None
