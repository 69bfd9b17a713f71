"""The Betrokkenen tab's changes: add a subject, correct one, unlink one (``case_subjects``); the tab itself is
``cases.subjects`` and renders through :func:`render_subjects`.

Thin views: the case through ``policy.get_case`` (audited, 404 when hidden), the manager check audited (403),
a form, one service call. A stale correction shows what is stored now (409); a case under a beperking answers 423.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from casus import policy
from casus.audit.services import record
from casus.cases import case_subjects
from casus.cases.forms import VersionForm
from casus.cases.models import Case
from casus.cases.subject_forms import SubjectAddForm, SubjectCorrectForm
from casus.i18n import current_locale
from casus.security import acting_user
from casus.services import ServiceError
from casus.subjects.models import Subject
from casus.web.forms import LOCKED, is_stale, missing_version, show_conflict, submit_form, version_of
from casus.web.helpers import template_helpers
from workflow import CasePhase

bp = Blueprint("case_subjects", __name__, url_prefix="/casussen")
bp.context_processor(template_helpers)


def render_subjects(case: Case, *, add_form: SubjectAddForm | None = None, status: int = 200):
    """The Betrokkenen tab: the list (audited with the ids shown) and, for a manager of an open case, the forms."""
    user = acting_user()
    rows = case_subjects.subjects_of(case)
    # One event per list view (a constant cost per page); the ids of the subjects shown are in its details.
    record("subject.view", object_type="case", object_id=case.id, case_id=case.id,
           details={"subject_ids": [subject.id for subject in rows]})
    editable = policy.manages(user, case) and case.phase != CasePhase.AFGESLOTEN
    if editable and add_form is None:
        add_form = SubjectAddForm(formdata=None, kind="persoon")
    if add_form is not None:
        add_form.fill(current_locale())
    return render_template("cases/subjects.html", case=case, active_tab="cases.subjects", subjects=rows,
                           editable=editable, add_form=add_form, last_one=len(rows) <= 1), status


def _managed_case(case_id: int, action: str) -> Case:
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action=action)
    return case


def _back(case: Case):
    return redirect(url_for("cases.subjects", case_id=case.id))


@bp.post("/<int:case_id>/betrokkenen")
def add(case_id: int):
    case = _managed_case(case_id, "case.subject_added")
    form = SubjectAddForm()
    form.fill(current_locale())
    saved = submit_form(form, lambda: case_subjects.add_subject(
        acting_user(), case, form.subject_input(), expected_version=version_of(form)),
                        success=lambda result: _("De betrokkene is toegevoegd.") if not result[1] else
                        _("De betrokkene was al bekend en is aan de casus gekoppeld."))
    if saved:
        return _back(case)
    return render_subjects(case, add_form=form, status=400 if form.errors else saved.status)


def _subject_of(case: Case, subject_id: int, action: str) -> Subject:
    subject = case_subjects.linked_subject(case, subject_id)
    if subject is None:
        policy.refuse(action, status=404, object_type="subject", object_id=subject_id, case_id=case.id)
    return subject


@bp.route("/<int:case_id>/betrokkenen/<int:subject_id>/corrigeren", methods=["GET", "POST"])
def correct(case_id: int, subject_id: int):
    case = _managed_case(case_id, "subject.corrected")
    subject = _subject_of(case, subject_id, "subject.corrected")
    form = SubjectCorrectForm().for_subject(subject)
    status = 200
    if form.is_submitted():
        saved = submit_form(form, lambda: case_subjects.correct_subject(
            acting_user(), case, subject, form.changes(), expected_version=version_of(form)),
            success=lambda changed: _("De gegevens van de betrokkene zijn gecorrigeerd."))
        if saved:
            return _back(case)
        status = 400 if form.errors and not saved.stale else saved.status
        if saved.stale:
            form.version.data = str(subject.version)  # the next save is checked against what is stored now
    else:
        form.load(subject)
        record("subject.view", object_type="case", object_id=case.id, case_id=case.id,
               details={"subject_ids": [subject.id]})
    return render_template("cases/subject_correct.html", case=case, active_tab="cases.subjects", subject=subject,
                           form=form, columns=form.columns()), status


@bp.post("/<int:case_id>/betrokkenen/<int:subject_id>/ontkoppelen")
def unlink(case_id: int, subject_id: int):
    user = acting_user()
    case = _managed_case(case_id, "case.subject_unlinked")
    subject = _subject_of(case, subject_id, "case.subject_unlinked")
    form = VersionForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return render_subjects(case, status=400)
        abort(400)
    try:
        case_subjects.unlink_subject(user, case, subject, expected_version=version_of(form))
    except ServiceError as error:
        if error.status == LOCKED:
            raise
        if is_stale(error):
            show_conflict()
            return render_subjects(case, status=409)
        flash(error.message, "error")
        return _back(case)
    flash(_("De betrokkene is ontkoppeld van de casus."), "success")
    return _back(case)
