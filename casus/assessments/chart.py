"""The change in scores over time as a server-drawn SVG (no JavaScript): per leefgebied a group of horizontal
bars, one per assessment in date order, the bar's length its score on the 1–5 scale and the score written at its
end. The page shows the same figures in a table (rows domains, columns assessments), which the SVG names as its
text alternative. Pure geometry: no database, no request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casus.assessments.domains import SCALE

LABEL_WIDTH = 230  # the domains' labels, right-aligned against the plot
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_WIDTH = 300
CHART_WIDTH = PLOT_LEFT + PLOT_WIDTH + 40
SERIES_COLOURS = 6  # casus-chart__bar--0 … --5 in casus.css; further assessments reuse them in order
LEGEND_LINE = 22
ROW_GAP = 12
BAR_GAP = 2
NOT_SCORED = "–"


@dataclass(frozen=True)
class Series:
    """One assessment as the chart shows it: its legend text and its scores by domain code."""

    label: str
    scores: dict[str, int]


def _bar_height(series: int) -> int:
    return 14 if series <= 3 else 10 if series <= 6 else 6


def chart_of(rows: Sequence[tuple[str, str]], series: Sequence[Series]) -> dict:
    """The chart's geometry: ``rows`` are (code, label) of the domains, ``series`` the assessments, oldest first."""
    bar = _bar_height(len(series))
    group = len(series) * bar + max(len(series) - 1, 0) * BAR_GAP
    legend = [{"series": index % SERIES_COLOURS, "label": item.label, "y": 4 + index * LEGEND_LINE,
               "text_y": 16 + index * LEGEND_LINE} for index, item in enumerate(series)]
    scale_y = 8 + len(series) * LEGEND_LINE + 14
    top = scale_y + 10
    y, drawn = top, []
    for code, label in rows:
        bars = []
        for index, item in enumerate(series):
            score = item.scores.get(code)
            width = 0.0 if score is None else round(PLOT_WIDTH * score / SCALE[-1], 1)
            bar_y = y + index * (bar + BAR_GAP)
            bars.append({"series": index % SERIES_COLOURS, "y": bar_y, "width": width,
                         "text": NOT_SCORED if score is None else str(score),
                         "text_x": PLOT_LEFT + width + 6, "text_y": bar_y + bar - 1})
        drawn.append({"label": label, "label_y": y + group / 2 + 5, "bars": bars})
        y += group + ROW_GAP
    ticks = [{"x": PLOT_LEFT + round(PLOT_WIDTH * score / SCALE[-1], 1), "text": str(score)} for score in SCALE]
    return {"width": CHART_WIDTH, "height": max(y, top + 20), "plot_left": PLOT_LEFT, "label_x": LABEL_WIDTH,
            "bar_height": bar, "axis_top": top - 4, "axis_bottom": max(y - ROW_GAP + 4, top + 16),
            "scale_y": scale_y, "ticks": ticks, "rows": drawn, "legend": legend}
