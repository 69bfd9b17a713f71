"""ServiceError: Dutch in the code, in the user's language on screen, placeholders filled after translating."""

from flask_babel import force_locale

from casus.services import ServiceError


def test_a_message_with_placeholders_is_translated_then_filled(app):
    with app.test_request_context(), force_locale("en"):
        error = ServiceError("Hoogstens %(max)s tekens.", field="text", max=2000)
    assert error.message == "At most 2000 characters." and error.field == "text"


def test_dutch_stays_dutch_and_outside_a_request_the_values_are_still_filled(app):
    with app.test_request_context(), force_locale("nl"):
        assert ServiceError("Onbekende rol: %(roles)s", roles="x, y").message == "Onbekende rol: x, y"
    assert ServiceError("Hoogstens %(max)s tekens.", max=5).message == "Hoogstens 5 tekens."


def test_str_of_a_service_error_has_its_placeholders_filled_outside_a_request():
    """Regression: the CLI printed ``Onbekende organisatie: %(name)s``."""
    error = ServiceError("Onbekende organisatie: %(name)s", name="Gemeente Nergens")
    assert str(error) == "Onbekende organisatie: Gemeente Nergens"
