"""Correcting a case after it was opened: the "Bewerken" page of the case overview (``casus.cases.editing``).

Thin: the case through ``policy.get_case`` (audited, 404 when hidden), the manager check audited (403 for a partner
who can see the case), the form, one service call. A stale save shows what is stored now (409) with the user's input.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casus import policy
from casus.cases import editing
from casus.cases.categories import active_categories
from casus.cases.models import Case, Category
from casus.cases.subject_forms import CaseEditForm
from casus.extensions import db
from casus.i18n import current_locale
from casus.security import acting_user
from casus.users.models import User
from casus.web.forms import submit_form, version_of
from casus.web.helpers import template_helpers

bp = Blueprint("case_edit", __name__, url_prefix="/casussen")
bp.context_processor(template_helpers)


@bp.route("/<int:case_id>/bewerken", methods=["GET", "POST"])
def edit(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action="case.edited")
    posted = request.method == "POST"
    form = CaseEditForm() if posted else CaseEditForm(
        formdata=None, version=case.version, title=case.title, category_id=case.category_id,
        risk_level=str(case.risk_level), gemeente=case.gemeente, procesregisseur_id=case.procesregisseur_id)
    regisseur = db.session.get(User, case.procesregisseur_id) if case.procesregisseur_id else None
    form.fill(current_locale(), categories=_categories(case), procesregisseurs=_procesregisseurs(case, regisseur))
    status = 200
    if posted:
        saved = submit_form(form, lambda: editing.edit_case(user, case, form.changes(),
                                                            expected_version=version_of(form)),
                            success=_("De gegevens van de casus zijn gewijzigd."))
        if saved:
            return redirect(url_for("cases.detail", case_id=case.id))
        status = saved.status if saved.stale or not form.errors else 400
        if saved.stale:
            form.version.data = str(case.version)  # the next save is checked against what is stored now
    return render_template("cases/edit.html", case=case, active_tab="cases.detail", form=form,
                           procesregisseur=regisseur), status


def _categories(case: Case) -> list[Category]:
    """The active categories, and the case's own even when it is no longer active (so the form can keep it)."""
    categories = list(active_categories())
    if all(category.id != case.category_id for category in categories):
        categories.append(case.category)
    return categories


def _procesregisseurs(case: Case, current: User | None) -> list[User]:
    """Who may direct the case, and the current procesregisseur even if no longer among them (so the form keeps
    them unless someone else is chosen)."""
    candidates = editing.procesregisseurs_of(case)
    if current is not None and all(user.id != current.id for user in candidates):
        candidates.append(current)
    return candidates
