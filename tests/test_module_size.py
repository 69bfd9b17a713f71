"""No module in casus/ is over 500 lines: a module that grows past that does more than one thing and
is split by topic, the way meetings/ splits its services into services, series, agenda and minutes.

Not counted: the migrations (casus/migrations is a link to the top-level migrations/, one file per revision)
and generated files (none are Python today: the translations are .po/.mo catalogues).
"""

from __future__ import annotations

import os
from pathlib import Path

import casus

LIMIT = 500
PACKAGE = Path(casus.__file__).parent
# Files under casus/ that a tool writes; their length is the tool's business, not a design smell.
GENERATED: frozenset[str] = frozenset()


def line_counts() -> dict[str, int]:
    """Every hand-written module under casus/, by its path relative to casus/, with its number of lines."""
    counts = {}
    # os.walk does not follow links: casus/migrations and casus/templates point out of the package.
    for directory, _subdirectories, files in os.walk(PACKAGE):
        for name in files:
            path = Path(directory, name)
            relative = path.relative_to(PACKAGE).as_posix()
            if name.endswith(".py") and relative not in GENERATED:
                with path.open(encoding="utf-8") as source:
                    counts[relative] = sum(1 for _line in source)
    return counts


def test_every_hand_written_module_is_counted_and_no_migration():
    counts = line_counts()
    assert {"__init__.py", "policy/__init__.py", "policy/roles.py", "meetings/services.py",
            "meetings/agenda.py"} <= set(counts)
    assert not [path for path in counts if path.startswith("migrations/")]
    assert (PACKAGE / "migrations").is_symlink()  # if migrations ever move into the package, exclude them here


def test_no_module_is_over_500_lines():
    too_long = {path: lines for path, lines in sorted(line_counts().items()) if lines > LIMIT}
    assert not too_long, f"split these by topic (at most {LIMIT} lines each): {too_long}"
