"""The case pages' template helpers (casus.web.helpers)."""

from __future__ import annotations

from flask_babel import force_locale

from casus.web.helpers import enum_label, mask_bsn
from workflow import CasePhase


def test_a_bsn_shows_its_last_three_digits_only():
    assert mask_bsn("123456782") == "******782"
    assert mask_bsn(None) == mask_bsn("") == ""


def test_an_enum_value_is_labelled_in_the_users_language_and_an_unknown_one_shown_as_it_is(app):
    with app.test_request_context():
        with force_locale("nl"):
            dutch = enum_label(CasePhase, CasePhase.NAZORG.value)
        with force_locale("en"):
            english = enum_label(CasePhase, CasePhase.NAZORG.value)
        assert dutch == "Nazorg" and english != dutch
        assert enum_label(CasePhase, "no-such-phase") == "no-such-phase"
        assert enum_label(CasePhase, None) == enum_label(CasePhase, "") == ""
