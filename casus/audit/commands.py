"""``casus audit seal`` and ``casus audit verify`` (docs/OPERATIONS.md, "The audit chain")."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from casus.audit.seals import SealRefused, seal_chain
from casus.audit.verify import counted, render, run_verification
from casus.extensions import db


@click.group("audit")
def audit_group() -> None:
    """The audit log's hash chain: seal its head, verify it against the seals."""


@audit_group.command("seal")
@with_appcontext
def seal_command() -> None:
    """Chain pending events and seal the chain's head (signed; to the seal directory and/or by e-mail)."""
    try:
        seal = seal_chain(current_app, db.session)
    except SealRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(f"Zegel gezet: positie {seal.head_position}, {counted(seal.event_count, 'schakel', 'schakels')}, "
               f"sleutel {seal.key_id}, "
               f"bewaard in: {seal.destinations.replace(',', ', ')}.")


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Recompute the chain and check it against the seals; exits with 1 on any finding."""
    report, _row = run_verification(current_app, db.session, started_by="cli")
    db.session.commit()
    click.echo(render(report))
    if not report.ok:
        click.get_current_context().exit(1)
