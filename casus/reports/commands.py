"""``casus reports refresh``: the reports' rollup counted again now, as the scheduler does every 15 minutes."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from casus.cases.models import Case
from casus.extensions import db
from casus.reports.services import refresh_rollup


@click.group("reports")
def reports_group() -> None:
    """The supervisors' reports."""


@reports_group.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Count the reports' rollup from the cases again (after a restore or a bulk import, or on a fresh install so
    the reports page need not count from the cases until the scheduler's first run)."""
    cases = db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one()
    with click.progressbar(length=cases, label="Rapportagecijfers tellen", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        rows = refresh_rollup(bar.update)
    click.echo(f"Rapportagecijfers bijgewerkt: {rows} {'rij' if rows == 1 else 'rijen'}.")
