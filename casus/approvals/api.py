"""The approvals API under /api/v1 (being built)."""

from __future__ import annotations

from casus.api import ApiBlueprint

blp = ApiBlueprint("approvals_api", __name__, description="approvals")
