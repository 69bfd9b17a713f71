from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.users.models import User


class Notification(db.Model):
    """One message to one user, recorded under a unique ``key`` so that no job sends it twice.

    ``title`` is stored in the recipient's language at creation; pages re-render it from ``kind`` and
    ``params`` in the reader's current language (see :mod:`casus.notifications.kinds`). Neither holds
    more than the recipient may see: a kind of thing and a case reference, never a name.

    E-mail: ``next_attempt_at`` is when the e-mail is (next) due; NULL once sent, given up, or when no
    e-mail is wanted. ``email_attempts`` counts tries, ``last_error_kind`` holds an exception class name.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_id_desc", "user_id", "id"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_next_attempt", "next_attempt_at"),
        sa.Index("ix_notifications_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error_kind: Mapped[str | None] = mapped_column(sa.String(80))

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind}>"


class Delivery(LabelledEnum):
    """How a user wants notifications of one kind: e-mailed at once, in the daily digest, or only in the app."""

    IMMEDIATELY = "direct", N_("Direct per e-mail")
    DIGEST = "dagoverzicht", N_("In het dagelijkse overzicht")
    IN_APP = "alleen_in_app", N_("Alleen in Casus")


class NotificationPreference(db.Model):
    """A user's choice of delivery for one notification kind; no row means the kind's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "notification_delivery"))
