"""The register of processing activities: complete rows that fit the audit columns, names in both languages, and a
version that goes up whenever the register changes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

import pytest

from casus.audit.models import AuditEvent
from casus.processing import (
    ACTIVITIES,
    CONTROLLER,
    ID_MAX,
    LEGAL_BASIS_MAX,
    REGISTER_VERSION,
    SECURITY_MEASURES,
    TRANSFERS,
    activity,
)

# The register's fingerprint per version. When this test fails you changed the register: raise REGISTER_VERSION in
# casus/processing.py and add the new version's fingerprint here (the failure prints it).
FINGERPRINTS = {
    "2026.1": "f05012806f54535815c895fe8dcae9a4eabe668f25ebc1af648ecbf1d2f1b859",
    "2026.2": "0e5cf7d786319645be368323465ebc41b35e3d6ef581fb380df0dd9c975f2391",
    "2026.3": "2df29d90cd2c6b9bde24570ed4e7c73e076bce61acc17c5c8bb8af7747f46e2a",
    "2026.4": "01ce249d68778d9fd3b2726273cc3ea84a9568215d6d52020081a450ca2106d2",
}


def fingerprint() -> str:
    register = {"controller": CONTROLLER, "transfers": TRANSFERS, "security": SECURITY_MEASURES,
                "activities": [dataclasses.asdict(entry) for entry in ACTIVITIES]}
    return hashlib.sha256(json.dumps(register, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def test_a_changed_register_has_a_new_version():
    assert re.fullmatch(r"\d{4}\.\d+", REGISTER_VERSION)
    assert FINGERPRINTS.get(REGISTER_VERSION) == fingerprint(), (
        f"the register changed: raise REGISTER_VERSION and record {REGISTER_VERSION!r}: {fingerprint()!r}")


def test_ids_are_unique_stable_words_that_fit_the_audit_column():
    ids = [entry.id for entry in ACTIVITIES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z_]*", activity_id) for activity_id in ids)
    assert AuditEvent.__table__.c.activity.type.length == ID_MAX
    assert max(map(len, ids)) <= ID_MAX


def test_every_legal_basis_fits_the_audit_column_and_names_the_avg():
    assert AuditEvent.__table__.c.legal_basis.type.length == LEGAL_BASIS_MAX
    for entry in ACTIVITIES:
        assert len(entry.legal_basis) <= LEGAL_BASIS_MAX, entry.id
        assert entry.legal_basis.startswith("AVG "), entry.id
        assert any(source.startswith("AVG art. 6") or "AVG art. 5" in source for source in entry.legal_sources)


@pytest.mark.parametrize("entry", ACTIVITIES, ids=lambda entry: entry.id)
def test_every_row_has_what_article_30_asks(entry):
    assert entry.purpose.strip() and entry.retention.strip()
    for texts in (entry.legal_sources, entry.data_subjects, entry.data_categories, entry.recipients):
        assert texts and all(text.strip() for text in texts)


def test_the_activities_the_issue_names_are_registered():
    for activity_id in ("casusregie", "signaal_melden", "triage", "casusoverleg", "riec_voordracht", "escalatie",
                        "rapportage", "privacyverzoek", "toezicht", "beheer", "account"):
        assert activity(activity_id).id == activity_id
    with pytest.raises(KeyError):
        activity("onbekend")


def test_every_name_is_dutch_with_english_in_the_catalogue(app):
    from casus.labels import translate

    with app.app_context():
        english = {entry.id: translate(entry.name, "en") for entry in ACTIVITIES}
    assert english["casusregie"] == "Case management"
    assert english["toezicht"] == "Audit and supervision"
    untranslated = [activity_id for activity_id, name in english.items()
                    if name == activity(activity_id).name and activity_id != "triage"]  # Triage is English too
    assert not untranslated
