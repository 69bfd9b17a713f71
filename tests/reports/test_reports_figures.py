"""The suppression rules, cell by cell (casus.reports.figures); whole reports against a dataset are tested in
test_reports_services.py."""

from __future__ import annotations

import pytest

from casus.reports.figures import Reason, count_column, days_cell, percent_cell, percentile, total_cell


def test_withheld_cells_carry_no_value():
    cells, total = count_column([1, 4, 5, 0], 5)
    assert [(cell.value, cell.display, cell.suppressed) for cell in cells] == [
        (None, "<5", True), (None, "<5", True), (5, "5", False), (0, "0", False)]
    assert (total.value, total.display, total.reason) == (None, "–", Reason.DERIVABLE)
    assert total_cell(3, [], 5).display == "<5"
    assert count_column([5, 7], 5)[1].value == 12


def test_medians_and_percentages_are_withheld_with_what_they_are_made_of():
    assert days_cell(3.04, 5, 5, "nl").display == "3,0" and days_cell(3.04, 5, 5, "en").display == "3.0"
    assert (days_cell(3.0, 4, 5, "nl").display, days_cell(3.0, 4, 5, "nl").reason) == ("–", Reason.FEW_CASES)
    shown, hidden = count_column([6], 5)[0][0], count_column([3], 5)[0][0]
    assert percent_cell(shown, count_column([12], 5)[0][0]).display == "50%"
    assert percent_cell(hidden, count_column([12], 5)[0][0]).suppressed
    assert percent_cell(shown, hidden).suppressed


def test_percentile_interpolates_like_percentile_cont():
    assert percentile([1, 2, 3, 4, 10], 0.9) == pytest.approx(7.6)
    assert percentile([1, 2, 3, 4], 0.5) == pytest.approx(2.5)
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None
