"""What a request is about reads in lower case inside a sentence, in every approval notification."""

import pytest

from casus.notifications.kinds import render_intro, render_title

APPROVAL_KINDS = ("approval_requested", "approval_decided", "approval_withdrawn", "approval_reminder")


@pytest.mark.parametrize("kind", APPROVAL_KINDS)
def test_what_the_request_is_about_is_lowered_inside_the_sentence(app, kind):
    params = {"what": "Vroegtijdig afsluiten", "reference": "2026-00042", "verdict": "Goedgekeurd",
              "date": "2026-12-01"}
    with app.test_request_context():
        text = render_title(kind, params, "nl") + " " + render_intro(kind, params, "nl")
    assert "Vroegtijdig" not in text
    assert "vroegtijdig afsluiten" in render_intro(kind, params, "nl")


def test_an_acronym_keeps_its_capitals(app):
    params = {"what": "RIEC-voordracht", "reference": "2026-00042", "verdict": "Goedgekeurd"}
    with app.test_request_context():
        assert "RIEC-voordracht" in render_intro("approval_decided", params, "nl")
