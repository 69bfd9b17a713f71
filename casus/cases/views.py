"""The case list and the case file (overzicht, betrokkenen, partners, notities, tijdlijn; the plan tab lives in
``casus.plans.views``).

Every case is loaded through ``policy.get_case`` (audited, 404 when hidden) and every list takes its WHERE
clause from the policy. Views parse a form, call a service, flash and redirect; a refused transition or a
stale version changes nothing and shows Dutch messages.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from casus import policy
from casus.approvals import case_requests
from casus.approvals.services import open_approvals_of
from casus.cases import invitations, queries, refusals, services, suggestions
from casus.cases.categories import active_categories
from casus.cases.forms import (
    TIMELINE_GROUPS,
    CaseFilterForm,
    EarlyClosureForm,
    EvaluationForm,
    InviteForm,
    NoteForm,
    PlanDiscussedForm,
    ReopenForm,
    TimelineFilterForm,
    TransitionForm,
    VersionForm,
    unique_ids,
)
from casus.cases.models import Case, Note, Participation
from casus.cases.subject_views import render_subjects
from casus.extensions import db
from casus.i18n import current_locale
from casus.organisations.models import Organisation, Team
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.plans.services import goals_of
from casus.security import acting_user
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.users.models import User, UserRole
from casus.web.forms import flash_refusal, is_stale, missing_version, show_conflict, submit_form, version_of
from casus.web.helpers import enum_label, template_helpers
from workflow import (
    CasePhase,
    EscalationLevel,
    TransitionRefused,
    TriggerOption,
)

bp = Blueprint("cases", __name__, url_prefix="/casussen")

TIMELINE_PAGE_SIZE = 50
NOTES_PAGE_SIZE = 50
# Guards the transition form itself satisfies: the option is offered, the form asks for the input.
INPUT_CODES = frozenset({"needs_reason", "needs_result"})
# Triggers fired by the triage form (signals.triage_case), not by a bare button.
TRIAGE_FORM_TRIGGERS = frozenset({"accept", "refer", "dismiss", "start_triage"})
TRIGGERS_WITH_RESULT = frozenset({"close", "close_early"})
# Four-eyes triggers: asked for with their own forms and carried out by the approval's decision (/akkoorden).
APPROVAL_TRIGGERS = frozenset({"close_early", "reopen"})
CLOSABLE_PHASES = (CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG)

bp.context_processor(template_helpers)



def _back(case: Case, endpoint: str = "cases.detail"):
    return redirect(url_for(endpoint, case_id=case.id))


# --- the case list -----------------------------------------------------------------------------------------

@bp.get("")
def index():
    user = acting_user()
    if not policy.can_see_cases(user):
        policy.refuse("case.list", status=403, object_type="case", object_id=None)
    form = CaseFilterForm(request.args)
    form.fill(current_locale(), categories=active_categories(), teams=_teams(),
              procesregisseurs=_procesregisseurs(user))
    form.validate()
    filters = _filters_from(form)
    sort = form.sort.data if form.sort.data in queries.CASE_SORTS else "gewijzigd"
    page = queries.list_cases(user, filters, sort=sort, after=request.args.get("na"),
                               before=request.args.get("voor"), limit=_page_size())
    total = queries.count_cases(user, filters)
    queries.record_list_view(filters, [case.id for case in page.items], results=total)
    args = {key: value for key, value in request.args.items() if key not in ("na", "voor") and value}
    return render_template(
        "cases/index.html", form=form, page=page, total=total, cap=queries.LIST_COUNT_CAP,
        next_url=url_for("cases.index", **args, na=page.next_cursor) if page.next_cursor else None,
        prev_url=url_for("cases.index", **args, voor=page.prev_cursor) if page.prev_cursor else None,
        searched=filters.active)


def _page_size() -> int:
    return current_app.config["CASUS"].cases_page_size


def _filters_from(form: CaseFilterForm) -> queries.CaseFilters:
    def valid(value, allowed):
        return value if value in allowed else None

    return queries.CaseFilters(
        q=(form.q.data or "").strip()[:100] if not form.q.errors else "",
        phase=valid(form.phase.data, CasePhase.values()),
        category_id=form.category.data if isinstance(form.category.data, int) else None,
        team_id=form.team.data if isinstance(form.team.data, int) else None,
        procesregisseur_id=form.procesregisseur.data if isinstance(form.procesregisseur.data, int) else None,
        escalation_level=valid(form.escalation.data, EscalationLevel.values()),
        overdue=bool(form.overdue.data),
    )


def _teams() -> list[Team]:
    return list(db.session.execute(sa.select(Team).where(Team.active.is_(True)).order_by(Team.name)).scalars())


def _procesregisseurs(user: User) -> list[User]:
    if not policy.manages_a_team(user):
        return []
    return list(db.session.execute(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.team_id == user.team_id, User.active.is_(True), UserRole.role == "procesregisseur")
        .order_by(User.name)).scalars())


# --- overzicht ---------------------------------------------------------------------------------------------

@bp.get("/<int:case_id>")
def detail(case_id: int):
    return _render_overview(policy.get_case(acting_user(), case_id))


def _render_overview(case: Case, *, status: int = 200, transition_form: TransitionForm | None = None, **forms):
    """The case overview; ``transition_form``: a posted step form to show again (the user's reason kept)."""
    user = acting_user()
    manages = policy.manages(user, case)
    procesregisseur = db.session.get(User, case.procesregisseur_id) if case.procesregisseur_id else None
    aanbrenger = db.session.get(Organisation, case.aanbrenger_organisation_id)
    allowed, blocked = _trigger_forms(user, case, transition_form) if manages else ([], [])
    if manages and case.phase in CLOSABLE_PHASES:
        forms.setdefault("evaluation_form", EvaluationForm(evaluation=case.evaluation))
        forms.setdefault("evaluation_goals", goals_of(case))  # the evaluation looks back on every goal
    if manages and case.phase == CasePhase.AANPAK_PLAN:
        forms.setdefault("plan_discussed_form", PlanDiscussedForm(discussed_on=case.plan_discussed_on))
    # Four-eyes requests are the team's business: partners of the case see neither them nor the forms.
    pending = open_approvals_of(case) if manages else []
    pending_kinds = {str(approval.kind) for approval in pending}
    if policy.requests_approval(user, case, "close_early") and "close_early" not in pending_kinds:
        forms.setdefault("early_closure_form", EarlyClosureForm(formdata=None)).fill(current_locale())
    if policy.requests_approval(user, case, "reopen") and "reopen" not in pending_kinds:
        forms.setdefault("reopen_form", ReopenForm(formdata=None))
    in_triage = case.phase in (CasePhase.SIGNALERING, CasePhase.TRIAGE)
    return render_template(
        "cases/overview.html", case=case, active_tab="cases.detail", manages=manages,
        procesregisseur=procesregisseur, aanbrenger=aanbrenger, pending_approvals=pending,
        allowed_triggers=allowed, blocked_triggers=blocked,
        triage_link=url_for("signals.triage_case", case_id=case.id) if manages and in_triage else None,
        **forms), status


def _trigger_forms(user: User, case: Case, posted: TransitionForm | None = None) -> tuple[list, list]:
    """(option, form) for the triggers this manager may fire now; (option, messages) for blocked ones."""
    allowed, blocked = [], []
    supervisor = policy.supervises(user)
    for option in services.available_triggers(user, case):
        if option.trigger in TRIAGE_FORM_TRIGGERS or option.trigger in APPROVAL_TRIGGERS:
            continue  # the triage form and the four-eyes requests have their own forms
        codes = set(option.codes) - INPUT_CODES
        if "role_not_permitted" in codes:
            continue  # not this user's trigger at all
        if supervisor and option.trigger == "close":
            codes.discard("nazorg_period_over")  # the override checkbox answers it
        if codes:
            blocked.append((option, [f.message(current_locale()) for f in option.failures if f.code in codes]))
        else:
            allowed.append((option, _transition_form(case, option, supervisor, posted)))
    return allowed, blocked


def _transition_form(case: Case, option: TriggerOption, supervisor: bool,
                     posted: TransitionForm | None = None) -> TransitionForm:
    if posted is not None and posted.trigger.data == option.trigger:
        form = unique_ids(posted, f"overgang-{option.trigger}")
    else:
        form = unique_ids(TransitionForm(formdata=None, trigger=option.trigger, version=case.version),
                          f"overgang-{option.trigger}")
    form.fill(current_locale())
    form.offer_result = option.trigger in TRIGGERS_WITH_RESULT
    form.offer_override = supervisor and option.trigger == "close" and "nazorg_period_over" in option.codes
    return form


@bp.post("/<int:case_id>/overgang")
def transition(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="case.transition")
    form = TransitionForm()
    form.fill(current_locale())
    if not form.validate_on_submit():
        if missing_version(form):
            return _render_overview(case, status=400, transition_form=form)
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _back(case)
    trigger = form.trigger.data or ""
    try:
        outcome = services.transition(user, case, trigger, reason=form.reason.data, result=form.result.data or None,
                                      override=bool(form.override.data), expected_version=version_of(form))
    except TransitionRefused as refused:
        flash_refusal(refusals.for_user(refused, user, case))
    except ServiceError as error:
        if is_stale(error):  # the case changed meanwhile: shown as it is now, with the steps it offers now
            show_conflict()
            return _render_overview(case, status=409, transition_form=form)
        flash(error.message, "error")
    else:
        flash(_("De casus is nu in fase: %(phase)s.", phase=enum_label(CasePhase, outcome.to_state)), "success")
    return _back(case)


@bp.post("/<int:case_id>/vroegtijdig-afsluiten")
def request_closure(case_id: int):
    """Ask a second supervisor to close the case early; the request waits under /akkoorden."""
    user = acting_user()
    case = policy.get_case(user, case_id)
    if not policy.requests_approval(user, case, "close_early"):
        policy.refuse("approval.requested", status=403, object_type="case", object_id=case.id, case_id=case.id)
    form = EarlyClosureForm()
    form.fill(current_locale())
    if submit_form(form, lambda: case_requests.request_early_closure(user, case, reason=form.reason.data,
            result=form.result.data),
            success=_("Het verzoek is vastgelegd. Een andere supervisor van het team beslist erover.")):
        return _back(case)
    return _render_overview(case, early_closure_form=form)


@bp.post("/<int:case_id>/heropenen")
def request_reopening(case_id: int):
    """Ask a second supervisor to reopen the closed case; the request waits under /akkoorden."""
    user = acting_user()
    case = policy.get_case(user, case_id)
    if not policy.requests_approval(user, case, "reopen"):
        policy.refuse("approval.requested", status=403, object_type="case", object_id=case.id, case_id=case.id)
    form = ReopenForm()
    if submit_form(form, lambda: case_requests.request_reopening(user, case, reason=form.reason.data),
            success=_("Het verzoek is vastgelegd. Een andere supervisor van het team beslist erover.")):
        return _back(case)
    return _render_overview(case, reopen_form=form)


@bp.post("/<int:case_id>/evaluatie")
def evaluation(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="case.evaluation")
    form = EvaluationForm()
    saved = submit_form(form, lambda: services.record_evaluation(user, case, text=form.evaluation.data,
            expected_version=version_of(form)),
            success=_("De evaluatie is opgeslagen."))
    if saved:
        return _back(case)
    return _render_overview(case, status=saved.status, evaluation_form=form)


@bp.post("/<int:case_id>/plan-besproken")
def plan_discussed(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="case.plan_discussed")
    form = PlanDiscussedForm()
    saved = submit_form(form, lambda: services.record_plan_discussed(user, case, on=form.discussed_on.data,
            expected_version=version_of(form)),
            success=_("De bespreking van het plan is vastgelegd."))
    if saved:
        return _back(case)
    return _render_overview(case, status=saved.status, plan_discussed_form=form)


# --- betrokkenen -------------------------------------------------------------------------------------------

@bp.get("/<int:case_id>/betrokkenen")
def subjects(case_id: int):
    # The tab and its forms (add, correct, unlink) live in subject_views.
    return render_subjects(policy.get_case(acting_user(), case_id))


# --- partners ----------------------------------------------------------------------------------------------

@bp.get("/<int:case_id>/partners")
def partners(case_id: int):
    return _render_partners(policy.get_case(acting_user(), case_id))


def _render_partners(case: Case, invite_form: InviteForm | None = None, status: int = 200):
    user = acting_user()
    manages = policy.manages(user, case)
    participations = list(db.session.execute(
        sa.select(Participation).where(Participation.case_id == case.id)
        .options(joinedload(Participation.contact_user))
        .order_by(Participation.left_on.is_not(None), Participation.id)).scalars())
    suggested, fresh = [], invite_form is None
    if manages and not case.is_closed and invite_form is None:
        invite_form = InviteForm(formdata=None, version=case.version)
    if invite_form is not None:
        candidates = _invitable_organisations(case)
        if fresh:  # a one-click "Uitnodigen" of a suggestion: ?organisatie=<id>
            invitations.preselect(invite_form, candidates, request.args.get("organisatie"))
        # The reporters of the case's signals that do not take part yet, offered first (casus.cases.suggestions).
        suggested = suggestions.suggested_participants(case)
        invitations.fill_invite_form(invite_form, current_locale(), candidates=candidates, suggestions=suggested)
    return render_template("cases/partners.html", case=case, active_tab="cases.partners", manages=manages,
                           participations=participations, invite_form=invite_form, suggestions=suggested), status


def _invitable_organisations(case: Case) -> list[Organisation]:
    participating = sa.exists().where(Participation.case_id == case.id,
                                      Participation.organisation_id == Organisation.id,
                                      Participation.left_on.is_(None))
    return list(db.session.execute(
        sa.select(Organisation).where(Organisation.active.is_(True), ~participating)
        .order_by(Organisation.name)).scalars())


@bp.post("/<int:case_id>/partners")
def invite(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="participation.added")
    form = InviteForm()
    # Every candidate's contacts, so that a contact of another organisation is refused by the service with its
    # own message next to the field; the form shown again lists the chosen organisation's only.
    invitations.fill_invite_form(form, current_locale(), candidates=_invitable_organisations(case), suggestions=(),
                                 all_contacts=True)
    saved = submit_form(form, lambda: services.invite_organisation(user, case,
            organisation_id=form.organisation_id.data, role=form.role.data, legal_basis=form.legal_basis.data,
            signed_on=form.signed_on.data, contact_user_id=form.contact_user_id.data,
            expected_version=version_of(form)),
            success=lambda participation: _("%(name)s neemt nu deel aan de casus.",
                                            name=participation.organisation.name))
    if saved:
        return _back(case, "cases.partners")
    return _render_partners(case, invite_form=form, status=saved.status)


@bp.post("/<int:case_id>/partners/<int:participation_id>/beeindigen")
def end_participation(case_id: int, participation_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="participation.ended")
    participation = policy.get_of_case(case, Participation, participation_id, action="participation.ended", user=user)
    form = VersionForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return _render_partners(case, status=400)
        abort(400)
    try:
        services.end_participation(user, case, participation, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return _render_partners(case, status=409)
        flash(error.message, "error")
    else:
        flash(_("%(name)s neemt niet meer deel aan de casus.", name=participation.organisation.name), "success")
    return _back(case, "cases.partners")


# --- notities ----------------------------------------------------------------------------------------------

@bp.route("/<int:case_id>/notities", methods=["GET", "POST"])
def notes(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    participations = services.participations_of(case)
    form = NoteForm()
    form.fill(organisations=[p.organisation for p in participations
                             if p.active and p.organisation_id != user.organisation_id])
    if submit_form(form, lambda: services.add_note(user, case, text=form.text.data, visibility=form.visibility.data,
            organisation_ids=form.organisation_ids.data or ()),
            success=_("De notitie is toegevoegd.")):
        return _back(case, "cases.notes")
    query = (sa.select(Note).where(Note.case_id == case.id, policy.note_scope(user))
             .options(joinedload(Note.author), joinedload(Note.organisation), selectinload(Note.audience)))
    page = _time_page(query, Note.created_at, Note.id, lambda n: n.created_at, NOTES_PAGE_SIZE)
    names = {p.organisation_id: p.organisation.name for p in participations}
    return render_template("cases/notes.html", case=case, active_tab="cases.notes", page=page, form=form,
                           organisation_names=names, **_page_links("cases.notes", case, page))


# --- tijdlijn ----------------------------------------------------------------------------------------------

@bp.get("/<int:case_id>/tijdlijn")
def timeline(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    form = TimelineFilterForm(request.args)
    group = form.group.data if form.group.data in TIMELINE_GROUPS else None
    query = (sa.select(TimelineEvent).where(TimelineEvent.case_id == case.id, policy.timeline_scope(user))
             .options(joinedload(TimelineEvent.actor)))
    if group:
        query = query.where(sa.or_(*(TimelineEvent.kind.startswith(prefix)
                                     for prefix in TIMELINE_GROUPS[group][1])))
    page = _time_page(query, TimelineEvent.occurred_at, TimelineEvent.id, lambda e: e.occurred_at,
                      TIMELINE_PAGE_SIZE)
    return render_template("cases/timeline.html", case=case, active_tab="cases.timeline", page=page, form=form,
                           **_page_links("cases.timeline", case, page, group=group))


def _time_page(query: sa.Select, key, id_col, value_of, limit: int) -> KeysetPage:
    load = datetime.fromisoformat
    return keyset_page(
        query, key=key, id_col=id_col, descending=True,
        after=decode_cursor(request.args.get("na"), load),
        before=decode_cursor(request.args.get("voor"), load),
        limit=limit, value_of=value_of, dump=lambda v: v.isoformat())


def _page_links(endpoint: str, case: Case, page: KeysetPage, **args) -> dict:
    args = {key: value for key, value in args.items() if value}
    return {
        "next_url": url_for(endpoint, case_id=case.id, na=page.next_cursor, **args) if page.next_cursor else None,
        "prev_url": url_for(endpoint, case_id=case.id, voor=page.prev_cursor, **args) if page.prev_cursor else None,
    }
