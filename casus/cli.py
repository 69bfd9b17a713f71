"""The ``casus`` command line (also ``flask --app casus``: pyproject.toml lists the commands as ``flask.commands``
entry points, so the app factory never imports this module — the command line stands above the app).

Every command is registered on the group itself, so ``casus --help`` lists them all without building the
application: listing needs no configuration. A command that needs the app builds it when it runs and, when a
setting is missing, says which one in one line.

``casus seed`` and ``casus demo`` are not defined here: they are tooling (package ``casus_seed``, with Faker as
an optional dependency) and join the group as Flask CLI plugins (the ``flask.commands`` entry points).
"""

from __future__ import annotations

import copy
import functools
import sys

import click
import sqlalchemy as sa
from flask import current_app, g
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from casus import create_app
from casus.audit.commands import audit_group
from casus.config import ConfigError
from casus.database_roles import GrantRefused, check_applicable, grant_runtime
from casus.documents.commands import documents_group
from casus.extensions import db
from casus.organisations.models import OrganisationKind
from casus.reports.commands import reports_group
from casus.scheduling.runner import scheduler_command
from casus.search.commands import search_group


class CasusGroup(FlaskGroup):
    """Flask's group, minus loading the app just to list commands (ours are all on the group)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


def main() -> None:
    cli = CasusGroup(create_app=_create_app_or_explain, help="Casus: casuscoördinatie.")
    for command in (*all_commands(), _migrations_group()):
        cli.add_command(command)
    cli.main(prog_name="casus")


def _migrations_group() -> click.Group:
    """Flask-Migrate's ``db`` commands (``casus db upgrade``) in a group that needs no app for ``--help``:
    Flask-Migrate's own group builds the app before it even looks at its subcommand. Each subcommand still
    builds the app when it runs. (``flask --app casus db`` keeps Flask-Migrate's group, added by create_app.)"""
    from flask_migrate.cli import db as flask_migrate_group

    commands = [_with_migrate_context(command) for command in flask_migrate_group.commands.values()]
    return click.Group("db", help=flask_migrate_group.help, commands=[*commands, grant_runtime_command])


def _with_migrate_context(command: click.Command) -> click.Command:
    """``command`` run in the app context, with the defaults Flask-Migrate's group callback would set."""
    inner = command.callback

    @functools.wraps(inner)
    def callback(*args, **kwargs):
        if not current_app:
            ctx = click.get_current_context()
            ctx.with_resource(ctx.ensure_object(ScriptInfo).load_app().app_context())
        g.setdefault("directory", None)
        g.setdefault("x_arg", ())
        return inner(*args, **kwargs)

    wrapped = copy.copy(command)
    wrapped.callback = callback
    return wrapped


@click.command("grant-runtime")
@click.option("--role", required=True, help="The role the application connects as (the user of CASUS_DATABASE_URL).")
@with_appcontext
def grant_runtime_command(role):
    """Give the application's runtime role its rights and no more (PostgreSQL; docs/OPERATIONS.md).

    SELECT and INSERT on the audit tables, SELECT/INSERT/UPDATE/DELETE on the others, USAGE on the sequences,
    also for what the owner creates later. Runs as the owner of the tables (CASUS_MIGRATION_DATABASE_URL, else
    CASUS_DATABASE_URL); run it again after every `casus db upgrade`.
    """
    url = current_app.config["CASUS"].owner_database_url
    try:
        check_applicable(url)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            granted = grant_runtime(connection, role)
    except GrantRefused as error:
        raise click.ClickException(str(error)) from error
    insert_only = ", ".join(granted.insert_only) or "geen"
    click.echo(f"Rechten van rol {role} gezet in schema {granted.schema}: {granted.tables} tabellen, waarvan "
               f"alleen SELECT en INSERT op {insert_only}; {granted.sequences} reeksen; standaardrechten voor wat "
               f"de eigenaar er later aanmaakt.")
    if granted.may_create:
        click.echo(f"Let op: rol {role} mag nog objecten aanmaken in schema {granted.schema} (via PUBLIC). "
                   f"Trek dat in: REVOKE CREATE ON SCHEMA {granted.schema} FROM PUBLIC.", err=True)


def _create_app_or_explain():
    try:
        return create_app()
    except ConfigError as error:
        raise click.UsageError(f"{error} (see the configuration table in README.md; for the demo database "
                               f"set CASUS_ENV=development)") from error


def all_commands() -> tuple[click.Command, ...]:
    return (create_organisation, create_team, create_user, create_token, revoke_token, scheduler_command,
            audit_group, documents_group, reports_group, search_group)


@click.command("create-organisation")
@click.option("--name", required=True)
@click.option("--kind", required=True,
              type=click.Choice([kind.value for kind in OrganisationKind], case_sensitive=False))
@click.option("--convenant/--no-convenant", default=True, show_default=True,
              help="Convenant partner (otherwise ad hoc: a signed geheimhoudingsverklaring per case).")
@with_appcontext
def create_organisation(name, kind, convenant):
    """Create an organisation (the first step on a fresh database)."""
    from casus.organisations.services import save_organisation

    organisation = _run_service(save_organisation, None, name=name, kind=kind.lower(),
                                convenant_partner=convenant)
    click.echo(f"Organisatie {organisation.name} ({organisation.kind.value}) aangemaakt.")


@click.command("create-team")
@click.option("--organisation", required=True, help="Name of an existing organisation.")
@click.option("--name", required=True)
@click.option("--gemeente", default=None,
              help="The gemeente whose cases the team handles (default: X for an organisation 'Gemeente X').")
@with_appcontext
def create_team(organisation, name, gemeente):
    """Create a team of procesregisseurs and supervisors within an organisation."""
    from casus.organisations.services import organisation_by_name, save_team

    found = organisation_by_name(organisation)
    if found is None:
        raise click.ClickException(f"Onbekende organisatie: {organisation}. Maak haar eerst aan met "
                                   f"'casus create-organisation'.")
    gemeente = gemeente or _gemeente_of(found.name)
    if not gemeente:
        raise click.ClickException("Geef --gemeente: de gemeente waarvoor dit team casussen voert.")
    team = _run_service(save_team, None, name=name, gemeente=gemeente, organisation_id=found.id)
    click.echo(f"Team {team.name} ({team.gemeente}) bij {found.name} aangemaakt.")


def _gemeente_of(organisation_name: str) -> str | None:
    prefix = "Gemeente "
    return organisation_name[len(prefix):].strip() or None if organisation_name.startswith(prefix) else None


def _run_service(service, *args, **kwargs):
    """Run one service and commit; a refusal rolls back and becomes a one-line error."""
    from casus.services import ServiceError

    try:
        result = service(*args, **kwargs)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    return result


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--organisation", required=True, help="Name of an existing organisation.")
@click.option("--team", default=None, help="Team name (required for procesregisseur and supervisor).")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email, name, organisation, team, roles, password_stdin):
    """Create a user. Without --password-stdin a random password is generated and printed once."""
    from casus.users.services import create_user_by_names

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    user, plain = _run_service(create_user_by_names, email=email, name=name, organisation_name=organisation,
                               team_name=team, roles=roles, password=password)
    click.echo(f"Gebruiker {user.email} aangemaakt.")
    if not password_stdin:
        click.echo(f"Wachtwoord (eenmalig getoond): {plain}")


@click.command("create-token")
@click.option("--email", required=True)
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 366))
@click.option("--name", default="")
@click.option("--scopes", default="read write", show_default=True)
@with_appcontext
def create_token(email, days, name, scopes):
    """Create a personal access token for the API; it is printed once and stored hashed."""
    from casus.auth.services import find_user_by_email
    from casus.auth.tokens import create_token as make_token

    user = find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException("Geen actieve gebruiker met dit e-mailadres.")
    try:
        row, plain = make_token(user, days=days, name=name, scopes=scopes)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Token {row.prefix} geldig tot {row.expires_at:%d-%m-%Y}.")
    click.echo("Bewaar het nu; het wordt niet opnieuw getoond:")
    click.echo(plain)


@click.command("revoke-token")
@click.option("--prefix", required=True, help="The public prefix printed when the token was created.")
@with_appcontext
def revoke_token(prefix):
    """Revoke an API token at once."""
    import sqlalchemy as sa

    from casus.audit.services import record
    from casus.auth.tokens import revoke
    from casus.users.models import ApiToken

    rows = db.session.execute(sa.select(ApiToken).where(
        ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))).scalars().all()
    if len(rows) != 1:
        raise click.ClickException("Geen (eenduidig) actief token met dit voorvoegsel.")
    revoke(rows[0])
    record("api_token.revoked", object_type="api_token", object_id=rows[0].id, user=rows[0].user)
    db.session.commit()
    click.echo(f"Token {prefix} ingetrokken.")
