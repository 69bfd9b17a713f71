"""The case edits of a group case over HTTP, against a running server, as an integrating system would make them.

A group of five youths and an address → a sixth youth added, a name corrected, a BSN added, the category changed;
every change carries the version it was based on, and a change based on an old version is refused with 409 and
the version stored now. Each change is audited and on the tijdlijn without the old values.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_helpers import bearer

YOUTHS = ["Daan Jansma", "Milan Bakker", "Sem Visser", "Luuk Smit", "Noah Meijr"]


@pytest.fixture(scope="module")
def served(app_config, tmp_path_factory):
    """The app on a free local port with its own database; (app, base URL of the API)."""
    from dataclasses import replace

    from werkzeug.serving import make_server

    from casus import create_app

    from support import create_tables, database_url_for, empty_tables

    app = create_app(replace(app_config, database_url=database_url_for("casus_http", tmp_path_factory)))
    create_tables(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    empty_tables(app)


def world(app) -> tuple[str, int, dict[str, int]]:
    """A group case in uitvoering and a procesregisseur's token; the case id and the subjects' ids by name."""
    from casus.auth.tokens import create_token
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import now, today
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.subjects.models import Subject, SubjectRelation
    from casus.users.models import Role, User, UserRole
    from workflow import ParticipationRole

    with app.app_context():
        categories = ensure_standard_categories()
        zvh = Organisation(name="Zorg- en Veiligheidshuis Http", kind=OrganisationKind.ZVH, convenant_partner=True)
        team = Team(name="Team Http", gemeente="Voorbeeldstad", organisation=zvh)
        regisseur = User(email="regie-http@example.org", name="Rosa Http", organisation=zvh, team=team,
                         password_hash="-", role_rows=[UserRole(role=Role.PROCESREGISSEUR)])
        case = Case(reference="2026-00321", title="Jongerengroep Stationsplein", category=categories["woonoverlast"],
                    team=team, gemeente="Voorbeeldstad", phase="aanpak.uitvoering", aanbrenger=zvh,
                    procesregisseur=regisseur, signal_count=1, created_at=now() - timedelta(days=30))
        group = Subject(kind="groep", name="Jongeren Stationsplein", name_key="jongeren stationsplein")
        square = Subject(kind="adres", postcode="3511AB", huisnummer=1)
        youths = [Subject(kind="persoon", name=name, name_key=name.lower()) for name in YOUTHS]
        db.session.add_all([case, group, square, *youths])
        db.session.flush()
        db.session.add_all([CaseSubject(case_id=case.id, subject_id=s.id) for s in [group, square, *youths]])
        db.session.add_all([SubjectRelation(subject_id=y.id, related_subject_id=group.id, kind="lid_van")
                            for y in youths])
        db.session.add(Participation(case_id=case.id, organisation_id=zvh.id, role=ParticipationRole.AANBRENGER,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=today()))
        _row, token = create_token(regisseur, days=1, scopes="read write")
        db.session.commit()
        return token, case.id, {subject.name: subject.id for subject in youths}


def call(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                     headers={**bearer(token), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        assert refused.headers.get_content_type() == "application/problem+json"
        return refused.code, json.loads(refused.read())


def test_a_group_case_is_edited_over_http_and_a_stale_version_is_refused(served):
    from casus.audit.models import AuditEvent
    from casus.extensions import db
    from casus.timeline.models import TimelineEvent

    app, base = served
    token, case_id, ids = world(app)
    status, case = call(base, token, "GET", f"/cases/{case_id}")
    assert status == 200

    status, added = call(base, token, "POST", f"/cases/{case_id}/subjects",
                         {"kind": "persoon", "name": "Finn de Boer", "dateOfBirth": "2010-02-14"})
    assert status == 201 and added["matched"] is False
    status, subjects = call(base, token, "GET", f"/cases/{case_id}/subjects")
    assert len([s for s in subjects if s["kind"] == "persoon"]) == 6

    noah = f"/cases/{case_id}/subjects/{ids['Noah Meijr']}"
    status, corrected = call(base, token, "PATCH", noah, {"version": 1, "name": "Noah Meijer"})
    assert status == 200 and corrected["version"] == 2
    status, stale = call(base, token, "PATCH", noah, {"version": 1, "name": "Noah Meyer"})
    assert status == 409 and stale["currentVersion"] == 2

    daan = f"/cases/{case_id}/subjects/{ids['Daan Jansma']}"
    status, refused = call(base, token, "PATCH", daan, {"version": 1, "bsn": "123456789"})
    assert status == 400 and [p["name"] for p in refused["invalidParams"]] == ["bsn"]
    status, corrected = call(base, token, "PATCH", daan, {"version": 1, "bsn": "123456782"})
    assert status == 200 and corrected["bsnEnding"] == "782"

    status, case = call(base, token, "GET", f"/cases/{case_id}")
    status, edited = call(base, token, "PATCH", f"/cases/{case_id}", {"version": case["version"], "category": "jeugd"})
    assert status == 200 and edited["category"]["code"] == "jeugd"
    status, stale = call(base, token, "PATCH", f"/cases/{case_id}", {"version": case["version"], "riskLevel": "hoog"})
    assert status == 409 and stale["currentVersion"] == edited["version"]

    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.case_id == case_id)).all()
        lines = db.session.scalars(sa.select(TimelineEvent.summary).where(TimelineEvent.case_id == case_id)).all()
    assert {"case.subject_added", "subject.corrected", "case.edited"} <= set(actions)
    timeline = "\n".join(lines)
    for line in ("Betrokkene toegevoegd (persoon)", "Naam van een betrokkene gecorrigeerd",
                 "BSN van een betrokkene gecorrigeerd", "Categorie gewijzigd"):
        assert line in timeline, timeline
    assert "Meijr" not in timeline and "123456782" not in timeline and "Meyer" not in timeline
