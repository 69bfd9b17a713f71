"""Settling the goals of the plan van aanpak: behaald, deels behaald or vervallen, with a date and a note — and
back to open. A service module beside :mod:`casus.plans.services` (the only writers of the plan): it validates,
flushes with the goal's ``version`` (optimistic locking), audits and writes the tijdlijn; the request commits.

The closing evaluation shows the goals with what became of them (the case overview's evaluation section)."""

from __future__ import annotations

from datetime import date

from casus.audit.services import record
from casus.cases.models import Case
from casus.clock import today
from casus.plans.models import Goal, GoalStatus
from casus.plans.services import PLANNABLE_PHASES
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned

# The tijdlijn is Dutch, whoever reads it: "Doel gemarkeerd als behaald: <het doel>".
TIMELINE_STATUS = {GoalStatus.BEHAALD: "behaald", GoalStatus.DEELS_BEHAALD: "deels behaald",
                   GoalStatus.VERVALLEN: "vervallen"}


def set_goal_status(user: User, case: Case, goal: Goal, *, status: str | None, status_on: date | None,
                    status_note: str | None, expected_version: int | None = None) -> Goal:
    """Mark ``goal`` behaald / deels behaald / vervallen on ``status_on`` (not in the future) with an optional
    note, or open again (date and note cleared). With the goal's ``version`` (stale: 409)."""
    check_version(goal, expected_version)
    if goal.case_id != case.id:
        raise ServiceError("Dit doel hoort niet bij deze casus.", status=404)
    if case.phase not in PLANNABLE_PHASES:
        raise ServiceError("In deze fase kan het plan van aanpak niet worden gewijzigd.", status=409)
    try:
        new_status = GoalStatus(status)
    except ValueError as error:
        raise ServiceError("Kies een status uit de lijst.", field="status") from error
    note = (status_note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field="status_note", max=MAX_TEXT)
    if new_status == GoalStatus.OPEN:
        status_on, note, by = None, None, None
    else:
        if status_on is None:
            raise ServiceError("Vul de datum in waarop het doel is afgerond.", field="status_on")
        if status_on > today():
            raise ServiceError("De datum ligt niet in de toekomst.", field="status_on")
        by = user.id
    goal.status, goal.status_on, goal.status_note, goal.status_by_id = new_status, status_on, note, by
    flush_versioned(goal)
    if new_status == GoalStatus.OPEN:
        summary = f"Doel weer open: {goal.description[:180]}"
    else:
        summary = f"Doel gemarkeerd als {TIMELINE_STATUS[new_status]}: {goal.description[:180]}"
    add_timeline(case, "goal.status", summary, actor=user)
    record("goal.status_changed", object_type="goal", object_id=goal.id, case_id=case.id,
           details={"status": new_status.value}, user=user)
    return goal
