"""The retention domain's scheduled work: the monthly destruction lists (docs/PRIVACY.md, "Destruction lists").

``propose_destruction_lists`` runs on the first of each month (``casus.scheduling.jobs``) and can be run at once
with ``casus retention propose-lists``. Idempotent: one list per team and month (a unique constraint), and what
is on an open list is not proposed again, so a rerun or a catch-up after downtime adds nothing.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from casus.clock import local_zone
from casus.retention.lists import propose_lists

__all__ = ["propose_destruction_lists"]


def propose_destruction_lists(app: Flask, now: datetime) -> int:
    """Propose this month's destruction lists; returns how many were proposed (the scheduler commits)."""
    return len(propose_lists(now.astimezone(local_zone()).date()))
