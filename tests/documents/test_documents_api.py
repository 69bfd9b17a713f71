"""Documents over the API (in process): multipart upload, the list and one document as each reader may see them,
downloads with their checksum, ETag and 304, versions, metadata changes and deletion with the version read, and
every refusal as problem+json with its status."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent, Outcome
from casus.clock import today

from clamd_support import EICAR, clamd_address  # noqa: F401 - a fixture
from document_samples import elf_bytes, image_bytes, pdf_bytes


@pytest.fixture
def filed(db, make_organisation, make_team, make_user, make_case):
    """A case of a team with two partners taking part (GGZ and politie) and one organisation outside it."""
    import pyotp

    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="ZVH Documenten", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    ggz = make_organisation(name="GGZ Documenten", kind=OrganisationKind.GGZ)
    politie = make_organisation(name="Politie Documenten", kind=OrganisationKind.POLITIE)
    buiten = make_organisation(name="Buiten Documenten")
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, totp_secret=pyotp.random_base32())
    case = make_case(team=team, partners=[zvh, ggz, politie], phase="aanpak.uitvoering", procesregisseur=regisseur)
    return {"case": case, "regisseur": regisseur, "ggz_org": ggz,
            "ggz": make_user("partner", organisation=ggz, totp_secret=pyotp.random_base32()),
            "politie": make_user("partner", organisation=politie, totp_secret=pyotp.random_base32()),
            "outsider": make_user("partner", organisation=buiten, totp_secret=pyotp.random_base32())}


def form(data: bytes, filename: str = "rapport.pdf", **fields) -> dict:
    """A multipart body: the file and the metadata (defaults for a report everyone in the case sees)."""
    body = {"title": "Rapportage", "documentType": "rapportage", "documentDate": today().isoformat(),
            "visibility": "alle_deelnemers", "legalBasis": "convenant", **fields}
    return {**body, "file": (io.BytesIO(data), filename, "application/octet-stream")}


def upload(api, user, path: str, data: bytes, filename: str = "rapport.pdf", **fields):
    return api(user, "POST", path, data=form(data, filename, **fields), content_type="multipart/form-data")


def denied_uploads(db) -> list[dict]:
    return list(db.session.execute(sa.select(AuditEvent.details).where(
        AuditEvent.action == "document.upload", AuditEvent.outcome == Outcome.DENIED)).scalars())


def test_upload_list_and_download_with_checksum_etag_and_304(api, db, filed):
    pdf = pdf_bytes()
    path = f"/cases/{filed['case'].id}/documents"
    created = upload(api, filed["regisseur"], path, pdf, "Rapport VT.pdf")
    assert created.status_code == 201, created.get_json()
    document = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/documents/{document['id']}")
    assert document["current"]["contentType"] == "application/pdf" and document["current"]["number"] == 1
    assert document["current"]["sha256"] == hashlib.sha256(pdf).hexdigest() and document["version"] == 1
    assert document["caseId"] == filed["case"].id and document["audienceOrganisationIds"] == []

    listed = api(filed["politie"], "GET", path)
    assert [item["id"] for item in listed.get_json()] == [document["id"]]
    content = api(filed["politie"], "GET", f"/documents/{document['id']}/content")
    assert content.status_code == 200 and content.data == pdf
    assert hashlib.sha256(content.data).hexdigest() == document["current"]["sha256"]
    assert content.headers["ETag"] == f'"{document["current"]["sha256"]}"'
    assert content.mimetype == "application/pdf"
    assert content.headers["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''Rapport%20VT.pdf" in content.headers["Content-Disposition"]
    assert content.headers["Cache-Control"] == "private, no-store"
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    unchanged = api(filed["politie"], "GET", f"/documents/{document['id']}/content",
                    headers={"If-None-Match": content.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    other = api(filed["politie"], "GET", f"/documents/{document['id']}/content", headers={"If-None-Match": '"abc"'})
    assert other.status_code == 200 and other.data == pdf
    downloads = db.session.execute(sa.select(sa.func.count()).where(
        AuditEvent.action == "document.download", AuditEvent.object_id == str(document["id"]))).scalar_one()
    assert downloads == 3


def test_a_document_for_named_organisations_is_absent_for_the_others(api, filed):
    path = f"/cases/{filed['case'].id}/documents"
    created = upload(api, filed["regisseur"], path, image_bytes("PNG"), "foto.png", documentType="foto",
                     visibility="genoemde_organisaties", audienceOrganisationIds=str(filed["ggz_org"].id))
    assert created.status_code == 201, created.get_json()
    document = created.get_json()
    assert document["current"]["contentType"] == "image/png"
    assert filed["ggz_org"].id in document["audienceOrganisationIds"]
    item = f"/documents/{document['id']}"
    assert api(filed["ggz"], "GET", f"{item}/content").status_code == 200
    for reader in ("politie", "outsider"):
        for url in (item, f"{item}/content", f"{item}/versions/1/content"):
            response = api(filed[reader], "GET", url)
            assert response.status_code == 404 and response.mimetype == "application/problem+json", (reader, url)
    assert api(filed["politie"], "GET", path).get_json() == []
    assert api(filed["outsider"], "GET", path).status_code == 404


def test_refused_uploads_answer_by_their_reason_and_are_audited(api, db, app, filed, monkeypatch):
    path = f"/cases/{filed['case'].id}/documents"
    renamed = upload(api, filed["regisseur"], path, elf_bytes(), "rapport.pdf")
    assert renamed.status_code == 415 and renamed.mimetype == "application/problem+json"
    assert "niet toegestaan" in renamed.get_json()["detail"]
    empty = upload(api, filed["regisseur"], path, b"")
    assert empty.status_code == 400 and empty.get_json()["invalidParams"][0]["name"] == "file"
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], document_max_bytes=1000))
    too_large = upload(api, filed["regisseur"], path, pdf_bytes("x" * 2000))
    assert too_large.status_code == 413 and too_large.mimetype == "application/problem+json"
    beyond_the_form = upload(api, filed["regisseur"], path, b"%PDF-1.4\n" + b"0" * 400_000)
    assert beyond_the_form.status_code == 413
    assert {"type", "empty", "too_large"} <= {details["reason"] for details in denied_uploads(db)}
    assert api(filed["regisseur"], "GET", path).get_json() == []


def test_a_virus_is_refused_and_a_scanner_down_refuses_every_upload(api, db, app, filed, clamd_address,  # noqa: F811
                                                                      monkeypatch):
    path = f"/cases/{filed['case'].id}/documents"
    scanned = replace(app.config["CASUS"], clamd_address=clamd_address)
    monkeypatch.setitem(app.config, "CASUS", scanned)
    clean = upload(api, filed["regisseur"], path, pdf_bytes())
    assert clean.status_code == 201 and clean.get_json()["current"]["scanResult"]
    virus = upload(api, filed["regisseur"], path, EICAR, "brief.txt")
    assert virus.status_code == 400 and virus.get_json()["invalidParams"][0]["name"] == "file"
    assert "virus" in virus.get_json()["detail"]
    monkeypatch.setitem(app.config, "CASUS", replace(scanned, clamd_address="tcp:127.0.0.1:9"))
    down = upload(api, filed["regisseur"], path, pdf_bytes("Nog een rapportage"))
    assert down.status_code == 503 and down.headers["Retry-After"] == "60"
    assert down.mimetype == "application/problem+json"
    assert {"virus", "scanner_unavailable"} <= {details["reason"] for details in denied_uploads(db)}
    assert len(api(filed["regisseur"], "GET", path).get_json()) == 1


def test_the_body_must_be_multipart_and_complete(api, filed):
    path = f"/cases/{filed['case'].id}/documents"
    as_json = api(filed["regisseur"], "POST", path, json={"title": "Rapportage"})
    assert as_json.status_code == 400
    assert "file" in {param["name"] for param in as_json.get_json()["invalidParams"]}
    as_text = api(filed["regisseur"], "POST", path, data=b"hallo", content_type="text/plain")
    assert as_text.status_code == 415
    no_type = upload(api, filed["regisseur"], path, pdf_bytes(), documentType="geheim")
    assert no_type.status_code == 400 and no_type.get_json()["invalidParams"][0]["name"] == "documentType"
    outsider = upload(api, filed["outsider"], path, pdf_bytes())
    assert outsider.status_code == 404


def test_a_new_version_then_the_old_one_only_for_the_team(api, filed):
    first, second = pdf_bytes("Eerste versie"), pdf_bytes("Tweede versie")
    document = upload(api, filed["regisseur"], f"/cases/{filed['case'].id}/documents", first).get_json()
    versions = f"/documents/{document['id']}/versions"
    stale = api(filed["regisseur"], "POST", versions, data={"file": (io.BytesIO(second), "v2.pdf"), "version": "7"},
                content_type="multipart/form-data")
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == 1
    added = api(filed["regisseur"], "POST", versions, data={"file": (io.BytesIO(second), "v2.pdf"), "version": "1"},
                content_type="multipart/form-data")
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["current"]["number"] == 2 and [v["number"] for v in added.get_json()["versions"]] == [1, 2]

    assert api(filed["politie"], "GET", f"/documents/{document['id']}/content").data == second
    seen = api(filed["politie"], "GET", f"/documents/{document['id']}").get_json()
    assert [version["number"] for version in seen["versions"]] == [2]
    assert api(filed["politie"], "GET", f"{versions}/1/content").status_code == 403
    old = api(filed["regisseur"], "GET", f"{versions}/1/content")
    assert old.status_code == 200 and old.data == first
    assert api(filed["regisseur"], "GET", f"{versions}/3/content").status_code == 404


def test_metadata_changes_and_deletion_carry_the_version(api, filed):
    document = upload(api, filed["regisseur"], f"/cases/{filed['case'].id}/documents", pdf_bytes()).get_json()
    item = f"/documents/{document['id']}"
    changed = api(filed["regisseur"], "PATCH", item, json={"title": "Besluit burgemeester",
                                                           "documentType": "besluit", "version": 1})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["title"] == "Besluit burgemeester" and changed.get_json()["version"] == 2
    assert changed.get_json()["legalBasis"] == "convenant"  # a field not given keeps its value
    stale = api(filed["regisseur"], "PATCH", item, json={"title": "Te laat", "version": 1})
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == 2
    assert api(filed["politie"], "PATCH", item, json={"title": "Politie", "version": 2}).status_code == 403
    assert api(filed["outsider"], "PATCH", item, json={"title": "Buiten", "version": 2}).status_code == 404
    assert api(filed["regisseur"], "DELETE", item).status_code == 400  # no version: never deleted unchecked
    assert api(filed["regisseur"], "DELETE", item, headers={"If-Match": '"1"'}).status_code == 409
    assert api(filed["regisseur"], "DELETE", item, headers={"If-Match": '"2"'}).status_code == 204
    assert api(filed["regisseur"], "GET", item).status_code == 404


def test_documents_of_an_agenda_item_and_a_signal(api, db, filed, make_user):
    from casus.signals.models import Signal

    signal = Signal(reference="S-2026-700001", category=filed["case"].category, team_id=filed["case"].team_id,
                    description="Melding", reporting_organisation_id=filed["politie"].organisation_id,
                    reported_by_id=filed["politie"].id)
    db.session.add(signal)
    db.session.flush()
    created = upload(api, filed["politie"], f"/signals/{signal.id}/documents", pdf_bytes(),
                     visibility="eigen_organisatie")
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["signalId"] == signal.id and created.get_json()["caseId"] is None
    assert [d["id"] for d in api(filed["politie"], "GET", f"/signals/{signal.id}/documents").get_json()] == [
        created.get_json()["id"]]
    assert api(filed["ggz"], "GET", f"/signals/{signal.id}/documents").status_code == 404
    assert api(filed["regisseur"], "GET", "/agenda-items/999999/documents").status_code == 404
    assert api(filed["regisseur"], "GET", "/riec-referrals/999999/documents").status_code == 404


def test_a_damaged_file_is_refused_and_the_privacy_officer_alerted(api, db, filed, make_user):
    from casus.documents.files import backend
    from casus.notifications.models import Notification

    officer = make_user("privacy", organisation=filed["regisseur"].organisation)
    document = upload(api, filed["regisseur"], f"/cases/{filed['case'].id}/documents",
                      pdf_bytes("Beschadigd bestand (test)")).get_json()
    backend().storage.put(document["current"]["sha256"], b"not what was stored")
    refused = api(filed["politie"], "GET", f"/documents/{document['id']}/content")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "beschadigd" in refused.get_json()["detail"]
    # Answered without a rollback: the denied download and the officer's alert are kept.
    assert db.session.execute(sa.select(sa.func.count()).where(
        AuditEvent.action == "document.download", AuditEvent.outcome == Outcome.DENIED)).scalar_one() == 1
    assert db.session.execute(sa.select(sa.func.count()).where(Notification.user_id == officer.id)).scalar_one() == 1


def test_a_closed_case_answers_409_to_an_upload_and_still_serves_its_documents(api, db, filed):
    from document_world import close_case

    path = f"/cases/{filed['case'].id}/documents"
    document = upload(api, filed["regisseur"], path, pdf_bytes()).get_json()
    close_case(db, filed["case"])
    db.session.commit()
    refused = upload(api, filed["politie"], path, pdf_bytes("Na afsluiting"))
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "afgesloten" in refused.get_json()["detail"]
    assert [event["reason"] for event in denied_uploads(db)] == ["case_closed"]
    assert api(filed["politie"], "GET", f"/documents/{document['id']}/content").status_code == 200
