"""The data-subject request pages (/verzoeken): the list, registration, and one request with its search, matches,
inzage package review, downloads, extension and completion. The privacy officer's only: every page is guarded by
``policy.handles_privacy`` (403), and a request is loaded through ``services.get_request`` (404, audited).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casus import policy
from casus.clock import today
from casus.i18n import current_locale
from casus.labels import Labels
from casus.security import acting_user, requires
from casus.services import ServiceError
from casus.subject_requests import inzage, rights, search, services
from casus.subject_requests.forms import (
    CompleteForm,
    ConfirmForm,
    ExtendForm,
    ItemDecisionForm,
    ListFilterForm,
    RegisterForm,
    SearchForm,
)
from casus.subject_requests.models import (
    IdentityCheck,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    SubjectRequest,
    WithholdingGround,
)
from casus.subject_requests.rights_forms import (
    CorrectionForm,
    ErasureForm,
    LiftForm,
    RestrictionForm,
    restriction_prefix,
)
from casus.web.forms import submit_form, version_of
from casus.web.helpers import template_helpers

bp = Blueprint("subject_requests", __name__, url_prefix="/verzoeken")
bp.context_processor(template_helpers)


@bp.app_context_processor
def request_labels() -> dict:
    """Labels of requests in any template: the privacy officer's dashboard shows requests too."""
    return {"request_kind_label": Labels(RequestKind), "request_status_label": Labels(RequestStatus),
            "request_outcome_label": Labels(RequestOutcome), "identity_check_label": Labels(IdentityCheck),
            "ground_label": Labels(WithholdingGround), "days_left": days_left}


def days_left(subject_request: SubjectRequest) -> int:
    return (subject_request.due_on - today()).days


@bp.get("")
@requires(policy.handles_privacy)
def index():
    user = acting_user()
    form = ListFilterForm(request.args)
    open_only = form.toon.data != "alle"
    requests = services.list_requests(user, open_only=open_only)
    services.audit_list(user, requests)
    return render_template("subject_requests/index.html", requests=requests, form=form, open_only=open_only)


@bp.route("/nieuw", methods=["GET", "POST"])
@requires(policy.handles_privacy)
def new():
    user = acting_user()
    form = RegisterForm().fill(current_locale())
    if request.method == "POST":
        submission = submit_form(form, lambda: services.register_request(
            user, kind=form.kind.data, person=services.Identification(
                bsn=form.bsn.data, name=form.name.data, date_of_birth=form.date_of_birth.data,
                postcode=form.postcode.data, huisnummer=form.huisnummer.data, toevoeging=form.toevoeging.data),
            identity_check=form.identity_check.data, identity_note=form.identity_note.data,
            received_on=form.received_on.data, description=form.description.data),
            success=lambda registered: _("Verzoek %(reference)s is geregistreerd.", reference=registered.reference))
        if submission:
            return redirect(url_for("subject_requests.detail", request_id=submission.result.id))
        return render_template("subject_requests/new.html", form=form), 400
    return render_template("subject_requests/new.html", form=form)


@bp.get("/<int:request_id>")
@requires(policy.handles_privacy)
def detail(request_id: int):
    user = acting_user()
    return _render_detail(user, services.get_request(user, request_id))


def _render_detail(user, subject_request: SubjectRequest, status: int = 200, candidates=None, **forms):
    services.audit_view(user, subject_request)
    locale = current_locale()
    forms.setdefault("extend_form", ExtendForm(formdata=None, version=subject_request.version))
    forms.setdefault("complete_form", CompleteForm(formdata=None, version=subject_request.version).fill(locale))
    return render_template(
        "subject_requests/request.html", subject_request=subject_request, search_form=SearchForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None), item_form=ItemDecisionForm(formdata=None).fill(locale),
        candidates=candidates,
        **_detail_context(subject_request), **forms), status


def _detail_context(subject_request: SubjectRequest) -> dict:
    """What the detail page shows beyond the request itself: the confirmed subjects and, once there are any,
    the package under review."""
    matches = services.matched_subjects(subject_request)
    return {"matches": matches, "package": inzage.build(subject_request) if matches else None}


@bp.post("/<int:request_id>/zoeken")
@requires(policy.handles_privacy)
def search_person(request_id: int):
    """Search with the request's own identification: the only way into data outside every scope."""
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = SearchForm()
    if not form.validate_on_submit():
        return redirect(url_for("subject_requests.detail", request_id=request_id))
    try:
        candidates = search.search(user, subject_request)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("subject_requests.detail", request_id=request_id))
    return _render_detail(user, subject_request, candidates=candidates)


@bp.post("/<int:request_id>/koppelen")
@requires(policy.handles_privacy)
def match(request_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            if form.confirm.data == "1":
                search.confirm(user, subject_request, form.subject_id.data)
                flash(_("De betrokkene is bevestigd als de verzoeker."), "success")
            else:
                search.unconfirm(user, subject_request, form.subject_id.data)
                flash(_("De bevestiging is ingetrokken."), "success")
        except ServiceError as error:
            flash(error.message, "error")
    return _render_detail(user, subject_request, candidates=search.find_candidates(subject_request))


@bp.post("/<int:request_id>/beoordelen")
@requires(policy.handles_privacy)
def review_item(request_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = ItemDecisionForm().fill(current_locale())
    if form.validate_on_submit():
        try:
            inzage.review(user, subject_request, form.item_key.data, withheld=form.withheld.data == "1",
                          ground=form.ground.data or None, note=form.ground_note.data)
        except ServiceError as error:
            flash(error.message, "error")
            return _render_detail(user, subject_request, 400)
        flash(_("Achtergehouden.") if form.withheld.data == "1" else _("Vrijgegeven."), "success")
    return redirect(url_for("subject_requests.detail", request_id=request_id, _anchor="pakket"))


@bp.get("/<int:request_id>/pakket.<any(json, pdf):fmt>")
@requires(policy.handles_privacy)
def package_download(request_id: int, fmt: str):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    try:
        package = inzage.produce(user, subject_request, format=fmt)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("subject_requests.detail", request_id=request_id))
    filename = f"inzage-{subject_request.reference}.{fmt}"
    if fmt == "pdf":
        body, mimetype = inzage.as_pdf(package), "application/pdf"
    else:
        body, mimetype = json.dumps(inzage.as_json(package), ensure_ascii=False, indent=2), "application/json"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/<int:request_id>/verlengen")
@requires(policy.handles_privacy)
def extend(request_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = ExtendForm()
    submission = submit_form(form, lambda: services.extend(
        user, subject_request, months=int(form.months.data), reason=form.reason.data, letter_on=form.letter_on.data,
        expected_version=version_of(form)), success=_("De termijn is verlengd."))
    if submission:
        return redirect(url_for("subject_requests.detail", request_id=request_id))
    return _render_detail(user, subject_request, _failed_status(submission), extend_form=form)


@bp.post("/<int:request_id>/afronden")
@requires(policy.handles_privacy)
def complete(request_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = CompleteForm().fill(current_locale())
    submission = submit_form(form, lambda: services.complete(
        user, subject_request, outcome=form.outcome.data, note=form.note.data, expected_version=version_of(form)),
        success=_("Het verzoek is afgerond."))
    if submission:
        return redirect(url_for("subject_requests.detail", request_id=request_id))
    return _render_detail(user, subject_request, _failed_status(submission), complete_form=form)


def _failed_status(submission) -> int:
    """409 for a stale save, 400 for anything else refused."""
    return submission.status if submission.status != 200 else 400


def _flash_and_back(request_id: int, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("subject_requests.detail", request_id=request_id))


# --- rectificatie, beperking, wissing (rights.py) ---

@bp.context_processor
def rights_helpers() -> dict:
    return {"rights_context": _rights_context}


def _rights_context(subject_request: SubjectRequest, matches: list, posted: dict | None = None) -> dict:
    """What _rights.html shows: per confirmed subject its correction and restriction forms (``posted``: a refused
    form to show again, by kind and subject id), the restrictions and the rectificatie history (the privacy officer
    alone ever reads the old values), and the wissing's two steps."""
    posted = posted or {}
    active = rights.active_restrictions([subject.id for subject in matches])
    rows = [{"subject": subject, "fields": CorrectionForm.fields_for(subject), "active": active.get(subject.id),
             "correction_form": posted.get(("correction", subject.id)) or CorrectionForm.for_subject(subject),
             "restriction_form": posted.get(("restriction", subject.id))
             or RestrictionForm(formdata=None, prefix=restriction_prefix(subject.id))} for subject in matches]
    granted_by = rights.erasure_granted_by(subject_request)
    return {"rows": rows, "corrections": rights.corrections_of(subject_request),
            "restrictions": rights.restrictions_of(subject_request), "lift_form": LiftForm(formdata=None),
            "granted_by": granted_by, "may_confirm": granted_by is not None and granted_by.id != acting_user().id,
            "erasure_form": posted.get("erasure") or ErasureForm(formdata=None, version=subject_request.version),
            "corrects": subject_request.kind in rights.CORRECTS, "restricts": subject_request.kind in rights.RESTRICTS,
            "erases": subject_request.kind in rights.ERASES}


def _rights_refused(user, subject_request: SubjectRequest, submission, key) -> tuple:
    return _render_detail(user, subject_request, _failed_status(submission), rights_posted={key: submission.form})


@bp.post("/<int:request_id>/rectificatie/<int:subject_id>")
@requires(policy.handles_privacy)
def correct(request_id: int, subject_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    subject = rights.confirmed_subject(subject_request, subject_id)
    form = CorrectionForm.for_subject(subject, posted=True)
    submission = submit_form(form, lambda: rights.correct_subject(user, subject_request, subject_id,
                                                                  form.changes(subject)),
                             success=_("De gegevens zijn gecorrigeerd; de partners van de casussen zijn bericht."))
    if submission:
        return redirect(url_for("subject_requests.detail", request_id=request_id, _anchor="rectificatie"))
    return _rights_refused(user, subject_request, submission, ("correction", subject_id))


@bp.post("/<int:request_id>/beperking/<int:subject_id>")
@requires(policy.handles_privacy)
def restrict(request_id: int, subject_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = RestrictionForm(prefix=restriction_prefix(subject_id))
    submission = submit_form(form, lambda: rights.place_restriction(user, subject_request, subject_id,
                                                                    reason=form.reason.data),
                             success=_("De verwerking is beperkt: de casussen van deze betrokkene zijn geblokkeerd."))
    if submission:
        return redirect(url_for("subject_requests.detail", request_id=request_id, _anchor="beperking"))
    return _rights_refused(user, subject_request, submission, ("restriction", subject_id))


@bp.post("/<int:request_id>/beperkingen/<int:restriction_id>/opheffen")
@requires(policy.handles_privacy)
def lift_restriction(request_id: int, restriction_id: int):
    user = acting_user()
    services.get_request(user, request_id)
    form = LiftForm()
    if form.validate_on_submit():
        try:
            rights.lift_restriction(user, rights.get_restriction(user, restriction_id, request_id=request_id))
            flash(_("De beperking is opgeheven."), "success")
        except ServiceError as error:
            flash(error.message, "error")
    return redirect(url_for("subject_requests.detail", request_id=request_id, _anchor="beperking"))


@bp.post("/<int:request_id>/wissing")
@requires(policy.handles_privacy)
def grant_erasure(request_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = ErasureForm()
    submission = submit_form(form, lambda: rights.grant_erasure(user, subject_request,
                                                                expected_version=version_of(form)),
                             success=_("De wissing is toegekend. Een tweede privacyfunctionaris voert haar uit."))
    if submission:
        return redirect(url_for("subject_requests.detail", request_id=request_id, _anchor="wissing"))
    return _rights_refused(user, subject_request, submission, "erasure")


@bp.post("/<int:request_id>/wissing/bevestigen")
@requires(policy.handles_privacy)
def confirm_erasure(request_id: int):
    user = acting_user()
    subject_request = services.get_request(user, request_id)
    form = ErasureForm()
    submission = submit_form(form, lambda: rights.confirm_erasure(user, subject_request,
                                                                  expected_version=version_of(form)),
                             success=lambda outcome: _(
                                 "De wissing is uitgevoerd: %(subjects)s betrokkene(n) gewist, %(cases)s casus(sen) "
                                 "vernietigd.", subjects=outcome.erased_subjects, cases=len(outcome.destroyed_cases)))
    if submission:
        return redirect(url_for("subject_requests.detail", request_id=request_id))
    return _rights_refused(user, subject_request, submission, "erasure")
