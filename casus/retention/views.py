"""The retention pages: the retention terms (/bewaartermijnen), legal holds (/bewaring), and — appended by the
destruction and subject-request work — the privacy officer's other pages on this one blueprint.

The privacy officer sees no case content here: references, categories, dates and counts only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casus import policy
from casus.audit.services import record
from casus.cases.models import Archiefnominatie, Archiefstatus, Case, Category
from casus.extensions import db
from casus.labels import Labels
from casus.retention import extension, holds, terms
from casus.retention.forms import CaseReferenceForm, ConfirmTermForm, ExtensionForm, HoldForm, LiftHoldForm, TermForm
from casus.retention.models import LegalHold, RetentionTerm, SignalOutcome
from casus.security import acting_user, requires
from casus.web.forms import submit_form, version_of

bp = Blueprint("retention", __name__)


@bp.app_context_processor
def retention_helpers() -> dict:
    """Labels of the archive fields in any template: the case overview shows its Archief block too."""
    return {"archiefnominatie_label": Labels(Archiefnominatie), "archiefstatus_label": Labels(Archiefstatus),
            "signal_outcome_label": Labels(SignalOutcome), "active_legal_holds": holds.active_holds_of,
            "extension_until": extension.until_of}


# --- retention terms ---------------------------------------------------------------------------------------------

@bp.get("/bewaartermijnen")
@requires(policy.handles_privacy)
def terms_index():
    rows = terms.list_terms()
    record("retention_term.list", object_type="retention_term", details={"count": len(rows)})
    return render_template("retention/terms.html", rows=rows,
                           unconfirmed=sum(1 for row in rows if not row.term.confirmed),
                           confirm_form=ConfirmTermForm())


@bp.route("/bewaartermijnen/<int:term_id>", methods=["GET", "POST"])
@requires(policy.handles_privacy)
def term_edit(term_id: int):
    term = db.session.get(RetentionTerm, term_id) or abort(404)
    form = TermForm(obj=term)
    submission = submit_form(form, lambda: terms.change_term(
        acting_user(), term, months=form.months.data, archiefnominatie=form.archiefnominatie.data,
        basis=form.basis.data, expected_version=version_of(form)),
        success=_("De bewaartermijn is opgeslagen en bevestigd."))
    if submission:
        return redirect(url_for("retention.terms_index"))
    form.version.data = term.version
    return render_template("retention/term_form.html", form=form, term=term,
                           category=terms.category_of(term)), submission.status


@bp.post("/bewaartermijnen/<int:term_id>/bevestigen")
@requires(policy.handles_privacy)
def term_confirm(term_id: int):
    term = db.session.get(RetentionTerm, term_id) or abort(404)
    form = ConfirmTermForm()
    submit_form(form, lambda: terms.confirm_term(acting_user(), term, expected_version=version_of(form)),
                success=_("De bewaartermijn is bevestigd."))
    return redirect(url_for("retention.terms_index"))


# --- legal holds and retention extension of one case ------------------------------------------------------------
#
# The privacy officer sees no case content: this page shows the reference, category, dates and the holds and
# extension requests. The case's own team reaches it from the Archief block on the case file.

@bp.get("/bewaring")
@requires(policy.handles_privacy)
def hold_lookup():
    form = CaseReferenceForm(request.args, meta={"csrf": False})
    if request.args and form.validate():
        case = holds.find_case(form.reference.data)
        record("legal_hold.lookup", object_type="case", object_id=getattr(case, "id", None),
               case_id=getattr(case, "id", None), details={"found": case is not None})
        if case is not None:
            return redirect(url_for("retention.case_retention", reference=case.reference))
        form.reference.errors.append(_("Er is geen casus met dit nummer."))
    return render_template("retention/hold_lookup.html", form=form)


def _case_for_retention(reference: str, action: str) -> Case:
    """The case, for whoever may place a hold on it or ask to extend its term; a case the user may see but not
    do this with answers 403, any other 404 (audited either way)."""
    user = acting_user()
    case = holds.find_case(reference)
    if case is None:
        policy.refuse(action, status=404, object_type="case", object_id=None)
    status = holds.refusal_status(user, case)
    if status is not None:
        policy.refuse(action, status=status, object_type="case", object_id=case.id, case_id=case.id)
    return case


@bp.get("/bewaring/<reference>")
def case_retention(reference: str):
    case = _case_for_retention(reference, "legal_hold.view")
    record("legal_hold.view", object_type="case", object_id=case.id, case_id=case.id)
    return _render_case_retention(case)


def _render_case_retention(case: Case, *, hold_form: HoldForm | None = None,
                           extension_form: ExtensionForm | None = None, status: int = 200):
    user = acting_user()
    return render_template(
        "retention/hold_case.html", case=case, holds=holds.holds_of(case), is_active=holds.is_active,
        category=db.session.get(Category, case.category_id),
        may_hold=policy.places_legal_hold(user, case.team_id), may_extend=extension.asks_extension(user, case),
        extension_requests=extension.requests_of(case),
        hold_form=hold_form or HoldForm(formdata=None), lift_form=LiftHoldForm(formdata=None),
        extension_form=extension_form or ExtensionForm(formdata=None)), status


@bp.post("/bewaring/<reference>/bevriezen")
def hold_place(reference: str):
    case = _case_for_retention(reference, "legal_hold.placed")
    form = HoldForm()
    _require_hold_rights(case, "legal_hold.placed")
    submission = submit_form(form, lambda: holds.place_hold(acting_user(), case, reason=form.reason.data,
                                                            until=form.until.data),
                             success=_("De casus is bevroren."))
    if submission:
        return redirect(url_for("retention.case_retention", reference=case.reference))
    return _render_case_retention(case, hold_form=form, status=submission.status)


@bp.post("/bewaring/<reference>/bevriezingen/<int:hold_id>/opheffen")
def hold_lift(reference: str, hold_id: int):
    case = _case_for_retention(reference, "legal_hold.lifted")
    hold = db.session.get(LegalHold, hold_id)
    if hold is None or hold.case_id != case.id:
        abort(404)
    _require_hold_rights(case, "legal_hold.lifted")
    form = LiftHoldForm()
    submission = submit_form(form, lambda: holds.lift_hold(acting_user(), hold, reason=form.lift_reason.data,
                                                           expected_version=version_of(form)),
                             success=_("De bevriezing is opgeheven."))
    if not submission and form.errors:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("retention.case_retention", reference=case.reference))


@bp.post("/bewaring/<reference>/verlengen")
def extension_request(reference: str):
    case = _case_for_retention(reference, "retention_extension.requested")
    form = ExtensionForm()
    submission = submit_form(form, lambda: extension.request_extension(
        acting_user(), case, until=form.until.data, reason=form.reason.data),
        success=_("De verlenging is aangevraagd; een tweede persoon beslist erover."))
    if submission:
        return redirect(url_for("retention.case_retention", reference=case.reference))
    return _render_case_retention(case, extension_form=form, status=submission.status)


def _require_hold_rights(case: Case, action: str) -> None:
    """A procesregisseur of the team may ask for an extension on this page, but not place or lift a hold."""
    if not policy.places_legal_hold(acting_user(), case.team_id):
        policy.refuse(action, status=403, object_type="case", object_id=case.id, case_id=case.id)
