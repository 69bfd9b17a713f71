"""Data-subject requests (AVG art. 15–21), handled by the privacyfunctionaris as the one contact point.

A request is registered first (kind, the person, how identity was verified, when it arrived); only inside a
registered request may the privacy officer search for the person across all cases and signals, whatever team.
The subjects confirmed as the person are the request's matches. An inzage is reviewed item by item: an item may
be withheld with a recorded ground, and the request keeps that decision, never the withheld content.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casus.database import UTCDateTime, enum_column, utcnow
from casus.extensions import db
from casus.labels import N_, LabelledEnum
from casus.users.models import User


class RequestKind(LabelledEnum):
    INZAGE = "inzage", N_("Inzage")
    RECTIFICATIE = "rectificatie", N_("Rectificatie")
    WISSING = "wissing", N_("Wissing")
    BEPERKING = "beperking", N_("Beperking")
    BEZWAAR = "bezwaar", N_("Bezwaar")


class RequestStatus(LabelledEnum):
    ONTVANGEN = "ontvangen", N_("Ontvangen")
    IN_BEHANDELING = "in_behandeling", N_("In behandeling")
    AFGEROND = "afgerond", N_("Afgerond")


class RequestOutcome(LabelledEnum):
    TOEGEWEZEN = "toegewezen", N_("Toegewezen")
    DEELS_TOEGEWEZEN = "deels_toegewezen", N_("Gedeeltelijk toegewezen")
    AFGEWEZEN = "afgewezen", N_("Afgewezen")
    INGETROKKEN = "ingetrokken", N_("Ingetrokken door verzoeker")


class IdentityCheck(LabelledEnum):
    """How the privacy officer established that the requester is the person (AVG art. 12(6))."""

    ID_BEWIJS = "id_bewijs", N_("Identiteitsbewijs getoond aan de balie")
    DIGID = "digid", N_("Ingelogd met DigiD")
    KOPIE_ID = "kopie_id", N_("Afgeschermde kopie identiteitsbewijs")
    GEMACHTIGDE = "gemachtigde", N_("Gemachtigde met machtiging en identiteitsbewijs")


class WithholdingGround(LabelledEnum):
    RECHTEN_ANDEREN = "rechten_anderen", N_("Rechten en vrijheden van anderen (AVG art. 15 lid 4)")
    AVG_23 = "avg_23", N_("Beperking op grond van AVG art. 23 / UAVG art. 41")
    OPSPORING = "opsporing", N_("Voorkoming en opsporing van strafbare feiten (UAVG art. 41 lid 1 sub d)")


class SubjectRequest(db.Model):
    """One request by (or for) one person. The person's identifying fields are what the requester gave."""

    __tablename__ = "subject_requests"
    __table_args__ = (
        sa.Index("ix_subject_requests_status_deadline", "status", "deadline_on", "id"),
        sa.CheckConstraint("extended_deadline_on IS NULL OR extension_reason IS NOT NULL",
                           name="extension_has_reason"),
        sa.CheckConstraint("status != 'afgerond' OR (outcome IS NOT NULL AND completed_on IS NOT NULL)",
                           name="completion_has_outcome"),
        # A wissing is carried out only on the confirmation of a second privacy officer (casus.subject_requests.
        # rights): never the one who granted it.
        sa.CheckConstraint("erasure_confirmed_by_id IS NULL OR (erasure_granted_by_id IS NOT NULL "
                           "AND erasure_confirmed_by_id != erasure_granted_by_id)", name="erasure_four_eyes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)  # AVG-2026-0001
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind, "request_kind"))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, "request_status"),
                                                  default=RequestStatus.ONTVANGEN)
    # The person as the requester identified themselves: BSN, or name and date of birth, or an address.
    bsn: Mapped[str | None] = mapped_column(sa.String(9))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    postcode: Mapped[str | None] = mapped_column(sa.String(6))
    huisnummer: Mapped[int | None] = mapped_column()
    toevoeging: Mapped[str | None] = mapped_column(sa.String(6))
    identity_check: Mapped[IdentityCheck] = mapped_column(enum_column(IdentityCheck, "identity_check"))
    identity_note: Mapped[str | None] = mapped_column(sa.Text)
    received_on: Mapped[date] = mapped_column(sa.Date)
    deadline_on: Mapped[date] = mapped_column(sa.Date)  # one month after received_on (AVG art. 12(3))
    extended_deadline_on: Mapped[date | None] = mapped_column(sa.Date)  # by at most two further months
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    extension_letter_on: Mapped[date | None] = mapped_column(sa.Date)  # when the requester was told
    # What the request asks for, in the requester's words (rectificatie: which data is wrong).
    description: Mapped[str | None] = mapped_column(sa.Text)
    registered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[RequestOutcome | None] = mapped_column(enum_column(RequestOutcome, "request_outcome"))
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    package_produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wissing in two steps: granted by one privacy officer, carried out when a second one confirms.
    erasure_granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    erasure_granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erasure_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    erasure_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id], lazy="raise")
    matches: Mapped[list[SubjectRequestMatch]] = relationship(lazy="raise", order_by="SubjectRequestMatch.id",
                                                             cascade="all, delete-orphan")
    items: Mapped[list[SubjectRequestItem]] = relationship(lazy="raise", order_by="SubjectRequestItem.id",
                                                          cascade="all, delete-orphan")

    @property
    def due_on(self) -> date:
        return self.extended_deadline_on or self.deadline_on

    @property
    def is_open(self) -> bool:
        return self.status != RequestStatus.AFGEROND


class SubjectRequestMatch(db.Model):
    """A subject the privacy officer confirmed as the requesting person. NULL once that subject is erased."""

    __tablename__ = "subject_request_matches"
    __table_args__ = (sa.UniqueConstraint("request_id", "subject_id", name="one_match_per_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id", ondelete="SET NULL"), index=True)
    confirmed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubjectRequestItem(db.Model):
    """One item of an inzage package and the privacy officer's decision on it.

    ``item_key`` names the item (``case:12``, ``note:44``, ``signal:3``, ``participation:9``, ``access:case:12``);
    a withheld item keeps its key, kind and ground — never its content.
    """

    __tablename__ = "subject_request_items"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "item_key", name="one_decision_per_item"),
        sa.CheckConstraint("NOT withheld OR ground IS NOT NULL", name="withholding_has_ground"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("subject_requests.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(sa.String(60))
    item_kind: Mapped[str] = mapped_column(sa.String(30))
    withheld: Mapped[bool] = mapped_column(default=False)
    ground: Mapped[WithholdingGround | None] = mapped_column(enum_column(WithholdingGround, "withholding_ground"))
    ground_note: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubjectCorrection(db.Model):
    """Rectificatie history: the old value, visible to the privacy officer only. Goes with its subject."""

    __tablename__ = "subject_corrections"
    __table_args__ = (sa.Index("ix_subject_corrections_subject", "subject_id", "corrected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subject_requests.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.String(250))
    new_value: Mapped[str | None] = mapped_column(sa.String(250))
    corrected_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubjectRestriction(db.Model):
    """A *beperking* (AVG art. 18): while active, the subject's cases refuse changes except by the privacy officer."""

    __tablename__ = "subject_restrictions"
    __table_args__ = (
        sa.Index("ix_subject_restrictions_subject", "subject_id", "lifted_at"),
        sa.CheckConstraint("lifted_at IS NULL OR lifted_by_id IS NOT NULL", name="lift_has_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subject_requests.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    placed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
