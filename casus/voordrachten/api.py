"""The voordrachten API under /api/v1 (being built)."""

from __future__ import annotations

from casus.api import ApiBlueprint

blp = ApiBlueprint("voordrachten_api", __name__, description="voordrachten")
