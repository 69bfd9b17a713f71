"""Betrokkenen are checked once, by rules that name the field they check (never guessed from the wording)."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from casus.services import ServiceError
from casus.subjects import validation
from casus.subjects.services import SubjectInput, check, subject_errors, validated

TODAY = date(2026, 11, 21)
VALID_BSN = "111222333"


@pytest.mark.parametrize(("validate", "value", "field"), [
    (validation.bsn, "12345", "bsn"),
    (validation.bsn, "123456789", "bsn"),
    (validation.postcode, "12345", "postcode"),
    (validation.huisnummer, "12a", "huisnummer"),
    (validation.toevoeging, "toolong!", "toevoeging"),
    (validation.kvk_nummer, "1234567", "kvk_nummer"),
])
def test_each_validator_names_its_field(validate, value, field):
    with pytest.raises(ServiceError) as refused:
        validate(value)
    assert refused.value.field == field


def test_a_date_of_birth_in_the_future_is_refused_on_its_field():
    with pytest.raises(ServiceError) as refused:
        validation.date_of_birth(date(2030, 1, 1), TODAY)
    assert refused.value.field == "date_of_birth"


def test_every_problem_is_found_at_once_each_on_its_own_field():
    data = SubjectInput(kind="persoon", name="", date_of_birth=date(2030, 1, 1), bsn="123456789",
                        postcode="12345", huisnummer="x", toevoeging="toolong!")
    _values, problems = check(data, TODAY)
    assert [problem.field for problem in problems] == [
        "name", "date_of_birth", "bsn", "postcode", "huisnummer", "toevoeging"]
    assert set(subject_errors(data, TODAY)) == {problem.field for problem in problems}


def test_valid_input_gives_the_normalised_columns_and_no_problem():
    values, problems = check(SubjectInput(kind="adres", postcode="1234 ab", huisnummer=" 12 ", toevoeging="a"),
                             TODAY)
    assert problems == []
    assert values == {"kind": "adres", "postcode": "1234AB", "huisnummer": 12, "toevoeging": "A"}


def test_the_service_names_the_field_as_the_signal_form_does():
    with pytest.raises(ServiceError) as refused:
        validated(SubjectInput(kind="bedrijf", name="Handel B.V.", kvk_nummer="123"), TODAY, index=2)
    assert refused.value.field == "subjects-2-kvk_nummer"


def test_an_unknown_kind_is_refused_on_the_kind_field():
    assert subject_errors(SubjectInput(kind="dier"), TODAY) == {
        "kind": "Kies persoon, adres, bedrijf, huishouden of groep."}


def test_messages_come_from_the_catalogue(app):
    with app.test_request_context(), force_locale("en"):
        errors = subject_errors(SubjectInput(kind="persoon", name="Jan", bsn="123456789"), TODAY)
    assert errors["bsn"] == "This BSN is not valid (the 11-proef fails). Check the digits."
