"""The case file's Leefgebieden tab: every assessment of the case, a chart of the change over time with its table,
and — for the case's managers — the form to record one and to correct one.

Everyone who may see the case reads the tab (the same need-to-know as the overview); every read is audited
(``assessment.view`` through ``policy.get_case``). Only managers write (``policy.manages``); anyone else's attempt
is refused with 403 and audited.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from casus import policy
from casus.assessments import domains, queries, services
from casus.assessments.chart import Series, chart_of
from casus.assessments.forms import PREFIX, assessment_form, form_data_of
from casus.assessments.models import Assessment
from casus.cases.models import Case
from casus.clock import today
from casus.i18n import current_locale, format_date_nl
from casus.security import acting_user
from casus.services import ServiceError
from casus.web.forms import submit_form
from casus.web.helpers import template_helpers

bp = Blueprint("assessments", __name__, url_prefix="/casussen")
bp.context_processor(template_helpers)


@bp.app_template_global("latest_assessment")
def latest_assessment(case: Case) -> dict | None:
    """The case overview's compact block (templates/assessments/_latest.html): the latest scores, or None. The
    overview read the case through the policy (and audited it) already."""
    latest = queries.latest_of(case)
    if latest is None:
        return None
    scores = queries.scores_by_domain(latest)
    return {"assessment": latest, "moment": services.moment_label(latest.moment),
            "scores": [(code, label, scores[code]) for code, label in _rows([latest]) if code in scores]}


def _rows(assessments: list[Assessment]) -> list[tuple[str, str]]:
    """(code, label) of the configured domains, then of any code an older assessment scored that is no longer
    configured (shown by its code, never dropped)."""
    rows = [(domain.code, domain.label()) for domain in domains.current()]
    known = {code for code, _ in rows}
    extra = sorted({score.domain for a in assessments for score in a.scores} - known)
    return rows + [(code, code) for code in extra]


def _scored(rows: list[tuple[str, str]], columns) -> list[tuple[str, str]]:
    """The chart draws only domains scored at least once (the table lists every one, "–" where unscored)."""
    return [(code, label) for code, label in rows if any(code in scores for _, scores in columns)]


def _heading(assessment: Assessment) -> str:
    return f"{services.moment_label(assessment.moment)} {format_date_nl(assessment.assessed_on)}"


def _render(case: Case, *, form=None, editing: Assessment | None = None, status: int = 200):
    user = acting_user()
    manages = policy.manages(user, case)
    assessments = queries.assessments_of(case)
    rows = _rows(assessments)
    columns = [(assessment, queries.scores_by_domain(assessment)) for assessment in assessments]
    series = [Series(_heading(assessment), scores) for assessment, scores in columns]
    if manages and form is None and editing is None:
        form = assessment_form(current_locale(), formdata=None, data={"assessed_on": today()})
    return render_template(
        "assessments/page.html", case=case, active_tab="assessments.page", manages=manages, rows=rows,
        columns=columns, headings=[_heading(assessment) for assessment in assessments],
        chart=chart_of(_scored(rows, columns), series) if assessments else None, form=form if manages else None,
        editing=editing,
        moment_label=services.moment_label, scale_label=domains.scale_label, scale=domains.SCALE), status


@bp.get("/<int:case_id>/leefgebieden")
def page(case_id: int):
    return _render(policy.get_case(acting_user(), case_id, action="assessment.view"))


@bp.post("/<int:case_id>/leefgebieden")
def record(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id, action="assessment.view")
    policy.require_manager_audited(user, case, action="assessment.recorded")
    form = assessment_form(current_locale())
    submission = submit_form(form, _for_form(lambda: services.record_assessment(
        user, case, moment=form.moment.data, assessed_on=form.assessed_on.data, participants=form.participants.data,
        note=form.note.data, scores=form.scores())), success=_("De scores zijn vastgelegd."))
    if submission:
        return redirect(url_for("assessments.page", case_id=case.id))
    return _render(case, form=form, status=submission.status)


@bp.get("/<int:case_id>/leefgebieden/<int:assessment_id>/corrigeren")
def edit(case_id: int, assessment_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id, action="assessment.view")
    policy.require_manager_audited(user, case, action="assessment.corrected")
    assessment = queries.assessment_of(case, assessment_id, action="assessment.view", user=user)
    form = assessment_form(current_locale(), versioned=True, formdata=None, data=form_data_of(assessment))
    return _render(case, form=form, editing=assessment)


@bp.post("/<int:case_id>/leefgebieden/<int:assessment_id>/corrigeren")
def correct(case_id: int, assessment_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id, action="assessment.view")
    policy.require_manager_audited(user, case, action="assessment.corrected")
    assessment = queries.assessment_of(case, assessment_id, action="assessment.corrected", user=user)
    form = assessment_form(current_locale(), versioned=True)
    submission = submit_form(form, _for_form(lambda: services.correct_assessment(
        user, case, assessment, expected_version=int(form.version.data), moment=form.moment.data,
        assessed_on=form.assessed_on.data, participants=form.participants.data, note=form.note.data,
        scores=form.scores())), success=_("De correctie is opgeslagen."))
    if submission:
        return redirect(url_for("assessments.page", case_id=case.id))
    return _render(case, form=form, editing=assessment, status=submission.status)


def _for_form(change):
    """``change`` with a refusal about one domain (``scores.<code>``) named as that domain's radio group."""
    def run():
        try:
            return change()
        except ServiceError as error:
            if error.field and error.field.startswith("scores."):
                error.field = PREFIX + error.field.removeprefix("scores.")
            raise
    return run
