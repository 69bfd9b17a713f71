"""The reports' scheduled job (``casus.scheduling.jobs``): the rollup counted again every 15 minutes."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from casus.reports.services import refresh_rollup


def refresh_report_rollup(app: Flask, now: datetime) -> int:
    """Count the reports' rollup from the cases again; the reports page then says "Bijgewerkt om" this run."""
    return refresh_rollup()
