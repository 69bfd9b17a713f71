"""The search key of a name or title: what name and title search compare (docs/ARCHITECTURE.md, "Search")."""

from __future__ import annotations

import unicodedata


def fold(value: str | None) -> str | None:
    """Lower case, single spaces and no accents: "De  Vriës" -> "de vries", so a search for "vries", "Vries" or
    "Vriës" finds it. None (or blank) stays None: nothing to find."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.lower())
    folded = " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())
    return folded or None
