"""The triage queue audits the cases it showed (one event per view; signals carry no case yet)."""

from __future__ import annotations

import sqlalchemy as sa

from casus.audit.models import AuditEvent, AuditShownCase


def test_the_triage_queue_records_the_cases_it_showed(client, db, login_as, region, make_case, make_team):
    waiting = {make_case(team=region.team, phase=phase).id for phase in ("signalering", "triage")}
    make_case(team=region.team, phase="aanpak.plan")
    make_case(team=make_team(), phase="triage")
    supervisor = login_as("supervisor", organisation=region.zvh, team=region.team)
    assert client.get("/triage").status_code == 200
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "case.triage.list.view")).scalar_one()
    assert event.user_id == supervisor.id
    assert set(db.session.execute(sa.select(AuditShownCase.case_id)
                                  .where(AuditShownCase.event_id == event.id)).scalars()) == waiting
