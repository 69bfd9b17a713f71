"""Registering a data-subject request: the identification, the deadline, its extension, completion, the audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.clock import today
from casus.services import ServiceError
from casus.subject_requests import services
from casus.subject_requests.models import RequestStatus
from casus.subject_requests.services import Identification, add_months


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
])
def test_a_month_is_a_calendar_month_with_the_day_clamped(start, months, expected):
    assert add_months(start, months) == expected


def test_registration_gives_a_reference_a_deadline_and_an_audit_event_with_the_reference_as_purpose(
        db, privacy_world, register):
    received = today() - timedelta(days=3)
    registered = register(received_on=received)
    assert registered.reference == f"AVG-{received.year}-0001"
    assert registered.deadline_on == add_months(received, 1)
    assert registered.status == RequestStatus.ONTVANGEN
    assert register().reference.endswith("-0002")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "subject_request.registered")
                               .order_by(AuditEvent.id)).first()
    assert event.purpose == registered.reference and event.object_id == str(registered.id)
    assert event.activity == "privacyverzoek" and "111222333" not in str(event.details)


@pytest.mark.parametrize(("person", "field"), [
    ({}, "bsn"),
    ({"bsn": "123456789"}, "bsn"),  # fails the 11-proef
    ({"name": "Jan de Vries"}, "date_of_birth"),
    ({"date_of_birth": date(1980, 5, 17)}, "name"),
    ({"postcode": "1234AB"}, "huisnummer"),
    ({"postcode": "12AB", "huisnummer": "5"}, "postcode"),
])
def test_registration_needs_one_complete_identification(db, privacy_world, person, field):
    with pytest.raises(ServiceError) as refused:
        services.register_request(privacy_world["privacy"], kind="inzage", person=Identification(**person),
                                  identity_check="digid", identity_note=None, received_on=today(), description=None)
    assert refused.value.field == field


def test_name_and_birth_date_or_an_address_identify_too(db, privacy_world, register):
    by_name = register(name="  Jan  de Vries ", date_of_birth=date(1980, 5, 17))
    assert by_name.name == "Jan de Vries" and by_name.bsn is None
    by_address = register(postcode="1234 ab", huisnummer="5", toevoeging="a")
    assert (by_address.postcode, by_address.huisnummer, by_address.toevoeging) == ("1234AB", 5, "A")


def test_received_on_cannot_lie_in_the_future_and_only_the_privacy_officer_registers(db, privacy_world, register):
    with pytest.raises(ServiceError) as refused:
        register(received_on=today() + timedelta(days=1))
    assert refused.value.field == "received_on"
    with pytest.raises(ServiceError) as refused:
        services.register_request(privacy_world["supervisor"], kind="inzage", person=Identification(bsn="111222333"),
                                  identity_check="digid", identity_note=None, received_on=today(), description=None)
    assert refused.value.status == 403


def test_extension_needs_a_reason_and_a_letter_and_stays_within_two_months(db, privacy_world, register):
    officer = privacy_world["privacy"]
    registered = register(received_on=date(2026, 11, 30) if today() >= date(2026, 11, 30) else today())
    original = registered.deadline_on
    with pytest.raises(ServiceError) as refused:
        services.extend(officer, registered, months=1, reason=" ", letter_on=today(), expected_version=1)
    assert refused.value.field == "reason"
    with pytest.raises(ServiceError) as refused:
        services.extend(officer, registered, months=1, reason="Veel dossiers", letter_on=None, expected_version=1)
    assert refused.value.field == "letter_on"
    services.extend(officer, registered, months=1, reason="Veel dossiers", letter_on=today(), expected_version=1)
    assert registered.extended_deadline_on == add_months(original, 1) == registered.due_on
    with pytest.raises(ServiceError) as refused:
        services.extend(officer, registered, months=2, reason="Nog meer", letter_on=today(), expected_version=2)
    assert refused.value.field == "months"
    services.extend(officer, registered, months=1, reason="Nog meer", letter_on=today(), expected_version=2)
    assert registered.due_on == add_months(original, 2)
    with pytest.raises(ServiceError):
        services.extend(officer, registered, months=1, reason="Te lang", letter_on=today(), expected_version=3)
    with pytest.raises(ServiceError) as stale:
        services.extend(officer, registered, months=1, reason="Oud", letter_on=today(), expected_version=1)
    assert stale.value.status == 409
    assert db.session.scalar(sa.select(sa.func.count()).where(
        AuditEvent.action == "subject_request.extended", AuditEvent.purpose == registered.reference)) == 2


def test_completion_records_outcome_and_date_and_closes_the_request(db, privacy_world, register):
    registered = register()
    services.complete(privacy_world["privacy"], registered, outcome="toegewezen", note="Pakket verstuurd",
                      expected_version=1)
    assert registered.status == RequestStatus.AFGEROND and registered.completed_on == today()
    with pytest.raises(ServiceError) as refused:
        services.complete(privacy_world["privacy"], registered, outcome="afgewezen", note=None, expected_version=2)
    assert refused.value.status == 409
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "subject_request.completed")).one()
    assert event.details == {"outcome": "toegewezen", "on_time": True} and event.purpose == registered.reference
