"""One way to label an enum: Dutch source texts marked N_ in the enum, English from the catalogue."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from casus.approvals.models import ApprovalStatus
from casus.labels import Labels, choices, enum_label, label, lazy_choices, translate
from casus.meetings.models import AgendaPurpose
from workflow import ActionStatus, CasePhase


def test_a_label_is_dutch_in_dutch_and_english_in_english(app):
    with app.app_context():
        assert label(CasePhase.AANPAK_PLAN, "nl") == "Aanpak: plan"
        assert label(CasePhase.AANPAK_PLAN, "en") == "Approach: plan"
        assert label(CasePhase.AANPAK_PLAN, "en_GB") == "Approach: plan"


def test_without_a_locale_the_request_language_counts(app):
    for language, expected in (("nl", "Nazorg"), ("en", "Aftercare")):
        with app.test_request_context(), force_locale(language):
            assert label(CasePhase.NAZORG) == expected


def test_the_context_tells_apart_one_dutch_word_english_translates_twice(app):
    with app.app_context():
        assert ActionStatus.OPEN.label_nl == ApprovalStatus.OPEN.label_nl == "Open"
        assert label(ActionStatus.OPEN, "en") == "Open"
        assert label(ApprovalStatus.OPEN, "en") == "Pending"
        assert label(AgendaPurpose.AFSCHALEN, "en") == "Step down"
        assert translate("Afschalen", "en") == "De-escalate"  # the button, without the context


def test_outside_an_application_the_text_stays_dutch():
    assert label(CasePhase.NAZORG, "en") == "Nazorg"


def test_a_stored_value_is_labelled_and_an_unknown_one_shown_as_it_is(app):
    with app.app_context():
        assert enum_label(CasePhase, "nazorg", "en") == "Aftercare"
        assert enum_label(CasePhase, "no-such-phase", "en") == "no-such-phase"
        assert enum_label(CasePhase, None) == enum_label(CasePhase, "") == ""


def test_labels_for_templates_read_as_a_function_and_as_a_mapping(app):
    with app.test_request_context(), force_locale("en"):
        phases = Labels(CasePhase)
        assert phases("nazorg") == phases["nazorg"] == phases.get("nazorg") == "Aftercare"


def test_choices_follow_the_enum_or_the_members_given(app):
    with app.app_context():
        assert [(c.value, c.label) for c in choices(ActionStatus, "en")] == [
            ("open", "Open"), ("in_uitvoering", "In progress"), ("gereed", "Done"), ("vervallen", "Cancelled")]
        picked = choices(CasePhase, "nl", [CasePhase.NAZORG, CasePhase.TRIAGE])
        assert [(c.value, c.label) for c in picked] == [("nazorg", "Nazorg"), ("triage", "Triage")]


@pytest.mark.parametrize(("language", "expected"), [("nl", "Nazorg"), ("en", "Aftercare")])
def test_lazy_choices_are_labelled_when_shown(app, language, expected):
    lazy = {c.value: c.label for c in lazy_choices(CasePhase)}
    with app.test_request_context(), force_locale(language):
        assert str(lazy["nazorg"]) == expected


def test_templates_can_label_a_stored_value(app):
    with app.test_request_context(), force_locale("en"):
        rendered = app.jinja_env.from_string("{{ enum_label(CasePhase, 'aanpak.plan') }}").render(CasePhase=CasePhase)
    assert rendered == "Approach: plan"
