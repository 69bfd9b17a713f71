from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, utcnow
from casus.extensions import db
from casus.users.models import User


class TimelineEvent(db.Model):
    """One line in the tijdlijn. Events about a restricted note or document carry ``note_id`` or ``document_id`` so
    the policy can hide them; events that quote a meeting's date carry ``meeting_id`` so moving the meeting can
    rewrite them."""

    __tablename__ = "timeline_events"
    __table_args__ = (sa.Index("ix_timeline_case_time", "case_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(40))
    summary: Mapped[str] = mapped_column(sa.String(500))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    note_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notes.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    # A line about a document names only its type; the policy hides it from readers who may not see the document.
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)

    actor: Mapped[User | None] = relationship(lazy="raise")
