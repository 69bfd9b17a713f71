"""The ``casus`` command line (also ``flask --app casus``)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from casus.extensions import db


def main() -> None:
    cli = FlaskGroup(create_app=_create_app_or_explain, help="Casus: casuscoördinatie.")
    # demo builds its own development app, so it works before any configuration exists.
    cli.add_command(demo)
    cli.main(prog_name="casus")


def _create_app_or_explain():
    from casus import create_app
    from casus.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        raise click.UsageError(f"{error} (see the configuration table in README.md)") from error


def register_commands(app: Flask) -> None:
    for command in (create_user, create_token, revoke_token, demo, seed):
        app.cli.add_command(command)


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
    from casus.services import ServiceError
    from casus.users import services as user_services

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user, plain = user_services.create_user_by_names(
            email=email, name=name, organisation_name=organisation, team_name=team,
            roles=roles, password=password)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
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


@click.command("demo")
@click.option("--port", default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Only prepare the database.")
def demo(port, no_serve):
    """Create, migrate and seed a demo database under instance/, then serve it."""
    from flask_migrate import upgrade

    from casus import create_app
    from casus.demo import DEMO_PASSWORD, seed_demo, seed_demo_cases

    app = create_app({"env": "development", "demo_mode": True, "totp_required_roles": frozenset(),
                      "secure_cookies": False})
    with app.app_context():
        upgrade(directory=current_app_migrations(app))
        users = seed_demo()
        db.session.commit()
        seeded = seed_demo_cases(users)
        if seeded:
            click.echo(f"{seeded} synthetische casussen aangemaakt.")
        click.echo(f"Demo-gebruikers (wachtwoord voor allen: {DEMO_PASSWORD}):")
        for user in users:
            click.echo(f"  {', '.join(sorted(user.roles)):<28} {user.email}")
    if not no_serve:
        click.echo(f"Casus draait op http://127.0.0.1:{port}")
        # run_simple, not app.run: Flask ignores app.run() inside its own CLI.
        from werkzeug.serving import run_simple

        from casus.scheduling.runner import start_background_scheduler

        # The demo runs its one scheduler beside the development server (production: `casus scheduler`).
        handle = start_background_scheduler(app)
        try:
            run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
        finally:
            handle.stop()


@click.command("seed")
@click.option("--cases", "count", required=True, type=click.IntRange(1, 1_000_000), help="How many cases to add.")
@click.option("--seed", "random_seed", type=int, default=None, help="Random seed: the same seed gives the same data.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(100, 50_000))
@with_appcontext
def seed(count, random_seed, batch_size):
    """Fill the database with realistic synthetic Dutch data (Faker nl_NL): a region, users and N cases."""
    from casus.seed import SEED_PASSWORD
    from casus.seed import seed as run_seed

    with click.progressbar(length=count, label="Casussen aanmaken") as bar:
        summary = run_seed(count, random_seed, batch_size=batch_size, progress=bar.update)
    click.echo(f"{summary.cases} casussen, {summary.signals} signalen, {summary.subjects} betrokkenen en "
               f"{summary.actions} acties aangemaakt in {summary.seconds:.1f} s.")
    if summary.users_created:
        click.echo(f"{summary.users_created} gebruikers aangemaakt; wachtwoord voor allen: {SEED_PASSWORD}")


def current_app_migrations(app: Flask) -> str:
    return app.extensions["migrate"].directory
