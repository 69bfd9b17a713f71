"""Documents on pages: the case file's Documenten tab, the documents of a signal, an agenda item and a voordracht
(list and upload), a document's page (details and versions), its downloads, editing, a new version and deleting.

Parents and documents are read through the policy (404 when hidden, audited); the services do every change and
audit every download. A download is sent as an attachment with a safe file name, the detected content type, the
SHA-256 as ETag, nosniff and no caching.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casus import policy
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.clock import today
from casus.documents import queries, services
from casus.documents.forms import DeleteForm, EditForm, NewVersionForm, UploadForm
from casus.documents.models import Document, DocumentType, DocumentVisibility, SharingBasis
from casus.documents.parents import Parent, ParentKind, get_parent, parent_ref
from casus.edge import takes_uploads
from casus.labels import enum_label
from casus.security import acting_user
from casus.services import ServiceError
from casus.web.forms import is_stale, show_conflict, show_service_error, submit_form, version_of
from casus.web.helpers import template_helpers

bp = Blueprint("documents", __name__)
bp.context_processor(template_helpers)

# Each parent kind: its list route's endpoint (the case's is a tab of the case file).
LIST_ENDPOINTS = {ParentKind.CASE: "documents.for_case", ParentKind.SIGNAL: "documents.for_signal",
                  ParentKind.AGENDA_ITEM: "documents.for_agenda_item",
                  ParentKind.VOORDRACHT: "documents.for_voordracht"}
ID_PARAMS = {ParentKind.CASE: "case_id", ParentKind.SIGNAL: "signal_id", ParentKind.AGENDA_ITEM: "item_id",
             ParentKind.VOORDRACHT: "voordracht_id"}


@bp.context_processor
def _labels() -> dict:
    return {"document_type_label": lambda value: enum_label(DocumentType, value),
            "document_visibility_label": lambda value: enum_label(DocumentVisibility, value),
            "sharing_basis_label": lambda value: enum_label(SharingBasis, value),
            "current_version": queries.current_version, "list_url": _list_url}


def _list_url(kind: ParentKind, object_id: int) -> str:
    return url_for(LIST_ENDPOINTS[kind], **{ID_PARAMS[kind]: object_id})


def _back_to_list(document_or_parent) -> Response:
    kind, object_id = (parent_ref(document_or_parent) if isinstance(document_or_parent, Document)
                       else (document_or_parent.kind, document_or_parent.id))
    return _done(_list_url(kind, object_id))


def _done(url: str) -> Response:
    """After a saved upload: a redirect, or — to the upload script (static/js/document-upload.js), whose request
    would follow a redirect and swallow the flashed message — the address to go to, in a header."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return Response(status=204, headers={"X-Casus-Location": url})
    return redirect(url)


# --- the lists, with the upload form -------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/documenten", methods=["GET", "POST"])
@takes_uploads
def for_case(case_id: int):
    return _list(ParentKind.CASE, case_id)


@bp.route("/signalen/<int:signal_id>/documenten", methods=["GET", "POST"])
@takes_uploads
def for_signal(signal_id: int):
    return _list(ParentKind.SIGNAL, signal_id)


@bp.route("/overleggen/agendapunten/<int:item_id>/documenten", methods=["GET", "POST"])
@takes_uploads
def for_agenda_item(item_id: int):
    return _list(ParentKind.AGENDA_ITEM, item_id)


@bp.route("/voordrachten/<int:voordracht_id>/documenten", methods=["GET", "POST"])
@takes_uploads
def for_voordracht(voordracht_id: int):
    return _list(ParentKind.VOORDRACHT, voordracht_id)


def _list(kind: ParentKind, object_id: int):
    user = acting_user()
    parent = get_parent(user, kind, object_id)
    closed = services.in_closed_case(parent.case_id)
    may_upload = policy.uploads_to(user, parent) and not closed
    form = UploadForm()
    if request.method == "GET":
        form.document_date.data = today()
    status = 200
    if request.method == "POST":
        if not policy.uploads_to(user, parent):
            record("document.upload", object_type="document", case_id=parent.case_id, outcome=Outcome.DENIED,
                   details={"reason": "not_allowed"}, user=user)
            abort(403)
        form.fill(organisations=_others(user, parent))
        submission = submit_form(form, lambda: _upload(user, parent, form), success=_("Het document is toegevoegd."))
        if submission:
            return _back_to_list(parent)
        status = 400
    form.fill(organisations=_others(user, parent))
    if kind != ParentKind.CASE:
        record("document.list", object_type=str(kind), object_id=parent.id, case_id=parent.case_id, user=user)
    documents = queries.documents_of(user, parent)
    template = "documents/case.html" if kind == ParentKind.CASE else "documents/parent.html"
    return render_template(template, parent=parent, case=parent.object, documents=documents, form=form,
                           may_upload=may_upload, closed=closed, active_tab="documents.for_case",
                           action_url=_list_url(kind, parent.id)), status


def _others(user, parent: Parent):
    """The organisations a document may name, the uploader's own left out (it always reads along)."""
    return [o for o in services.audience_choices(parent) if o.id != user.organisation_id]


def _upload(user, parent: Parent, form: UploadForm):
    upload = request.files.get("file")
    return services.upload_document(
        user, parent, title=form.title.data, document_type=form.document_type.data,
        document_date=form.document_date.data, visibility=form.visibility.data,
        audience_ids=form.audience_ids.data or (), legal_basis=form.legal_basis.data,
        filename=upload.filename if upload else "", data=upload.read() if upload else b"")


# --- one document ----------------------------------------------------------------------------------------------

@bp.get("/documenten/<int:document_id>")
def detail(document_id: int):
    user = acting_user()
    document = policy.get_document(user, document_id)
    return _render_detail(user, document)


def _render_detail(user, document: Document, *, version_form: NewVersionForm | None = None, status: int = 200):
    closed = services.in_closed_case(document.case_id)
    changes = policy.changes_document(user, document) and not closed
    versions = services.versions_of(document)
    if not policy.sees_old_versions(user, document):
        versions = [v for v in versions if v.number == document.current_number]
    if version_form is None:
        version_form = NewVersionForm(formdata=None, version=document.version)
    kind, object_id = parent_ref(document)
    return render_template("documents/detail.html", document=document, versions=versions, changes=changes,
                           closed=closed,
                           version_form=version_form, delete_form=DeleteForm(formdata=None, version=document.version),
                           parent_kind=str(kind), parent_url=_list_url(kind, object_id),
                           organisation_names=[o.name for o in queries.audience_of(document)]), status


@bp.get("/documenten/<int:document_id>/download")
def download(document_id: int):
    return _download(document_id, None)


@bp.get("/documenten/<int:document_id>/versies/<int:number>/download")
def download_version(document_id: int, number: int):
    return _download(document_id, number)


def _download(document_id: int, number: int | None):
    user = acting_user()
    document = policy.get_document(user, document_id, action="document.download")
    try:
        found = services.open_for_download(user, document, number=number)
    except services.DocumentCorrupt as error:
        return render_template("documents/corrupt.html", document=document, message=error.message), 409
    except ServiceError as error:
        abort(error.status if error.status in (403, 404, 503) else 400)
    return attachment(found)


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback in ``filename`` and the real name, UTF-8 and percent-encoded, in ``filename*``."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in filename) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(found: services.Download) -> Response:
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Content-Disposition"] = content_disposition(found.filename)
    response.headers["ETag"] = f'"{found.sha256}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/documenten/<int:document_id>/bewerken", methods=["GET", "POST"])
def edit(document_id: int):
    user = acting_user()
    document = policy.get_document(user, document_id)
    if not policy.changes_document(user, document):
        abort(403)
    parent = services.parent_for_choices(document)
    named = [o.id for o in queries.audience_of(document)]
    form = EditForm() if request.method == "POST" else EditForm(formdata=None, obj=document, version=document.version,
                                                                 audience_ids=named)
    form.fill(organisations=_others(user, parent))
    submission = submit_form(form, lambda: services.update_document(
        user, document, title=form.title.data, document_type=form.document_type.data,
        document_date=form.document_date.data, visibility=form.visibility.data,
        audience_ids=form.audience_ids.data or (), legal_basis=form.legal_basis.data,
        expected_version=version_of(form)), success=_("Het document is gewijzigd."))
    if submission:
        return redirect(url_for("documents.detail", document_id=document.id))
    status = submission.status if request.method == "POST" and submission.status != 200 else (
        400 if request.method == "POST" else 200)
    return render_template("documents/edit.html", document=document, form=form), status


@bp.post("/documenten/<int:document_id>/nieuwe-versie")
@takes_uploads
def new_version(document_id: int):
    user = acting_user()
    document = policy.get_document(user, document_id)
    if not policy.changes_document(user, document):
        abort(403)
    form = NewVersionForm()
    upload = request.files.get("file")
    submission = submit_form(form, lambda: services.add_version(
        user, document, filename=upload.filename if upload else "", data=upload.read() if upload else b"",
        expected_version=version_of(form)), success=_("De nieuwe versie is opgeslagen."))
    if submission:
        return _done(url_for("documents.detail", document_id=document.id))
    return _render_detail(user, document, version_form=form, status=submission.status if submission.stale else 400)


@bp.route("/documenten/<int:document_id>/verwijderen", methods=["GET", "POST"])
def delete(document_id: int):
    user = acting_user()
    document = policy.get_document(user, document_id)
    if not policy.changes_document(user, document):
        abort(403)
    form = DeleteForm() if request.method == "POST" else DeleteForm(formdata=None, version=document.version)
    if request.method == "POST" and form.validate_on_submit():
        back = _back_to_list(document)
        try:
            services.delete_document(user, document, expected_version=version_of(form))
        except ServiceError as error:
            if is_stale(error):
                show_conflict()
            else:
                show_service_error(form, error)
            return render_template("documents/delete.html", document=document, form=form), 409
        flash(_("Het document is verwijderd."), "success")
        return back
    status = 400 if request.method == "POST" else 200
    return render_template("documents/delete.html", document=document, form=form), status
