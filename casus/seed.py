"""Synthetic Dutch data for demos and benchmarks: ``casus seed --cases N [--seed 42]``.

Everything here is invented (Faker ``nl_NL`` plus Dutch phrase lists): a region of organisations, teams,
users with one known password, and N cases spread realistically over the phases, each complete and
consistent with its phase — signals, betrokkenen (persons with valid 11-proef BSNs, addresses with valid
postcodes, businesses with a KvK-nummer), casusdeelnames, goals, actions with progress, notes, the tijdlijn,
the transition log and some audit events.

Speed matters (the benchmark wants 100,000 cases on SQLite in a few minutes), so rows are built as plain
dictionaries with precomputed ids and inserted in bulk, ``batch_size`` cases per batch, one commit per batch.
Case and signal references are reserved from ``ReferenceCounter`` so cases opened later never collide.
The seed is an offline tool: run it while nobody else writes to the database.

Determinism: the same ``seed`` on the same starting database gives the same data (dates are relative to
today). The region (organisations, teams, users) does not depend on the seed, so a second run reuses it.

:func:`seed_meetings` (used by ``casus demo``) adds running meeting series to the region's teams through the
meeting services themselves: held meetings with minutes and decisions, and coming meetings with an agenda.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from faker import Faker

from casus.approvals.models import Approval
from casus.audit.models import AuditEvent
from casus.cases.categories import ensure_standard_categories
from casus.cases.models import (
    Case,
    CaseSubject,
    Category,
    Note,
    NoteAudience,
    Participation,
    ReferenceCounter,
    TimelineEvent,
    TransitionLog,
)
from casus.database import utcnow
from casus.escalations.models import Escalation
from casus.extensions import db
from casus.meetings.models import AgendaItem, Decision, Meeting, MeetingSeries
from casus.organisations.models import Organisation, OrganisationKind, Team
from casus.plans.models import Action, Goal, ProgressEntry
from casus.signals.models import Signal, SignalSubject
from casus.subjects.models import Subject
from casus.users.models import Role, User, UserRole
from casus.voordrachten.models import Voordracht, VoordrachtSubject
from workflow import CASE, Cadences, EscalationLevel, ParticipationRole, VoordrachtState

SEED_PASSWORD = "casus-demo-2026"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REGION_FAKER_SEED = 20_260_101  # the region is the same whatever --seed says

K = OrganisationKind
# (name, kind, convenant partner). The names of casus.demo are included, so the demo users take part.
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

# Postcode ranges per gemeente (4-digit part), so addresses look local.
POSTCODE_RANGES = {"Voorbeeldstad": (3500, 3589), "Lindendal": (3700, 3719)}
EXCLUDED_POSTCODE_LETTERS = {"SA", "SD", "SS"}
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"

# Phases, weighted: most cases are in aanpak, nazorg or closed, few still in signalering.
PHASE_WEIGHTS = (
    ("signalering", 5), ("triage", 8), ("aanpak.plan", 9), ("aanpak.uitvoering", 28), ("nazorg", 15),
    ("afgesloten", 35),
)
# How a closed case ended: dismissed at intake, referred after triage, closed early, or the full route.
CLOSURE_ROUTES = (("dismissed", 18), ("referred", 15), ("early", 9), ("full", 58))
FULL_RESULTS = (("doel_bereikt", 50), ("overgedragen_regulier", 28), ("verhuisd", 8), ("zonder_resultaat", 11),
                ("overleden", 3))
EARLY_RESULTS = (("verhuisd", 35), ("zonder_resultaat", 35), ("overgedragen_regulier", 25), ("overleden", 5))
CATEGORY_WEIGHTS = {
    "woonoverlast": 24, "jeugd": 16, "verward_gedrag": 20, "ondermijning": 8, "radicalisering": 3,
    "huiselijk_geweld": 12, "nazorg_ex_gedetineerden": 12, "overig": 5,
}
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

TITLES = {
    "woonoverlast": ("Woonoverlast {street}", "Geluidsoverlast en vervuiling {street}", "Overlast portiek {street}",
                     "Escalerend burenconflict {street}", "Hennepgeur en overlast {street}"),
    "jeugd": ("Jeugdgroep rond {place}", "Zorgen om jongere {initial}. {surname}", "Overlast jongeren {street}",
              "Jeugdige veelpleger {initial}. {surname}", "Jongeren in beeld bij drugsrunners {place}"),
    "verward_gedrag": ("Verward gedrag bewoner {street}", "Zorgen om {initial}. {surname}",
                       "Onbegrepen gedrag {street}", "Zorgmijder {street}", "Vervuilde woning {street}"),
    "ondermijning": ("Signalen ondermijning {business}", "Mogelijke witwasconstructie {street}",
                     "Verdachte bedrijvigheid {street}", "Drugslab-signalen {street}", "Huisjesmelkerij {street}"),
    "radicalisering": ("Zorgen over radicalisering {initial}. {surname}", "Signalen extremisme {street}",
                       "Online radicalisering jongere {initial}. {surname}"),
    "huiselijk_geweld": ("Huiselijk geweld gezin {surname}", "Zorgen om kinderen gezin {surname}",
                         "Herhaald huiselijk geweld {street}", "Eergerelateerd geweld gezin {surname}"),
    "nazorg_ex_gedetineerden": ("Nazorg na detentie {initial}. {surname}", "Terugkeer uit detentie {street}",
                                "Re-integratie ex-gedetineerde {initial}. {surname}"),
}
DEFAULT_TITLES = ("Zorg- en veiligheidssignaal {street}", "Complexe situatie gezin {surname}")
PLACES = ("het winkelcentrum De Hoven", "het Stationsplein", "de Julianaschool", "het Parkbos", "de Markt",
          "de skatebaan Oost", "het buurthuis De Schakel", "sportpark De Linde", "de Havenkade", "het Molenplein")

SIGNAL_TEXTS = {
    "woonoverlast": (
        "Buren melden sinds weken harde muziek en geschreeuw tot diep in de nacht.",
        "In het trappenhuis ligt structureel afval; de huurder reageert niet op brieven van de corporatie.",
        "Meerdere meldingen van bedreiging van buren; de politie is drie keer ter plaatse geweest.",
        "Huurachterstand loopt op en de woning raakt vervuild; bewoner lijkt hulp te mijden.",
    ),
    "jeugd": (
        "Groep van zes tot acht jongeren veroorzaakt 's avonds overlast en intimideert voorbijgangers.",
        "Jongere is betrokken bij meerdere winkeldiefstallen en verzuimt structureel van school.",
        "Signalen dat minderjarigen worden ingezet als drugskoerier.",
        "Ouders geven aan geen grip meer te hebben; jongere is vaak dagen van huis.",
    ),
    "verward_gedrag": (
        "Bewoner spreekt buren aan over stemmen in de muren en dreigt de woning te barricaderen.",
        "Meerdere E33-meldingen in korte tijd; persoon is bekend bij de GGZ maar in zorg gestopt.",
        "Oudere bewoner lijkt verward, loopt 's nachts op straat en vergeet het gas uit te zetten.",
        "Persoon weigert hulp, de woning is ernstig vervuild en er zijn zorgen over zelfverwaarlozing.",
    ),
    "ondermijning": (
        "Bedrijfspand is overdag gesloten maar 's nachts is er veel verkeer van bestelbusjes.",
        "Opvallend veel contante betalingen en wisselende eigenaren van de onderneming.",
        "Hoog stroomverbruik en geurhinder wijzen mogelijk op een hennepkwekerij.",
        "Woningen worden per kamer verhuurd aan arbeidsmigranten tegen woekerprijzen.",
    ),
    "radicalisering": (
        "School maakt zich zorgen over uitspraken van een leerling en contacten via sociale media.",
        "Familie meldt dat betrokkene zich sterk heeft teruggetrokken en extremistisch materiaal deelt.",
    ),
    "huiselijk_geweld": (
        "Politie is meerdere keren ter plaatse geweest na meldingen van ruzie en geweld in het gezin.",
        "Kinderen vertellen op school over geweld thuis; Veilig Thuis is eerder betrokken geweest.",
        "Na een tijdelijk huisverbod zijn er opnieuw signalen van dreiging.",
    ),
    "nazorg_ex_gedetineerden": (
        "Betrokkene komt over drie weken vrij en heeft geen woning, inkomen of geldig identiteitsbewijs.",
        "Na detentie is de betrokkene teruggekeerd naar de oude wijk; buren maken zich zorgen.",
        "Reclassering meldt dat bijzondere voorwaarden dreigen te worden overtreden.",
    ),
}
DEFAULT_SIGNAL_TEXTS = ("Meerdere partners maken zich zorgen over de situatie en vragen om afstemming.",)

GOALS = (
    "De overlast voor de buurt is gestopt.", "Betrokkene heeft een stabiele woonsituatie.",
    "Betrokkene is in zorg en houdt zich aan de afspraken.", "De veiligheid van de kinderen is geborgd.",
    "Er is een sluitende dagbesteding of opleiding.", "Schulden zijn in beeld en er is een schuldregeling.",
    "De jongere gaat weer naar school en pleegt geen nieuwe delicten.", "Het pand wordt niet meer misbruikt.",
    "Er is één aanspreekpunt voor het gezin.", "Betrokkene heeft een netwerk dat steunt.",
)
ACTIONS = (
    "Huisbezoek afleggen samen met de wijkagent.", "Gesprek voeren met betrokkene over de huurachterstand.",
    "Aanmelden bij de GGZ voor een intake.", "Bestuurlijke rapportage opstellen.", "Waarschuwingsbrief sturen.",
    "Schuldhulpverlening inschakelen.", "Afspraak maken met school en leerplicht.", "Gedragsaanwijzing voorbereiden.",
    "Zorgmachtiging onderzoeken.", "Controle bedrijfspand met toezichthouders.", "Buurtbemiddeling aanbieden.",
    "Dagbesteding regelen.", "Uitkering en identiteitsbewijs regelen.", "Veiligheidsplan opstellen met het gezin.",
    "Verslavingszorg inschakelen.", "Terugkoppeling geven aan de melders in de buurt.",
)
PROGRESS = (
    "Contact gelegd, afspraak staat gepland.", "Huisbezoek afgelegd; betrokkene was aanwezig en werkte mee.",
    "Betrokkene niet thuis getroffen, nieuwe poging volgende week.",
    "Aanmelding is gedaan, wachttijd circa vier weken.",
    "Gesprek gevoerd, afspraken schriftelijk vastgelegd.", "Uitgevoerd zoals afgesproken.",
    "Vervalt: situatie is veranderd, niet meer nodig.", "Overleg gehad met de casushouder over de volgende stap.",
)
NOTES = (
    "Betrokkene heeft toegezegd mee te werken aan het plan.", "Buren melden dat het rustiger is geworden.",
    "Let op: betrokkene reageert agressief op onaangekondigd bezoek.", "Informatie gedeeld in het casusoverleg.",
    "Zorg is gestart; eerste indruk positief.", "Nieuwe melding ontvangen, wordt meegenomen in het volgende overleg.",
    "Huisarts is op de hoogte gebracht met toestemming van betrokkene.", "Voorstel om op te schalen naar tactisch.",
)
RESTRICTED_NOTES = (
    "Vertrouwelijk: lopend strafrechtelijk onderzoek, niet verder delen.",
    "Medische informatie alleen voor de zorgpartners.", "Intern: afstemming met de wijkagent over de aanpak.",
)
EVALUATIONS = (
    "Doelen grotendeels behaald; de situatie is stabiel en de reguliere zorg is betrokken.",
    "De overlast is gestopt; nazorg via het wijkteam.", "Betrokkene is in zorg; de acties zijn afgerond.",
)
BUSINESS_TYPES = ("Autobedrijf", "Shishalounge", "Nagelstudio", "Handelsonderneming", "Belwinkel", "Kapsalon",
                  "Carwash", "Koeriersdienst", "Minimarkt", "Vastgoed", "Transportbedrijf", "Snackbar")
NOTE_MIX = (("alle_deelnemers", 76), ("eigen_organisatie", 14), ("genoemde_organisaties", 10))


@dataclass
class SeedSummary:
    cases: int = 0
    signals: int = 0
    subjects: int = 0
    actions: int = 0
    users_created: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


# --- helpers -------------------------------------------------------------------------------------------------

def weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def make_bsn(rng: random.Random) -> str:
    """A random nine-digit number that passes the 11-proef (synthetic: it belongs to nobody we know)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def make_postcode(rng: random.Random, gemeente: str) -> str:
    low, high = POSTCODE_RANGES.get(gemeente, (1000, 9999))
    while True:
        letters = rng.choice(LETTERS) + rng.choice(LETTERS)
        if letters not in EXCLUDED_POSTCODE_LETTERS:
            return f"{rng.randint(low, high)}{letters}"


def slug(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_value.lower()).strip("-")


@lru_cache(maxsize=4096)
def _office_opens(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), AMSTERDAM).astimezone(UTC)


def at_time(day: date, rng: random.Random, now: datetime) -> datetime:
    """A moment during office hours on ``day`` (Amsterdam, 8:00-18:00), in UTC, never in the future."""
    moment = _office_opens(day) + timedelta(seconds=int(rng.random() * 36_000),
                                            microseconds=int(rng.random() * 1_000_000))
    return min(moment, now - timedelta(seconds=1 + int(rng.random() * 600)))


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What SQLAlchemy stores on SQLite: naive UTC with microseconds ("2026-01-05 09:30:00.000000").
    return None if value is None else value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_json(value) -> str | None:
    return None if value is None else json.dumps(value)


def _sqlite_converter(column: sa.Column):
    if isinstance(column.type, sa.JSON):
        return _sqlite_json
    python_type = getattr(column.type, "impl", column.type)
    if isinstance(python_type, sa.DateTime):
        return _sqlite_datetime
    if isinstance(python_type, sa.Date):
        return _sqlite_date
    return None


def _insert_sqlite(table: sa.Table, rows: list[dict]) -> None:
    """executemany straight on the driver: the SQLAlchemy parameter processing costs more than SQLite itself."""
    columns = list(rows[0])
    converters = [_sqlite_converter(table.columns[name]) for name in columns]
    converted = [(index, converter) for index, converter in enumerate(converters) if converter is not None]
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    params = []
    for row in rows:
        values = [row[name] for name in columns]
        for index, converter in converted:
            values[index] = converter(values[index])
        params.append(tuple(values))
    db.session.connection().exec_driver_sql(sql, params)


def _max_id(model) -> int:
    return db.session.execute(sa.select(sa.func.max(model.id))).scalar_one() or 0


def reserve_numbers(kind: str, year: int, count: int) -> int:
    """Reserve ``count`` consecutive numbers of ``kind`` in ``year``; returns the first."""
    last = db.session.execute(
        sa.update(ReferenceCounter).where(ReferenceCounter.kind == kind, ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + count).returning(ReferenceCounter.last)).scalar_one_or_none()
    if last is None:
        db.session.add(ReferenceCounter(kind=kind, year=year, last=count))
        db.session.flush()
        last = count
    return last - count + 1


# --- the region ---------------------------------------------------------------------------------------------

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
    from casus.auth.passwords import hash_password

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


# --- cases ----------------------------------------------------------------------------------------------------

TABLE_ORDER = (Subject, Case, CaseSubject, Signal, SignalSubject, Participation, Goal, Action, ProgressEntry, Note,
               NoteAudience, TimelineEvent, TransitionLog, Escalation, Voordracht, VoordrachtSubject, Approval,
               AuditEvent)
ID_TABLES = (Subject, Case, Signal, Participation, Goal, Action, ProgressEntry, Note, TimelineEvent, TransitionLog,
             Escalation, Voordracht, Approval, AuditEvent)

# The escalation ladder and RIEC voordrachten (docs/DESIGN.md §3.2, §3.3): who decides, why, what the RIEC is told.
DECISION_OWNERS = {
    "tactisch": ("Ketenmanagers zorg en veiligheid", "Teamleider openbare orde gemeente", "Districtschef politie"),
    "bestuurlijk": ("Burgemeester", "Lokale driehoek", "Stuurgroep Zorg- en Veiligheidshuis"),
}
ESCALATION_REASONS = (
    "Partners komen er in het casusoverleg samen niet uit.",
    "Benodigde zorgplek is niet binnen de afgesproken termijn beschikbaar.",
    "Overlast escaleert; doorzettingsmacht is nodig.",
    "Financiering van de aanpak is niet rond.",
)
ESCALATION_DECISIONS = (
    "Extra inzet wijkagent en ambulant team toegezegd.",
    "Zorgaanbieder neemt betrokkene met voorrang op.",
    "Burgemeester legt gebiedsverbod op.",
    "Financiering voor een jaar rond; terug naar het casusoverleg.",
)
VOORDRACHT_SUMMARIES = (
    "Meerdere signalen wijzen op een hennepkwekerij met aftap van stroom in een bedrijfspand.",
    "Patroon van contante aankopen van woningen via steeds wisselende rechtspersonen.",
    "Arbeidsmigranten wonen met te veel personen in een pand van dezelfde eigenaar; signalen van uitbuiting.",
    "Zorgbureau declareert uren die niet geleverd lijken te worden.",
)
VOORDRACHT_STATES = (("concept", 12), ("ter_beoordeling", 15), ("goedgekeurd", 8), ("afgewezen", 5),
                     ("ingediend", 20), ("aangenomen", 28), ("teruggelegd", 12))


@dataclass
class Skeleton:
    phase: str
    route: str | None  # for afgesloten: dismissed / referred / early / full
    category: str
    team_index: int
    durations: list[int]  # days between the milestones that happened
    since_last: int  # days in the current phase
    opened_on: date = date.min


class CaseFactory:
    """Builds the rows of one case at a time into per-table lists; ``flush`` bulk-inserts them."""

    def __init__(self, rng: random.Random, fake: Faker, region: Region, categories: dict[str, Category],
                 today: date, now: datetime, cadences: Cadences, featured: set[int]):
        self.rng, self.fake, self.region, self.today, self.now = rng, fake, region, today, now
        self.categories, self.cadences = categories, cadences
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self.next_id = {model: _max_id(model) + 1 for model in ID_TABLES}
        self.recent_persons: list[int] = []
        self.first_names = [fake.first_name() for _ in range(400)]
        self.last_names = [fake.last_name() for _ in range(600)]
        self.streets = [fake.street_name() for _ in range(300)]
        self.featured = featured
        self.totals: dict[str, int] = defaultdict(int)

    # ids and rows
    def new_id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def add(self, model, **values) -> dict:
        self.rows[model].append(values)
        return values

    def flush(self) -> None:
        fast = db.session.get_bind().dialect.name == "sqlite"
        for model in TABLE_ORDER:
            rows = self.rows.pop(model, None)
            if rows:
                if fast:
                    _insert_sqlite(model.__table__, rows)
                else:
                    db.session.execute(sa.insert(model.__table__), rows)
                self.totals[model.__tablename__] += len(rows)
        self.rows.clear()

    # pools
    def user_of(self, org_id: int) -> int | None:
        users = self.region.users_by_org.get(org_id)
        return self.rng.choice(users) if users else None

    def procesregisseur_for(self, team_id: int) -> int | None:
        pool = self.region.procesregisseurs.get(team_id) or []
        if not pool:
            return None
        weights = [4 if uid in self.featured else 1 for uid in pool]
        return self.rng.choices(pool, weights)[0]

    def at(self, day: date) -> datetime:
        return at_time(day, self.rng, self.now)

    # subjects
    def person(self, min_age: int, max_age: int, gemeente: str, with_bsn: float = 0.75) -> int:
        rng = self.rng
        name = f"{rng.choice(self.first_names)} {rng.choice(self.last_names)}"
        born = self.today - timedelta(days=rng.randint(min_age * 365, max_age * 365 + 364))
        has_address = rng.random() < 0.6
        subject_id = self._subject(kind="persoon", name=name, name_key=" ".join(name.lower().split()),
                             date_of_birth=born, bsn=make_bsn(rng) if rng.random() < with_bsn else None,
                             postcode=make_postcode(rng, gemeente) if has_address else None,
                             huisnummer=rng.randint(1, 240) if has_address else None,
                             toevoeging=rng.choice(("A", "B", "1", "2", "bis")) if has_address and rng.random() < 0.1
                             else None)
        if min_age >= 18 and rng.random() < 0.3:
            self.recent_persons.append(subject_id)
            del self.recent_persons[:-500]
        return subject_id

    def address(self, gemeente: str) -> int:
        rng = self.rng
        return self._subject(kind="adres", name=None, name_key=None, date_of_birth=None, bsn=None,
                             postcode=make_postcode(rng, gemeente), huisnummer=rng.randint(1, 240),
                             toevoeging=rng.choice((None, None, None, "A", "B", "H", "1")))

    def business(self, gemeente: str) -> int:
        rng = self.rng
        name = f"{rng.choice(BUSINESS_TYPES)} {rng.choice(self.last_names).split()[-1].capitalize()}"
        if rng.random() < 0.4:
            name += " B.V."
        return self._subject(kind="bedrijf", name=name, name_key=" ".join(name.lower().split()), date_of_birth=None,
                             bsn=None, postcode=make_postcode(rng, gemeente), huisnummer=rng.randint(1, 400),
                             toevoeging=None, kvk_nummer=f"{rng.randint(10_000_000, 99_999_999)}")

    def _subject(self, **values) -> int:
        subject_id = self.new_id(Subject)
        values.setdefault("kvk_nummer", None)
        self.add(Subject, id=subject_id, created_at=self.now, updated_at=self.now, **values)
        return subject_id

    def subjects_for(self, category: str, gemeente: str) -> list[int]:
        rng = self.rng
        if self.recent_persons and rng.random() < 0.04:
            main = [rng.choice(self.recent_persons)]  # known elsewhere: the same person in several cases
        elif category == "ondermijning":
            main = [self.business(gemeente) if rng.random() < 0.6 else self.address(gemeente)]
        elif category == "jeugd":
            main = [self.person(12, 22, gemeente, with_bsn=0.85)]
        elif category == "woonoverlast" and rng.random() < 0.3:
            main = [self.address(gemeente)]
        else:
            main = [self.person(18, 85, gemeente)]
        extra = weighted(rng, ((0, 55), (1, 33), (2, 12)))
        for _ in range(int(extra)):
            if category == "ondermijning":
                main.append(self.person(20, 65, gemeente, with_bsn=0.5))
            elif category in ("huiselijk_geweld", "jeugd"):
                main.append(self.person(4, 50, gemeente))
            else:
                main.append(self.address(gemeente) if rng.random() < 0.5 else self.person(18, 80, gemeente))
        return main

    # the case itself
    def build(self, skeleton: Skeleton, reference: str, signal_references: list[str]) -> None:
        rng, region = self.rng, self.region
        team, _weight = region.teams[skeleton.team_index]
        category = self.categories[skeleton.category]
        case_id = self.new_id(Case)
        phase, route = skeleton.phase, skeleton.route
        procesregisseur = self.procesregisseur_for(team.id)
        if phase == "signalering" and rng.random() < 0.15:
            procesregisseur = None  # not yet assigned
        actor = procesregisseur or (region.supervisors.get(team.id) or [None])[0]

        # Milestones: opened, then one date per transition that happened.
        milestones = [skeleton.opened_on]
        for days in skeleton.durations:
            milestones.append(milestones[-1] + timedelta(days=days))
        path = self.path_for(phase, route)
        moments = [self.at(day) for day in milestones]
        for index in range(1, len(moments)):  # keep the order even when two milestones fall on one day
            if moments[index] <= moments[index - 1]:
                moments[index] = moments[index - 1] + timedelta(minutes=rng.randint(5, 90))
        moments = [min(m, self.now - timedelta(seconds=1)) for m in moments]
        opened_at, last_at = moments[0], moments[-1]

        # Participants: the aanbrenger first, drawn from the organisations that fit the category.
        kinds = CATEGORY_PARTNERS.get(skeleton.category, DEFAULT_PARTNERS)
        candidates = list(dict.fromkeys(org for kind in kinds for org in region.by_kind.get(str(kind), ())))
        rng.shuffle(candidates)
        reached_aanpak = "accept" in path
        if reached_aanpak:
            count = int(weighted(rng, ((2, 20), (3, 30), (4, 25), (5, 15), (6, 10))))
        else:
            count = int(weighted(rng, ((1, 60), (2, 40))))
        orgs = candidates[:max(1, min(count, len(candidates)))]
        gemeente = team.gemeente
        subject_ids = self.subjects_for(skeleton.category, gemeente)

        accepted_on = milestones[path.index("accept") + 1] if reached_aanpak else None
        participations = []
        for index, org_id in enumerate(orgs):
            role = ParticipationRole.AANBRENGER if index == 0 else (
                ParticipationRole.CASUSHOUDER if index == 1 and rng.random() < 0.5 else ParticipationRole.DEELNEMER)
            joined = milestones[0] if index == 0 else (accepted_on or milestones[-1])
            participations.append(self.add(
                Participation, id=self.new_id(Participation), case_id=case_id, organisation_id=org_id, role=str(role),
                legal_basis="convenant", confidentiality_signed_on=None, joined_on=joined, left_on=None,
                contact_user_id=self.user_of(org_id) if rng.random() < 0.4 else None))
        if reached_aanpak and region.non_convenant and rng.random() < 0.05:
            signed = accepted_on - timedelta(days=rng.randint(0, 5))
            participations.append(self.add(
                Participation, id=self.new_id(Participation), case_id=case_id,
                organisation_id=region.non_convenant[0], role="deelnemer", legal_basis="geheimhoudingsverklaring",
                confidentiality_signed_on=signed, joined_on=accepted_on, left_on=None, contact_user_id=None))
        participant_orgs = [p["organisation_id"] for p in participations]

        # Case fields that follow from the route.
        triage_outcome, criteria, referral, result, closed_on = None, [], None, None, None
        if reached_aanpak:
            triage_outcome = "A"
            criteria = sorted(rng.sample(("meerdere_leefgebieden", "meerdere_ketens", "impact_omgeving",
                                          "ernstig_veiligheidsprobleem"), rng.randint(1, 3)))
        if route == "dismissed":
            triage_outcome, result = "geen_casus", "geen_casus"
        elif route == "referred":
            triage_outcome = rng.choice(("B", "C", "advies"))
            referral = rng.choice([o for o in candidates if o not in participant_orgs[:1]] or candidates)
            result = "doorverwezen"
        elif route == "early":
            result = weighted(rng, EARLY_RESULTS)
        elif route == "full":
            result = weighted(rng, FULL_RESULTS)
        if phase == "afgesloten":
            closed_on = milestones[-1]
        adopted_on = milestones[path.index("adopt_plan") + 1] if "adopt_plan" in path else None
        nazorg_started_on = milestones[path.index("step_down") + 1] if phase == "nazorg" else None
        stepped_down = "step_down" in path
        next_review_on = None
        if phase == "aanpak.plan":
            next_review_on = self.cadences.next_review(accepted_on)
        elif phase == "aanpak.uitvoering":
            next_review_on = adopted_on + timedelta(days=self.cadences.review_interval_days)
            while next_review_on < self.today - timedelta(days=rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 9))):
                next_review_on += timedelta(days=self.cadences.review_interval_days)
        elif phase == "nazorg":
            checkins = [d for d in self.cadences.nazorg_checkins(nazorg_started_on) if d >= self.today]
            next_review_on = checkins[0] if checkins else self.cadences.nazorg_ends(nazorg_started_on)
        close_request = (phase in ("aanpak.plan", "aanpak.uitvoering") and procesregisseur and rng.random() < 0.04)
        escalation = "operationeel"
        if phase.startswith("aanpak") or phase == "nazorg":
            escalation = weighted(rng, (("operationeel", 86), ("tactisch", 11), ("bestuurlijk", 3)))
        surname = rng.choice(self.last_names)
        title = rng.choice(TITLES.get(skeleton.category, DEFAULT_TITLES)).format(
            street=rng.choice(self.streets), place=rng.choice(PLACES), surname=surname,
            initial=rng.choice(self.first_names)[0], business=f"{rng.choice(BUSINESS_TYPES)} {surname}")
        case_row = self.add(
            Case, id=case_id, reference=reference, title=title[:200], category_id=category.id, team_id=team.id,
            gemeente=gemeente, phase=phase, escalation_level=escalation,
            risk_level=weighted(rng, (("laag", 25), ("midden", 50), ("hoog", 25))),
            procesregisseur_id=procesregisseur, aanbrenger_organisation_id=orgs[0], legal_basis="convenant",
            triage_outcome=triage_outcome, inclusion_criteria=criteria, referral_organisation_id=referral,
            evaluation=rng.choice(EVALUATIONS) if stepped_down else None,
            plan_discussed_on=adopted_on - timedelta(days=rng.randint(0, 3)) if adopted_on else None,
            triage_due_on=self.cadences.triage_due(milestones[0]), next_review_on=next_review_on,
            nazorg_started_on=nazorg_started_on, closed_on=closed_on, result=result,
            phase_changed_at=last_at, signal_count=len(signal_references), version=1 + len(path),
            created_at=opened_at, updated_at=last_at)
        for subject_id in subject_ids:
            self.add(CaseSubject, case_id=case_id, subject_id=subject_id)

        timeline: list[tuple] = []  # (kind, summary, at, actor, org, note_id)

        def tl(kind: str, summary: str, moment: datetime, user_id: int | None, note_id: int | None = None) -> None:
            timeline.append((kind, summary[:500], moment, user_id, region.org_of.get(user_id), note_id))

        tl("case.created", f"Casus {reference} geopend", opened_at, actor)

        # Signals: the first from the aanbrenger when the case was opened, later ones from participants.
        signal_status = self.signal_status(phase, result)
        active_until = closed_on or self.today
        for index, signal_reference in enumerate(signal_references):
            reporter_org = orgs[0] if index == 0 else rng.choice(participant_orgs)
            received = opened_at if index == 0 else self.at(
                min(active_until, milestones[0] + timedelta(days=rng.randint(1, 90))))
            received = max(received, opened_at)
            signal_id = self.new_id(Signal)
            self.add(Signal, id=signal_id, reference=signal_reference, category_id=category.id,
                     description=rng.choice(SIGNAL_TEXTS.get(skeleton.category, DEFAULT_SIGNAL_TEXTS)),
                     urgency=weighted(rng, (("laag", 15), ("normaal", 60), ("hoog", 20), ("acuut", 5))),
                     team_id=team.id, reporting_organisation_id=reporter_org,
                     reported_by_id=self.user_of(reporter_org) or actor, received_at=received,
                     status=signal_status, case_id=case_id)
            for subject_id in (subject_ids if index == 0 else subject_ids[:1]):
                self.add(SignalSubject, signal_id=signal_id, subject_id=subject_id)
            tl("signal.bundled", f"Signaal {signal_reference} ({category.name}) toegevoegd", received, actor)

        for participation in participations[1:]:
            org_name = region.org_names[participation["organisation_id"]]
            role_label = ParticipationRole(participation["role"]).label()
            joined_at = self.at(participation["joined_on"])
            tl("participation.added", f"{org_name} neemt deel als {role_label}", max(joined_at, opened_at), actor)

        # Transitions, with an occasional refused attempt first (as in real use).
        state = "signalering"
        for trigger, moment in zip(path, moments[1:], strict=True):
            target = self.target(trigger)
            if trigger == "adopt_plan" and rng.random() < 0.06:
                self.add(TransitionLog, id=self.new_id(TransitionLog), case_id=case_id, machine="case",
                         trigger=trigger, from_state=state, to_state=target, actor_id=actor,
                         reason=None, at=moment - timedelta(days=2), allowed=False, failure_codes="needs_goal")
            reason = self.reason(trigger, result)
            self.add(TransitionLog, id=self.new_id(TransitionLog), case_id=case_id, machine="case", trigger=trigger,
                     from_state=state, to_state=target, actor_id=actor, reason=reason, at=moment, allowed=True,
                     failure_codes=None)
            summary = f"{CASE.state_label(state)} → {CASE.state_label(target)}" + (f": {reason}" if reason else "")
            tl("case.transition", summary, moment, actor)
            self.audit(actor, "case.transition", "case", case_id, case_id, moment,
                       {"trigger": trigger, "from": state, "to": target})
            state = target
        if close_request:  # a pending four-eyes request, waiting under /akkoorden
            requested_at = max(self.at(self.today - timedelta(days=rng.randint(0, 5))), last_at)
            reason = "Betrokkene is verhuisd naar een andere regio."
            approval_id = self.new_id(Approval)
            self.add(Approval, id=approval_id, kind="close_early", status="open", case_id=case_id, team_id=team.id,
                     voordracht_id=None, requested_by_id=procesregisseur, requested_at=requested_at, reason=reason,
                     details={"result": "verhuisd"}, decided_by_id=None, decided_at=None, motivation=None, version=1)
            tl("approval.requested", f"Vroegtijdig afsluiten: akkoord gevraagd. Reden: {reason}", requested_at,
               procesregisseur)
            self.audit(procesregisseur, "approval.requested", "approval", approval_id, case_id, requested_at,
                       {"kind": "close_early"})

        if escalation != "operationeel":
            self.ladder(case_id, team.id, escalation, accepted_on, procesregisseur or actor, tl)
        if skeleton.category == "ondermijning" and reached_aanpak and procesregisseur and rng.random() < 0.4:
            self.voordracht(case_id, team.id, subject_ids, procesregisseur, accepted_on, tl)

        # Plan van aanpak: goals and actions once the case is accepted.
        if reached_aanpak:
            self.plan(case_id, phase, route, milestones, path, accepted_on, adopted_on, closed_on,
                      participant_orgs, procesregisseur or actor, tl)

        # Notes once the case is being worked on.
        if phase != "signalering":
            for _ in range(int(weighted(rng, ((0, 25), (1, 35), (2, 25), (3, 10), (4, 5))))):
                self.note(case_id, participant_orgs, procesregisseur, milestones[0], active_until, tl)

        self.audit(actor, "case.created", "case", case_id, case_id, opened_at, None)
        viewers = [procesregisseur] + [self.user_of(o) for o in participant_orgs]
        for viewer in rng.sample([v for v in viewers if v], k=min(2, len([v for v in viewers if v]))):
            self.audit(viewer, "case.view", "case", case_id, case_id, self.at(
                active_until - timedelta(days=rng.randint(0, max(0, (active_until - milestones[0]).days)))), None)

        case_row["updated_at"] = max(moment for _k, _s, moment, *_rest in timeline)
        for kind, summary, moment, user_id, org_id, note_id in timeline:
            self.add(TimelineEvent, id=self.new_id(TimelineEvent), case_id=case_id, occurred_at=moment, kind=kind,
                     summary=summary, actor_id=user_id, organisation_id=org_id, note_id=note_id)

    def _supervisor(self, team_id: int, not_id: int | None) -> int | None:
        pool = [uid for uid in self.region.supervisors.get(team_id) or () if uid != not_id]
        return self.rng.choice(pool) if pool else None

    def ladder(self, case_id: int, team_id: int, level: str, since: date, actor: int, tl) -> None:
        """The steps up that brought an escalated case to ``level``; most decisions are in, some overdue."""
        rng = self.rng
        levels = EscalationLevel.values()
        day = max(since, self.today - timedelta(days=rng.randint(5, 150)))
        for index in range(1, levels.index(level) + 1):
            from_level, to_level = levels[index - 1], levels[index]
            moment, reason = self.at(day), rng.choice(ESCALATION_REASONS)
            deadline = self.cadences.escalation_decision_due(day)
            decider = self._supervisor(team_id, None)
            decided = decider is not None and (rng.random() < 0.75 if deadline < self.today else rng.random() < 0.3)
            decided_at = self.at(min(self.today, day + timedelta(days=rng.randint(1, 12)))) if decided else None
            decision = rng.choice(ESCALATION_DECISIONS) if decided else None
            self.add(Escalation, id=self.new_id(Escalation), case_id=case_id, direction="opschalen",
                     from_level=from_level, to_level=to_level, reason=reason,
                     decision_owner=rng.choice(DECISION_OWNERS[to_level]), decision_deadline=deadline,
                     review_on=day + timedelta(days=rng.choice((28, 42, 56))), decision=decision,
                     decided_at=decided_at, decided_by_id=decider if decided else None, created_by_id=actor,
                     created_at=moment, resolved_at=None)
            tl("escalation.escalated", f"Opgeschaald naar {EscalationLevel(to_level).label_nl}: {reason}", moment,
               actor)
            if decided:
                tl("escalation.decided", f"Besluit ({EscalationLevel(to_level).label_nl}): {decision}", decided_at,
                   decider)
            day = min(self.today, day + timedelta(days=rng.randint(5, 40)))

    def voordracht(self, case_id: int, team_id: int, subject_ids: list[int], requester: int, since: date,
                   tl) -> None:
        """A RIEC voordracht in a realistic state, with its four-eyes approval once it was submitted."""
        rng, region = self.rng, self.region
        riecs = region.by_kind.get(str(OrganisationKind.RIEC)) or []
        approver = self._supervisor(team_id, requester)
        if not riecs or approver is None:
            return
        state = weighted(rng, VOORDRACHT_STATES)
        order = ("concept", "ter_beoordeling", "goedgekeurd", "ingediend")
        created_on = max(since, self.today - timedelta(days=rng.randint(4, 160)))
        steps = [self.at(created_on + timedelta(days=offset)) for offset in (0, 1, rng.randint(2, 5), rng.randint(6, 9),
                                                                             rng.randint(10, 30))]
        steps = [min(moment, self.now - timedelta(seconds=1)) for moment in steps]
        reached = {name: steps[index] for index, name in enumerate(order)}
        submitted = state != "concept"
        approved = state in ("goedgekeurd", "ingediend", "aangenomen", "teruggelegd")
        sent = state in ("ingediend", "aangenomen", "teruggelegd")
        answered = state in ("aangenomen", "teruggelegd")
        voordracht_id = self.new_id(Voordracht)
        riec_user = self.user_of(riecs[0])
        self.add(Voordracht, id=voordracht_id, case_id=case_id, state=state, addressee_organisation_id=riecs[0],
                 summary=rng.choice(VOORDRACHT_SUMMARIES),
                 indicators=sorted(rng.sample(("vastgoed", "drugs", "mensenhandel", "arbeidsuitbuiting", "witwassen",
                                               "zorgfraude"), rng.randint(1, 2))),
                 indicator_other=None, legal_basis="riec_convenant",
                 urgency=weighted(rng, (("regulier", 70), ("hoog", 25), ("spoed", 5))), created_by_id=requester,
                 submitted_at=reached["ter_beoordeling"] if submitted else None,
                 sent_at=reached["ingediend"] if sent else None, answered_at=steps[4] if answered else None,
                 rejection_motivation="Onvoldoende onderbouwd; eerst aanvullende informatie van de politie."
                 if state == "afgewezen" else None,
                 riec_reference=f"RIEC-{self.today.year}-{voordracht_id:04d}" if state == "aangenomen" else None,
                 riec_advice="Pak dit lokaal aan met bestuurlijke handhaving; het RIEC denkt mee."
                 if state == "teruggelegd" else None,
                 answered_by_id=riec_user if answered else None, version=1, created_at=reached["concept"],
                 updated_at=steps[4] if answered else reached.get(state, reached["goedgekeurd"]))
        for subject_id in subject_ids[:rng.randint(1, 2)]:
            self.add(VoordrachtSubject, voordracht_id=voordracht_id, subject_id=subject_id)
        number = f"RV-{voordracht_id}"
        tl("voordracht.created", f"RIEC-voordracht {number} opgesteld (concept)", reached["concept"], requester)
        if submitted:
            decided = state != "ter_beoordeling"
            self.add(Approval, id=self.new_id(Approval), kind="riec_voordracht",
                     status=("goedgekeurd" if approved else "afgewezen") if decided else "open", case_id=case_id,
                     team_id=team_id, voordracht_id=voordracht_id, requested_by_id=requester,
                     requested_at=reached["ter_beoordeling"], reason="Voordracht voor het RIEC.", details={},
                     decided_by_id=approver if decided else None,
                     decided_at=reached["goedgekeurd"] if decided else None,
                     motivation="Onvoldoende onderbouwd; eerst aanvullende informatie van de politie."
                     if state == "afgewezen" else None, version=1)
            tl("voordracht.transition", f"RIEC-voordracht {number}: ter beoordeling", reached["ter_beoordeling"],
               requester)
        for name, label in (("goedgekeurd", "goedgekeurd"), ("ingediend", "ingediend bij het RIEC")):
            if (name == "goedgekeurd" and approved) or (name == "ingediend" and sent):
                tl("voordracht.transition", f"RIEC-voordracht {number}: {label}", reached[name],
                   approver if name == "goedgekeurd" else requester)
        if state in ("afgewezen", "aangenomen", "teruggelegd"):
            moment = reached["goedgekeurd"] if state == "afgewezen" else steps[4]
            tl("voordracht.transition", f"RIEC-voordracht {number}: {VoordrachtState(state).label_nl.lower()}",
               moment, approver if state == "afgewezen" else riec_user)

    @staticmethod
    def path_for(phase: str, route: str | None) -> list[str]:
        full = ["start_triage", "accept", "adopt_plan", "step_down", "close"]
        if phase == "afgesloten":
            return {"dismissed": ["dismiss"], "referred": ["start_triage", "refer"],
                    "early": ["start_triage", "accept", "adopt_plan", "close_early"]}.get(route or "full", full)
        return {"signalering": [], "triage": full[:1], "aanpak.plan": full[:2], "aanpak.uitvoering": full[:3],
                "nazorg": full[:4]}[phase]

    @staticmethod
    def target(trigger: str) -> str:
        return {"start_triage": "triage", "accept": "aanpak.plan", "adopt_plan": "aanpak.uitvoering",
                "step_down": "nazorg", "close": "afgesloten", "dismiss": "afgesloten", "refer": "afgesloten",
                "close_early": "afgesloten"}[trigger]

    def reason(self, trigger: str, result: str | None) -> str | None:
        return {
            "accept": "Casusoverleg nodig: problemen op meerdere leefgebieden.",
            "adopt_plan": "Plan van aanpak vastgesteld in het casusoverleg.",
            "step_down": "Alle acties afgerond; afschalen naar nazorg.",
            "close": "Nazorgperiode zonder nieuwe signalen afgerond.",
            "dismiss": "Geen casus: de signalen worden in het reguliere werk opgepakt.",
            "refer": "Doorverwezen naar de reguliere hulpverlening.",
            "close_early": "Vroegtijdig afgesloten na akkoord van de supervisor.",
        }.get(trigger)

    @staticmethod
    def signal_status(phase: str, result: str | None) -> str:
        if phase == "afgesloten":
            return "doorverwezen" if result == "doorverwezen" else "afgesloten"
        if phase in ("signalering", "triage"):
            return "in_triage"
        return "gebundeld"

    def plan(self, case_id, phase, route, milestones, path, accepted_on, adopted_on, closed_on, orgs, author,
             tl) -> None:
        rng = self.rng
        finished = phase in ("nazorg", "afgesloten")
        adopted = adopted_on is not None
        goal_count = rng.randint(1, 3) if adopted else rng.randint(0, 2)
        goal_ids = []
        for _ in range(goal_count):
            goal_id = self.new_id(Goal)
            created = self.at(accepted_on + timedelta(days=rng.randint(0, 3)))
            description = rng.choice(GOALS)
            self.add(Goal, id=goal_id, case_id=case_id, description=description, created_at=created,
                     created_by_id=author)
            goal_ids.append(goal_id)
            tl("goal.added", f"Doel: {description}", created, author)
        action_count = rng.randint(1, 8) if adopted else rng.randint(0, 4)
        end = closed_on or self.today
        for _ in range(action_count):
            created_on = accepted_on + timedelta(days=rng.randint(0, 7))
            created_on = min(created_on, end)
            due_on = created_on + timedelta(days=rng.randint(14, 90))
            if finished:
                status = "gereed" if rng.random() < 0.85 else "vervallen"
            elif not adopted:
                status, due_on = "open", max(due_on, self.today + timedelta(days=rng.randint(7, 45)))
            elif due_on < self.today:
                status = weighted(rng, (("gereed", 55), ("vervallen", 10), ("in_uitvoering", 18), ("open", 17)))
            else:
                status = weighted(rng, (("open", 40), ("in_uitvoering", 45), ("gereed", 15)))
            owner_org = rng.choice(orgs)
            owner_user = self.user_of(owner_org) if rng.random() < 0.5 else None
            action_id = self.new_id(Action)
            created_at = self.at(created_on)
            description = rng.choice(ACTIONS)
            org_name = self.region.org_names[owner_org]
            tl("action.added", f"Actie voor {org_name}: {description}", created_at, author)
            last_activity = created_at
            entries = {"open": rng.randint(0, 1), "in_uitvoering": rng.randint(1, 2), "gereed": rng.randint(1, 3),
                       "vervallen": 1}[status]
            writer = owner_user or self.user_of(owner_org) or author
            span = max(1, (min(end, due_on + timedelta(days=10)) - created_on).days)
            for number in range(entries):
                last = number == entries - 1
                moment = self.at(min(end, created_on + timedelta(days=rng.randint(1, span))))
                moment = max(moment, last_activity + timedelta(minutes=1))
                moment = min(moment, self.now - timedelta(seconds=1))
                status_after = status if last and status != "open" else (
                    "in_uitvoering" if status != "open" else None)
                text = PROGRESS[6] if status_after == "vervallen" else rng.choice(PROGRESS[:6] + PROGRESS[7:])
                self.add(ProgressEntry, id=self.new_id(ProgressEntry), action_id=action_id, author_id=writer,
                         organisation_id=owner_org, text=text, status_after=status_after, created_at=moment)
                tl("action.progress", f"Voortgang '{description[:80]}': {text}", moment, writer)
                last_activity = moment
            self.add(Action, id=action_id, case_id=case_id, goal_id=rng.choice(goal_ids) if goal_ids and
                     rng.random() < 0.7 else None, description=description, owner_organisation_id=owner_org,
                     owner_user_id=owner_user, due_on=due_on, status=status, created_at=created_at,
                     last_activity_at=last_activity, version=1 + entries)

    def note(self, case_id, orgs, procesregisseur, start, end, tl) -> None:
        rng = self.rng
        visibility = weighted(rng, NOTE_MIX)
        author_org = rng.choice(orgs)
        author = self.user_of(author_org)
        if procesregisseur and (author is None or rng.random() < 0.4):
            author, author_org = procesregisseur, self.region.org_of[procesregisseur]
        if author is None:
            return
        if visibility == "genoemde_organisaties" and len(orgs) < 2:
            visibility = "alle_deelnemers"
        text = rng.choice(NOTES if visibility == "alle_deelnemers" else RESTRICTED_NOTES)
        moment = self.at(start + timedelta(days=rng.randint(0, max(0, (end - start).days))))
        note_id = self.new_id(Note)
        self.add(Note, id=note_id, case_id=case_id, author_id=author, organisation_id=author_org,
                 visibility=visibility, text=text, created_at=moment)
        if visibility == "genoemde_organisaties":
            others = [o for o in orgs if o != author_org]
            for org_id in sorted({author_org, *rng.sample(others, k=min(len(others), rng.randint(1, 2)))}):
                self.add(NoteAudience, note_id=note_id, organisation_id=org_id)
        tl("note.added", text[:200], moment, author, note_id)

    def audit(self, user_id, action, object_type, object_id, case_id, moment, details) -> None:
        rng = self.rng
        self.add(AuditEvent, id=self.new_id(AuditEvent), occurred_at=moment, user_id=user_id,
                 organisation_id=self.region.org_of.get(user_id), roles=self.region.roles_of.get(user_id, ""),
                 action=action, object_type=object_type, object_id=None if object_id is None else str(object_id),
                 case_id=case_id,
                 outcome="success", ip=f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                 request_id=f"{rng.getrandbits(128):032x}", purpose=None, details=details)

    def loose_signal(self, reference: str, category: Category, category_code: str) -> None:
        """A signal waiting to be weighed (status ontvangen), not yet in a case."""
        rng, region = self.rng, self.region
        team, _ = region.teams[rng.randrange(len(region.teams))]
        kinds = CATEGORY_PARTNERS.get(category_code, DEFAULT_PARTNERS)
        orgs = [o for kind in kinds for o in region.by_kind.get(str(kind), ())]
        reporter = rng.choice(orgs)
        signal_id = self.new_id(Signal)
        self.add(Signal, id=signal_id, reference=reference, category_id=category.id,
                 description=rng.choice(SIGNAL_TEXTS.get(category_code, DEFAULT_SIGNAL_TEXTS)),
                 urgency=weighted(rng, (("laag", 15), ("normaal", 60), ("hoog", 20), ("acuut", 5))),
                 team_id=team.id, reporting_organisation_id=reporter,
                 reported_by_id=self.user_of(reporter) or (region.procesregisseurs.get(team.id) or [None])[0],
                 received_at=self.at(self.today - timedelta(days=rng.randint(0, 12))), status="ontvangen",
                 case_id=None)
        self.add(SignalSubject, signal_id=signal_id, subject_id=self.person(18, 80, team.gemeente))


def _skeletons(rng: random.Random, count: int, categories: dict[str, Category], team_weights: list[int],
               today: date) -> list[Skeleton]:
    """Decide phase, route, category, team and durations for every case; sorted by opening date."""
    codes = list(categories)
    category_weights = [CATEGORY_WEIGHTS.get(code, 2) for code in codes]
    teams = list(range(len(team_weights)))
    skeletons = []
    for _ in range(count):
        phase = weighted(rng, PHASE_WEIGHTS)
        route = weighted(rng, CLOSURE_ROUTES) if phase == "afgesloten" else None
        path = CaseFactory.path_for(phase, route)
        durations = []
        for trigger in path:
            durations.append({
                "start_triage": rng.randint(0, 3), "dismiss": rng.randint(1, 8), "refer": rng.randint(2, 10),
                "accept": rng.randint(2, 10), "adopt_plan": rng.randint(7, 30), "step_down": rng.randint(60, 300),
                "close": rng.randint(182, 230), "close_early": rng.randint(20, 200),
            }[trigger])
        since_last = {
            "signalering": rng.randint(0, 8), "triage": rng.randint(0, 14), "aanpak.plan": rng.randint(0, 35),
            "aanpak.uitvoering": rng.randint(0, 360), "nazorg": rng.randint(0, 200),
            "afgesloten": rng.randint(0, 1000),
        }[phase]
        skeleton = Skeleton(phase=phase, route=route, category=rng.choices(codes, category_weights)[0],
                            team_index=rng.choices(teams, team_weights)[0], durations=durations,
                            since_last=since_last)
        skeleton.opened_on = today - timedelta(days=since_last + sum(durations))
        skeletons.append(skeleton)
    # Stable sort: references follow the order in which cases were opened.
    skeletons.sort(key=lambda s: s.opened_on)
    return skeletons


def _sync_sequences() -> None:
    """Explicit ids do not advance PostgreSQL sequences; move them past the highest id."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in ID_TABLES:
        table = model.__tablename__
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # table names are ours
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))


def seed(cases: int, seed: int | None = None, *, batch_size: int = 2000,
         progress: Callable[[int], None] | None = None, featured_user_ids: Iterable[int] = ()) -> SeedSummary:
    """Fill the database with ``cases`` synthetic cases (and the region they live in). Commits per batch."""
    from casus.cases.services import cadences as configured_cadences
    from casus.cases.services import today as local_today

    started = utcnow()
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    rng = random.Random(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    ensure_standard_categories()
    region = ensure_region()
    db.session.commit()
    categories = {c.code: c for c in db.session.execute(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.id)).scalars()}
    today, now = local_today(), utcnow()
    cadences = configured_cadences()
    skeletons = _skeletons(rng, cases, categories, [w for _t, w in region.teams], today)
    signal_counts = [int(weighted(rng, ((1, 60), (2, 30), (3, 10)))) for _ in skeletons]
    loose = max(1, cases // 30) if cases else 0

    # Reserve every reference up front, per year, in opening order.
    case_refs, signal_refs, loose_refs = _reserve_references(skeletons, signal_counts, loose, today)
    db.session.commit()

    factory = CaseFactory(rng, fake, region, categories, today, now, cadences, set(featured_user_ids))
    summary = SeedSummary(users_created=region.users_created)
    for start in range(0, len(skeletons), batch_size):
        batch = skeletons[start:start + batch_size]
        for offset, skeleton in enumerate(batch):
            index = start + offset
            factory.build(skeleton, case_refs[index], signal_refs[index])
        factory.flush()
        _sync_sequences()
        db.session.commit()
        if progress:
            progress(len(batch))
    codes = list(categories)
    for reference in loose_refs:
        code = rng.choice(codes)
        factory.loose_signal(reference, categories[code], code)
    factory.audit(None, "seed.run", "database", None, None, utcnow(), {"cases": cases, "seed": seed})
    factory.flush()
    _sync_sequences()
    db.session.commit()
    if cases >= 1000:
        # Fresh statistics after a bulk load, so the query planner picks the right indexes. On PostgreSQL also
        # VACUUM (outside a transaction), as autovacuum would soon after: the visibility map lets counts over an
        # index skip the table (index-only scans).
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
    summary.cases = factory.totals.get("cases", 0)
    summary.signals = factory.totals.get("signals", 0)
    summary.subjects = factory.totals.get("subjects", 0)
    summary.actions = factory.totals.get("actions", 0)
    summary.counts = dict(factory.totals)
    summary.seconds = (utcnow() - started).total_seconds()
    return summary


def _reserve_references(skeletons: list[Skeleton], signal_counts: list[int], loose: int,
                        today: date) -> tuple[list[str], list[list[str]], list[str]]:
    case_years: dict[int, int] = defaultdict(int)
    signal_years: dict[int, int] = defaultdict(int)
    for skeleton, count in zip(skeletons, signal_counts, strict=True):
        case_years[skeleton.opened_on.year] += 1
        signal_years[skeleton.opened_on.year] += count
    signal_years[today.year] += loose
    next_case = {year: reserve_numbers("case", year, n) for year, n in sorted(case_years.items())}
    next_signal = {year: reserve_numbers("signal", year, n) for year, n in sorted(signal_years.items())}
    case_refs, signal_refs = [], []
    for skeleton, count in zip(skeletons, signal_counts, strict=True):
        year = skeleton.opened_on.year
        case_refs.append(f"{year}-{next_case[year]:05d}")
        next_case[year] += 1
        refs = []
        for _ in range(count):
            refs.append(f"S-{year}-{next_signal[year]:06d}")
            next_signal[year] += 1
        signal_refs.append(refs)
    loose_refs = []
    for _ in range(loose):
        loose_refs.append(f"S-{today.year}-{next_signal[today.year]:06d}")
        next_signal[today.year] = next_signal[today.year] + 1
    return case_refs, signal_refs, loose_refs


# --- meetings: running series with held meetings (minutes, decisions) and coming agendas ------------------------

@dataclass(frozen=True)
class SeriesPlan:
    """A meeting series of a region team, started ``weeks_back`` weeks ago."""

    team: str
    type: str
    title: str
    weekday: int  # 0 = Monday
    start: time
    location: str
    invited: tuple[str, ...]  # organisation names of REGION_ORGANISATIONS
    interval_weeks: int = 2
    duration_minutes: int = 120
    weeks_back: int = 12
    items: int = 12  # cases on the agenda of a held meeting, about (every running case comes round monthly)
    categories: tuple[str, ...] = ()  # cases of these categories first (a jeugdtafel discusses jeugd cases)


REGION_MEETING_SERIES = (
    SeriesPlan("Team Casusregie", "casusoverleg", "Casusoverleg Voorbeeldstad", weekday=1, start=time(9, 30),
               location="Zorg- en Veiligheidshuis Voorbeeldregio, zaal De Brug",
               invited=("Zorg- en Veiligheidshuis Voorbeeldregio", "Gemeente Voorbeeldstad",
                        "Politie Eenheid Voorbeeld", "Openbaar Ministerie Arrondissement Voorbeeld",
                        "Woonstichting Thuisbasis", "GGZ Voorbeeldregio", "Verslavingszorg Voorbeeldregio",
                        "Veilig Thuis Voorbeeldregio", "Reclassering Voorbeeld", "Wijkteam Centrum")),
    SeriesPlan("Team Jeugd en Veiligheid", "zvt_jeugd", "Zorg- en Veiligheidstafel Jeugd Voorbeeldstad", weekday=3,
               start=time(13, 30), location="Stadskantoor Voorbeeldstad, kamer 4.12", items=6,
               categories=("jeugd", "huiselijk_geweld", "radicalisering"),
               invited=("Zorg- en Veiligheidshuis Voorbeeldregio", "Gemeente Voorbeeldstad",
                        "Politie Eenheid Voorbeeld", "Halt Voorbeeldregio", "Jeugdbescherming Voorbeeldregio",
                        "CJG Voorbeeldstad", "Jongerenwerk Voorbeeldstad", "Scholengroep De Linde",
                        "Veilig Thuis Voorbeeldregio", "Openbaar Ministerie Arrondissement Voorbeeld")),
)

# Minutes in BOB order; {org} is a participating organisation of the case.
BEELDVORMING = (
    "{org} meldt dat de situatie sinds de vorige bespreking {trend}.",
    "Sinds de vorige bespreking zijn er {count} nieuwe meldingen binnengekomen; {org} heeft een huisbezoek afgelegd.",
    "Betrokkene is door {org} gesproken, staat open voor hulp maar komt afspraken wisselend na.",
    "De acties uit het plan van aanpak lopen; {org} wacht nog op de intake bij de zorgaanbieder.",
    "{org} geeft aan dat de overlast is afgenomen; buren melden minder incidenten.",
    "Er zijn zorgen over de veiligheid thuis; {org} heeft contact gehad met school en huisarts.",
    "{org} heeft de schulden in beeld gebracht; er is een aanvraag voor schuldhulpverlening gedaan.",
)
TRENDS = ("is verbeterd", "ongeveer gelijk is gebleven", "is verslechterd")
OORDEELSVORMING = (
    "De partners zijn het eens: de aanpak werkt en kan worden voortgezet.",
    "De risico's blijven hoog; zonder extra inzet van zorg dreigt escalatie.",
    "Er is onvoldoende zicht op de thuissituatie; meer informatie van {org} is nodig.",
    "Betrokkene mijdt zorg; de partners overwegen drang en, als dat niet werkt, dwang.",
    "De samenwerking tussen de partners loopt goed; de aanpak moet wel sneller.",
)
BESLUITVORMING = (
    "Aanpak voortzetten; {org} blijft casushouder.",
    "{org} plant binnen twee weken een gezamenlijk huisbezoek met de wijkagent.",
    "Over vier weken opnieuw bespreken in dit overleg.",
    "Opschaling naar tactisch niveau voorbereiden als er voor de volgende bespreking geen verbetering is.",
    "{org} vraagt toestemming aan betrokkene om informatie met de huisarts te delen.",
)
NAZORG_MINUTES = (
    "De nazorg verloopt volgens plan; er zijn geen nieuwe signalen.",
    "De situatie is stabiel; de reguliere hulpverlening is betrokken.",
    "Nazorg voortzetten; volgende check-in volgens schema.",
)
STEP_DOWN_MINUTES = (
    "De doelen van het plan van aanpak zijn grotendeels behaald.",
    "De partners zien geen reden meer voor regie vanuit het Zorg- en Veiligheidshuis.",
    "Afschalen naar nazorg; {org} houdt de vinger aan de pols.",
)
DECISION_ACTIONS = (
    "Gezamenlijk huisbezoek afleggen en terugkoppelen in het volgende overleg.",
    "Betrokkene aanmelden bij de GGZ voor een intake.",
    "Gesprek met school en leerplicht organiseren.",
    "Veiligheidsplan met het gezin opstellen.",
)


def seed_meetings(plans: Iterable[SeriesPlan] = REGION_MEETING_SERIES, *, featured_user_ids: Iterable[int] = (),
                  seed: int = 0, now: datetime | None = None) -> int:
    """Running meeting series for the region's teams, through the meeting services: held meetings with an
    agenda of the team's cases, minutes per case in BOB order, decisions and attendance, closed as the
    application closes them; and coming meetings with an agenda (the daily agenda job, topped up by hand).

    Idempotent: a team that already has a series of the plan's title is skipped. The chair is a featured
    procesregisseur of the team when there is one (the demo's). Commits. Returns the number of series made.
    """
    from casus.cases.services import today as local_today

    now = now or utcnow()
    rng = random.Random(seed)
    region = ensure_region()
    featured = set(featured_user_ids)
    teams = {team.name: team for team, _weight in region.teams}
    made = 0
    for plan in plans:
        team = teams.get(plan.team)
        pool = region.procesregisseurs.get(team.id, []) if team else []
        if team is None or not pool or db.session.execute(sa.select(MeetingSeries.id).where(
                MeetingSeries.team_id == team.id, MeetingSeries.title == plan.title)).first():
            continue
        chair = db.session.get(User, next((uid for uid in pool if uid in featured), pool[0]))
        _seed_series(plan, team, chair, region, rng, local_today(), now)
        made += 1
    db.session.commit()
    return made


def _seed_series(plan: SeriesPlan, team: Team, chair: User, region: Region, rng: random.Random, today: date,
                 now: datetime) -> None:
    from casus.meetings import services
    from casus.meetings.services import SeriesInput

    invited = [region.organisations[name].id for name in plan.invited if name in region.organisations]
    first = today - timedelta(weeks=plan.weeks_back)
    series = services.save_series(chair, None, SeriesInput(
        type=plan.type, title=plan.title, weekday=plan.weekday, interval_weeks=plan.interval_weeks,
        start_time=plan.start, duration_minutes=plan.duration_minutes, first_date=first, last_date=None,
        skip_holidays=True, location=plan.location, online_url=None, chair_id=chair.id,
        organisation_ids=tuple(invited)), now=now)
    services.generate_meetings(series, today, since=first, now=now)  # the ones already held (not announced)
    meetings = list(db.session.execute(sa.select(Meeting).where(Meeting.series_id == series.id)
                                       .order_by(Meeting.starts_at)).scalars())
    cases = list(db.session.execute(
        sa.select(Case).where(Case.team_id == team.id, Case.phase.in_(services.REVIEWED_PHASES))
        .order_by(Case.id)).scalars())
    preferred = set(plan.categories)
    cases.sort(key=lambda case: (bool(preferred) and case.category.code not in preferred, case.id))
    participants = {case_id: [(o.id, o.name) for o in orgs] for case_id, orgs in
                    services.participants_by_case(case.id for case in cases).items()}
    names: dict[int, list[str]] = defaultdict(list)
    for organisation_id, name in db.session.execute(
            sa.select(User.organisation_id, User.name).where(User.organisation_id.in_(invited), User.active.is_(True))
            .order_by(User.id)):
        names[organisation_id].append(name)
    discussed: dict[int, date] = {}
    held = [m for m in meetings if m.ends_at <= now]
    for index, meeting in enumerate(held):
        _hold(meeting, chair, cases, participants, names, discussed, invited, rng, plan.items,
              last=index == len(held) - 1, today=today, fallback=region.org_names[chair.organisation_id])
    coming = [m for m in meetings if m.starts_at > now]
    if coming:
        from flask import current_app

        services.schedule_review_due_cases(current_app._get_current_object(), now)
        for meeting, wanted in zip(coming, (plan.items, plan.items // 2), strict=False):
            _fill_agenda(meeting, chair, cases, discussed, wanted, now)


def _purpose(case: Case, day: date, discussed: dict[int, date]) -> str:
    """Why the case is on the agenda of ``day``: evaluating nazorg, stepping down to it (shortly before it
    started), a new case (its plan still being made, or opened recently and not discussed yet), else discussing."""
    from casus.meetings.services import local_date

    if case.phase == "nazorg" and case.nazorg_started_on:
        if case.nazorg_started_on <= day:
            return "evalueren"
        if case.nazorg_started_on <= day + timedelta(days=21):
            return "afschalen"
    if case.phase == "aanpak.plan" or (case.id not in discussed and local_date(case.created_at) >= day - timedelta(
            days=42)):
        return "nieuw"
    return "bespreken"


def _hold(meeting: Meeting, chair: User, cases: list[Case], participants: dict[int, list[tuple[int, str]]],
          names: dict[int, list[str]], discussed: dict[int, date], invited: list[int], rng: random.Random,
          items: int, *, last: bool, today: date, fallback: str) -> None:
    """One held meeting: agenda, minutes (BOB), decisions and attendance, closed with the service; its
    timeline lines and decisions carry the meeting's own time rather than today's."""
    from casus.meetings import services

    day = services.local_date(meeting.starts_at)
    eligible = [case for case in cases if services.local_date(case.created_at) <= day - timedelta(days=7)]
    # Not discussed for the longest time first, so that every case comes round about once a month.
    eligible.sort(key=lambda case: discussed.get(case.id, date.min))
    chosen = rng.sample(eligible[:items * 2], k=min(len(eligible), max(1, items + rng.randint(-2, 2))))
    first_timeline = _max_id(TimelineEvent)
    first_action = _max_id(Action)
    first_decision = _max_id(Decision)
    for case in sorted(chosen, key=lambda case: case.id):
        purpose = _purpose(case, day, discussed)
        item = services.add_agenda_item(chair, meeting, case, purpose=purpose)
        orgs = participants.get(case.id) or []
        fill = {"org": rng.choice(orgs)[1] if orgs else fallback, "trend": rng.choice(TRENDS),
                "count": rng.randint(1, 4)}
        if purpose == "evalueren":
            texts = NAZORG_MINUTES
        elif purpose == "afschalen":
            texts = STEP_DOWN_MINUTES
        else:
            texts = (rng.choice(BEELDVORMING), rng.choice(OORDEELSVORMING), rng.choice(BESLUITVORMING))
        beeld, oordeel, besluit = (text.format(**fill) for text in texts)
        services.save_minutes(chair, meeting, item, beeldvorming=beeld, oordeelsvorming=oordeel,
                              besluitvorming=besluit, discussed=True)
        services.add_decision(chair, meeting, item, case, text=besluit)
        if last and orgs and case.phase in ("aanpak.plan", "aanpak.uitvoering") and rng.random() < 0.5:
            # The latest meeting also hands out work: a decision that becomes an action in the plan van aanpak.
            services.add_decision(chair, meeting, item, case, text=rng.choice(DECISION_ACTIONS), as_action=True,
                                  owner_organisation_id=rng.choice(orgs)[0],
                                  due_on=max(today + timedelta(days=7), day + timedelta(days=rng.randint(21, 35))))
        discussed[case.id] = day
    attendance = {}
    for org_id in invited:
        present = rng.random() < 0.85
        attendance[org_id] = (present, ", ".join(names[org_id][:rng.randint(1, 2)]) if present else None)
    services.record_attendance(chair, meeting, attendance)
    services.close_meeting(chair, meeting, expected_version=meeting.version)
    db.session.flush()
    ended = meeting.ends_at
    db.session.execute(sa.update(TimelineEvent).where(TimelineEvent.id > first_timeline).values(occurred_at=ended))
    db.session.execute(sa.update(Decision).where(Decision.id > first_decision).values(created_at=ended))
    db.session.execute(sa.update(Action).where(Action.id > first_action)
                       .values(created_at=ended, last_activity_at=ended))
    db.session.execute(sa.update(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                       .values(created_at=meeting.starts_at - timedelta(days=3)))


def _fill_agenda(meeting: Meeting, chair: User, cases: list[Case], discussed: dict[int, date], wanted: int,
                 now: datetime) -> None:
    """Top a coming meeting's agenda up to about ``wanted`` cases: the longest undiscussed first."""
    from casus.meetings import services

    present = set(db.session.execute(sa.select(AgendaItem.case_id).where(
        AgendaItem.meeting_id == meeting.id)).scalars())
    on_coming = set(db.session.execute(sa.select(AgendaItem.case_id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
                                       .where(Meeting.status == "gepland", Meeting.starts_at > now)).scalars())
    day = services.local_date(meeting.starts_at)
    candidates = [case for case in cases if case.id not in on_coming]
    candidates.sort(key=lambda case: discussed.get(case.id, date.min))
    for case in candidates[:max(0, wanted - len(present))]:
        services.add_agenda_item(chair, meeting, case, purpose=_purpose(case, day, discussed))
