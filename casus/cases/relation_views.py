"""The relations section of the Betrokkenen tab (households and groups with their members, the relations as a list
and as a diagram, the forms to add, end and remove one) and the address lookup the subject forms call.

The section is drawn by ``templates/cases/_relations.html``, included in the tab; it asks :func:`relations_section`
(a template global) for what to show, so the tab's own view needs to know nothing of relations. Whoever sees the
case reads its relations; the team that manages it changes them (``policy.manages``), as every other part of the
case file. A refused change shows its message next to its field on the form's own page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from casus import policy
from casus.cases import relation_services
from casus.cases.models import Case
from casus.cases.relation_forms import EndRelationForm, RelationForm, RemoveRelationForm
from casus.i18n import current_locale
from casus.labels import enum_label
from casus.security import acting_user
from casus.subjects import diagram, lookup
from casus.subjects.models import RelationKind, SubjectKind, SubjectRelation
from casus.web.forms import submit_form
from casus.web.helpers import template_helpers

bp = Blueprint("case_relations", __name__)
bp.context_processor(template_helpers)

LIST_ID = "relaties-lijst"


@dataclass
class Row:
    relation: SubjectRelation
    text_id: str
    editable: bool
    end_form: EndRelationForm | None = None
    remove_form: RemoveRelationForm | None = None


@dataclass
class RelationsSection:
    rows: list[Row] = field(default_factory=list)
    collectives: list = field(default_factory=list)
    diagram: Markup = field(default_factory=Markup)
    truncated: bool = False
    form: RelationForm | None = None
    manages: bool = False


def kind_label(value) -> str:
    return enum_label(RelationKind, value, current_locale())


def relations_section(case: Case, form: RelationForm | None = None) -> RelationsSection:
    """What the Betrokkenen tab shows of ``case``'s relations (audited as one read, ``subject.relations_view``)."""
    user = acting_user()
    manages = policy.manages(user, case)
    found = relation_services.case_relations(user, case)
    rows = []
    for relation in found.relations:
        editable = manages and found.editable(relation)
        row = Row(relation, f"relatie-{relation.id}", editable)
        if editable:
            # An ongoing relation's field starts empty: a date already filled in would read as if it had ended.
            row.end_form = _unique(EndRelationForm(formdata=None, end_on=relation.end_on), f"relatie-{relation.id}")
            row.remove_form = RemoveRelationForm(formdata=None)
        rows.append(row)
    subjects = [*found.subjects, *found.related_outside()]
    picture, truncated = diagram.render(
        subjects, found.relations, labelledby=" ".join(["relaties-diagram-titel", *(row.text_id for row in rows)]),
        kind_label=lambda subject: enum_label(SubjectKind, subject.kind, current_locale()),
        relation_label=lambda relation: kind_label(relation.kind), in_case=found.case_subject_ids)
    if manages and form is None and len(found.subjects) >= 2:
        form = RelationForm(formdata=None)
    if form is not None:
        form.fill(current_locale(), found.subjects)
    return RelationsSection(rows=rows, collectives=found.collectives(), diagram=picture if rows else Markup(""),
                            truncated=truncated, form=form if manages else None, manages=manages)


def _unique(form, prefix: str):
    """Many end forms on one page: ids unique per relation, names plain (the POST parses one form)."""
    for form_field in form:
        form_field.id = f"{prefix}-{form_field.name}"
    return form


@bp.app_context_processor
def _section_helpers() -> dict:
    # A template global rather than a variable of the tab's view: the tab's template includes the section and the
    # section fetches its own data (two queries and one audit event, whatever the number of relations).
    return {"relations_section": relations_section, "relation_kind_label": kind_label}


def _managed_case(case_id: int, action: str) -> Case:
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action=action)
    return case


def _back(case: Case):
    return redirect(url_for("cases.subjects", case_id=case.id, _anchor="relaties"))


def _render_form(case: Case, form, *, relation: SubjectRelation | None = None, status: int = 200):
    """The add or end form on a page of its own: reached without script, and where a refusal is shown."""
    if isinstance(form, RelationForm):
        form.fill(current_locale(), relation_services.subjects_of(case))
    return render_template("cases/relation_form.html", case=case, active_tab="cases.subjects", form=form,
                           relation=relation), status


@bp.get("/casussen/<int:case_id>/relaties/nieuw")
def new(case_id: int):
    case = _managed_case(case_id, "subject.relation_added")
    return _render_form(case, RelationForm(formdata=None))


@bp.post("/casussen/<int:case_id>/relaties")
def add(case_id: int):
    user = acting_user()
    case = _managed_case(case_id, "subject.relation_added")
    form = RelationForm()
    form.fill(current_locale(), relation_services.subjects_of(case))
    saved = submit_form(form, lambda: relation_services.add_case_relation(
        user, case, subject_id=form.subject_id.data, related_subject_id=form.related_subject_id.data,
        kind=form.kind.data, start_on=form.start_on.data, end_on=form.end_on.data),
        success=_("De relatie is vastgelegd."))
    if saved:
        return _back(case)
    return _render_form(case, form, status=400)


def _relation(case: Case, relation_id: int, action: str) -> SubjectRelation:
    relation = relation_services.relation_of(case, relation_id)
    if relation is None:
        policy.refuse(action, status=404, object_type="subject_relation", object_id=relation_id, case_id=case.id)
    return relation


@bp.post("/casussen/<int:case_id>/relaties/<int:relation_id>/beeindigen")
def end(case_id: int, relation_id: int):
    user = acting_user()
    case = _managed_case(case_id, "subject.relation_ended")
    relation = _relation(case, relation_id, "subject.relation_ended")
    form = EndRelationForm()
    saved = submit_form(form, lambda: relation_services.end_case_relation(user, case, relation,
                                                                          end_on=form.end_on.data),
                        success=_("De einddatum van de relatie is opgeslagen."))
    if saved:
        return _back(case)
    return _render_form(case, form, relation=relation, status=400)


@bp.post("/casussen/<int:case_id>/relaties/<int:relation_id>/verwijderen")
def remove(case_id: int, relation_id: int):
    user = acting_user()
    case = _managed_case(case_id, "subject.relation_removed")
    relation = _relation(case, relation_id, "subject.relation_removed")
    form = RemoveRelationForm()
    if not form.validate_on_submit():
        abort(400)
    relation_services.remove_case_relation(user, case, relation)
    flash(_("De relatie is verwijderd."), "success")
    return _back(case)


# --- the address lookup ------------------------------------------------------------------------------------

@bp.get("/adres-opzoeken")
def address_lookup():
    """``{straat, woonplaats}`` for ``postcode`` and ``huisnummer`` (JSON, for the subject forms' script); 404 when
    the lookup is off or knows no such address. Nothing is stored and nothing about a case is read."""
    found = lookup.find_address(request.args.get("postcode", ""), request.args.get("huisnummer", ""),
                                request.args.get("toevoeging") or None)
    if found is None:
        return jsonify({"found": False}), 404
    return jsonify({"found": True, "straat": found.straat, "woonplaats": found.woonplaats})
