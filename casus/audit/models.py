from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum


class Outcome(LabelledEnum):
    SUCCESS = "success", N_("gelukt")
    DENIED = "denied", N_("geweigerd")
    FAILURE = "failure", N_("mislukt")


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
    # Logboek Dataverwerkingen: the registered processing activity and its legal basis (derived from the route or
    # service, never typed by the user) and the W3C trace id that follows one request across systems.
    activity: Mapped[str | None] = mapped_column(sa.String(40))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(80))
    trace_id: Mapped[str | None] = mapped_column(sa.String(32))
    # Free-form context without personal data (e.g. which field changed, never its value).
    details: Mapped[dict | None] = mapped_column(sa.JSON)


class AuditShownCase(db.Model):
    """A case a user was shown by a list, the dashboard, a search or an agenda: one row per case of the page view's
    event, so "who has seen this case" is one indexed lookup instead of a scan of every event's details."""

    __tablename__ = "audit_shown_cases"

    event_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(primary_key=True, index=True)


class AuditChainLink(db.Model):
    """One audit event's place in the hash chain: ``hash = SHA-256(previous hash ‖ canonical event)``.

    A separate, insert-only table (no foreign key: a deleted event must stay visible as a gap), so chaining never
    updates an audit event and the runtime database role needs no UPDATE on either table."""

    __tablename__ = "audit_chain"

    position: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                                          autoincrement=False)
    event_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64))
    chained_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditSeal(db.Model):
    """A signed statement of the chain head at a moment: position, hash and count, signed with a key the database
    does not hold, and also written outside the database (``destinations``)."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    head_position: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    event_count: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    key_id: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[str] = mapped_column(sa.String(200))
    destinations: Mapped[str] = mapped_column(sa.String(300), default="")


class AuditVerification(db.Model):
    """The result of one ``casus audit verify`` run (command line, scheduler or the audit page)."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(default=False)
    chain_length: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)
    started_by: Mapped[str] = mapped_column(sa.String(20), default="cli")
    # Findings name positions, event ids and the kind of tampering — never event contents.
    findings: Mapped[list | None] = mapped_column(sa.JSON)


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

# The chain, the seals and the shown cases are evidence too: append-only like the events themselves.
CHAIN_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION casus_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TABLES = ("audit_chain", "audit_seals", "audit_shown_cases")


def append_only_trigger(table: str) -> str:
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casus_append_only()")


for _model in (AuditChainLink, AuditSeal, AuditShownCase):
    sa.event.listen(_model.__table__, "before_create",
                    sa.DDL(CHAIN_APPEND_ONLY_FUNCTION).execute_if(dialect="postgresql"))
    sa.event.listen(_model.__table__, "after_create",
                    sa.DDL(append_only_trigger(_model.__tablename__)).execute_if(dialect="postgresql"))
