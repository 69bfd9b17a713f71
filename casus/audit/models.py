from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casus.database import UTCDateTime, utcnow
from casus.extensions import db
from casus.organisations.models import enum_column


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class AuditEvent(db.Model):
    """One audited event. Never updated or deleted (on PostgreSQL a trigger enforces this)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_user_time", "user_id", "occurred_at"),
        sa.Index("ix_audit_events_case_time", "case_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    roles: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(80))
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(60))
    case_id: Mapped[int | None] = mapped_column()
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "audit_outcome"), default=Outcome.SUCCESS)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    purpose: Mapped[str | None] = mapped_column(sa.String(200))
    # Free-form context without personal data (e.g. which field changed, never its value).
    details: Mapped[dict | None] = mapped_column(sa.JSON)


# The audit log is append-only. The application never updates or deletes events, and on
# PostgreSQL the database refuses it too, so not even a bug or a careless script can rewrite history.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION casus_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION casus_audit_append_only()
"""
DROP_APPEND_ONLY = (
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS casus_audit_append_only()",
)

for _statement in (APPEND_ONLY_FUNCTION, APPEND_ONLY_TRIGGER):
    sa.event.listen(AuditEvent.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="postgresql"))
