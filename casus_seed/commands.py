"""``casus seed`` and ``casus demo``, registered as Flask CLI plugins (the ``flask.commands`` entry points in
pyproject.toml): ``casus --help`` and ``flask --app casus --help`` list them, while the application's own command
line (casus/cli.py) knows nothing of this package.

Both commands need Faker, an optional dependency (the ``demo`` extra), and this module imports nothing that
imports it: a production install lists the commands and, asked to run one, says in one line how to get it.
"""

from __future__ import annotations

import functools

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from casus.extensions import db
from casus.scheduling.runner import start_background_scheduler

MISSING_EXTRA = ("casus {command} needs Faker, which comes with the 'demo' extra: pip install 'casus[demo]' "
                 "(in a checkout: pip install -e '.[demo]')")


def needs_faker(callback):
    """Refuse to run the command, in one line, when Faker is not installed."""

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        try:
            import faker  # noqa: F401 — the optional dependency itself, only once the command runs
        except ImportError:
            raise click.ClickException(MISSING_EXTRA.format(command=click.get_current_context().info_name)) from None
        return callback(*args, **kwargs)

    return checked


@click.command("demo")
@click.option("--port", default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Only prepare the database.")
@needs_faker
def demo(port, no_serve):
    """Create, migrate and seed a demo database under instance/, then serve it."""
    # Imported here, not at the top: the demo's data needs Faker (see needs_faker).
    from casus_seed.demo import DEMO_PASSWORD, create_demo_app, seed_demo, seed_demo_cases

    # Links in e-mails and calendars point at this port; e-mail goes into <instance>/outbox, not to SMTP.
    app = create_demo_app(port)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        users = seed_demo()
        db.session.commit()
        seeded = seed_demo_cases(users)
        if seeded:
            click.echo(f"{seeded} synthetische casussen aangemaakt.")
        click.echo(f"Demo-gebruikers (wachtwoord voor allen: {DEMO_PASSWORD}):")
        for user in users:
            click.echo(f"  {', '.join(sorted(user.roles)):<28} {user.email}")
    if not no_serve:
        _serve(app, port)


def _serve(app: Flask, port: int) -> None:
    click.echo(f"E-mail van de demo staat in {app.config['CASUS'].mail_outbox}")
    click.echo(f"Casus draait op {app.config['CASUS'].base_url}")
    # The demo runs its one scheduler beside the development server (production: `casus scheduler`).
    handle = start_background_scheduler(app)
    try:
        # run_simple, not app.run: Flask ignores app.run() inside its own CLI.
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
    finally:
        handle.stop()


@click.command("seed")
@click.option("--cases", "count", required=True, type=click.IntRange(1, 1_000_000), help="How many cases to add.")
@click.option("--seed", "random_seed", type=int, default=None, help="Random seed: the same seed gives the same data.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(100, 50_000))
@needs_faker
@with_appcontext
def seed(count, random_seed, batch_size):
    """Fill the database with realistic synthetic Dutch data (Faker nl_NL): a region, users and N cases."""
    # Imported here, not at the top: the seed needs Faker (see needs_faker).
    from casus_seed.region import SEED_PASSWORD
    from casus_seed.seed import seed as run_seed

    with click.progressbar(length=count, label="Casussen aanmaken") as bar:
        summary = run_seed(count, random_seed, batch_size=batch_size, progress=bar.update)
    click.echo(f"{summary.cases} casussen, {summary.signals} signalen, {summary.subjects} betrokkenen en "
               f"{summary.actions} acties aangemaakt in {summary.seconds:.1f} s.")
    if summary.users_created:
        click.echo(f"{summary.users_created} gebruikers aangemaakt; wachtwoord voor allen: {SEED_PASSWORD}")
