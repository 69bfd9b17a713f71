"""A four-eyes decision on the tijdlijn names both people: who asked and who decided."""

from __future__ import annotations

import sqlalchemy as sa

from casus.approvals import case_requests
from casus.approvals import services as approvals
from casus.timeline.models import TimelineEvent


def decided_line(db, case):
    return db.session.execute(sa.select(TimelineEvent).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == "approval.decided")
        .order_by(TimelineEvent.id.desc())).scalars().first()


def test_an_approved_closure_names_the_requester_and_the_approver(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Betrokkene verhuisd",
                                                   result="verhuisd")
    approvals.decide(w["supervisor"], approval, approve=True, expected_version=approval.version)
    line = decided_line(db, w["case"])
    assert line.summary == ("Vroegtijdig afsluiten: aangevraagd door Rosa Regisseur, "
                            "goedgekeurd door Sem Supervisor")
    assert line.actor_id == w["supervisor"].id


def test_a_rejection_names_both_and_the_motivation(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Betrokkene verhuisd",
                                                   result="verhuisd")
    approvals.decide(w["second"], approval, approve=False, motivation="Eerst huisbezoek afleggen",
                     expected_version=approval.version)
    assert decided_line(db, w["case"]).summary == (
        "Vroegtijdig afsluiten: aangevraagd door Rosa Regisseur, afgewezen door Sara Tweede. "
        "Motivering: Eerst huisbezoek afleggen")
