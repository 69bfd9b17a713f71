"""One CSV-injection guard for every export (reports, the audit log, the trail, the processing register)."""

import pytest

from casus.web.exports import csv_cell


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+31", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_start_becomes_text(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "expected"), [("Gemeente Testdorp", "Gemeente Testdorp"), (None, ""), (12, "12"),
                                                 ("", ""), ("a=b", "a=b")])
def test_other_values_are_left_as_they_are(value, expected):
    assert csv_cell(value) == expected
