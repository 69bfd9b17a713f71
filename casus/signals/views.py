"""Signaal melden, the signals list and detail, the triage queue and the triage form.

Views parse a form, call a service and redirect or re-render; every query for signals and cases takes
its scope from :mod:`casus.policy`. A signal outside the user's scope is absent (404); a signal the user
may see but not weigh answers 403 to the triage actions.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casus import policy
from casus.audit.services import record, record_shown
from casus.cases import services as case_services
from casus.cases.categories import active_categories
from casus.cases.models import Case
from casus.clock import today as local_today
from casus.extensions import db
from casus.i18n import current_locale, format_date_nl
from casus.labels import Labels, label
from casus.organisations.services import list_organisations, list_teams
from casus.security import acting_user, requires
from casus.services import ServiceError
from casus.signals import duplicates, services
from casus.signals.forms import (
    AttachForm,
    DismissForm,
    OpenCaseForm,
    SignalForm,
    SubjectForm,
    TriageForm,
    WithdrawSignalForm,
    choices,
)
from casus.signals.models import Signal, SignalStatus, Urgency
from casus.subjects.forms import TEXT_FIELDS
from casus.subjects.models import SubjectKind
from casus.subjects.services import SubjectInput, subject_errors
from casus.web.forms import is_stale, show_conflict, show_service_error, version_of
from workflow import CasePhase, TransitionRefused, TriageOutcome
from workflow.enums import REFERRAL_OUTCOMES

bp = Blueprint("signals", __name__)

PAGE_SIZE = 25
QUEUE_SIZE = 100




def case_url(case_id: int) -> str:
    """Where to go after a change to a case: its case file."""
    return url_for("cases.detail", case_id=case_id)


@bp.app_context_processor
def _signal_labels():
    return {"signal_status_labels": Labels(SignalStatus), "urgency_labels": Labels(Urgency),
            "subject_kind_labels": Labels(SubjectKind), "phase_label": Labels(CasePhase)}


# --- signaal melden -----------------------------------------------------------------------------------------

@bp.route("/signalen/nieuw", methods=["GET", "POST"])
@requires(policy.reports_signals)
def new():
    form = SignalForm()
    _fill_signal_choices(form)
    if form.is_submitted() and "add_subject" in request.form:
        # "Nog een betrokkene": one more row, nothing validated or saved.
        if len(form.subjects) < services.MAX_SUBJECTS:
            form.subjects.append_entry()
        else:
            flash(_("Hoogstens %(max)d betrokkenen per signaal.", max=services.MAX_SUBJECTS), "error")
        return render_template("signals/new.html", form=form, errors=[])
    if form.is_submitted():
        valid = form.validate()
        used = _check_subjects(form)
        if valid and used:
            try:
                signal, known = services.report_signal(
                    acting_user(), category_id=form.category_id.data, team_id=form.team_id.data,
                    description=form.description.data, urgency=form.urgency.data,
                    subjects=[_subject_input(entry) for _index, entry in used])
            except ServiceError as error:
                _show_signal_error(form, error, [index for index, _entry in used])
            else:
                flash(_("Uw signaal is ontvangen onder kenmerk %(reference)s.", reference=signal.reference),
                      "success")
                for hint in known:
                    flash(_("Deze betrokkene is al bekend bij een lopende casus. Neem contact op met "
                            "%(name)s (%(team)s).", name=hint.contact_name, team=hint.contact_team), "warning")
                if known.limit_reached:
                    flash(_("U heeft vandaag het maximum van %(max)d meldingen ‘al bekend bij een lopende casus’ "
                            "bereikt. Of een betrokkene al bekend is, ziet u vanaf morgen weer. Uw signaal is wel "
                            "opgeslagen en wordt gewoon beoordeeld.",
                            max=current_app.config["CASUS"].known_elsewhere_per_day), "info")
                return redirect(url_for("signals.detail", signal_id=signal.id))
    return render_template("signals/new.html", form=form, errors=_error_items(form))


def _fill_signal_choices(form: SignalForm) -> None:
    locale = current_locale()
    form.category_id.choices = choices([("", _("Kies een categorie"))] + [
        (str(category.id), category.label(locale)) for category in active_categories()])
    form.team_id.choices = choices([("", _("Kies de gemeente en het team"))] + [
        (str(team.id), f"{team.gemeente} — {team.name}") for team in list_teams() if team.active])


def _check_subjects(form: SignalForm) -> list[tuple[int, SubjectForm]]:
    """The rows in use, each checked with the same rules as the service; errors go next to their field.

    Returns an empty list when any row is wrong or none is filled in.
    """
    used = [(index, entry.form) for index, entry in enumerate(form.subjects) if not entry.form.is_blank()]
    if not used:
        _add_error(form.subjects[0].form.name, _("Voeg minstens één betrokkene toe."))
        return []
    today = local_today()
    ok = True
    for _index, entry in used:
        for name, message in subject_errors(_subject_input(entry), today).items():
            _add_error(entry[name], message)
            ok = False
    return used if ok else []


def _subject_input(entry: SubjectForm) -> SubjectInput:
    def text(name: str) -> str | None:
        return (entry[name].data or "").strip() or None

    return SubjectInput(kind=entry.kind.data, date_of_birth=entry.date_of_birth.data,
                        **{name: text(name) for name in TEXT_FIELDS})


def _add_error(field, message: str) -> None:
    field.errors = [*field.errors, message]


def _show_signal_error(form: SignalForm, error: ServiceError, entry_indexes: list[int]) -> None:
    """A ServiceError names ``subjects-<n>-<field>`` with n counted over the rows sent to the service."""
    if error.field and error.field.startswith("subjects-"):
        _prefix, number, name = error.field.split("-", 2)
        entry = form.subjects[entry_indexes[int(number)]].form
        if name in entry:
            _add_error(entry[name], error.message)
            return
    show_service_error(form, error)


def _error_items(form) -> list[tuple[str, str, str]]:
    """(anchor id, label, message) for the error summary, sub-forms of betrokkenen included."""
    items = []
    for field in form:
        if field.type == "FieldList":
            for number, entry in enumerate(field, start=1):
                for sub in entry.form:
                    for message in sub.errors:
                        label = _("Betrokkene %(number)d: %(label)s", number=number, label=sub.label.text)
                        items.append((_anchor(sub), label, message))
        else:
            items.extend((_anchor(field), field.label.text, message) for message in field.errors)
    return items


def _anchor(field) -> str:
    return f"{field.id}-0" if field.type in ("RadioField", "MultiCheckboxField") else field.id


# --- the signals a user may see -------------------------------------------------------------------------------

@bp.get("/signalen")
def index():
    # A mangled cursor in a link starts at the first page rather than failing.
    page = services.visible_signals_page(acting_user(), after=request.args.get("na"), limit=PAGE_SIZE)
    return render_template("signals/index.html", rows=page.items, next_cursor=page.next_cursor,
                           first_page=request.args.get("na") is None)


def _triageable(signal: Signal) -> bool:
    return signal.case_id is None and signal.status == SignalStatus.ONTVANGEN


@bp.get("/signalen/<int:signal_id>")
def detail(signal_id: int):
    return _render_detail(policy.get_signal(acting_user(), signal_id))


def _render_detail(signal: Signal, open_form: OpenCaseForm | None = None, dismiss_form: DismissForm | None = None):
    user = acting_user()
    record("signal.view", object_type="signal", object_id=signal.id, case_id=signal.case_id)
    case = None
    if signal.case_id is not None:
        case = db.session.execute(
            policy.visible_cases(user).where(Case.id == signal.case_id)).unique().scalar_one_or_none()
    triager = policy.triages_signals(user, signal)
    # The team sees the subjects as they are now; the reporter only what it typed itself.
    subjects = services.signal_subjects(signal) if triager else services.reported_subjects(signal)
    can_weigh = triager and _triageable(signal)
    can_withdraw = services.withdraws_signal(user, signal)
    group = duplicates.group_of(user, signal) if can_weigh else None
    if open_form is None:
        open_form = OpenCaseForm(formdata=None)
        _fill_also(open_form, signal, group)
        if request.args.get("bundel") == "groep":  # "Bundel tot één casus" in the queue: the whole group
            open_form.also.data = [value for value, _label in open_form.also.choices]
    return render_template(
        "signals/detail.html", signal=signal, subjects=subjects, case=case, triager=triager, can_weigh=can_weigh,
        can_withdraw=can_withdraw, withdraw_form=WithdrawSignalForm(formdata=None), group=group,
        candidates=services.candidate_cases(user, signal) if can_weigh else [],
        attach_form=AttachForm(formdata=None), open_form=open_form,
        dismiss_form=dismiss_form or DismissForm(formdata=None),
        open_errors=_error_items(open_form) if open_form else [],
        dismiss_errors=_error_items(dismiss_form) if dismiss_form else [])


def _signal_to_weigh(signal_id: int) -> Signal:
    """A signal the user may see (else 404) and weigh (else 403); refusals are audited.

    Visibility comes before the role check, so a signal outside the user's scope is absent (404)."""
    user = acting_user()
    signal = policy.get_signal(user, signal_id, action="signal.triage")
    if not policy.triages_signals(user, signal):
        policy.refuse("signal.triage", status=403, object_type="signal", object_id=signal.id, user=user)
    return signal


def _refused(error: ServiceError, signal: Signal):
    if error.status == 403:
        abort(403)
    flash(error.message, "error")
    return redirect(url_for("signals.detail", signal_id=signal.id))


@bp.post("/signalen/<int:signal_id>/bundelen")
def attach(signal_id: int):
    signal = _signal_to_weigh(signal_id)
    form = AttachForm()
    if not form.validate_on_submit() or not str(form.case_id.data).isdigit():
        flash(_("Kies een casus om het signaal aan toe te voegen."), "error")
        return redirect(url_for("signals.detail", signal_id=signal.id))
    case = policy.get_case(acting_user(), int(form.case_id.data))
    try:
        services.attach_to_case(acting_user(), signal, case)
    except ServiceError as error:
        return _refused(error, signal)
    flash(_("Signaal %(signal)s is toegevoegd aan casus %(case)s.", signal=signal.reference, case=case.reference),
          "success")
    return redirect(case_url(case.id))


def _fill_also(form: OpenCaseForm, signal: Signal, group: duplicates.DuplicateGroup | None,
               posted: tuple[Signal, ...] | list[Signal] = ()) -> None:
    """The signals that may join this one's new case: its duplicate group, and what was posted (a signal that
    left the group meanwhile is then refused by the service with its reference, not as an unknown choice)."""
    others = {other.id: other for other in [*(group.signals if group else []), *posted] if other.id != signal.id}
    form.also.choices = [(other.id, _("%(reference)s, ontvangen %(date)s van %(reporter)s",
                                      reference=other.reference, date=format_date_nl(other.received_at),
                                      reporter=other.reporting_organisation.name))
                         for other in sorted(others.values(), key=lambda other: (other.received_at, other.id))]


def _posted_signals() -> list[Signal]:
    """The signals ticked to bundle along: each one the user may see (else 404, audited)."""
    ids = dict.fromkeys(int(value) for value in request.form.getlist("also") if value.isdigit())
    if len(ids) > QUEUE_SIZE:
        abort(400)
    return [policy.get_signal(acting_user(), signal_id, action="signal.triage") for signal_id in ids]


@bp.post("/signalen/<int:signal_id>/casus-openen")
def open_case(signal_id: int):
    signal = _signal_to_weigh(signal_id)
    form = OpenCaseForm()
    posted = _posted_signals()
    _fill_also(form, signal, duplicates.group_of(acting_user(), signal), posted)
    if form.validate_on_submit():
        chosen = set(form.also.data or [])
        try:
            case = services.open_case(acting_user(), signal, title=form.title.data, risk_level=form.risk_level.data,
                                      legal_basis=form.legal_basis.data,
                                      confidentiality_signed_on=form.confidentiality_signed_on.data,
                                      also=[other for other in posted if other.id in chosen])
        except ServiceError as error:
            if error.status == 403:
                abort(403)
            if error.status == 409 and form.also.data:  # another signal of the group was weighed meanwhile
                flash(error.message, "error")
            else:
                show_service_error(form, error)
        else:
            flash(_("Casus %(case)s is geopend. Weeg hem nu in de triage.", case=case.reference), "success")
            return redirect(url_for("signals.triage_case", case_id=case.id))
    return _render_detail(signal, open_form=form)


@bp.post("/signalen/<int:signal_id>/geen-casus")
def dismiss(signal_id: int):
    signal = _signal_to_weigh(signal_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            services.dismiss_signal(acting_user(), signal, reason=form.reason.data)
        except ServiceError as error:
            if error.status == 403:
                abort(403)
            show_service_error(form, error)
        else:
            flash(_("Signaal %(signal)s is afgesloten zonder casus.", signal=signal.reference), "success")
            return redirect(url_for("signals.triage_queue"))
    return _render_detail(signal, dismiss_form=form)


@bp.post("/signalen/<int:signal_id>/intrekken")
def withdraw(signal_id: int):
    """The reporter takes their own signal back before it is weighed."""
    user = acting_user()
    signal = policy.get_signal(user, signal_id, action="signal.withdrawn")
    if not WithdrawSignalForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_signal(user, signal)
    except ServiceError as error:
        return _refused(error, signal)
    flash(_("Signaal %(signal)s is ingetrokken.", signal=signal.reference), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id))


# --- triage ----------------------------------------------------------------------------------------------------

@bp.get("/triage")
@requires(policy.sees_triage_queue)
def triage_queue():
    user = acting_user()
    signals = services.triage_signals(user, after=request.args.get("signalen_na"), limit=QUEUE_SIZE)
    cases = services.triage_cases(user, after=request.args.get("casussen_na"), limit=QUEUE_SIZE)
    record_shown("case.triage.list.view", [case.id for case in cases.items], user=user)
    today = local_today()
    # Each duplicate group together, where its first member is on the page (casus.signals.duplicates).
    groups = duplicates.duplicate_groups(user, signals.items)
    return render_template(
        "signals/triage_queue.html",
        signals=[(signal, services.triage_age(signal.received_at, today)) for signal in signals.items],
        signal_rows=[(group, [(signal, services.triage_age(signal.received_at, today)) for signal in members])
                     for group, members in duplicates.queue_rows(signals.items, groups)],
        cases=[(case, services.triage_age(case.created_at, today)) for case in cases.items],
        next_signals=signals.next_cursor, next_cases=cases.next_cursor, locale=current_locale())


@bp.route("/triage/casussen/<int:case_id>", methods=["GET", "POST"])
def triage_case(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)  # 404 before any role check: hidden means absent
    policy.require_manager(user, case)
    if case.phase not in services.TRIAGE_PHASES:
        flash(_("Casus %(case)s is al gewogen.", case=case.reference), "info")
        return redirect(case_url(case.id))
    locale = current_locale()
    form = TriageForm()
    form.fill_choices(locale, list_organisations(include_inactive=False))
    problems: list[str] = []
    status = 200
    if request.method == "GET":
        form.version.data = case.version
        form.criteria.data = list(case.inclusion_criteria or [])
        form.outcome.data = case.triage_outcome
    elif form.validate_on_submit():
        outcome = form.outcome.data
        try:
            case_services.triage(
                user, case, outcome=outcome, criteria=form.criteria.data or [], reason=form.reason.data,
                referral_organisation_id=form.referral_organisation_id.data if outcome in REFERRAL_OUTCOMES else None,
                expected_version=version_of(form))
        except TransitionRefused as refused:
            problems = refused.messages(locale)
        except ServiceError as error:
            if is_stale(error):  # the case changed meanwhile: the page shows it as it is now, the input kept
                show_conflict()
                form.version.data, status = case.version, 409
            elif error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, error.message]
            else:
                problems = [error.message]
        else:
            flash(_("De triage van casus %(case)s is vastgelegd: %(outcome)s.", case=case.reference,
                    outcome=label(TriageOutcome(outcome), locale)), "success")
            return redirect(case_url(case.id))
    elif form.version.errors:  # a form without its version is refused, never saved unchecked
        problems, status = list(form.version.errors), 400
        form.version.errors = []
    return render_template(
        "signals/triage_case.html", case=case, form=form, problems=problems, errors=_error_items(form),
        participations=case_services.participations_of(case, active_only=True),
        case_signals=_case_signals(case), phase_text=label(CasePhase(case.phase), locale),
        waited=services.triage_age(case.created_at)), status


def _case_signals(case: Case) -> list[Signal]:
    return list(db.session.execute(
        sa.select(Signal).where(Signal.case_id == case.id).order_by(Signal.received_at, Signal.id)
    ).unique().scalars())
