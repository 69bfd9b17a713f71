"""Partners told what concerns them: who is notified of a change in a case they take part in, and the handlers.

Recipients (docs/DESIGN.md, "Who is told what"):

* an organisation taking part in a case: the participation's contact person if set, active and allowed to see
  the case, else every active user of the organisation who may see it;
* an action: its owner user if set, active and allowed to see the case, else as for its organisation;
* a signal: the user who reported it (by the signal's reference: they may not see the case it went into);
* never the user who made the change.

"May see the case" is :func:`casus.policy.sees_case`, the SQL twin of the need-to-know scope, asked in the same
query that finds the candidates — nobody is told of a case they may not open. The one exception is the end of a
participation: the organisation's people lost the case with that very change, so they are told by the reference
they knew (no case link, ``case_id`` empty) if they took part through a partner role.

Keys are unique per recipient and change (a participation's id, an action's version, an agenda item's id), so a
retried request records nothing twice. Texts carry the case reference and a date, never the title, a subject or
what an action is about (:mod:`casus.notifications.kinds`).

Hooks: ``cases`` and ``plans`` stand below notifications and publish events (:func:`register`); ``signals`` and
``meetings`` stand above and call :func:`signal_outcome` and :func:`case_on_agenda` directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from casus import policy
from casus.cases.events import CaseTransitioned, ParticipationEnded, ParticipationStarted
from casus.cases.models import Case, Participation
from casus.clock import local_zone, today
from casus.events import Events
from casus.extensions import db
from casus.notifications import kinds
from casus.notifications.services import NewNotification, case_link, notify_many
from casus.plans.events import ActionAssigned, ActionDueChanged
from casus.plans.models import Action
from casus.users.models import User, UserRole

__all__ = ["case_on_agenda", "cases_on_agenda", "register", "signal_outcome"]

NOTIFICATIONS_LINK = "/meldingen"
SIGNAL_LINK = "/signalen/{id}"

Recipient = tuple[int, str | None]  # user id, locale
_CHUNK = 500  # case ids per IN list


def register(events: Events) -> None:
    """At app start (``casus.events``): the changes below notifications that partners are told of."""
    events.subscribe(ParticipationStarted, _participation_started)
    events.subscribe(ParticipationEnded, _participation_ended)
    events.subscribe(ActionAssigned, _action_assigned)
    events.subscribe(ActionDueChanged, _action_due_changed)
    events.subscribe(CaseTransitioned, _case_transitioned)


# --- recipients ---------------------------------------------------------------------------------------------------

def _candidates(case_id: int, organisation_ids: Iterable[int]) -> dict[int, list[tuple[int, str | None]]]:
    """Per organisation, its active users who may see the case (one query)."""
    organisation_ids = list(set(organisation_ids))
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        sa.select(User.organisation_id, User.id, User.locale).join(Case, Case.id == case_id)
        .where(User.organisation_id.in_(organisation_ids), User.active.is_(True), policy.sees_case(User, Case))
        .order_by(User.id))
    found: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for organisation_id, user_id, locale in rows:
        found[organisation_id].append((user_id, locale))
    return found


def _pick(candidates: list[Recipient], preferred: int | None, actor_id: int | None) -> list[Recipient]:
    """The preferred user (contact person, owner) if among the candidates, else every candidate; never the actor."""
    chosen = [candidate for candidate in candidates if candidate[0] == preferred] or candidates
    return [candidate for candidate in chosen if candidate[0] != actor_id]


def organisation_recipients(case: Case, organisation_id: int, *, preferred: int | None,
                            actor_id: int | None) -> list[Recipient]:
    return _pick(_candidates(case.id, [organisation_id]).get(organisation_id, []), preferred, actor_id)


def partners_of_cases(case_ids: Iterable[int], *, actor_id: int | None) -> dict[int, list[Recipient]]:
    """Per case, everyone to tell about it: per active participation its contact person if they may see the case,
    else the organisation's active users who may — not the case's own team, which runs it. One query per 500
    cases (the agenda job passes thousands)."""
    case_ids = sorted(set(case_ids))
    found: dict[int, dict[int, Recipient]] = defaultdict(dict)
    taking_part = aliased(Participation)  # sees_case has its own EXISTS over participations: not this row
    for start in range(0, len(case_ids), _CHUNK):
        rows = db.session.execute(
            sa.select(taking_part.case_id, taking_part.organisation_id, taking_part.contact_user_id, User.id,
                      User.locale)
            .join(Case, Case.id == taking_part.case_id)
            .join(User, User.organisation_id == taking_part.organisation_id)
            .where(taking_part.case_id.in_(case_ids[start:start + _CHUNK]), taking_part.left_on.is_(None),
                   User.active.is_(True), policy.sees_case(User, Case),
                   # The case's own team runs it (and its meetings): the partners are the others.
                   sa.or_(User.team_id.is_(None), User.team_id != Case.team_id))
            .order_by(taking_part.case_id, User.id))
        candidates: dict[tuple[int, int], list[Recipient]] = defaultdict(list)
        contacts: dict[tuple[int, int], int | None] = {}
        for case_id, organisation_id, contact_id, user_id, locale in rows:
            candidates[(case_id, organisation_id)].append((user_id, locale))
            contacts[(case_id, organisation_id)] = contact_id
        for (case_id, organisation_id), users in candidates.items():
            for recipient in _pick(users, contacts[(case_id, organisation_id)], actor_id):
                found[case_id][recipient[0]] = recipient
    return {case_id: list(recipients.values()) for case_id, recipients in found.items()}


def partner_recipients(case: Case, *, actor_id: int | None) -> list[Recipient]:
    """Everyone to tell about a case its partners take part in (see :func:`partners_of_cases`)."""
    return partners_of_cases([case.id], actor_id=actor_id).get(case.id, [])


def _former_participants(participation: Participation, actor_id: int | None) -> list[Recipient]:
    """Who saw the case through ``participation`` until it ended: its contact person, else the organisation's
    active users with a partner role (the roles that see a case through a participation)."""
    rows = db.session.execute(
        sa.select(User.id, User.locale).where(
            User.organisation_id == participation.organisation_id, User.active.is_(True),
            sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(policy.PARTICIPANT_ROLES)))
        .order_by(User.id)).all()
    return _pick([(user_id, locale) for user_id, locale in rows], participation.contact_user_id, actor_id)


# --- recording ----------------------------------------------------------------------------------------------------

def _notify(recipients: Iterable[Recipient], key: str, kind: kinds.Kind, *, link: str, params: dict,
            case_id: int | None, params_for=None) -> int:
    return notify_many(NewNotification(
        user_id=user_id, key=f"{key}:user:{user_id}", kind=kind.name, link=link, case_id=case_id, locale=locale,
        params=params_for(user_id) if params_for else params) for user_id, locale in recipients)


def _case_params(case: Case, day: date | None) -> dict:
    return {"reference": case.reference, "date": (day or today()).isoformat()}


def _participation_started(event: ParticipationStarted) -> None:
    participation, case = event.participation, event.case
    recipients = organisation_recipients(case, participation.organisation_id,
                                         preferred=participation.contact_user_id, actor_id=event.user.id)
    _notify(recipients, f"participation-started:participation:{participation.id}", kinds.PARTICIPATION_STARTED,
            link=case_link(case.id), params=_case_params(case, participation.joined_on), case_id=case.id)


def _participation_ended(event: ParticipationEnded) -> None:
    participation, case = event.participation, event.case
    _notify(_former_participants(participation, event.user.id),
            f"participation-ended:participation:{participation.id}", kinds.PARTICIPATION_ENDED,
            link=NOTIFICATIONS_LINK, params=_case_params(case, participation.left_on), case_id=None)


def _action_recipients(case: Case, action: Action, actor_id: int) -> list[Recipient]:
    contact = db.session.execute(
        sa.select(Participation.contact_user_id).where(
            Participation.case_id == case.id, Participation.organisation_id == action.owner_organisation_id,
            Participation.left_on.is_(None))).scalar_one_or_none()
    candidates = _candidates(case.id, [action.owner_organisation_id]).get(action.owner_organisation_id, [])
    if any(user_id == action.owner_user_id for user_id, _ in candidates):
        return _pick(candidates, action.owner_user_id, actor_id)
    return _pick(candidates, contact, actor_id)


def _action_notice(case: Case, action: Action, actor_id: int, key: str, kind: kinds.Kind) -> None:
    def params_for(user_id: int) -> dict:
        assignee = kinds.ASSIGNEE_YOU if user_id == action.owner_user_id else kinds.ASSIGNEE_ORGANISATION
        return {**_case_params(case, action.due_on), "assignee": str(assignee)}

    _notify(_action_recipients(case, action, actor_id), key, kind, link=case_link(case.id), params={},
            case_id=case.id, params_for=params_for)


def _action_assigned(event: ActionAssigned) -> None:
    action = event.action
    _action_notice(event.case, action, event.user.id,
                   f"action-assigned:action:{action.id}:org:{action.owner_organisation_id}"
                   f":owner:{action.owner_user_id or 0}", kinds.ACTION_ASSIGNED)


def _action_due_changed(event: ActionDueChanged) -> None:
    action = event.action
    _action_notice(event.case, action, event.user.id,
                   f"action-due:action:{action.id}:v{action.version}:{action.due_on.isoformat()}",
                   kinds.ACTION_DUE_CHANGED)


def _case_transitioned(event: CaseTransitioned) -> None:
    """A relapse (nazorg back to aanpak) concerns every partner: they are told once per step."""
    if event.outcome.trigger != "relapse":
        return
    case = event.case
    _notify(partner_recipients(case, actor_id=event.user.id), f"case-relapse:case:{case.id}:v{case.version}",
            kinds.CASE_RELAPSE, link=case_link(case.id), params=_case_params(case, None), case_id=case.id)


# --- called by the domains above ----------------------------------------------------------------------------------

SIGNAL_KINDS = {"bundled": kinds.SIGNAL_BUNDLED, "referred": kinds.SIGNAL_REFERRED,
                "dismissed": kinds.SIGNAL_DISMISSED}


def signal_outcome(actor: User | None, outcome: str, signals: Iterable[tuple[int, str, int]]) -> int:
    """Tell each reporter what became of their signal: ``signals`` as ``(id, reference, reported_by_id)``,
    ``outcome`` one of ``bundled``, ``referred``, ``dismissed``. Only the signal's reference and a link to the
    signal (whose status its reporter may always see); never the case. Called by ``signals``."""
    kind = SIGNAL_KINDS[outcome]
    signals = [(signal_id, reference, reporter) for signal_id, reference, reporter in signals
               if reporter != getattr(actor, "id", None)]
    if not signals:
        return 0
    reporters = dict(db.session.execute(sa.select(User.id, User.locale).where(
        User.id.in_({reporter for _, _, reporter in signals}), User.active.is_(True))).all())
    return notify_many(NewNotification(
        user_id=reporter, key=f"signal-{outcome}:signal:{signal_id}:user:{reporter}", kind=kind.name,
        link=SIGNAL_LINK.format(id=signal_id), params={"reference": reference}, locale=reporters[reporter])
        for signal_id, reference, reporter in signals if reporter in reporters)


def case_on_agenda(actor: User | None, case: Case, item_id: int, *, starts_at: datetime, meeting_type: str) -> int:
    """Tell the partners of ``case`` it is on a meeting's agenda (``item_id``): the meeting's date, time and type
    (``meeting_type``: the type's Dutch label, shown in the reader's language), never its title, which could say
    what it is about. Called by ``meetings`` for an item added by hand."""
    return cases_on_agenda([(item_id, case.id, case.reference, starts_at, meeting_type)], actor=actor)


def cases_on_agenda(items: Iterable[tuple[int, int, str, datetime, str]], *, actor: User | None = None) -> int:
    """:func:`case_on_agenda` for many items at once, as ``(item id, case id, case reference, meeting start,
    meeting type label)`` — the daily agenda job's: a fixed number of queries whatever the number of items."""
    items = list(items)
    recipients = partners_of_cases([case_id for _, case_id, _, _, _ in items], actor_id=getattr(actor, "id", None))
    notices = []
    for item_id, case_id, reference, starts_at, meeting_type in items:
        local = starts_at.astimezone(local_zone())
        params = {"reference": reference, "date": local.date().isoformat(), "time": local.strftime("%H:%M"),
                  "meeting_type": str(meeting_type)}
        notices.extend(NewNotification(
            user_id=user_id, key=f"case-on-agenda:item:{item_id}:user:{user_id}", kind=kinds.CASE_ON_AGENDA.name,
            link=case_link(case_id), params=params, case_id=case_id, locale=locale)
            for user_id, locale in recipients.get(case_id, []))
    return notify_many(notices)
