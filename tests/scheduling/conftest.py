"""Scheduler tests need real commits (scheduler threads, other processes): a separate app and database."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture(scope="session")
def sched_app(app_config, tmp_path_factory):
    from dataclasses import replace

    from casus import create_app

    from support import create_tables, database_url_for

    url = database_url_for("casus_scheduler", tmp_path_factory)
    app = create_app(replace(app_config, database_url=url,
                             instance_path=str(tmp_path_factory.mktemp("scheduler_instance"))))
    create_tables(app)
    return app


@pytest.fixture
def sched_db(sched_app):
    """Committed data in the scheduler app's database; every table is emptied after the test."""
    from casus.extensions import db

    from support import empty_tables

    with sched_app.app_context():
        yield db
        empty_tables(sched_app)


@pytest.fixture
def committed_review_case(sched_db):
    """``committed_review_case(review_on)`` -> (case id, procesregisseur id): a case due for review, committed."""
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    counter = iter(range(1, 1000))

    def make(review_on: date):
        number = next(counter)
        categories = ensure_standard_categories()
        organisation = Organisation(name=f"Gemeente Planstad {number}", kind=OrganisationKind.GEMEENTE,
                                    convenant_partner=True)
        team = Team(name="Zorg- en Veiligheidshuis", gemeente="Planstad", organisation=organisation)
        regisseur = User(email=f"regisseur{number}@example.org", name="P. Regisseur", organisation=organisation,
                         team=team, password_hash="!", role_rows=[UserRole(role=Role.PROCESREGISSEUR)])
        case = Case(reference=f"2026-{number:05d}", title="Casus", category=categories["woonoverlast"], team=team,
                    gemeente="Planstad", phase="aanpak.uitvoering", aanbrenger_organisation_id=0,
                    next_review_on=review_on)
        sched_db.session.add_all([organisation, team, regisseur])
        sched_db.session.flush()
        case.aanbrenger_organisation_id = organisation.id
        case.procesregisseur_id = regisseur.id
        sched_db.session.add(case)
        sched_db.session.commit()
        return case.id, regisseur.id

    return make


@pytest.fixture
def count_notifications(sched_app):
    """``count_notifications()`` -> recorded notifications, read through a fresh connection."""
    import sqlalchemy as sa

    from casus.extensions import db
    from casus.notifications.models import Notification

    def count() -> int:
        with sched_app.app_context(), db.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count(Notification.id))).scalar_one()

    return count
