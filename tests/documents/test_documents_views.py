"""Documents on pages: the case file's Documenten tab (count, list, upload with the message at the file field),
the document page with its versions, downloads (headers, need-to-know), editing, a new version, deleting with a
confirmation, a corrupt file's page, and the list's constant number of queries."""

from __future__ import annotations

import hashlib
import io

import sqlalchemy as sa
from document_world import close_case, unique_pdf, upload

from casus.audit.models import AuditEvent
from casus.documents import files
from casus.documents.models import Document
from casus.documents.parents import ParentKind, get_parent

from document_samples import elf_bytes, image_bytes


def form(csrf, **fields):
    values = {"csrf_token": csrf, "title": "Verklaring", "document_type": "verklaring", "document_date": "21-11-2026",
              "visibility": "alle_deelnemers", "legal_basis": "convenant"}
    return {**values, **fields}


def case_doc(w, user, **fields):
    return upload(user, get_parent(user, ParentKind.CASE, w["case"].id), **fields)


def test_the_tab_lists_counts_and_takes_an_upload(client, db, auth, docs_world):
    w = docs_world
    auth.login_with_totp(w["regisseur"])
    url = f"/casussen/{w['case'].id}/documenten"
    page = client.get(url)
    assert page.status_code == 200 and "Documenten (0)" in page.get_data(as_text=True)
    data = unique_pdf()
    response = client.post(url, data=form(auth.csrf(url), file=(io.BytesIO(data), "verklaring.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    text = client.get(url).get_data(as_text=True)
    assert "Documenten (1)" in text and "Verklaring" in text and "application/pdf" in text
    document = db.session.execute(sa.select(Document)).scalar_one()
    assert f"/documenten/{document.id}/download" in text


def test_a_refused_file_shows_the_message_at_the_file_field(client, db, auth, docs_world):
    w = docs_world
    auth.login_with_totp(w["regisseur"])
    url = f"/casussen/{w['case'].id}/documenten"
    response = client.post(url, data=form(auth.csrf(url), file=(io.BytesIO(elf_bytes()), "rapport.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'id="file-error"' in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    denied = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "document.upload")).scalar_one()
    assert denied.outcome == "denied" and denied.details["reason"] == "type"


def test_a_download_carries_safe_headers_and_the_checksum(client, db, auth, docs_world):
    w = docs_world
    data = unique_pdf()
    document = case_doc(w, w["regisseur"], data=data, filename="Rapport über «wijk».pdf")
    auth.login_with_totp(w["ggz_user"])
    response = client.get(f"/documenten/{document.id}/download")
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"Rapport _ber _wijk_.pdf\"")
    assert "filename*=UTF-8''Rapport%20%C3%BCber%20%C2%ABwijk%C2%BB.pdf" in disposition


def test_a_document_for_named_organisations_is_absent_for_others(client, db, auth, docs_world):
    w = docs_world
    document = case_doc(w, w["regisseur"], visibility="genoemde_organisaties", audience_ids=[w["ggz"].id])
    auth.login_with_totp(w["agent"])
    for url in (f"/documenten/{document.id}", f"/documenten/{document.id}/download",
                f"/documenten/{document.id}/versies/1/download", f"/documenten/{document.id}/bewerken"):
        assert client.get(url).status_code == 404, url
    assert "Documenten (0)" in client.get(f"/casussen/{w['case'].id}/documenten").get_data(as_text=True)


def test_the_document_page_a_new_version_editing_and_deleting(client, db, auth, docs_world):
    w = docs_world
    document = case_doc(w, w["agent"], title="Proces-verbaal")
    auth.login_with_totp(w["agent"])
    page = f"/documenten/{document.id}"
    text = client.get(page).get_data(as_text=True)
    # the new-version form carries the upload progress (one macro with the upload form): bar, label, spoken status
    assert "Proces-verbaal" in text and 'for="file-progress"' in text and '<progress id="file-progress"' in text
    assert 'class="utrecht-paragraph casus-upload-status" role="status"' in text
    png = image_bytes("PNG", colour="green")
    response = client.post(f"{page}/nieuwe-versie", data={"csrf_token": auth.csrf(page), "version": "1",
                                                          "file": (io.BytesIO(png), "foto.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    text = client.get(page).get_data(as_text=True)
    assert "Download versie 2" in text and "Download versie 1" in text
    edit = f"{page}/bewerken"
    assert client.get(edit).status_code == 200
    stale = client.post(edit, data=form(auth.csrf(edit), title="Nieuw", version="1"))
    assert stale.status_code == 409
    saved = client.post(edit, data=form(auth.csrf(edit), title="Nieuw", version="2"))
    assert saved.status_code == 302
    delete = f"{page}/verwijderen"
    assert "Weet u zeker" in client.get(delete).get_data(as_text=True)
    assert client.post(delete, data={"csrf_token": auth.csrf(delete), "version": "3"}).status_code == 302
    assert client.get(page).status_code == 404


def test_a_partner_who_did_not_upload_cannot_change_it(client, db, auth, docs_world):
    w = docs_world
    document = case_doc(w, w["regisseur"])
    auth.login_with_totp(w["ggz_user"])
    assert client.get(f"/documenten/{document.id}/bewerken").status_code == 403
    assert client.get(f"/documenten/{document.id}/verwijderen").status_code == 403


def test_a_corrupt_file_is_refused_with_a_page(client, db, auth, docs_world):
    w = docs_world
    document = case_doc(w, w["regisseur"])
    sha256 = db.session.execute(sa.text("select sha256 from document_versions")).scalar_one()
    files.backend().storage.put(sha256, b"beschadigd")
    auth.login_with_totp(w["regisseur"])
    response = client.get(f"/documenten/{document.id}/download")
    assert response.status_code == 409 and "beschadigd" in response.get_data(as_text=True)


def test_the_list_costs_the_same_with_one_and_many_documents(client, db, auth, docs_world, count_queries):
    w = docs_world
    auth.login_with_totp(w["regisseur"])
    url = f"/casussen/{w['case'].id}/documenten"
    case_doc(w, w["regisseur"])
    client.get(url)
    with count_queries() as one:
        assert client.get(url).status_code == 200
    for number in range(8):
        case_doc(w, w["regisseur"], title=f"Document {number}", visibility="genoemde_organisaties",
                 audience_ids=[w["ggz"].id])
    with count_queries() as many:
        assert client.get(url).get_data(as_text=True).count("/download") == 9
    assert many.count == one.count


def test_a_closed_case_shows_its_documents_without_upload_or_change_forms(client, db, auth, docs_world):
    w = docs_world
    document = case_doc(w, w["regisseur"])
    close_case(db, w["case"])
    db.session.commit()
    auth.login_with_totp(w["regisseur"])
    url = f"/casussen/{w['case'].id}/documenten"
    tab = client.get(url).get_data(as_text=True)
    assert "Deze casus is afgesloten" in tab and 'type="file"' not in tab and document.title in tab
    detail = client.get(f"/documenten/{document.id}").get_data(as_text=True)
    assert "Deze casus is afgesloten" in detail and "Nieuwe versie opslaan" not in detail
    assert "Document verwijderen" not in detail
    response = client.post(url, data=form(auth.csrf(url),
                                          file=(io.BytesIO(unique_pdf()), "verklaring.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Deze casus is afgesloten" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1
