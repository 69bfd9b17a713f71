"""The approvals service: requests, four-eyes decisions, withdrawal, and what each does to the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casus.approvals import case_requests
from casus.approvals import services as approvals
from casus.approvals.models import Approval, ApprovalStatus
from casus.audit.models import AuditEvent
from casus.cases import services as cases
from casus.cases.models import Case, TransitionLog
from casus.clock import today
from casus.notifications.models import Notification
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from workflow import TransitionRefused


def _notifications(db, kind=None):
    query = sa.select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.execute(query).scalars())


def _events(db, action, outcome="success"):
    return list(db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.outcome == outcome)).scalars())


def _transitions(db, case):
    return list(db.session.execute(sa.select(TransitionLog).where(TransitionLog.case_id == case.id)).scalars())


# --- requesting ----------------------------------------------------------------------------------------------

def test_a_request_notifies_every_other_supervisor_of_the_team(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["dual"], w["case"], reason="Betrokkene verhuisd",
                                                   result="verhuisd")
    assert approval.status == ApprovalStatus.OPEN and approval.details == {"result": "verhuisd"}
    assert approval.team_id == w["team"].id and approval.requested_by_id == w["dual"].id
    notified = {n.user_id for n in _notifications(db, "approval_requested")}
    # Both plain supervisors; not the requester (a supervisor too), not the other team, not the procesregisseur.
    assert notified == {w["supervisor"].id, w["second"].id}
    [notification] = _notifications(db, "approval_requested")[:1]
    assert notification.link == f"/akkoorden/{approval.id}"
    assert notification.title == f"Akkoord gevraagd (vroegtijdig afsluiten): casus {w['case'].reference}"
    line = db.session.execute(sa.select(TimelineEvent).where(TimelineEvent.kind == "approval.requested")).scalar_one()
    assert "Betrokkene verhuisd" in line.summary
    assert [e.object_id for e in _events(db, "approval.requested")] == [str(approval.id)]
    assert w["case"].phase == "aanpak.uitvoering"  # asking changes nothing on the case


@pytest.mark.parametrize(("reason", "result", "field"), [("", "verhuisd", "reason"), ("  ", "verhuisd", "reason"),
                                                         ("Verhuisd", "", "result"), ("Verhuisd", "weg", "result")])
def test_a_request_needs_a_reason_and_a_result(db, team_world, reason, result, field):
    with pytest.raises(ServiceError) as error:
        case_requests.request_early_closure(team_world["regisseur"], team_world["case"], reason=reason, result=result)
    assert error.value.field == field
    assert db.session.execute(sa.select(sa.func.count(Approval.id))).scalar_one() == 0


def test_one_open_request_per_case_and_kind(db, team_world):
    w = team_world
    case_requests.request_early_closure(w["regisseur"], w["case"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(ServiceError) as error:
        case_requests.request_early_closure(w["dual"], w["case"], reason="Nogmaals", result="verhuisd")
    assert error.value.status == 409


def test_requests_only_in_the_phase_they_are_about(db, team_world, make_case):
    w = team_world
    with pytest.raises(ServiceError) as early:
        case_requests.request_early_closure(w["regisseur"], w["closed"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(ServiceError) as reopen:
        case_requests.request_reopening(w["regisseur"], w["case"], reason="Nieuwe signalen")
    assert early.value.status == reopen.value.status == 409
    with pytest.raises(ServiceError) as partner:
        case_requests.request_reopening(w["partner"], w["closed"], reason="Nieuwe signalen")
    assert partner.value.status == 403
    expired = make_case(team=w["team"], phase="afgesloten", closed_on=today() - timedelta(days=6 * 366))
    with pytest.raises(ServiceError, match="bewaartermijn"):
        case_requests.request_reopening(w["regisseur"], expired, reason="Nieuwe signalen")


# --- deciding -----------------------------------------------------------------------------------------------

def test_approved_early_closure_closes_the_case_with_the_requested_result(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Betrokkene verhuisd",
                                                   result="verhuisd")
    approvals.decide(w["supervisor"], approval, approve=True, expected_version=approval.version)
    db.session.refresh(w["case"])
    assert w["case"].phase == "afgesloten" and w["case"].result == "verhuisd" and w["case"].closed_on
    assert approval.status == ApprovalStatus.GOEDGEKEURD and approval.decided_by_id == w["supervisor"].id
    assert approval.decided_at is not None
    [log] = _transitions(db, w["case"])
    assert (log.trigger, log.allowed, log.reason, log.actor_id) == ("close_early", True, "Betrokkene verhuisd",
                                                                    w["supervisor"].id)
    [decided] = _notifications(db, "approval_decided")
    assert decided.user_id == w["regisseur"].id and "goedgekeurd" in decided.title
    assert _events(db, "approval.decided")[0].details["status"] == "goedgekeurd"


def test_rejection_needs_a_motivation_and_changes_nothing_on_the_case(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(ServiceError) as error:
        approvals.decide(w["supervisor"], approval, approve=False, motivation="  ")
    assert error.value.field == "motivation" and approval.is_open
    approvals.decide(w["supervisor"], approval, approve=False, motivation="Eerst huisbezoek afleggen")
    db.session.refresh(w["case"])
    assert w["case"].phase == "aanpak.uitvoering" and _transitions(db, w["case"]) == []
    assert approval.status == ApprovalStatus.AFGEWEZEN and approval.motivation == "Eerst huisbezoek afleggen"
    [decided] = _notifications(db, "approval_decided")
    assert "afgewezen" in decided.title
    # A new request may follow the rejection.
    assert case_requests.request_early_closure(w["regisseur"], w["case"], reason="Toch", result="verhuisd").is_open


def test_the_requester_never_decides_even_holding_the_supervisor_role(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["dual"], w["case"], reason="Verhuisd", result="verhuisd")
    for approve in (True, False):
        with pytest.raises(ServiceError) as error:
            approvals.decide(w["dual"], approval, approve=approve, motivation="Zelf", expected_version=1)
        assert error.value.status == 403
    db.session.refresh(approval)
    db.session.refresh(w["case"])
    assert approval.is_open and approval.decided_by_id is None and approval.version == 1
    assert w["case"].phase == "aanpak.uitvoering" and _transitions(db, w["case"]) == []
    denied = _events(db, "approval.decided", outcome="denied")
    assert len(denied) == 2 and all(e.details["reason"] == "four_eyes" for e in denied)


@pytest.mark.parametrize("who", ["regisseur", "partner", "elsewhere"])
def test_only_a_supervisor_of_the_team_decides(db, team_world, who):
    w = team_world
    approval = case_requests.request_early_closure(w["dual"], w["case"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(ServiceError) as error:
        approvals.decide(w[who], approval, approve=True)
    assert error.value.status == 403 and approval.is_open


def test_a_decided_request_and_a_stale_version_answer_409(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(ServiceError) as stale:
        approvals.decide(w["supervisor"], approval, approve=True, expected_version=approval.version + 1)
    assert stale.value.status == 409 and approval.is_open
    approvals.decide(w["supervisor"], approval, approve=False, motivation="Nee", expected_version=1)
    with pytest.raises(ServiceError) as decided:
        approvals.decide(w["second"], approval, approve=True)
    assert decided.value.status == 409 and approval.status == ApprovalStatus.AFGEWEZEN


# --- reopening ------------------------------------------------------------------------------------------------

def test_reopening_is_asked_by_one_and_approved_by_another(db, team_world):
    w = team_world
    approval = case_requests.request_reopening(w["regisseur"], w["closed"], reason="Nieuwe meldingen van overlast")
    approvals.decide(w["supervisor"], approval, approve=True)
    db.session.refresh(w["closed"])
    assert w["closed"].phase == "triage" and w["closed"].result is None and w["closed"].closed_on is None
    [log] = _transitions(db, w["closed"])
    assert (log.trigger, log.reason) == ("reopen", "Nieuwe meldingen van overlast")


def test_a_refused_reopening_leaves_the_request_open_with_the_guard_codes(db, team_world):
    w = team_world
    approval = case_requests.request_reopening(w["regisseur"], w["closed"], reason="Nieuwe meldingen")
    w["closed"].closed_on = today() - timedelta(days=6 * 366)  # retention ran out while it waited
    db.session.flush()
    with pytest.raises(TransitionRefused) as refused:
        approvals.decide(w["supervisor"], approval, approve=True)
    assert refused.value.codes == ("within_retention",)
    assert approval.is_open
    db.session.refresh(w["closed"])
    assert w["closed"].phase == "afgesloten"
    [log] = _transitions(db, w["closed"])
    assert not log.allowed and log.failure_codes == "within_retention"


def test_the_workflow_guard_sees_the_requester(db, team_world):
    """Carried out directly, the four-eyes triggers know who asked: the requester is refused by the workflow."""
    w = team_world
    with pytest.raises(TransitionRefused) as refused:
        cases.transition(w["dual"], w["case"], "close_early", reason="Verhuisd", result="verhuisd",
                         requester_id=w["dual"].id)
    assert refused.value.codes == ("four_eyes",)
    with pytest.raises(TransitionRefused) as anonymous:
        cases.transition(w["supervisor"], w["closed"], "reopen", reason="Zomaar")
    assert anonymous.value.codes == ("needs_requester",)


# --- withdrawing ----------------------------------------------------------------------------------------------

def test_the_requester_withdraws_and_nothing_else_changes(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(ServiceError) as other:
        approvals.withdraw(w["supervisor"], approval)
    assert other.value.status == 403 and approval.is_open
    approvals.withdraw(w["regisseur"], approval, expected_version=1)
    assert approval.status == ApprovalStatus.INGETROKKEN and approval.decided_at and approval.decided_by_id is None
    db.session.refresh(w["case"])
    assert w["case"].phase == "aanpak.uitvoering"
    with pytest.raises(ServiceError) as again:
        approvals.withdraw(w["regisseur"], approval)
    assert again.value.status == 409


def test_leaving_the_approach_withdraws_a_pending_early_closure(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["regisseur"], w["case"], reason="Verhuisd", result="verhuisd")
    w["case"].evaluation = "Doelen gehaald"
    db.session.flush()
    cases.transition(w["regisseur"], w["case"], "step_down", reason="Alles gereed")
    assert w["case"].phase == "nazorg"
    db.session.refresh(approval)
    assert approval.status == ApprovalStatus.INGETROKKEN and approval.motivation == case_requests.AUTO_WITHDRAWN
    [lapsed] = _notifications(db, "approval_withdrawn")
    assert lapsed.user_id == w["regisseur"].id
    event = _events(db, "approval.withdrawn")[0]
    assert event.details["automatic"] is True and event.details["trigger"] == "step_down"
    with pytest.raises(ServiceError) as decided:
        approvals.decide(w["supervisor"], approval, approve=True)
    assert decided.value.status == 409


def test_a_transition_within_the_approach_keeps_the_request(db, team_world, make_case):
    w = team_world
    case = make_case(team=w["team"], phase="aanpak.plan", procesregisseur=w["regisseur"])
    approval = case_requests.request_early_closure(w["regisseur"], case, reason="Verhuisd", result="verhuisd")
    case_requests.withdraw_outdated(w["regisseur"], case, cases.TransitionRecord(
        machine="case", trigger="adopt_plan", from_state="aanpak.plan", to_state="aanpak.uitvoering",
        actor_id=w["regisseur"].id, reason=None, at=cases.utcnow()))
    assert approval.is_open


# --- the database refuses a decision by the requester, whatever the code does -------------------------------

def test_the_four_eyes_check_constraint_refuses_a_direct_insert(db, team_world):
    w = team_world
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Approval(kind="close_early", status="goedgekeurd", case_id=w["case"].id,
                                team_id=w["team"].id, requested_by_id=w["dual"].id, reason="Zelf",
                                decided_by_id=w["dual"].id, decided_at=cases.utcnow()))
        db.session.flush()


def test_the_four_eyes_check_constraint_refuses_a_direct_update(db, team_world):
    w = team_world
    approval = case_requests.request_early_closure(w["dual"], w["case"], reason="Verhuisd", result="verhuisd")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(Approval).where(Approval.id == approval.id).values(
            status="goedgekeurd", decided_by_id=w["dual"].id, decided_at=cases.utcnow()))
    db.session.refresh(approval)
    assert approval.is_open
    with pytest.raises(IntegrityError), db.session.begin_nested():  # and a rejection needs its motivation
        db.session.execute(sa.update(Approval).where(Approval.id == approval.id).values(
            status="afgewezen", decided_by_id=w["supervisor"].id, decided_at=cases.utcnow()))


def test_the_queue_lists_open_requests_oldest_first(db, team_world, make_case):
    w = team_world
    cases_ = [make_case(team=w["team"], phase="aanpak.uitvoering") for _ in range(3)]
    made = [case_requests.request_early_closure(w["regisseur"], case, reason=f"Reden {i}", result="verhuisd")
            for i, case in enumerate(cases_)]
    for days, approval in zip((2, 9, 5), made, strict=True):
        approval.requested_at = cases.utcnow() - timedelta(days=days)
    db.session.flush()
    page = approvals.list_approvals(w["supervisor"], status="open", limit=2)
    assert [a.id for a in page.items] == [made[1].id, made[2].id] and page.next_cursor
    rest = approvals.list_approvals(w["supervisor"], status="open", limit=2, after=page.next_cursor)
    assert [a.id for a in rest.items] == [made[0].id] and rest.next_cursor is None
    assert [approvals.age_in_days(a) for a in page.items] == [9, 5]
    assert approvals.list_approvals(w["elsewhere"], status="open").items == []
    assert approvals.list_approvals(w["partner"]).items == []
    assert db.session.get(Case, made[0].case_id).phase == "aanpak.uitvoering"
