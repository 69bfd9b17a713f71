"""The plan van aanpak: goals, actions owned by participating organisations, and their progress."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casus import events
from casus.audit.services import record
from casus.cases.models import Case
from casus.cases.services import participations_of
from casus.clock import today
from casus.database import utcnow
from casus.extensions import db
from casus.plans.events import ActionAssigned, ActionDueChanged
from casus.plans.models import Action, Goal, ProgressEntry
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow import ActionStatus, CasePhase

PLANNABLE_PHASES = (CasePhase.TRIAGE, CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG)


def _text(value: str, field: str, missing: ServiceError) -> str:
    value = (value or "").strip()
    if not value:
        raise missing
    if len(value) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field=field, max=MAX_TEXT)
    return value


def _open_for_planning(case: Case) -> None:
    if case.phase not in PLANNABLE_PHASES:
        raise ServiceError("In deze fase kan het plan van aanpak niet worden gewijzigd.")


def add_goal(user: User, case: Case, *, description: str) -> Goal:
    _open_for_planning(case)
    description = _text(description, "description", ServiceError("Beschrijf het doel.", field="description"))
    goal = Goal(case_id=case.id, description=description, created_by_id=user.id)
    db.session.add(goal)
    db.session.flush()
    add_timeline(case, "goal.added", f"Doel: {goal.description[:180]}", actor=user)
    record("goal.added", object_type="goal", object_id=goal.id, case_id=case.id, user=user)
    return goal


def add_action(user: User, case: Case, *, description: str, owner_organisation_id: int, due_on: date | None,
               owner_user_id: int | None = None, goal_id: int | None = None) -> Action:
    """Add an afspraak owned by an organisation that takes part in the case."""
    _open_for_planning(case)
    description = _text(description, "description", ServiceError("Beschrijf de actie.", field="description"))
    participants = {p.organisation_id for p in participations_of(case, active_only=True)}
    if owner_organisation_id not in participants:
        raise ServiceError("De eigenaar moet een deelnemende organisatie zijn.", field="owner_organisation_id")
    if due_on is None:
        raise ServiceError("Vul een uiterste datum in.", field="due_on")
    if due_on < today():
        raise ServiceError("De uiterste datum kan niet in het verleden liggen.", field="due_on")
    _check_owner_user(owner_user_id, owner_organisation_id)
    if goal_id is not None and getattr(db.session.get(Goal, goal_id), "case_id", None) != case.id:
        raise ServiceError("Kies een doel uit dit plan.", field="goal_id")
    action = Action(case_id=case.id, goal_id=goal_id, description=description,
                    owner_organisation_id=owner_organisation_id, owner_user_id=owner_user_id, due_on=due_on)
    db.session.add(action)
    db.session.flush()
    add_timeline(case, "action.added", f"Actie voor {action.owner_organisation.name}: {description[:160]}", actor=user)
    record("action.added", object_type="action", object_id=action.id, case_id=case.id, user=user)
    events.publish(ActionAssigned(user, case, action))  # notifications tell the owner
    return action


def _check_owner_user(owner_user_id: int | None, organisation_id: int) -> None:
    if owner_user_id is None:
        return
    owner = db.session.get(User, owner_user_id)
    if owner is None or owner.organisation_id != organisation_id or not owner.active:
        raise ServiceError("De uitvoerder moet een actieve medewerker van de eigenaar zijn.", field="owner_user_id")


def set_action_status(user: User, case: Case, action: Action, status: str, *,
                      expected_version: int | None = None) -> None:
    """The procesregisseur (or the owning organisation) moves an action to another status."""
    check_version(action, expected_version)
    try:
        new_status = ActionStatus(status)
    except ValueError as error:
        raise ServiceError("Kies een status uit de lijst.", field="status") from error
    action.status = new_status
    action.last_activity_at = utcnow()
    flush_versioned(action)
    add_timeline(case, "action.status", f"Actie '{action.description[:120]}' → {new_status.label_nl}", actor=user)
    record("action.status_changed", object_type="action", object_id=action.id, case_id=case.id,
           details={"status": new_status.value}, user=user)


def set_action_due(user: User, case: Case, action: Action, due_on: date | None, *,
                   expected_version: int | None = None) -> None:
    """Move an open action's due date (the procesregisseur); whoever the action is for is told
    (``ActionDueChanged``)."""
    check_version(action, expected_version)
    _open_for_planning(case)
    if action.status not in (ActionStatus.OPEN, ActionStatus.IN_UITVOERING):
        raise ServiceError("Alleen van een open actie kan de uiterste datum nog veranderen.", field="due_on")
    if due_on is None:
        raise ServiceError("Vul een uiterste datum in.", field="due_on")
    if due_on < today():
        raise ServiceError("De uiterste datum kan niet in het verleden liggen.", field="due_on")
    if due_on == action.due_on:
        return
    action.due_on = due_on
    flush_versioned(action)
    add_timeline(case, "action.due_changed", f"Actie '{action.description[:120]}': uiterste datum nu "
                 f"{due_on.strftime('%d-%m-%Y')}", actor=user)
    record("action.due_changed", object_type="action", object_id=action.id, case_id=case.id,
           details={"due_on": due_on.isoformat()}, user=user)
    events.publish(ActionDueChanged(user, case, action))  # notifications tell whoever the action is for


def add_progress(user: User, case: Case, action: Action, *, text: str, status: str | None = None,
                 expected_version: int | None = None) -> ProgressEntry:
    """Voortgang, written only by the organisation that owns the action (the view checks the policy)."""
    check_version(action, expected_version)
    if action.owner_organisation_id != user.organisation_id:
        raise ServiceError("Alleen de organisatie die eigenaar is van deze actie schrijft de voortgang.", status=403)
    entry = ProgressEntry(action_id=action.id, author_id=user.id, organisation_id=user.organisation_id,
                          text=_text(text, "text", ServiceError("Beschrijf de voortgang.", field="text")))
    if status:
        try:
            entry.status_after = action.status = ActionStatus(status)
        except ValueError as error:
            raise ServiceError("Kies een status uit de lijst.", field="status") from error
    action.last_activity_at = utcnow()
    db.session.add(entry)
    flush_versioned(action)
    add_timeline(case, "action.progress", f"Voortgang '{action.description[:80]}': {entry.text[:200]}", actor=user)
    record("action.progress", object_type="action", object_id=action.id, case_id=case.id, user=user)
    return entry


def actions_of(case: Case) -> list[Action]:
    return list(db.session.execute(
        sa.select(Action).where(Action.case_id == case.id).order_by(Action.due_on, Action.id)).scalars())


def goals_of(case: Case) -> list[Goal]:
    return list(db.session.execute(sa.select(Goal).where(Goal.case_id == case.id).order_by(Goal.id)).scalars())
