"""Shared fixtures: ``app``, ``db`` (rolled back per test), ``client``, ``auth``, factories, query counter.

The suite runs on SQLite by default and on PostgreSQL when ``CASUS_TEST_DATABASE_URL`` is set (as a runtime role
that owns nothing when ``CASUS_TEST_OWNER_DATABASE_URL`` names the owner: see ``support``).
App imports happen inside fixtures, so the workflow tests run without Flask.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import cache

import pytest

from support import DEFAULT_PASSWORD, ApiCaller, Auth, QueryCounter, create_tables, database_url_for


@pytest.fixture(scope="session")
def app_config(tmp_path_factory):
    from casus import testing_config

    url = database_url_for("casus_test", tmp_path_factory)
    return testing_config(database_url=url, instance_path=str(tmp_path_factory.mktemp("instance")))


@pytest.fixture(scope="session")
def app(app_config):
    from casus import create_app

    app = create_app(app_config)
    create_tables(app)
    return app


@pytest.fixture
def db(app):
    """The database, inside a transaction that is rolled back after the test.

    Requests commit as usual; their commits release SAVEPOINTs inside the outer transaction.
    """
    from flask_sqlalchemy.session import Session

    from casus.extensions import db as database

    class BoundSession(Session):
        def get_bind(self, *args, **kwargs):
            return self.bind

    with app.app_context():
        connection = database.engine.connect()
        outer = connection.begin()
        original = database.session
        database.session = database._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": BoundSession,
             "expire_on_commit": False})
        try:
            yield database
        finally:
            database.session.remove()
            database.session = original
            outer.rollback()
            connection.close()
        app.extensions["casus_throttle"].counter.__init__()


def _fresh_context_client_class():
    from flask.testing import FlaskClient

    class FreshContextClient(FlaskClient):
        """Each request in its own app context, as in production.

        Without this, requests reuse the test's app context and share ``g`` (and so the
        logged-in user) between requests.
        """

        def open(self, *args, **kwargs):
            with self.application.app_context():
                return super().open(*args, **kwargs)

    return FreshContextClient


@pytest.fixture
def client(app, db):
    app.test_client_class = _fresh_context_client_class()
    test_client = app.test_client()
    # Served "over TLS", so the __Host- prefixed, Secure session cookie behaves as in production.
    test_client.environ_base["wsgi.url_scheme"] = "https"
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"  # CSRF checks the referrer over TLS
    return test_client


@cache
def _password_hash(password: str) -> str:
    from casus.auth.passwords import hash_password

    return hash_password(password)


@pytest.fixture
def make_organisation(db):
    from casus.organisations.models import Organisation, OrganisationKind

    counter = iter(range(1, 10_000))

    def make(**fields):
        fields.setdefault("name", f"Organisatie {next(counter)}")
        fields.setdefault("kind", OrganisationKind.GEMEENTE)
        fields.setdefault("convenant_partner", True)
        organisation = Organisation(**fields)
        db.session.add(organisation)
        db.session.flush()
        return organisation

    return make


@pytest.fixture
def make_team(db, make_organisation):
    from casus.organisations.models import Team

    counter = iter(range(1, 10_000))

    def make(**fields):
        fields.setdefault("name", f"Team {next(counter)}")
        fields.setdefault("gemeente", "Voorbeeldstad")
        if "organisation" not in fields and "organisation_id" not in fields:
            fields["organisation"] = make_organisation()
        team = Team(**fields)
        db.session.add(team)
        db.session.flush()
        return team

    return make


@pytest.fixture
def make_user(db, make_organisation, make_team):
    from casus.users.models import Role, User, UserRole

    counter = iter(range(1, 10_000))

    def make(*roles: str, password: str = DEFAULT_PASSWORD, **fields):
        roles = roles or ("partner",)
        number = next(counter)
        fields.setdefault("email", f"gebruiker{number}@example.org")
        fields.setdefault("name", f"Gebruiker {number}")
        if "organisation" not in fields:
            fields["organisation"] = make_organisation()
        if "team" not in fields and {"procesregisseur", "supervisor"} & set(roles):
            fields["team"] = make_team(organisation=fields["organisation"])
        user = User(password_hash=_password_hash(password), **fields)
        user.role_rows = [UserRole(role=Role(role)) for role in roles]
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def count_queries(app, db):
    """``with count_queries() as counter: ...`` counts SQL statements, savepoint bookkeeping excluded."""
    import sqlalchemy as sa

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, *args):
            if not re.match(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN)", statement, re.I):
                counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def login(auth, db):
    """``login(user)``: log an existing user in through the real form, second factor included. The same user
    may log in more than once within one TOTP step in a test, so the replay guard is reset first."""

    def as_user(user):
        import sqlalchemy as sa

        from casus.users.models import User

        db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
        auth.login_with_totp(user)
        return user

    return as_user


@pytest.fixture
def login_as(auth, make_user):
    """``login_as("supervisor")``: create a user with those roles (and a second factor) and log them in."""
    import pyotp

    def login(*roles: str, **fields):
        user = make_user(*roles, totp_secret=pyotp.random_base32(), **fields)
        auth.login_with_totp(user)
        return user

    return login


@pytest.fixture
def categories(app, db):
    """The standard categories by code (woonoverlast, jeugd, ondermijning, ...)."""
    from casus.cases.categories import ensure_standard_categories

    return ensure_standard_categories()


@pytest.fixture
def make_case(db, categories, make_team, make_organisation):
    """``make_case(team=..., phase="aanpak.uitvoering", partners=[org, ...], subjects=[...])``.

    Writes rows directly (no workflow), for tests that need a case in a given state. Every organisation
    in ``partners`` gets an active participation; the first is the aanbrenger.
    """
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import today
    from workflow import ParticipationRole

    counter = iter(range(1, 100_000))

    def make(*, team=None, partners=(), subjects=(), phase="signalering", procesregisseur=None, **fields):
        number = next(counter)
        team = team or make_team()
        aanbrenger = partners[0] if partners else make_organisation()
        case = Case(reference=f"2026-{number:05d}", title=fields.pop("title", f"Casus {number}"),
                    category=fields.pop("category", categories["woonoverlast"]), team=team, gemeente=team.gemeente,
                    phase=phase, aanbrenger_organisation_id=aanbrenger.id,
                    procesregisseur_id=getattr(procesregisseur, "id", None), **fields)
        if phase == "afgesloten":
            case.result = case.result or "doel_bereikt"
            case.closed_on = case.closed_on or today()
        if phase == "nazorg":
            case.nazorg_started_on = case.nazorg_started_on or today()
        db.session.add(case)
        db.session.flush()
        for index, organisation in enumerate(partners or [aanbrenger]):
            role = ParticipationRole.AANBRENGER if index == 0 else ParticipationRole.DEELNEMER
            db.session.add(Participation(case_id=case.id, organisation_id=organisation.id, role=role,
                                         legal_basis=LegalBasis.CONVENANT, joined_on=today()))
        for subject in subjects:
            db.session.add(CaseSubject(case_id=case.id, subject_id=subject.id))
        db.session.flush()
        return case

    return make


@pytest.fixture
def make_subject(db):
    from casus.subjects.models import Subject

    counter = iter(range(1, 100_000))

    def make(kind="persoon", **fields):
        number = next(counter)
        if kind == "persoon":
            fields.setdefault("name", f"Persoon {number}")
            fields["name_key"] = fields["name"].lower()
        elif kind == "adres":
            fields.setdefault("postcode", "1234AB")
            fields.setdefault("huisnummer", number)
        else:
            fields.setdefault("name", f"Bedrijf {number} B.V.")
            fields.setdefault("kvk_nummer", f"{number:08d}")
        subject = Subject(kind=kind, **fields)
        db.session.add(subject)
        db.session.flush()
        return subject

    return make


@pytest.fixture
def api(client, db):
    """``api(user, "GET", "/cases")``: an API call as ``user`` with a bearer token."""
    return ApiCaller(client, db)
