"""RIEC voordracht pages: the list (``/voordrachten``), one voordracht, the case tab and the draft form.

Who sees what comes from the policy: ``voordracht_scope``/``get_voordracht`` (404 when hidden, audited).
The case's team (procesregisseurs, supervisors) sees everything and takes the team's steps; a riec user of
the addressee sees only what the voordracht shares — its number (``RV-12``, never the case reference), the
summary, indicators, legal basis, urgency and the shared subjects without BSN — and accepts or returns it.
The case tab is the team's: a partner who may see the case gets 403 there and never a voordracht.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from casus import policy
from casus.approvals.forms import DecisionForm
from casus.approvals.models import Approval
from casus.audit.services import record, record_shown
from casus.cases.forms import unique_ids
from casus.cases.models import Case
from casus.cases.services import actor_for
from casus.clock import days_since
from casus.extensions import db
from casus.i18n import current_locale
from casus.labels import Labels, choices
from casus.organisations.models import Team
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.security import acting_user
from casus.services import ServiceError
from casus.users.models import User
from casus.voordrachten import drafting, services
from casus.voordrachten.forms import AcceptForm, ReturnForm, StepForm, VoordrachtEditForm, VoordrachtForm
from casus.voordrachten.models import RiecIndicator, RiecLegalBasis, Urgency, Voordracht
from casus.web.forms import flash_refusal, is_stale, missing_version, show_conflict, show_service_error, version_of
from casus.web.helpers import mask_bsn, template_helpers
from workflow import VOORDRACHT, Context, TransitionRefused, VoordrachtState

bp = Blueprint("voordrachten", __name__, url_prefix="/voordrachten")
bp.context_processor(template_helpers)

PAGE_SIZE = 25
EXCERPT = 160
# Guards the page's own forms answer (the RIEC reference, the advice): the button is offered, the form asks.
INPUT_CODES = frozenset({"needs_riec_reference", "needs_motivation"})
STEP_MESSAGES = {
    "submit": _l("De voordracht ligt nu ter beoordeling bij een supervisor."),
    "revise": _l("De voordracht is weer een concept; u kunt hem aanpassen en opnieuw aanbieden."),
    "send_to_riec": _l("De voordracht is ingediend bij het RIEC."),
    "accept": _l("De voordracht is aangenomen als RIEC-casus."),
    "return_with_advice": _l("De voordracht is teruggelegd met advies."),
}


@bp.context_processor
def _helpers() -> dict:
    return {
        "state_label": Labels(VoordrachtState),
        "urgency_label": Labels(Urgency),
        "indicator_label": Labels(RiecIndicator),
        "legal_basis_label_riec": Labels(RiecLegalBasis),
        "number_of": services.number_of,
        "mask_bsn": mask_bsn,
        "age_in_days": days_since,
    }


# --- the list ------------------------------------------------------------------------------------------------

class StateFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)

    def fill(self, locale, states) -> None:
        self.status.choices = [SelectChoice("", _l("Alle statussen")),
                               *choices(VoordrachtState, locale, states)]


def _page(query: sa.Select, cursor_arg: str) -> KeysetPage:
    return keyset_page(query, key=Voordracht.id, id_col=Voordracht.id, descending=True,
                       after=decode_cursor(request.args.get(cursor_arg), int), before=None, limit=PAGE_SIZE,
                       value_of=lambda v: v.id, dump=str)


def _with_state(query: sa.Select, state: str | None) -> sa.Select:
    return query.where(Voordracht.state == state) if state in VoordrachtState.values() else query


@bp.get("")
def index():
    user = acting_user()
    team_view = policy.manages_a_team(user)
    riec_view = policy.receives_voordrachten(user)
    if not policy.sees_voordrachten(user):
        policy.refuse("voordracht.list", status=403, object_type="voordracht", object_id=None)
    form = StateFilterForm(request.args)
    states = list(VoordrachtState) if team_view else [VoordrachtState(s) for s in policy.RIEC_VISIBLE_STATES]
    form.fill(current_locale(), states)
    state = form.status.data or None
    team_page = riec_page = None
    references: dict[int, str] = {}
    if team_view:
        team_page = _page(_with_state(sa.select(Voordracht).where(
            policy.voordracht_scope(user),
            Voordracht.case_id.in_(sa.select(Case.id).where(Case.team_id == user.team_id))), state), "na")
        references = _references(user, team_page.items)
    if riec_view:
        riec_page = _page(_with_state(sa.select(Voordracht).where(
            policy.voordracht_scope(user), Voordracht.addressee_organisation_id == user.organisation_id,
            Voordracht.state.in_(policy.RIEC_VISIBLE_STATES)), state), "riec_na")
    shown = [v for page in (team_page, riec_page) if page for v in page.items]
    record_shown("voordracht.list", [v.case_id for v in shown], object_type="voordracht",
                 details={"ids": [v.id for v in shown]})
    args = {key: value for key, value in request.args.items() if key not in ("na", "riec_na") and value}
    return render_template(
        "voordrachten/index.html", form=form, team_page=team_page, riec_page=riec_page, references=references,
        excerpt=EXCERPT,
        team_next=url_for("voordrachten.index", **args, na=team_page.next_cursor)
        if team_page and team_page.next_cursor else None,
        riec_next=url_for("voordrachten.index", **args, riec_na=riec_page.next_cursor)
        if riec_page and riec_page.next_cursor else None)


def _references(user: User, voordrachten: list[Voordracht]) -> dict[int, str]:
    """Case references of the team's page, in one query (and only of cases the user may see)."""
    ids = {v.case_id for v in voordrachten}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Case.id, Case.reference).where(
        Case.id.in_(ids), policy.case_scope(user))).all())


# --- one voordracht --------------------------------------------------------------------------------------------

@bp.get("/<int:voordracht_id>")
def detail(voordracht_id: int):
    user = acting_user()
    return _render_detail(user, policy.get_voordracht(user, voordracht_id))


def _render_detail(user: User, voordracht: Voordracht, **forms):
    subjects = services.shared_subjects(voordracht)
    record("subject.view", object_type="voordracht", object_id=voordracht.id, case_id=voordracht.case_id,
           details={"subject_ids": [subject.id for subject in subjects]})
    if policy.reads_as_riec(user, voordracht):
        return _render_for_riec(user, voordracht, subjects, **forms)
    case = policy.get_case(user, voordracht.case_id)
    approval = services.latest_approval(voordracht)
    creator = db.session.get(User, voordracht.created_by_id)
    answered_by = db.session.get(User, voordracht.answered_by_id) if voordracht.answered_by_id else None
    manages = policy.manages(user, case)
    steps, blocked = _team_steps(user, case, voordracht) if manages else ([], [])
    withdraw_form = None
    if approval is not None and policy.withdraws_approval(user, approval) \
            and voordracht.state == VoordrachtState.TER_BEOORDELING:
        withdraw_form = unique_ids(StepForm(formdata=None, version=voordracht.version), "intrekken")
    return render_template(
        "voordrachten/detail.html", voordracht=voordracht, case=case, subjects=subjects, approval=approval,
        creator=creator, answered_by=answered_by, steps=steps,
        blocked=blocked, withdraw_form=withdraw_form, can_edit=manages and voordracht.state == VoordrachtState.CONCEPT,
        decision_form=_decision_form(user, approval),
        decision_next=url_for("voordrachten.detail", voordracht_id=voordracht.id))


def _decision_form(user: User, approval: Approval | None):
    """The approvals' own decision form (``approvals/_decision_form.html``) for a supervisor who may decide,
    so the voordracht and the decision are on one page."""
    if approval is None or not policy.decides_approval(user, approval):
        return None
    return DecisionForm(formdata=None, version=approval.version)


def _team_steps(user: User, case: Case, voordracht: Voordracht) -> tuple[list, list]:
    """(trigger, label, form) for the team's steps this user may take now; (label, messages) for blocked ones."""
    facts = services.facts_for(voordracht)
    ctx = Context(actor=actor_for(user))
    allowed, blocked = [], []
    for option in VOORDRACHT.available(str(voordracht.state), facts, ctx):
        if option.trigger not in services.TEAM_TRIGGERS or "role_not_permitted" in option.codes:
            continue
        label = option.label(current_locale())
        if option.allowed:
            allowed.append((option.trigger, label,
                            unique_ids(StepForm(formdata=None, version=voordracht.version), f"stap-{option.trigger}")))
        else:
            blocked.append((label, [failure.message(current_locale()) for failure in option.failures]))
    return allowed, blocked


def _render_for_riec(user: User, voordracht: Voordracht, subjects, *, accept_form=None, return_form=None):
    team = db.session.execute(sa.select(Team).join(Case, Case.team_id == Team.id)
                              .where(Case.id == voordracht.case_id)).scalar_one()
    if policy.answers_voordracht(user, voordracht):
        accept_form = accept_form or unique_ids(AcceptForm(formdata=None, version=voordracht.version), "aannemen")
        return_form = return_form or unique_ids(ReturnForm(formdata=None, version=voordracht.version), "terugleggen")
    else:
        accept_form = return_form = None
    return render_template("voordrachten/riec_detail.html", voordracht=voordracht, subjects=subjects,
                           sender=team, accept_form=accept_form, return_form=return_form)


def _back(voordracht: Voordracht):
    return redirect(url_for("voordrachten.detail", voordracht_id=voordracht.id))


def _team_voordracht(voordracht_id: int, action: str) -> tuple[User, Voordracht, Case]:
    """The voordracht (404 when hidden) and its case, for a step only the case's team may take (else 403)."""
    user = acting_user()
    voordracht = policy.get_voordracht(user, voordracht_id, action=action)
    if policy.reads_as_riec(user, voordracht):
        policy.refuse(action, status=403, object_type="voordracht", object_id=voordracht.id,
                      case_id=voordracht.case_id)
    case = policy.get_case(user, voordracht.case_id)
    if not policy.manages(user, case):
        policy.refuse(action, status=403, object_type="voordracht", object_id=voordracht.id, case_id=case.id)
    return user, voordracht, case


def _team_step(voordracht_id: int, trigger: str):
    user, voordracht, _case = _team_voordracht(voordracht_id, "voordracht.transition")
    form = StepForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return _render_detail(user, voordracht), 400
        abort(400)
    try:
        services.transition(user, voordracht, trigger, expected_version=version_of(form))
    except TransitionRefused as refused:
        flash_refusal(refused)
    except ServiceError as error:
        if is_stale(error):  # changed meanwhile: the voordracht as it is now, and the steps it offers now
            show_conflict()
            return _render_detail(user, voordracht), 409
        flash(error.message, "error")
    else:
        flash(str(STEP_MESSAGES[trigger]), "success")
    return _back(voordracht)


@bp.post("/<int:voordracht_id>/ter-beoordeling")
def submit(voordracht_id: int):
    return _team_step(voordracht_id, "submit")


@bp.post("/<int:voordracht_id>/herzien")
def revise(voordracht_id: int):
    return _team_step(voordracht_id, "revise")


@bp.post("/<int:voordracht_id>/indienen")
def send_to_riec(voordracht_id: int):
    return _team_step(voordracht_id, "send_to_riec")


@bp.post("/<int:voordracht_id>/intrekken")
def withdraw(voordracht_id: int):
    """Withdraw the pending request for approval (the requester only): the voordracht is a concept again."""
    user, voordracht, _case = _team_voordracht(voordracht_id, "approval.withdrawn")
    form = StepForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return _render_detail(user, voordracht), 400
        abort(400)
    try:
        services.withdraw(user, voordracht, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return _render_detail(user, voordracht), 409
        flash(error.message, "error")
    else:
        flash(_("Het verzoek om akkoord is ingetrokken; de voordracht is weer een concept."), "success")
    return _back(voordracht)


@bp.route("/<int:voordracht_id>/wijzigen", methods=["GET", "POST"])
def edit(voordracht_id: int):
    user, voordracht, case = _team_voordracht(voordracht_id, "voordracht.updated")
    if voordracht.state != VoordrachtState.CONCEPT:
        flash(_("Alleen een concept kan worden gewijzigd."), "error")
        return _back(voordracht)
    form = VoordrachtEditForm(data=None if request.method == "POST" else _form_data(voordracht))
    form.fill(current_locale(), subjects=services.case_subjects(case), organisations=services.riec_organisations())
    status, stored_subjects = 200, None
    if form.validate_on_submit():
        try:
            drafting.update_voordracht(user, voordracht, expected_version=version_of(form), **form.values())
        except ServiceError as error:
            if is_stale(error):  # changed meanwhile: the stored concept shown, the user's input kept in the form
                show_conflict()
                status, stored_subjects = 409, services.shared_subjects(voordracht)
            elif error.status == 409:
                flash(error.message, "error")
                return _back(voordracht)
            else:
                _show_errors(form, error)
        else:
            flash(_("De voordracht is opgeslagen."), "success")
            return _back(voordracht)
    elif form.version.errors:  # a form without its version is refused, never saved unchecked
        status = 400
    return render_template("voordrachten/form.html", form=form, case=case, voordracht=voordracht,
                           action=url_for("voordrachten.edit", voordracht_id=voordracht.id),
                           conflict=stored_subjects is not None, stored_subjects=stored_subjects or []), status


def _form_data(voordracht: Voordracht) -> dict:
    subject_ids = [subject.id for subject in services.shared_subjects(voordracht)]
    return {"version": voordracht.version, "summary": voordracht.summary, "subject_ids": subject_ids,
            "indicators": list(voordracht.indicators), "indicator_other": voordracht.indicator_other,
            "legal_basis": str(voordracht.legal_basis), "urgency": str(voordracht.urgency),
            "addressee_organisation_id": voordracht.addressee_organisation_id}


def _show_errors(form: FlaskForm, error: ServiceError) -> None:
    for problem in getattr(error, "problems", [error]):
        show_service_error(form, problem)


# --- the RIEC's answer -------------------------------------------------------------------------------------------

def _riec_voordracht(voordracht_id: int, action: str) -> tuple[User, Voordracht]:
    """The voordracht (404 when hidden); only a riec user of its addressee answers it (else 403)."""
    user = acting_user()
    voordracht = policy.get_voordracht(user, voordracht_id, action=action)
    if not policy.reads_as_riec(user, voordracht):
        policy.refuse(action, status=403, object_type="voordracht", object_id=voordracht.id,
                      case_id=voordracht.case_id)
    return user, voordracht


@bp.post("/<int:voordracht_id>/aannemen")
def accept(voordracht_id: int):
    user, voordracht = _riec_voordracht(voordracht_id, "voordracht.transition")
    form = unique_ids(AcceptForm(), "aannemen")
    return _answer(user, voordracht, form, "accept", form.riec_reference, "needs_riec_reference",
                   lambda: services.accept(user, voordracht, riec_reference=form.riec_reference.data,
                                           expected_version=version_of(form)))


@bp.post("/<int:voordracht_id>/terugleggen")
def return_with_advice(voordracht_id: int):
    user, voordracht = _riec_voordracht(voordracht_id, "voordracht.transition")
    form = unique_ids(ReturnForm(), "terugleggen")
    return _answer(user, voordracht, form, "return_with_advice", form.advice, "needs_motivation",
                   lambda: services.return_with_advice(user, voordracht, advice=form.advice.data,
                                                       expected_version=version_of(form)))


def _answer(user: User, voordracht: Voordracht, form, trigger: str, field, input_code: str, answer):
    """The RIEC's answer: a missing input shows next to its field, any other refusal as a message."""
    if form.validate_on_submit():
        try:
            answer()
        except TransitionRefused as refused:
            if input_code not in refused.codes:
                return _refused(voordracht, refused)
            field.errors.append(refused.failures[refused.codes.index(input_code)].message(current_locale()))
        except ServiceError as error:
            if is_stale(error):  # answered or changed meanwhile: the voordracht as it is now, the input kept
                show_conflict()
                form_name = "accept_form" if trigger == "accept" else "return_form"
                return _render_detail(user, voordracht, **{form_name: form}), 409
            if error.status == 409:
                flash(error.message, "error")
                return _back(voordracht)
            show_service_error(form, error)
        else:
            flash(str(STEP_MESSAGES[trigger]), "success")
            return _back(voordracht)
    form_name = "accept_form" if trigger == "accept" else "return_form"
    return _render_detail(user, voordracht, **{form_name: form}), 400 if form.version.errors else 200


def _refused(voordracht: Voordracht, refused: TransitionRefused):
    flash_refusal(refused)
    return _back(voordracht)


# --- the case tab and the draft form ---------------------------------------------------------------------------

def _managed_case(case_id: int, action: str) -> tuple[User, Case]:
    """The case (404 when hidden); its voordrachten are the team's business, so anyone else gets 403."""
    user = acting_user()
    case = policy.get_case(user, case_id)
    if not policy.manages(user, case):
        policy.refuse(action, status=403, object_type="case", object_id=case.id, case_id=case.id)
    return user, case


@bp.get("/casus/<int:case_id>")
def for_case(case_id: int):
    user, case = _managed_case(case_id, "voordracht.list")
    return render_template("voordrachten/for_case.html", case=case, active_tab="voordrachten.for_case",
                           voordrachten=services.voordrachten_of_case(user, case),
                           can_create=not case.is_closed)


@bp.route("/casus/<int:case_id>/nieuw", methods=["GET", "POST"])
def new(case_id: int):
    user, case = _managed_case(case_id, "voordracht.created")
    if case.is_closed:
        flash(_("Bij een afgesloten casus stelt u geen RIEC-voordracht meer op."), "error")
        return redirect(url_for("voordrachten.for_case", case_id=case.id))
    organisations = services.riec_organisations()
    form = VoordrachtForm()
    if request.method == "GET" and len(organisations) == 1:
        form.addressee_organisation_id.data = organisations[0].id
    form.fill(current_locale(), subjects=services.case_subjects(case), organisations=organisations)
    if form.validate_on_submit():
        try:
            voordracht = drafting.create_voordracht(user, case, **form.values())
        except ServiceError as error:
            _show_errors(form, error)
        else:
            flash(_("De voordracht is als concept opgeslagen. Bied hem ter beoordeling aan als hij klaar is."),
                  "success")
            return _back(voordracht)
    return render_template("voordrachten/form.html", form=form, case=case, voordracht=None,
                           action=url_for("voordrachten.new", case_id=case.id))
