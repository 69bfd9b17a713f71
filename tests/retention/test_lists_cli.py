"""``casus retention propose-lists`` as an operator runs it: the installed script on a freshly migrated database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from processes import assert_ok, fresh_database, production_env, run_casus


def _seed_a_due_case(app_config, url: str) -> None:
    """One closed case past its archiefactiedatum under a confirmed term, written by an app on that database."""
    from casus import create_app
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Archiefnominatie, Case
    from casus.clock import today
    from casus.database import utcnow
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.retention.models import RetentionTerm
    from casus.users.models import Role, User, UserRole

    app = create_app(replace(app_config, database_url=url))
    with app.app_context():
        categories = ensure_standard_categories()
        zvh = Organisation(name="ZVH Opdrachtregel", kind=OrganisationKind.ZVH, convenant_partner=True)
        team = Team(name="Team Opdrachtregel", gemeente="Regelstad", organisation=zvh)
        officer = User(email="privacy@regelstad.example", name="Pia Privacy", organisation=zvh, password_hash="x")
        officer.role_rows = [UserRole(role=Role.PRIVACY)]
        db.session.add_all([zvh, team, officer])
        db.session.flush()
        term = db.session.execute(sa.select(RetentionTerm).where(
            RetentionTerm.category_id == categories["woonoverlast"].id)).scalar_one_or_none()
        if term is None:  # the migration may have made the defaults already
            term = RetentionTerm(category_id=categories["woonoverlast"].id, months=60)
            db.session.add(term)
        term.confirmed_at, term.confirmed_by_id = utcnow(), officer.id
        db.session.add(Case(reference="2026-00001", title="Afgesloten", category=categories["woonoverlast"],
                            team=team, gemeente=team.gemeente, phase="afgesloten", result="doel_bereikt",
                            closed_on=today() - timedelta(days=2000), aanbrenger_organisation_id=zvh.id,
                            archiefnominatie=Archiefnominatie.VERNIETIGEN,
                            archiefactiedatum=today() - timedelta(days=5)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_propose_lists_now_and_again(app_config, tmp_path):
    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        _seed_a_due_case(app_config, url)
        assert "Vernietigingslijsten voorgesteld: 1." in assert_ok(
            run_casus("retention", "propose-lists", env=env, cwd=tmp_path))
        assert "Vernietigingslijsten voorgesteld: 0." in assert_ok(
            run_casus("retention", "propose-lists", env=env, cwd=tmp_path))
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT reference, status FROM destruction_lists")).all()
            kinds = connection.execute(sa.text("SELECT kind FROM notifications")).scalars().all()
        engine.dispose()
        assert len(rows) == 1 and rows[0].reference.startswith("VL-") and rows[0].status == "concept"
        assert kinds == ["destruction_list_proposed"]
