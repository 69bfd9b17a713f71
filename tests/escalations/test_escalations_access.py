"""Need-to-know on the ladder: partners of the case read it, only the team climbs it, outsiders find nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.cases.models import Case
from casus.escalations.models import Escalation
from casus.organisations.models import OrganisationKind

from support import csrf_from


def _events(db, action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def _posts(case, step):
    base = f"/casussen/{case.id}/escalaties"
    return {
        f"{base}/opschalen": ("escalation.escalate", {"reason": "x", "decision_owner": "x", "version": case.version}),
        f"{base}/{step.id}/besluit": ("escalation.decision", {"decision": "x"}),
        f"{base}/afschalen": ("escalation.deescalate", {"decision": "x", "version": case.version}),
    }


def test_a_participating_partner_reads_the_ladder_but_cannot_change_it(client, db, ladder, login, put_step):
    case = ladder["case"]
    step = put_step(case, ladder["regisseur"], reason="Dreigende uitzetting")
    login(ladder["agent"])
    response = client.get(f"/casussen/{case.id}/escalaties")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dreigende uitzetting" in html and "Ketenmanagers politie en gemeente" in html
    assert "<form class=\"utrecht-form casus-form\"" not in html and "escalaties/opschalen" not in html
    [view] = [event for event in _events(db, "case.view") if event.user_id == ladder["agent"].id]
    assert view.outcome == "success" and view.case_id == case.id

    token = csrf_from(client.get("/account"))
    for url, (action, data) in _posts(case, step).items():
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
        [denied] = _events(db, action)
        assert denied.outcome == "denied" and denied.user_id == ladder["agent"].id and denied.case_id == case.id
    db.session.expire_all()
    assert db.session.get(Case, case.id).escalation_level == "tactisch"
    assert db.session.get(Escalation, step.id).decision is None


@pytest.mark.parametrize("who", ["partner_elsewhere", "procesregisseur_other_team", "beheerder"])
def test_outsiders_get_404_for_the_tab_and_every_form(client, db, ladder, login_as, make_organisation, make_team,
                                                      put_step, who):
    case = ladder["case"]
    step = put_step(case, ladder["regisseur"], reason="Dreigende uitzetting")
    if who == "partner_elsewhere":
        user = login_as("partner", organisation=make_organisation(kind=OrganisationKind.GGZ))
    elif who == "procesregisseur_other_team":
        user = login_as("procesregisseur", organisation=ladder["zvh"], team=make_team(organisation=ladder["zvh"]))
    else:
        user = login_as("beheerder", organisation=ladder["zvh"])
    response = client.get(f"/casussen/{case.id}/escalaties")
    assert response.status_code == 404
    assert b"Dreigende uitzetting" not in response.data and case.reference.encode() not in response.data
    token = csrf_from(client.get("/account"))
    for url, (_action, data) in _posts(case, step).items():
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    denied = [event for event in _events(db, "case.view") if event.user_id == user.id]
    assert len(denied) == 4 and {event.outcome for event in denied} == {"denied"}
    db.session.expire_all()
    assert db.session.get(Case, case.id).escalation_level == "tactisch"


def test_a_step_of_another_case_is_not_found_under_this_case(client, db, ladder, login, put_step, make_case):
    other = make_case(team=ladder["team"], title="Andere casus")
    step = put_step(other, ladder["regisseur"])
    login(ladder["supervisor"])
    url = f"/casussen/{ladder['case'].id}/escalaties"
    response = client.post(f"{url}/{step.id}/besluit", data={"csrf_token": csrf_from(client.get(url)), "decision": "x"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Escalation, step.id).decision is None


@pytest.mark.parametrize("roles", [("partner",), ("riec",), ("beheerder",), ("privacy",)])
def test_the_queue_is_for_the_team_only(client, db, ladder, login_as, roles):
    user = login_as(*roles, organisation=ladder["politie"])
    assert client.get("/escalaties").status_code == 403
    [denied] = _events(db, "escalation.list")
    assert denied.outcome == "denied" and denied.user_id == user.id
