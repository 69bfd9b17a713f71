"""The region the synthetic cases live in: its organisations, teams and users (with one known password), the
same whatever the seed number, created where missing and reused by every later run. Names come from Faker
``nl_NL`` with a fixed seed of their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from faker import Faker

from casus.auth.passwords import hash_password
from casus.extensions import db
from casus.organisations.models import Organisation, OrganisationKind, Team
from casus.users.models import Role, User, UserRole

SEED_PASSWORD = "casus-demo-2026"
REGION_FAKER_SEED = 20_260_101  # the region is the same whatever --seed says

K = OrganisationKind
# (name, kind, convenant partner). The names of casus_seed.demo are included, so the demo users take part.
REGION_ORGANISATIONS = (
    ("Gemeente Voorbeeldstad", K.GEMEENTE, True),
    ("Gemeente Lindendal", K.GEMEENTE, True),
    ("Zorg- en Veiligheidshuis Voorbeeldregio", K.ZVH, True),
    ("Politie Eenheid Voorbeeld", K.POLITIE, True),
    ("Openbaar Ministerie Arrondissement Voorbeeld", K.OM, True),
    ("Woonstichting Thuisbasis", K.WONINGCORPORATIE, True),
    ("Woningcorporatie Lindenhof", K.WONINGCORPORATIE, True),
    ("GGZ Voorbeeldregio", K.GGZ, True),
    ("Verslavingszorg Voorbeeldregio", K.VERSLAVINGSZORG, True),
    ("Veilig Thuis Voorbeeldregio", K.VEILIG_THUIS, True),
    ("Reclassering Voorbeeld", K.RECLASSERING, True),
    ("Jeugdbescherming Voorbeeldregio", K.JEUGDBESCHERMING, True),
    ("Wijkteam Centrum", K.WIJKTEAM, True),
    ("Wijkteam Lindendal", K.WIJKTEAM, True),
    ("Halt Voorbeeldregio", K.HALT, True),
    ("Belastingdienst Regio Voorbeeld", K.BELASTINGDIENST, True),
    ("RIEC Voorbeeldregio", K.RIEC, True),
    ("Buurtbemiddeling Ad Hoc", K.OVERIG, False),
    # The partners of a Zorg- en Veiligheidstafel Jeugd (last, so the names of the users above stay the same).
    ("CJG Voorbeeldstad", K.CJG, True),
    ("Jeugd- en gezinsteam Lindendal", K.CJG, True),
    ("Jongerenwerk Voorbeeldstad", K.JONGERENWERK, True),
    ("Scholengroep De Linde", K.ONDERWIJS, True),
)

# (team, owning organisation, gemeente, share of the cases). The first is the demo's team.
REGION_TEAMS = (
    ("Team Casusregie", "Zorg- en Veiligheidshuis Voorbeeldregio", "Voorbeeldstad", 5),
    ("Team Jeugd en Veiligheid", "Zorg- en Veiligheidshuis Voorbeeldregio", "Voorbeeldstad", 2),
    ("Team Zorg en Veiligheid Lindendal", "Gemeente Lindendal", "Lindendal", 3),
)
PROCESREGISSEURS_PER_TEAM = 3
PARTNER_USERS_PER_ORGANISATION = 2

# Which kinds of organisation typically take part, per category (the aanbrenger is drawn from these too).
CATEGORY_PARTNERS = {
    "woonoverlast": (K.WONINGCORPORATIE, K.POLITIE, K.GEMEENTE, K.WIJKTEAM, K.GGZ, K.VERSLAVINGSZORG),
    "jeugd": (K.POLITIE, K.HALT, K.JEUGDBESCHERMING, K.CJG, K.ONDERWIJS, K.JONGERENWERK, K.WIJKTEAM, K.OM,
              K.GEMEENTE, K.VEILIG_THUIS),
    "verward_gedrag": (K.GGZ, K.POLITIE, K.WIJKTEAM, K.VERSLAVINGSZORG, K.WONINGCORPORATIE, K.GEMEENTE),
    "ondermijning": (K.POLITIE, K.GEMEENTE, K.OM, K.BELASTINGDIENST, K.RIEC, K.WONINGCORPORATIE),
    "radicalisering": (K.POLITIE, K.GEMEENTE, K.GGZ, K.RECLASSERING, K.OM, K.WIJKTEAM, K.ONDERWIJS, K.JONGERENWERK),
    "huiselijk_geweld": (K.VEILIG_THUIS, K.POLITIE, K.WIJKTEAM, K.CJG, K.JEUGDBESCHERMING, K.OM, K.GGZ),
    "nazorg_ex_gedetineerden": (K.RECLASSERING, K.GEMEENTE, K.GGZ, K.VERSLAVINGSZORG, K.WONINGCORPORATIE,
                                K.POLITIE),
}
DEFAULT_PARTNERS = (K.GEMEENTE, K.POLITIE, K.WIJKTEAM, K.GGZ, K.WONINGCORPORATIE)


def slug(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_value.lower()).strip("-")


@dataclass
class Region:
    organisations: dict[str, Organisation]
    teams: list[tuple[Team, int]]  # (team, weight)
    by_kind: dict[str, list[int]]
    users_by_org: dict[int, list[int]]
    procesregisseurs: dict[int, list[int]]  # team id -> user ids
    supervisors: dict[int, list[int]]
    roles_of: dict[int, str]
    org_of: dict[int, int]
    non_convenant: list[int]
    org_names: dict[int, str]
    users_created: int = 0


def ensure_region() -> Region:
    """The region's organisations, teams and users, created where missing (idempotent, seed-independent)."""
    fake = Faker("nl_NL")
    fake.seed_instance(REGION_FAKER_SEED)
    organisations = {o.name: o for o in db.session.execute(sa.select(Organisation)).scalars()}
    for name, kind, convenant in REGION_ORGANISATIONS:
        if name not in organisations:
            organisations[name] = Organisation(name=name, kind=kind, convenant_partner=convenant)
            db.session.add(organisations[name])
    db.session.flush()
    teams = []
    for name, org_name, gemeente, weight in REGION_TEAMS:
        organisation = organisations[org_name]
        team = db.session.execute(sa.select(Team).where(Team.organisation_id == organisation.id,
                                                        Team.name == name)).scalar_one_or_none()
        if team is None:
            team = Team(name=name, gemeente=gemeente, organisation_id=organisation.id)
            db.session.add(team)
            db.session.flush()
        teams.append((team, weight))

    existing = set(db.session.execute(sa.select(User.email)).scalars())
    password_hash = None
    created = 0

    def add_user(org: Organisation, roles: Iterable[str], team: Team | None = None) -> None:
        nonlocal password_hash, created
        # Always draw the name, so the Faker stream (and every later user) does not depend on what exists.
        first, last = fake.first_name(), fake.last_name()
        email = f"{slug(first)}.{slug(last).replace('-', '')}@{slug(org.name)}.example.org"
        if email in existing:
            return
        password_hash = password_hash or hash_password(SEED_PASSWORD)
        user = User(email=email, name=f"{first} {last}", organisation_id=org.id,
                    team_id=team.id if team else None, password_hash=password_hash)
        user.role_rows = [UserRole(role=Role(role)) for role in roles]
        db.session.add(user)
        existing.add(email)
        created += 1

    for team, _weight in teams:
        organisation = organisations[next(o for t, o, _g, _w in REGION_TEAMS if t == team.name)]
        for _ in range(PROCESREGISSEURS_PER_TEAM):
            add_user(organisation, ("procesregisseur",), team)
        add_user(organisation, ("supervisor",), team)
    for name, kind, _convenant in REGION_ORGANISATIONS:
        for _ in range(PARTNER_USERS_PER_ORGANISATION):
            add_user(organisations[name], ("riec",) if kind == K.RIEC else ("partner",))
    db.session.flush()

    region_ids = {organisations[name].id for name, _k, _c in REGION_ORGANISATIONS}
    by_kind: dict[str, list[int]] = defaultdict(list)
    region_orgs = [organisations[name] for name, _k, _c in REGION_ORGANISATIONS]
    for organisation in region_orgs:
        if organisation.convenant_partner and organisation.active:
            by_kind[str(organisation.kind)].append(organisation.id)
    rows = db.session.execute(
        sa.select(User.id, User.organisation_id, User.team_id, UserRole.role)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.active.is_(True), User.organisation_id.in_(region_ids)).order_by(User.id, UserRole.role)).all()
    users_by_org: dict[int, list[int]] = defaultdict(list)
    procesregisseurs: dict[int, list[int]] = defaultdict(list)
    supervisors: dict[int, list[int]] = defaultdict(list)
    roles_of: dict[int, list[str]] = defaultdict(list)
    org_of: dict[int, int] = {}
    for user_id, org_id, team_id, role in rows:
        roles_of[user_id].append(str(role))
        org_of[user_id] = org_id
        if user_id not in users_by_org[org_id]:
            users_by_org[org_id].append(user_id)
        if role == Role.PROCESREGISSEUR and team_id:
            procesregisseurs[team_id].append(user_id)
        if role == Role.SUPERVISOR and team_id:
            supervisors[team_id].append(user_id)
    return Region(
        organisations=organisations, teams=teams, by_kind=dict(by_kind), users_by_org=dict(users_by_org),
        procesregisseurs=dict(procesregisseurs), supervisors=dict(supervisors),
        roles_of={uid: " ".join(sorted(r)) for uid, r in roles_of.items()}, org_of=org_of,
        non_convenant=[o.id for o in region_orgs if not o.convenant_partner and o.active],
        org_names={o.id: o.name for o in organisations.values()}, users_created=created)
