from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import orm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from casus.audit.services import record_shown
from casus.cases.models import RUNNING_CASES_SQL, Case, Participation
from casus.clock import cadences, local_zone
from casus.clock import today as local_today
from casus.extensions import db
from casus.i18n import LANGUAGES, current_locale
from casus.labels import Labels
from casus.navigation import safe_next
from casus.plans.models import OPEN_ACTIONS_SQL, Action
from casus.policy import (
    case_scope,
    directs_cases,
    handles_privacy,
    manages_a_team,
    signal_scope,
    supervises,
    takes_part_in_cases,
    works_for_partner,
)
from casus.signals.models import Signal, SignalStatus
from casus.subject_requests import services as subject_requests
from casus.users.models import User
from casus.users.services import set_locale
from workflow import CasePhase, EscalationLevel
from workflow.workdays import working_days_between

bp = Blueprint("main", __name__)


class LanguageForm(FlaskForm):
    locale = SelectField(choices=[SelectChoice(code, label) for code, label in LANGUAGES.items()])
    next = HiddenField()


# --- dashboard ------------------------------------------------------------------------------------------------
# Every block is bounded (DASHBOARD_ROWS rows plus a capped count), takes its WHERE clause from casus.policy and
# eager-loads what it shows, so the page costs the same number of queries with 1 or 100,000 cases.

DASHBOARD_ROWS = 10
COUNT_CAP = 999
RUNNING_PHASES = (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG)


@dataclass
class Block:
    rows: list
    count: int

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)


def _block(keys: sa.Select, load: Callable[[sa.Select], sa.Select], *, scalars: bool = True,
           count_in_order: bool = False) -> Block:
    """A bounded block: ``keys`` selects the ids of the matching rows in display order (narrow, so counting and
    sorting stay cheap); ``load`` turns the first DASHBOARD_ROWS of them into the rows to show. The count is
    capped at COUNT_CAP, so a big table costs no more than a small one. ``count_in_order`` keeps the display
    order in the capped count, for blocks whose index serves that order (the planner then walks it)."""
    counted = (keys if count_in_order else keys.order_by(None)).limit(COUNT_CAP + 1).subquery()
    count = db.session.execute(sa.select(sa.func.count()).select_from(counted)).scalar_one()
    if not count:
        return Block([], 0)
    result = db.session.execute(load(keys.limit(DASHBOARD_ROWS)))
    return Block(list(result.unique().scalars()) if scalars else result.all(), count)


def _case_block(user: User, *conditions, order: tuple) -> Block:
    keys = sa.select(Case.id).where(case_scope(user), *conditions).order_by(*order)
    return _block(keys, lambda ids: sa.select(Case).where(Case.id.in_(ids)).order_by(*order))


def _my_cases(user: User) -> Block:
    # The running cases as literal SQL: closed cases keep their last dates, so a walk of
    # an index of all their cases in date order passes all of a regisseur's closed cases (thousands, the oldest
    # dates) before the first running one; the partial index ix_cases_procesregisseur_open holds only running
    # cases, and is only used when the condition is spelled out (see RUNNING_CASES_SQL).
    return _case_block(user, Case.procesregisseur_id == user.id, sa.text(f"cases.{RUNNING_CASES_SQL}"),
                       order=(sa.func.coalesce(Case.next_review_on, Case.triage_due_on), Case.id))


def _attention_cases(user: User, today: date) -> Block:
    """For supervisors: the team's cases whose review is overdue or with a four-eyes request awaiting a decision
    (those first; ``block.pending`` names them for the badge)."""
    from casus.approvals.models import Approval, ApprovalStatus

    overdue = sa.and_(Case.phase.in_(RUNNING_PHASES), Case.next_review_on < today)
    pending = sa.exists().where(Approval.case_id == Case.id, Approval.status == ApprovalStatus.OPEN)
    block = _case_block(user, Case.team_id == user.team_id, sa.or_(overdue, pending),
                        order=(sa.case((pending, 0), else_=1), Case.next_review_on, Case.id))
    ids = [case.id for case in block.rows]
    block.pending = set(db.session.execute(sa.select(Approval.case_id).where(
        Approval.case_id.in_(ids), Approval.status == ApprovalStatus.OPEN)).scalars()) if ids else set()
    return block


def _participating_cases(user: User) -> Block:
    participates = sa.exists().where(Participation.case_id == Case.id,
                                     Participation.organisation_id == user.organisation_id,
                                     Participation.left_on.is_(None))
    return _case_block(user, participates, order=(Case.updated_at.desc(), Case.id.desc()))


def _signal_block(user: User, *conditions, order: tuple) -> Block:
    keys = sa.select(Signal.id).where(signal_scope(user), *conditions).order_by(*order)
    return _block(keys, lambda ids: sa.select(Signal).where(Signal.id.in_(ids)).order_by(*order))


def _signals_to_weigh(user: User) -> Block:
    return _signal_block(user, Signal.team_id == user.team_id, Signal.status == SignalStatus.ONTVANGEN,
                         order=(Signal.received_at, Signal.id))


def _own_signals(user: User) -> Block:
    return _signal_block(user, Signal.reporting_organisation_id == user.organisation_id,
                         order=(Signal.received_at.desc(), Signal.id.desc()))


def _overdue_actions(user: User, today: date, *, organisation_id: int | None = None) -> Block:
    """Open actions past their due date in cases the user may see (of their team, or owned by their org)."""
    order = (Action.due_on, Action.id)
    # Driven from the actions (status and due date), each checked against its case: cheaper than walking all of
    # a team's cases and their actions.
    in_case = [Case.id == Action.case_id, case_scope(user)]
    conditions = [Action.due_on < today, sa.text(f"actions.{OPEN_ACTIONS_SQL}")]  # see ix_actions_open_due
    if organisation_id is not None:
        conditions.append(Action.owner_organisation_id == organisation_id)
    else:
        in_case.append(Case.team_id == user.team_id)
    keys = sa.select(Action.id).where(sa.exists().where(*in_case), *conditions).order_by(*order)
    owner = orm.aliased(User)

    def load(ids: sa.Select) -> sa.Select:
        # Only the owner's name is shown: no need to load the user with its organisation, team and roles.
        return (sa.select(Action, Case.id, Case.reference, owner.name).join(Case, Case.id == Action.case_id)
                .outerjoin(owner, owner.id == Action.owner_user_id).where(Action.id.in_(ids)).order_by(*order)
                .options(orm.lazyload(Action.owner_user)))

    # In order: PostgreSQL otherwise merge-joins every overdue action with the cases (28 ms instead of 6 ms).
    return _block(keys, load, scalars=False, count_in_order=True)


def _escalations(user: User):
    """The team's escalated cases, overdue decisions and review dates first (the escalations queue, bounded)."""
    from casus.escalations.services import team_queue

    return team_queue(user, limit=DASHBOARD_ROWS)


def _phase_counts(user: User) -> list[tuple[CasePhase, int]]:
    counts = dict(db.session.execute(sa.select(Case.phase, sa.func.count()).where(
        case_scope(user), Case.team_id == user.team_id).group_by(Case.phase)).all())
    return [(phase, counts.get(phase, 0)) for phase in CasePhase]


def dashboard_blocks(user: User) -> dict:
    """What the dashboard shows for ``user``'s roles; blocks the user has no role for are absent."""
    today = local_today()
    blocks: dict = {"today": today}
    if manages_a_team(user):
        if directs_cases(user):
            blocks["my_cases"] = _my_cases(user)
        if supervises(user):
            blocks["attention"] = _attention_cases(user, today)
        blocks["signals_to_weigh"] = _signals_to_weigh(user)
        blocks["team_overdue_actions"] = _overdue_actions(user, today)
        blocks["escalations"] = _escalations(user)
        phases = _phase_counts(user)
        blocks["phases"] = phases
        blocks["phase_max"] = max([count for _phase, count in phases] + [1])
    if works_for_partner(user):
        blocks["own_signals"] = _own_signals(user)
        blocks["org_overdue_actions"] = _overdue_actions(user, today, organisation_id=user.organisation_id)
    if takes_part_in_cases(user):
        blocks["participating"] = _participating_cases(user)
    if handles_privacy(user):  # the open data-subject requests by deadline, and the year's figures per kind
        blocks["subject_requests"] = subject_requests.report(user, today)
    return blocks


def signal_age(signal: Signal, today: date) -> int:
    """Working days since the signal came in (the triage deadline counts in werkdagen)."""
    return working_days_between(format_date_as_local(signal.received_at), today)


def format_date_as_local(moment) -> date:
    return moment.astimezone(local_zone()).date()


def shown_case_ids(blocks: dict) -> list[int]:
    """Every case the dashboard shows, block by block (its title carries names: what a person saw is audited)."""
    ids: list[int] = []
    for name in ("my_cases", "attention", "participating"):
        ids += [case.id for case in blocks[name].rows] if name in blocks else []
    for name in ("team_overdue_actions", "org_overdue_actions"):
        ids += [case_id for _action, case_id, *_rest in blocks[name].rows] if name in blocks else []
    if "escalations" in blocks:
        ids += [row.case.id for row in blocks["escalations"].rows]
    return ids


@bp.get("/")
def index():
    user = current_user._get_current_object()
    blocks = dashboard_blocks(user)
    record_shown("dashboard.view", shown_case_ids(blocks), user=user)
    return render_template("main/dashboard.html", blocks=blocks, signal_age=signal_age,
                           triage_days=cadences().triage_working_days, locale=current_locale(),
                           signal_status_labels=Labels(SignalStatus), CasePhase=CasePhase,
                           EscalationLevel=EscalationLevel)


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("main/accessibility.html")


@bp.post("/taal")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            set_locale(current_user._get_current_object(), form.locale.data)
    return redirect(safe_next(form.next.data) or url_for("main.index"))


def _database_answers() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return False
    return True


@bp.get("/healthz")
def healthz():
    """Liveness: 200 when the database answers, 503 otherwise; never a detail."""
    if not _database_answers():
        return "unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}


@bp.get("/readyz")
def readyz():
    """Readiness: the database and, when configured, Redis (without it nobody can log in) answer."""
    ready = _database_answers() and current_app.extensions["casus_throttle"].ready()
    if not ready:
        return "unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}

