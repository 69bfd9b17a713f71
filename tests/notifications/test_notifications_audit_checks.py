"""The daily verification of the audit chain notifies the active privacy officers when it finds something."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from casus.audit.models import AuditSeal, AuditVerification
from casus.notifications.audit_checks import verify_audit_log
from casus.notifications.kinds import render_title

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 04:00 in Amsterdam


def verifications(db) -> list[AuditVerification]:
    return list(db.session.execute(sa.select(AuditVerification)).scalars())


def test_a_clean_verification_notifies_nobody(app, db, make_user, notifications_of):
    make_user("privacy")
    assert verify_audit_log(app, NOW) == 0
    assert notifications_of() == []
    (stored,) = verifications(db)
    assert (stored.ok, stored.started_by) == (True, "scheduler")


def test_a_finding_notifies_each_active_privacy_officer_once(app, db, make_user, notifications_of):
    officer = make_user("privacy")
    make_user("privacy", active=False)
    make_user("beheerder")
    # A seal nobody can have signed (the tests' app has no key): a finding.
    db.session.add(AuditSeal(sealed_at=NOW, head_position=0, head_hash="0" * 64, event_count=0, key_id="hmac-x",
                             signature="forged"))
    db.session.flush()
    assert verify_audit_log(app, NOW) == 1
    (notification,) = notifications_of()
    assert (notification.user_id, notification.kind, notification.link) == (officer.id, "audit_verification_failed",
                                                                             "/audit")
    assert notification.params == {"count": 1, "date": "2026-12-07"}
    assert notification.next_attempt_at is not None, "e-mailed too"
    assert render_title(notification.kind, notification.params, "nl") == "Controle van het auditlog: 1 bevinding"
    assert render_title(notification.kind, notification.params, "en") == "Audit log check: 1 finding"
    assert verify_audit_log(app, NOW) == 1, "each verification that finds something notifies again"
    assert [stored.ok for stored in verifications(db)] == [False, False]
