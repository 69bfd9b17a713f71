"""Demo data for ``casus demo``: synthetic organisations, a team, one user per role and a lively region.

The region itself (more organisations, teams, users and ~300 cases) comes from ``casus_seed.seed``; the demo
users take part in it: the demo procesregisseur runs a good share of the cases and the demo partners'
organisations participate in many.

:func:`demo_config` is the demo's configuration: every link it writes (e-mails, iCal) points at the port it is
served on, and its e-mail goes into ``<instance>/outbox`` as ``.eml`` files instead of to an SMTP server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from casus import create_app
from casus.cases.models import Case
from casus.config import Config
from casus.extensions import db
from casus.organisations.models import Organisation, OrganisationKind, Team
from casus.organisations.services import save_organisation, save_team
from casus.users.models import User
from casus.users.services import save_user
from casus_seed.meetings import seed_meetings
from casus_seed.region import SEED_PASSWORD
from casus_seed.seed import seed

DEMO_PASSWORD = SEED_PASSWORD  # one password for the demo users and the region's
DEMO_HOST = "127.0.0.1"


def demo_config(port: int = 5000, environ: Mapping[str, str] | None = None) -> Config:
    """The demo's configuration (development, no second factor, plain-http cookies): served on
    ``http://127.0.0.1:<port>``, which is also the base of every link in e-mails and calendars; e-mail goes
    to ``<instance>/outbox`` unless ``CASUS_MAIL_OUTBOX`` names another directory. ``environ`` defaults to
    ``os.environ``."""
    config = Config.from_env(environ, env="development", demo_mode=True, totp_required_roles=frozenset(),
                             secure_cookies=False, base_url=f"http://{DEMO_HOST}:{port}")
    return replace(config, mail_outbox=config.mail_outbox or str(Path(config.instance_path) / "outbox"))


def create_demo_app(port: int = 5000, environ: Mapping[str, str] | None = None) -> Flask:
    """The demo application for ``port`` (see :func:`demo_config`); its outbox exists from the start."""
    config = demo_config(port, environ)
    Path(config.mail_outbox).mkdir(parents=True, exist_ok=True)
    return create_app(config)

DEMO_ORGANISATIONS = (
    ("Gemeente Voorbeeldstad", OrganisationKind.GEMEENTE, True),
    ("Zorg- en Veiligheidshuis Voorbeeldregio", OrganisationKind.ZVH, True),
    ("Politie Eenheid Voorbeeld", OrganisationKind.POLITIE, True),
    ("Openbaar Ministerie Arrondissement Voorbeeld", OrganisationKind.OM, True),
    ("Woonstichting Thuisbasis", OrganisationKind.WONINGCORPORATIE, True),
    ("GGZ Voorbeeldregio", OrganisationKind.GGZ, True),
    ("Veilig Thuis Voorbeeldregio", OrganisationKind.VEILIG_THUIS, True),
    ("Reclassering Voorbeeld", OrganisationKind.RECLASSERING, True),
    ("Wijkteam Centrum", OrganisationKind.WIJKTEAM, True),
    ("CJG Voorbeeldstad", OrganisationKind.CJG, True),
    ("Jongerenwerk Voorbeeldstad", OrganisationKind.JONGERENWERK, True),
    ("Scholengroep De Linde", OrganisationKind.ONDERWIJS, True),
    ("Jeugdbescherming Voorbeeldregio", OrganisationKind.JEUGDBESCHERMING, True),
    ("Halt Voorbeeldregio", OrganisationKind.HALT, True),
    ("Buurtbemiddeling Ad Hoc", OrganisationKind.OVERIG, False),
    ("RIEC Voorbeeldregio", OrganisationKind.RIEC, True),
)

# (e-mail, name, organisation, roles) — invented people; Faker-style Dutch names, no real persons.
DEMO_USERS = (
    ("regisseur@demo.example.org", "Sanne de Vries", "Zorg- en Veiligheidshuis Voorbeeldregio", ("procesregisseur",)),
    ("supervisor@demo.example.org", "Bram Jansen", "Zorg- en Veiligheidshuis Voorbeeldregio", ("supervisor",)),
    ("politie@demo.example.org", "Fatima el Amrani", "Politie Eenheid Voorbeeld", ("partner",)),
    ("corporatie@demo.example.org", "Joost van Dijk", "Woonstichting Thuisbasis", ("partner",)),
    ("riec@demo.example.org", "Eva Bakker", "RIEC Voorbeeldregio", ("riec",)),
    ("privacy@demo.example.org", "Noor Visser", "Gemeente Voorbeeldstad", ("privacy",)),
    # A second privacy officer: a granted wissing is carried out only when another privacy officer confirms it.
    ("privacy2@demo.example.org", "Lotte Mulder", "Gemeente Voorbeeldstad", ("privacy",)),
    ("beheer@demo.example.org", "Daan Smit", "Gemeente Voorbeeldstad", ("beheerder",)),
)


def seed_demo() -> list[User]:
    """Create the demo organisations, team and users if they are missing; returns the demo users."""
    organisations = {org.name: org for org in db.session.execute(sa.select(Organisation)).scalars()}
    for name, kind, convenant in DEMO_ORGANISATIONS:
        if name not in organisations:
            organisations[name] = save_organisation(None, name=name, kind=kind, convenant_partner=convenant)
    zvh = organisations["Zorg- en Veiligheidshuis Voorbeeldregio"]
    team = db.session.execute(sa.select(Team).where(Team.organisation_id == zvh.id)).scalars().first()
    if team is None:
        team = save_team(None, name="Team Casusregie", gemeente="Voorbeeldstad", organisation_id=zvh.id)
    users = []
    for email, name, organisation, roles in DEMO_USERS:
        user = db.session.execute(sa.select(User).where(User.email == email)).unique().scalar_one_or_none()
        if user is None:
            needs_team = bool(set(roles) & {"procesregisseur", "supervisor"})
            user, _ = save_user(None, email=email, name=name, organisation_id=organisations[organisation].id,
                                team_id=team.id if needs_team else None, roles=roles, password=DEMO_PASSWORD)
        users.append(user)
    return users


DEMO_CASES = 300
DEMO_SEED = 2026


def seed_demo_cases(users: list[User], cases: int = DEMO_CASES) -> int:
    """Seed synthetic cases once (only into a database without cases), then the region's running meeting
    series (once per team: the demo procesregisseur chairs the Casusoverleg Voorbeeldstad, with held meetings,
    minutes and decisions and coming agendas); returns how many cases were added."""
    featured = [user.id for user in users if user.has_role("procesregisseur")]
    added = 0
    if not db.session.execute(sa.select(sa.func.count(Case.id))).scalar_one():
        added = seed(cases, DEMO_SEED, featured_user_ids=featured).cases
    seed_meetings(featured_user_ids=featured, seed=DEMO_SEED)
    return added
