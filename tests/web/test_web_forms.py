"""The form→service→flash pattern (casus.web.forms.submit_form): what the view gets back and what the user sees."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from casus.services import ServiceError
from casus.versioning import StaleVersion
from casus.web.fields import VersionField
from casus.web.forms import submit_form


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(validators=[InputRequired()])


class VersionedForm(NameForm):
    version = VersionField()


def refuse(error: Exception):
    def change():
        raise error

    return change


@pytest.fixture
def post(app):
    def post(data: dict):
        return app.test_request_context("/", method="POST", data=data)

    return post


def test_a_saved_change_answers_true_with_the_result_and_flashes_its_success(post):
    with post({"name": "Ada"}):
        form = NameForm()
        submission = submit_form(form, lambda: form.name.data.upper(), success=lambda name: f"{name} opgeslagen")
        assert submission and submission.result == "ADA"
        assert get_flashed_messages(with_categories=True) == [("success", "ADA opgeslagen")]


def test_an_invalid_form_calls_no_service(post):
    called = []
    with post({}):
        form = NameForm()
        submission = submit_form(form, lambda: called.append(True), success="opgeslagen")
        assert not submission and submission.status == 200 and not called
        assert form.name.errors and not get_flashed_messages()


def test_a_refusal_about_a_field_goes_next_to_it(post):
    with post({"name": "Ada"}):
        form = NameForm()
        submission = submit_form(form, refuse(ServiceError("Deze naam bestaat al.", field="name")), success="ja")
        assert not submission and submission.status == 200
        assert form.name.errors == ["Deze naam bestaat al."] and not get_flashed_messages()


def test_a_refusal_about_no_field_is_flashed(post):
    with post({"name": "Ada"}):
        form = NameForm()
        submission = submit_form(form, refuse(ServiceError("Dit kan nu niet.")), success="ja")
        assert not submission
        assert get_flashed_messages(with_categories=True) == [("error", "Dit kan nu niet.")]


def test_a_stale_save_is_a_conflict_shown_again_with_409(post):
    with post({"name": "Ada", "version": "3"}):
        form = VersionedForm()
        submission = submit_form(form, refuse(StaleVersion(4)), success="ja")
        assert not submission and submission.stale and submission.status == 409
        [(category, message)] = get_flashed_messages(with_categories=True)
        assert category == "error" and "intussen gewijzigd" in message


def test_a_form_without_its_version_is_shown_again_with_400(post):
    with post({"name": "Ada"}):
        submission = submit_form(VersionedForm(), lambda: None, success="ja")
        assert not submission and submission.status == 400
