"""Documents over HTTP, against a running server, as an integrating system would use them.

A procesregisseur uploads a PDF for the GGZ alone (multipart/form-data); GGZ downloads it and the bytes have the
SHA-256 the upload answered, which is also the ETag, and a second download naming that ETag is a 304. Politie,
taking part in the same case, gets 404 for the document and its content. A renamed executable is refused by its
content (415), a file over the limit with 413. A new version replaces the content; the old version stays readable
for the team only.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from api_helpers import bearer

MAX_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def served(app_config, tmp_path_factory):
    """The app on a free local port with its own database and document store; (app, base URL of the API)."""
    from dataclasses import replace

    from werkzeug.serving import make_server

    from casus import create_app

    from support import create_tables, database_url_for, empty_tables

    app = create_app(replace(app_config, database_url=database_url_for("casus_documents_http", tmp_path_factory),
                             storage_dir=str(tmp_path_factory.mktemp("documents")), document_max_bytes=MAX_BYTES))
    create_tables(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    empty_tables(app)


def world(app) -> tuple[dict[str, str], int, int]:
    """A case in uitvoering with GGZ and politie taking part: tokens by who holds them, the case and GGZ's ids."""
    from casus.auth.tokens import create_token
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole
    from workflow import ParticipationRole

    with app.app_context():
        categories = ensure_standard_categories()
        zvh = Organisation(name="Zorg- en Veiligheidshuis Documenten", kind=OrganisationKind.ZVH,
                           convenant_partner=True)
        ggz = Organisation(name="GGZ Documenten", kind=OrganisationKind.GGZ, convenant_partner=True)
        politie = Organisation(name="Politie Documenten", kind=OrganisationKind.POLITIE, convenant_partner=True)
        team = Team(name="Team Documenten", gemeente="Voorbeeldstad", organisation=zvh)

        def user(name: str, organisation, role: Role, **fields) -> User:
            return User(email=f"{name}@example.org", name=name.title(), organisation=organisation,
                        password_hash="-", role_rows=[UserRole(role=role)], **fields)

        users = {"regisseur": user("regie-doc", zvh, Role.PROCESREGISSEUR, team=team),
                 "ggz": user("ggz-doc", ggz, Role.PARTNER), "politie": user("politie-doc", politie, Role.PARTNER)}
        case = Case(reference="2026-00654", title="Zorgen om bewoner", category=categories["woonoverlast"], team=team,
                    gemeente="Voorbeeldstad", phase="aanpak.uitvoering", aanbrenger=zvh,
                    procesregisseur=users["regisseur"], signal_count=1)
        db.session.add_all([case, *users.values()])
        db.session.flush()
        for organisation, role in ((zvh, ParticipationRole.AANBRENGER), (ggz, ParticipationRole.DEELNEMER),
                                   (politie, ParticipationRole.DEELNEMER)):
            db.session.add(Participation(case_id=case.id, organisation_id=organisation.id, role=role,
                                         legal_basis=LegalBasis.CONVENANT, joined_on=today()))
        tokens = {name: create_token(holder, days=1, scopes="read write")[1] for name, holder in users.items()}
        db.session.commit()
        return tokens, case.id, ggz.id


def multipart(fields: dict[str, str | list[str]], filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` (a list: the field once per value) and the file; its
    Content-Type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def call(base: str, token: str, method: str, path: str, *, body: bytes | None = None, content_type: str = "",
         headers: dict | None = None):
    """(status, headers, body bytes); an error must be problem+json."""
    sent = {**bearer(token), **({"Content-Type": content_type} if content_type else {}), **(headers or {})}
    request = urllib.request.Request(f"{base}{path}", data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as answer:
        if answer.code != 304:
            assert answer.headers.get_content_type() == "application/problem+json", answer.code
        return answer.code, answer.headers, answer.read()


def pdf(text: str) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def test_documents_over_http_need_to_know_checksums_and_refusals(served):
    from datetime import date

    app, base = served
    tokens, case_id, ggz_id = world(app)
    metadata = {"title": "Rapportage GGZ", "documentType": "rapportage", "documentDate": date.today().isoformat(),
                "visibility": "genoemde_organisaties", "audienceOrganisationIds": [str(ggz_id)],
                "legalBasis": "convenant"}
    first = pdf("Rapportage GGZ, eerste versie (test)")
    body, content_type = multipart(metadata, "rapportage.pdf", first)
    status, headers, answer = call(base, tokens["regisseur"], "POST", f"/cases/{case_id}/documents", body=body,
                                   content_type=content_type)
    assert status == 201, answer
    document = json.loads(answer)
    assert headers["Location"].endswith(f"/api/v1/documents/{document['id']}")
    assert document["current"]["sha256"] == hashlib.sha256(first).hexdigest()
    assert document["current"]["contentType"] == "application/pdf"
    content = f"/documents/{document['id']}/content"

    status, headers, data = call(base, tokens["ggz"], "GET", content)
    assert status == 200 and hashlib.sha256(data).hexdigest() == document["current"]["sha256"]
    assert headers["ETag"] == f'"{document["current"]["sha256"]}"'
    assert headers.get_content_type() == "application/pdf"
    assert headers["Content-Disposition"].startswith('attachment; filename="rapportage.pdf"')
    assert headers["Cache-Control"] == "private, no-store"
    status, _headers, data = call(base, tokens["ggz"], "GET", content, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and data == b""

    for path in (f"/documents/{document['id']}", content, f"/documents/{document['id']}/versions/1/content"):
        status, _headers, data = call(base, tokens["politie"], "GET", path)
        assert status == 404 and b"Rapportage GGZ" not in data, path
    status, _headers, data = call(base, tokens["politie"], "GET", f"/cases/{case_id}/documents")
    assert status == 200 and json.loads(data) == []

    body, content_type = multipart(metadata, "rapportage.pdf", Path("/bin/true").read_bytes())
    status, _headers, data = call(base, tokens["regisseur"], "POST", f"/cases/{case_id}/documents", body=body,
                                  content_type=content_type)
    assert status == 415, data
    body, content_type = multipart(metadata, "groot.pdf", first + b"%" * MAX_BYTES)
    status, _headers, data = call(base, tokens["regisseur"], "POST", f"/cases/{case_id}/documents", body=body,
                                  content_type=content_type)
    assert status == 413, data

    second = pdf("Rapportage GGZ, tweede versie (test)")
    body, content_type = multipart({"version": str(document["version"])}, "rapportage-v2.pdf", second)
    status, _headers, answer = call(base, tokens["regisseur"], "POST", f"/documents/{document['id']}/versions",
                                    body=body, content_type=content_type)
    assert status == 201, answer
    assert json.loads(answer)["current"]["number"] == 2
    status, _headers, data = call(base, tokens["ggz"], "GET", content)
    assert status == 200 and data == second
    old = f"/documents/{document['id']}/versions/1/content"
    status, _headers, data = call(base, tokens["ggz"], "GET", old)
    assert status == 403
    status, headers, data = call(base, tokens["regisseur"], "GET", old)
    assert status == 200 and data == first and headers["ETag"] == f'"{hashlib.sha256(first).hexdigest()}"'
