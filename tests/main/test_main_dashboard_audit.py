"""What a person saw on the dashboard: one audit event per view, with every case its blocks showed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casus.audit.models import AuditEvent, AuditShownCase
from casus.clock import today
from casus.main.views import DASHBOARD_ROWS
from casus.plans.models import Action


def shown_by_dashboard(db) -> list[set[int]]:
    events = db.session.execute(sa.select(AuditEvent.id).where(AuditEvent.action == "dashboard.view")
                                .order_by(AuditEvent.id)).scalars().all()
    return [set(db.session.execute(sa.select(AuditShownCase.case_id).where(AuditShownCase.event_id == event))
                .scalars()) for event in events]


def test_the_dashboard_records_the_cases_of_every_block(client, db, login_as, make_organisation, make_team,
                                                        make_case):
    zvh = make_organisation(name="ZVH")
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie")
    regisseur = login_as("procesregisseur", organisation=zvh, team=team)
    mine = [make_case(team=team, partners=[zvh], phase="aanpak.uitvoering", procesregisseur=regisseur)
            for _ in range(DASHBOARD_ROWS + 2)]  # the block shows DASHBOARD_ROWS of them
    colleagues = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering")
    db.session.add(Action(case_id=colleagues.id, owner_organisation_id=politie.id, status="open",
                          description="Huisbezoek", due_on=today() - timedelta(days=3)))
    make_case(team=make_team(organisation=zvh), partners=[zvh])  # another team's: not on this dashboard
    db.session.flush()
    assert client.get("/").status_code == 200
    [seen] = shown_by_dashboard(db)
    assert colleagues.id in seen  # through the team's overdue actions
    assert len(seen & {case.id for case in mine}) == DASHBOARD_ROWS
    assert len(seen) == DASHBOARD_ROWS + 1
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "dashboard.view")).scalar_one()
    assert (event.user_id, event.details["shown"]) == (regisseur.id, len(seen))


def test_a_dashboard_without_cases_is_recorded_too(client, db, login_as):
    login_as("privacy")
    assert client.get("/").status_code == 200
    assert shown_by_dashboard(db) == [set()]
