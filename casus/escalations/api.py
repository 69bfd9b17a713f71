"""The escalations API under /api/v1 (being built)."""

from __future__ import annotations

from casus.api import ApiBlueprint

blp = ApiBlueprint("escalations_api", __name__, description="escalations")
