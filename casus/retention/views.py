"""The retention pages: the retention terms (/bewaartermijnen), legal holds (/bewaring), and — appended by the
destruction and subject-request work — the privacy officer's other pages on this one blueprint.

The privacy officer sees no case content here: references, categories, dates and counts only.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _

from casus import policy
from casus.audit.services import record
from casus.cases.models import Archiefnominatie, Archiefstatus
from casus.extensions import db
from casus.labels import Labels
from casus.retention import terms
from casus.retention.forms import ConfirmTermForm, TermForm
from casus.retention.models import RetentionTerm, SignalOutcome
from casus.security import acting_user, requires
from casus.web.forms import submit_form, version_of

bp = Blueprint("retention", __name__)


@bp.app_context_processor
def retention_helpers() -> dict:
    """Labels of the archive fields in any template: the case overview shows its Archief block too."""
    return {"archiefnominatie_label": Labels(Archiefnominatie), "archiefstatus_label": Labels(Archiefstatus),
            "signal_outcome_label": Labels(SignalOutcome)}


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
