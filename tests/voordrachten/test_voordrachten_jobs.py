"""The stale-voordracht sweep: whoever is waited on hears of it once per stale spell."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casus.approvals.models import Approval, ApprovalKind
from casus.database import utcnow
from casus.notifications.models import Notification
from casus.voordrachten.jobs import stale_voordrachten
from casus.voordrachten.models import Voordracht


def age(db, voordracht, days: int) -> None:
    db.session.execute(sa.update(Voordracht).where(Voordracht.id == voordracht.id)
                       .values(updated_at=utcnow() - timedelta(days=days)))
    db.session.expire(voordracht)


def stale(db) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(Notification.kind == "voordracht_stale")
                                   .order_by(Notification.id)).scalars())


def test_each_waiting_party_is_told_once(app, db, world, make_voordracht):
    review = make_voordracht("ter_beoordeling")
    db.session.add(Approval(kind=ApprovalKind.RIEC_VOORDRACHT, case_id=world["case"].id, team_id=world["team"].id,
                            voordracht_id=review.id, requested_by_id=world["supervisor2"].id, reason="Graag"))
    approved, sent = make_voordracht("goedgekeurd"), make_voordracht("ingediend")
    idle = [make_voordracht(state) for state in ("concept", "afgewezen", "aangenomen")]
    fresh = make_voordracht("ingediend")
    for voordracht in (review, approved, sent, *idle):
        age(db, voordracht, 20)
    age(db, fresh, 5)
    db.session.flush()

    assert stale_voordrachten(app, utcnow()) == 3
    got = {(n.user_id, n.link) for n in stale(db)}
    assert got == {(world["supervisor"].id, f"/voordrachten/{review.id}"),  # not the supervisor who asked
                   (world["regisseur"].id, f"/voordrachten/{approved.id}"),
                   (world["riec_user"].id, f"/voordrachten/{sent.id}")}
    to_riec = next(n for n in stale(db) if n.user_id == world["riec_user"].id)
    assert to_riec.case_id is None and world["case"].reference not in to_riec.title
    assert to_riec.title == f"RIEC-voordracht RV-{sent.id} ligt stil"
    assert next(n for n in stale(db) if n.user_id == world["regisseur"].id).case_id == world["case"].id

    assert stale_voordrachten(app, utcnow()) == 0  # a rerun sends nothing twice
    sent.summary = "Aangevuld"  # a change ends the stale spell (new version) ...
    db.session.flush()
    assert stale_voordrachten(app, utcnow()) == 0
    age(db, sent, 15)  # ... and a new one starts 14 days later
    db.session.flush()
    assert stale_voordrachten(app, utcnow()) == 1


def test_thirteen_days_is_not_stale_yet(app, db, world, make_voordracht):
    age(db, make_voordracht("ingediend"), 13)
    db.session.flush()
    assert stale_voordrachten(app, utcnow()) == 0


def test_inactive_users_and_other_riecs_are_not_told(app, db, world, make_voordracht):
    world["riec_user"].active = False
    age(db, make_voordracht("ingediend"), 30)
    db.session.flush()
    assert stale_voordrachten(app, utcnow()) == 0
