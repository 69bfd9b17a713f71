"""Opschalen, the decision and afschalen through the services: each path, refusals that change nothing but are
recorded, stale versions and the dates a step up needs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.cases.models import TransitionLog
from casus.clock import today
from casus.escalations import services
from casus.escalations.models import Escalation
from casus.notifications.models import Notification
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.versioning import StaleVersion
from workflow import TransitionRefused


def _escalate(user, case, **overrides):
    values = {"reason": "De woningcorporatie en de GGZ zijn het oneens over de aanpak",
              "decision_owner": "Ketenmanagers woningcorporatie en GGZ",
              "decision_deadline": today() + timedelta(days=14), "review_on": today() + timedelta(days=42)}
    values.update(overrides)
    return services.escalate(user, case, **values)


def _steps(db, case):
    return db.session.execute(sa.select(Escalation).where(Escalation.case_id == case.id)
                              .order_by(Escalation.id)).scalars().all()


def _log(db, case):
    return [(row.machine, row.trigger, row.from_state, row.to_state, row.allowed, row.failure_codes)
            for row in db.session.execute(sa.select(TransitionLog).where(TransitionLog.case_id == case.id)
                                          .order_by(TransitionLog.id)).scalars()]


def _audit(db, action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def test_default_deadline_is_ten_working_days_without_holidays(app, db):
    # Christmas (25 Dec), New Year's Day and the weekends do not count.
    assert services.default_decision_deadline(date(2026, 12, 21)) == date(2027, 1, 6)
    # Koningsdag (Monday 27 April 2026) does not count, nor does 5 mei (every year, Algemene termijnenwet).
    assert services.default_decision_deadline(date(2026, 4, 20)) == date(2026, 5, 6)


def test_escalate_records_the_step_moves_the_case_and_tells_the_other_supervisors(app, db, ladder):
    case, regisseur = ladder["case"], ladder["regisseur"]
    version = case.version
    step = _escalate(regisseur, case, expected_version=version)

    assert case.escalation_level == "tactisch"
    assert case.version == version + 1
    assert (step.direction, step.from_level, step.to_level) == ("opschalen", "operationeel", "tactisch")
    assert step.decision_owner == "Ketenmanagers woningcorporatie en GGZ"
    assert step.decision_deadline == today() + timedelta(days=14) and step.review_on == today() + timedelta(days=42)
    assert step.is_open and step.decision is None and step.created_by_id == regisseur.id
    assert _log(db, case) == [("escalation", "escalate", "operationeel", "tactisch", True, None)]
    [event] = db.session.execute(sa.select(TimelineEvent).where(TimelineEvent.case_id == case.id)).scalars().all()
    assert event.kind == "escalation.escalated" and event.actor_id == regisseur.id
    assert "Opgeschaald van Operationeel (casusoverleg) naar Tactisch (ketenmanagers)" in event.summary
    assert "De woningcorporatie en de GGZ" in event.summary
    [audit] = _audit(db, "escalation.escalate")
    assert audit.object_type == "escalation" and audit.object_id == str(step.id) and audit.case_id == case.id
    notifications = db.session.execute(sa.select(Notification).order_by(Notification.user_id)).scalars().all()
    assert sorted(n.user_id for n in notifications) == sorted(
        [ladder["supervisor"].id, ladder["other_supervisor"].id])
    assert {n.kind for n in notifications} == {"escalation_raised"}
    assert notifications[0].title == f"Opgeschaald naar Tactisch (ketenmanagers): casus {case.reference}"
    assert notifications[0].link == f"/casussen/{case.id}/escalaties"


def test_a_supervisor_who_escalates_is_not_told_about_it(app, db, ladder):
    _escalate(ladder["supervisor"], ladder["case"])
    users = db.session.execute(sa.select(Notification.user_id)).scalars().all()
    assert users == [ladder["other_supervisor"].id]


def test_two_steps_up_reach_bestuurlijk_and_a_third_is_refused_changing_nothing(app, db, ladder):
    case, regisseur = ladder["case"], ladder["regisseur"]
    _escalate(regisseur, case)
    _escalate(regisseur, case, reason="Burgemeester moet beslissen over sluiting", decision_owner="Burgemeester")
    assert case.escalation_level == "bestuurlijk"
    version, count = case.version, len(_steps(db, case))

    with pytest.raises(TransitionRefused) as refused:
        _escalate(regisseur, case, expected_version=version)
    assert refused.value.codes == ("not_allowed_from_state",)
    assert refused.value.messages("nl") == ["Deze stap kan niet vanuit de huidige status."]
    assert case.escalation_level == "bestuurlijk" and case.version == version
    assert len(_steps(db, case)) == count
    assert _log(db, case)[-1] == ("escalation", "escalate", "bestuurlijk", None, False, "not_allowed_from_state")
    [denied] = [event for event in _audit(db, "escalation.escalate") if event.outcome == "denied"]
    assert denied.details == {"trigger": "escalate", "codes": ["not_allowed_from_state"]}


def test_every_missing_part_of_a_step_up_is_named_at_once(app, db, ladder):
    case = ladder["case"]
    with pytest.raises(TransitionRefused) as refused:
        services.escalate(ladder["regisseur"], case, reason="  ", decision_owner=None, decision_deadline=None,
                          review_on=None)
    assert refused.value.codes == ("needs_reason", "needs_decision_owner", "needs_decision_deadline",
                                   "needs_review_date")
    assert case.escalation_level == "operationeel" and _steps(db, case) == []
    assert _log(db, case) == [("escalation", "escalate", "operationeel", "tactisch", False,
                               "needs_reason needs_decision_owner needs_decision_deadline needs_review_date")]


def test_dates_in_the_past_are_refused_today_is_fine(app, db, ladder):
    case = ladder["case"]
    yesterday = today() - timedelta(days=1)
    with pytest.raises(TransitionRefused) as refused:
        _escalate(ladder["regisseur"], case, decision_deadline=yesterday, review_on=yesterday)
    assert refused.value.codes == ("needs_decision_deadline", "needs_review_date")
    assert case.escalation_level == "operationeel"
    step = _escalate(ladder["regisseur"], case, decision_deadline=today(), review_on=today())
    assert step.decision_deadline == today()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"decision_deadline": today() + timedelta(days=800)}, "decision_deadline"),
    ({"review_on": today() + timedelta(days=800)}, "review_on"),
    ({"decision_owner": "x" * 201}, "decision_owner"),
    ({"reason": "x" * 20_001}, "reason"),
])
def test_implausible_input_is_refused_before_the_workflow(app, db, ladder, overrides, field):
    case = ladder["case"]
    with pytest.raises(ServiceError) as error:
        _escalate(ladder["regisseur"], case, **overrides)
    assert error.value.field == field and error.value.status == 400
    assert case.escalation_level == "operationeel" and _log(db, case) == []


def test_a_partner_role_may_not_escalate(app, db, ladder):
    case = ladder["case"]
    with pytest.raises(TransitionRefused) as refused:
        _escalate(ladder["agent"], case)
    assert refused.value.codes == ("role_not_permitted",)
    assert case.escalation_level == "operationeel"


def test_a_stale_version_changes_nothing(app, db, ladder):
    case = ladder["case"]
    with pytest.raises(StaleVersion) as error:
        _escalate(ladder["regisseur"], case, expected_version=case.version - 1 or 99)
    assert error.value.status == 409
    assert case.escalation_level == "operationeel" and _steps(db, case) == [] and _log(db, case) == []
    _escalate(ladder["regisseur"], case)
    with pytest.raises(StaleVersion):
        services.deescalate(ladder["regisseur"], case, decision="Terug", expected_version=case.version - 1)
    assert case.escalation_level == "tactisch"


def test_a_closed_case_is_not_escalated(app, db, ladder, make_case):
    closed = make_case(team=ladder["team"], phase="afgesloten")
    with pytest.raises(ServiceError) as error:
        _escalate(ladder["regisseur"], closed)
    assert error.value.message == "Een afgesloten casus schaalt u niet meer op."
    assert closed.escalation_level == "operationeel"


def test_the_decision_is_recorded_once(app, db, ladder):
    case, supervisor = ladder["case"], ladder["supervisor"]
    step = _escalate(ladder["regisseur"], case)
    version = case.version

    with pytest.raises(ServiceError) as empty:
        services.record_decision(supervisor, step, decision="   ")
    assert empty.value.field == "decision"
    services.record_decision(supervisor, step, decision="Extra inzet wijkagent en GGZ-team")
    assert step.decision == "Extra inzet wijkagent en GGZ-team"
    assert step.decided_by_id == supervisor.id and step.decided_at is not None
    assert step.is_open and case.escalation_level == "tactisch" and case.version == version
    kinds = db.session.execute(sa.select(TimelineEvent.kind).where(TimelineEvent.case_id == case.id)
                               .order_by(TimelineEvent.id)).scalars().all()
    assert kinds == ["escalation.escalated", "escalation.decided"]
    [audit] = _audit(db, "escalation.decision")
    assert audit.object_id == str(step.id) and audit.case_id == case.id

    with pytest.raises(ServiceError) as again:
        services.record_decision(ladder["other_supervisor"], step, decision="Iets anders")
    assert again.value.status == 409
    db.session.expire(step)
    assert step.decision == "Extra inzet wijkagent en GGZ-team" and step.decided_by_id == supervisor.id


def test_deescalate_closes_the_step_up_and_records_its_decision(app, db, ladder):
    case, regisseur = ladder["case"], ladder["regisseur"]
    step_up = _escalate(regisseur, case)
    version = case.version

    down = services.deescalate(regisseur, case, decision="Afspraken gemaakt; terug naar het casusoverleg",
                               expected_version=version)
    assert case.escalation_level == "operationeel" and case.version == version + 1
    assert (down.direction, down.from_level, down.to_level) == ("afschalen", "tactisch", "operationeel")
    assert down.decision == "Afspraken gemaakt; terug naar het casusoverleg" and down.decided_by_id == regisseur.id
    assert step_up.resolved_at is not None and not step_up.is_open
    assert step_up.decision == "Afspraken gemaakt; terug naar het casusoverleg"
    assert _log(db, case)[-1] == ("escalation", "deescalate", "tactisch", "operationeel", True, None)
    [audit] = _audit(db, "escalation.deescalate")
    assert audit.object_id == str(down.id) and audit.details["resolved"] == step_up.id
    assert services.current_step(case) is None


def test_deescalate_keeps_a_decision_recorded_earlier(app, db, ladder):
    case, regisseur = ladder["case"], ladder["regisseur"]
    step_up = _escalate(regisseur, case)
    services.record_decision(ladder["supervisor"], step_up, decision="Extra inzet wijkagent")
    services.deescalate(regisseur, case, decision="Inzet werkt; afschalen")
    assert step_up.decision == "Extra inzet wijkagent" and step_up.decided_by_id == ladder["supervisor"].id
    with pytest.raises(ServiceError) as resolved:
        services.record_decision(regisseur, step_up, decision="Te laat")
    assert resolved.value.status == 409


def test_one_level_at_a_time_and_the_lower_step_becomes_current_again(app, db, ladder):
    case, regisseur = ladder["case"], ladder["regisseur"]
    first = _escalate(regisseur, case)
    second = _escalate(regisseur, case, decision_owner="Burgemeester")
    assert services.current_step(case) == second
    services.deescalate(regisseur, case, decision="Burgemeester besluit: sluiting woning")
    assert case.escalation_level == "tactisch"
    assert second.resolved_at is not None and first.resolved_at is None
    assert services.current_step(case) == first
    assert [step.id for step in services.history(case)][-2:] == [second.id, first.id]


def test_deescalate_needs_a_decision_and_a_level_to_come_down_from(app, db, ladder):
    case, regisseur = ladder["case"], ladder["regisseur"]
    with pytest.raises(TransitionRefused) as at_bottom:
        services.deescalate(regisseur, case, decision="Niets")
    assert at_bottom.value.codes == ("not_allowed_from_state",)
    _escalate(regisseur, case)
    version = case.version
    with pytest.raises(TransitionRefused) as no_decision:
        services.deescalate(regisseur, case, decision="")
    assert no_decision.value.codes == ("needs_decision",)
    assert case.escalation_level == "tactisch" and case.version == version
    assert [row[1:] for row in _log(db, case)] == [
        ("deescalate", "operationeel", None, False, "not_allowed_from_state"),
        ("escalate", "operationeel", "tactisch", True, None),
        ("deescalate", "tactisch", "operationeel", False, "needs_decision")]
    assert len(_steps(db, case)) == 1


def test_the_case_machine_still_logs_as_case(app, db, ladder):
    """The shared transition log helper takes the machine from the record (the case machine stays "case")."""
    from casus.cases import services as cases

    case = ladder["case"]
    with app.test_request_context(), pytest.raises(TransitionRefused):
        cases.transition(ladder["regisseur"], case, "step_down", reason="Klaar")  # no evaluation yet
    case.evaluation = "Klaar"
    with app.test_request_context():
        cases.transition(ladder["regisseur"], case, "step_down", reason="Klaar")
    assert [row[:2] for row in _log(db, case)] == [("case", "step_down"), ("case", "step_down")]
