"""How each page's cost grows with the data: a run (typically ``--big``, 1,000,000 cases) against an earlier run's
``--json`` (typically the default 100,000 cases), per backend and endpoint.

The cost compared is the in-process *1 client ms* (the median of single requests through the Flask test client:
no HTTP, no concurrency, no queueing), the part of a request that depends on the data; the p50 under load is
shown next to it for the endpoints without an in-process time (the POSTs). The issue's target: a page costs at
most ``TARGET``× at 1,000,000 cases what it costs at 100,000.
"""

from __future__ import annotations

import json
from pathlib import Path

TARGET = 1.2
KEPT = ("single_ms", "queries", "p50", "p95", "rps", "ratio", "list_ratio")


def baseline(path: Path) -> dict:
    """The comparable part of an earlier ``--json`` file: per backend its cases, machine, load and rows."""
    earlier = json.loads(path.read_text())
    return {"file": str(path), "started": earlier.get("started"), "machine": earlier.get("machine", {}),
            "backends": {b["backend"]: {"cases": b["cases"], "load_before": b.get("load_before"),
                                        "rows": {row["name"]: {key: row[key] for key in KEPT if key in row}
                                                 for row in b.get("rows", ()) if not row.get("missing")}}
                         for b in earlier.get("backends", ())}}


def attach(results: dict, earlier: dict) -> None:
    """Give every backend of ``results`` that the earlier run measured too, at another size, its ``compare``
    section (a merged report may hold the earlier run itself: it is not compared with itself)."""
    for backend in results["backends"]:
        before = earlier["backends"].get(backend["backend"])
        if before is not None and before["cases"] != backend["cases"]:
            backend["compare"] = {"file": earlier["file"], "started": earlier["started"],
                                  "cpu": earlier["machine"].get("cpu"), **before}


def ratio(now: float | None, before: float | None) -> float | None:
    return now / before if now is not None and before else None


def rows(backend: dict) -> list[dict]:
    """Per endpoint measured in both runs: the in-process cost at each size and its ratio, the same for p50
    under load, the SQL statements at each size."""
    compare = backend.get("compare")
    if not compare:
        return []
    found = []
    for row in backend["rows"]:
        before = compare["rows"].get(row["name"])
        if before is None or row.get("missing"):
            continue
        found.append({"name": row["name"], "single_before": before.get("single_ms"), "single": row.get("single_ms"),
                      "single_ratio": ratio(row.get("single_ms"), before.get("single_ms")),
                      "p50_before": before.get("p50"), "p50": row.get("p50"),
                      "p50_ratio": ratio(row.get("p50"), before.get("p50")),
                      "queries_before": before.get("queries"), "queries": row.get("queries")})
    return found


def _ms(value) -> str:
    return "–" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _times(value) -> str:
    return "–" if value is None else f"{value:.2f}×"


def render(backend: dict) -> list[str]:
    """The Markdown lines of the comparison (none without a ``compare`` section)."""
    found = rows(backend)
    if not found:
        return []
    compare = backend["compare"]
    small, big = f"{compare['cases']:,}", f"{backend['cases']:,}"
    load = compare.get("load_before")
    lines = [
        "",
        f"#### Cost at {big} cases against {small}",
        "",
        f"Compared with `{compare['file']}` (run of {compare['started']} on {compare.get('cpu') or 'unknown'}"
        + (f", load average before {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}" if load else "")
        + f"). *1 client ms* is the in-process cost of one request (no HTTP, no concurrency); target: at most "
          f"{TARGET:g}× at {big} what it is at {small}. p50 under load is shown for every endpoint, the only cost "
          "of the POSTs.",
        "",
        f"| Endpoint | 1 client ms at {small} | at {big} | ratio | target ≤ {TARGET:g}× | p50 ms at {small} | "
        f"at {big} | ratio | SQL/req at {small} → {big} |",
        "|---|--:|--:|--:|---|--:|--:|--:|--:|",
    ]
    met = measured = 0
    for row in found:
        verdict = ""
        if row["single_ratio"] is not None:
            verdict = "✅" if row["single_ratio"] <= TARGET else "❌"
            if "floor" not in row["name"]:  # the list floor is the control, not one of Casus's pages
                measured += 1
                met += row["single_ratio"] <= TARGET
        queries = (f"{row['queries_before']} → {row['queries']}"
                   if row["queries_before"] is not None or row["queries"] is not None else "–")
        lines.append(f"| {row['name']} | {_ms(row['single_before'])} | {_ms(row['single'])} | "
                     f"{_times(row['single_ratio'])} | {verdict} | {_ms(row['p50_before'])} | {_ms(row['p50'])} | "
                     f"{_times(row['p50_ratio'])} | {queries} |")
    lines += ["", f"- {met} of {measured} Casus endpoints with an in-process time cost at most {TARGET:g}× at {big} "
                  f"cases what they cost at {small}."]
    return lines
