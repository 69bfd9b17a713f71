"""The voordracht services, path by path: four-eyes review through the approvals, RIEC answer (drafting:
test_voordrachten_drafting.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casus.approvals import services as approvals
from casus.approvals.models import Approval, ApprovalStatus
from casus.audit.models import AuditEvent, Outcome
from casus.cases.models import TransitionLog
from casus.notifications.models import Notification
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.voordrachten import drafting, services
from workflow import TransitionRefused


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def lines(db, case, kind="voordracht.transition") -> list[str]:
    return list(db.session.execute(sa.select(TimelineEvent.summary).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == kind).order_by(TimelineEvent.id)).scalars())


def log(db, voordracht) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        sa.select(TransitionLog.trigger, TransitionLog.from_state, TransitionLog.to_state, TransitionLog.allowed,
                  TransitionLog.failure_codes)
        .where(TransitionLog.case_id == voordracht.case_id, TransitionLog.machine == "voordracht")
        .order_by(TransitionLog.id))]


def audits(db, action, voordracht) -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(voordracht.id)).order_by(AuditEvent.id)).scalars())


def notified(db, kind) -> dict[int, Notification]:
    rows = db.session.execute(sa.select(Notification).where(Notification.kind == kind)).scalars()
    return {n.user_id: n for n in rows}


def submitted(world, draft_values, by=None):
    by = by or world["regisseur"]
    voordracht = drafting.create_voordracht(by, world["case"], **draft_values())
    services.submit(by, voordracht)
    return voordracht


def approved(db, world, draft_values):
    voordracht = submitted(world, draft_values)
    approvals.decide(world["supervisor"], services.latest_approval(voordracht), approve=True)
    return voordracht


# --- the four-eyes review ---------------------------------------------------------------------------------------------

def test_submit_asks_the_other_supervisors_for_approval(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    assert voordracht.state == "ter_beoordeling" and voordracht.submitted_at is not None
    approval = services.latest_approval(voordracht)
    assert approval.is_open and approval.kind == "riec_voordracht" and approval.requested_by_id == world["regisseur"].id
    assert set(notified(db, "approval_requested")) == {world["supervisor"].id, world["supervisor2"].id}
    assert log(db, voordracht) == [("submit", "concept", "ter_beoordeling", True, None)]
    assert audits(db, "voordracht.transition", voordracht)[0].details == {
        "trigger": "submit", "from": "concept", "to": "ter_beoordeling"}
    assert lines(db, world["case"]) == [f"RIEC-voordracht RV-{voordracht.id}: Concept → Ter beoordeling"]


def test_a_refused_step_changes_nothing_and_is_recorded(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    with pytest.raises(TransitionRefused) as refused:
        services.submit(world["regisseur"], voordracht)
    assert refused.value.codes == ("not_allowed_from_state",)
    assert voordracht.state == "ter_beoordeling"
    assert log(db, voordracht)[-1] == ("submit", "ter_beoordeling", None, False, "not_allowed_from_state")
    assert audits(db, "voordracht.transition", voordracht)[-1].outcome == Outcome.DENIED
    assert db.session.execute(sa.select(sa.func.count()).select_from(Approval)).scalar_one() == 1


def test_another_supervisor_approves_through_the_approvals(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    approval = services.latest_approval(voordracht)
    approvals.decide(world["supervisor"], approval, approve=True)
    assert voordracht.state == "goedgekeurd" and approval.status == ApprovalStatus.GOEDGEKEURD
    assert log(db, voordracht)[-1] == ("approve", "ter_beoordeling", "goedgekeurd", True, None)
    assert world["regisseur"].id in notified(db, "approval_decided")  # the requester hears of it


def test_the_requester_never_approves_even_as_supervisor(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values, by=world["supervisor"])
    approval = services.latest_approval(voordracht)
    with pytest.raises(ServiceError) as refused:
        approvals.decide(world["supervisor"], approval, approve=True)
    assert refused.value.status == 403
    assert voordracht.state == "ter_beoordeling" and approval.is_open
    approvals.decide(world["supervisor2"], approval, approve=True)
    assert voordracht.state == "goedgekeurd"


def test_whoever_drew_it_up_does_not_decide_either(db, ctx, world, draft_values):
    voordracht = drafting.create_voordracht(world["supervisor"], world["case"], **draft_values())
    services.submit(world["regisseur"], voordracht)
    approval = services.latest_approval(voordracht)
    with pytest.raises(ServiceError) as refused:
        approvals.decide(world["supervisor"], approval, approve=True)
    assert refused.value.status == 403 and "zelf opgesteld" in refused.value.message
    assert voordracht.state == "ter_beoordeling" and approval.is_open
    assert audits(db, "voordracht.transition", voordracht)[-1].details == {"reason": "four_eyes"}


def test_rejection_needs_a_motivation_and_keeps_it(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    approval = services.latest_approval(voordracht)
    with pytest.raises(ServiceError) as missing:
        approvals.decide(world["supervisor"], approval, approve=False, motivation=" ")
    assert missing.value.field == "motivation" and voordracht.state == "ter_beoordeling"
    approvals.decide(world["supervisor"], approval, approve=False, motivation="Onderbouwing ontbreekt")
    assert voordracht.state == "afgewezen" and voordracht.rejection_motivation == "Onderbouwing ontbreekt"
    assert lines(db, world["case"])[-1].endswith("Ter beoordeling → Afgewezen. Onderbouwing ontbreekt")


def test_decide_callback_refuses_without_a_motivation(db, ctx, world, draft_values):
    """Called directly (not through the approvals), the workflow's own guard still needs the motivation."""
    voordracht = submitted(world, draft_values)
    with pytest.raises(services.DecisionRefused) as refused:
        services.decide_voordracht(world["supervisor"], services.latest_approval(voordracht), False)
    assert refused.value.codes == ("needs_motivation",) and voordracht.state == "ter_beoordeling"


def test_a_rejected_voordracht_is_revised_by_a_procesregisseur(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    approvals.decide(world["supervisor"], services.latest_approval(voordracht), approve=False, motivation="Dun")
    with pytest.raises(TransitionRefused) as refused:
        services.revise(world["supervisor"], voordracht)
    assert refused.value.codes == ("role_not_permitted",)
    services.revise(world["regisseur"], voordracht, expected_version=voordracht.version)
    assert voordracht.state == "concept" and voordracht.submitted_at is None
    drafting.update_voordracht(world["regisseur"], voordracht, summary="Beter onderbouwd")
    services.submit(world["regisseur"], voordracht)
    assert voordracht.state == "ter_beoordeling" and services.latest_approval(voordracht).is_open


def test_withdrawing_the_request_makes_it_a_concept_again(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    services.withdraw(world["regisseur"], voordracht, expected_version=voordracht.version)
    assert voordracht.state == "concept" and voordracht.submitted_at is None
    assert services.latest_approval(voordracht).status == ApprovalStatus.INGETROKKEN
    assert log(db, voordracht)[-1] == ("withdraw", "ter_beoordeling", "concept", True, None)
    assert lines(db, world["case"])[-1].endswith("Ter beoordeling → Concept")


# --- to the RIEC and back --------------------------------------------------------------------------------------------

def test_sending_tells_only_the_addressee_riec_users_and_no_case_data(db, ctx, world, draft_values, make_user):
    voordracht = approved(db, world, draft_values)
    colleague = make_user("riec", organisation=world["riec"])
    make_user("riec", organisation=world["riec"], active=False)
    services.send_to_riec(world["regisseur"], voordracht, expected_version=voordracht.version)
    assert voordracht.state == "ingediend" and voordracht.sent_at is not None
    received = notified(db, "voordracht_received")
    assert set(received) == {world["riec_user"].id, colleague.id}
    for notification in received.values():
        assert notification.case_id is None and notification.link == f"/voordrachten/{voordracht.id}"
        assert world["case"].reference not in notification.title and "Karel" not in notification.title
        assert notification.title == f"Nieuwe RIEC-voordracht RV-{voordracht.id}"


def test_the_riec_accepts_with_its_reference(db, ctx, world, draft_values):
    voordracht = approved(db, world, draft_values)
    services.send_to_riec(world["regisseur"], voordracht)
    with pytest.raises(TransitionRefused) as refused:
        services.accept(world["riec_user"], voordracht, riec_reference="  ")
    assert refused.value.codes == ("needs_riec_reference",) and voordracht.state == "ingediend"
    with pytest.raises(TransitionRefused) as team:
        services.accept(world["regisseur"], voordracht, riec_reference="RIEC-1")
    assert team.value.codes == ("role_not_permitted",)
    services.accept(world["riec_user"], voordracht, riec_reference="RIEC-MN-2026-0042",
                    expected_version=voordracht.version)
    assert voordracht.state == "aangenomen" and voordracht.riec_reference == "RIEC-MN-2026-0042"
    assert voordracht.answered_by_id == world["riec_user"].id and voordracht.answered_at is not None
    answered = notified(db, "voordracht_answered")
    assert set(answered) == {world["regisseur"].id}
    assert answered[world["regisseur"].id].case_id == world["case"].id
    assert "aangenomen" in answered[world["regisseur"].id].title
    line = db.session.execute(sa.select(TimelineEvent).where(TimelineEvent.kind == "voordracht.transition")
                              .order_by(TimelineEvent.id.desc()).limit(1)).scalar_one()
    assert line.actor_id == world["riec_user"].id and line.organisation_id == world["riec"].id


def test_the_riec_returns_with_advice(db, ctx, world, draft_values):
    voordracht = approved(db, world, draft_values)
    services.send_to_riec(world["regisseur"], voordracht)
    with pytest.raises(TransitionRefused) as refused:
        services.return_with_advice(world["riec_user"], voordracht, advice="")
    assert refused.value.codes == ("needs_motivation",)
    services.return_with_advice(world["riec_user"], voordracht, advice="Eerst bestuurlijk: Bibob-toets pand.")
    assert voordracht.state == "teruggelegd" and voordracht.riec_advice.startswith("Eerst bestuurlijk")
    assert "teruggelegd met advies" in notified(db, "voordracht_answered")[world["regisseur"].id].title


def test_every_step_is_on_the_timeline_and_in_the_audit_log(db, ctx, world, draft_values):
    voordracht = approved(db, world, draft_values)
    services.send_to_riec(world["regisseur"], voordracht)
    services.accept(world["riec_user"], voordracht, riec_reference="RIEC-7")
    number = f"RV-{voordracht.id}"
    assert lines(db, world["case"]) == [
        f"RIEC-voordracht {number}: Concept → Ter beoordeling",
        f"RIEC-voordracht {number}: Ter beoordeling → Goedgekeurd",
        f"RIEC-voordracht {number}: Goedgekeurd → Ingediend bij het RIEC",
        f"RIEC-voordracht {number}: Ingediend bij het RIEC → Aangenomen als RIEC-casus",
    ]
    assert [e.details["trigger"] for e in audits(db, "voordracht.transition", voordracht)] == [
        "submit", "approve", "send_to_riec", "accept"]
    assert [row[0] for row in log(db, voordracht)] == ["submit", "approve", "send_to_riec", "accept"]


def test_the_api_entry_point_refuses_approve(db, ctx, world, draft_values):
    voordracht = submitted(world, draft_values)
    with pytest.raises(ServiceError) as unknown:
        services.transition(world["supervisor"], voordracht, "approve")
    assert unknown.value.field == "trigger" and voordracht.state == "ter_beoordeling"
