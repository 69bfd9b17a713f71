"""The reports API under /api/v1 (being built)."""

from __future__ import annotations

from casus.api import ApiBlueprint

blp = ApiBlueprint("reports_api", __name__, description="reports")
