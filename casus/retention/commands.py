"""``casus retention propose-lists``: propose this month's destruction lists now, as the monthly job does."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from casus.scheduling.jobs import registry
from casus.scheduling.runner import run_job


@click.group("retention")
def retention_group() -> None:
    """The data lifecycle: destruction lists (docs/PRIVACY.md)."""


@retention_group.command("propose-lists")
@with_appcontext
def propose_lists_command() -> None:
    """Propose the destruction lists of this month now (idempotent: one list per team and month)."""
    proposed = run_job(current_app._get_current_object(), registry()["destruction_lists"])
    if proposed is None:
        raise click.ClickException("Het voorstellen van de vernietigingslijsten is mislukt; zie het log.")
    click.echo(f"Vernietigingslijsten voorgesteld: {proposed}.")
