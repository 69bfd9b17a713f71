"""The access matrix (docs/DESIGN.md §4), generated from the app's URL map and API.

Every route that takes the id of a case or of something that belongs to one (action, participation, signal,
meeting, escalation, RIEC voordracht, approval ...) is called by every kind of user, with every method it
accepts, against objects that exist. Users outside the need-to-know scope must get 404 — never 403, 200 or a
hint — and nobody ever gets a 500. Users inside the scope can read every page. A new route is covered the
moment it is registered; a route whose id parameter is unknown here fails the test.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.cases.models import Note, NoteVisibility
from casus.clock import today
from casus.organisations.models import OrganisationKind
from casus.plans.models import Action, Goal, ProgressEntry
from casus.signals.models import Signal

CASE_OBJECTS = {"case", "action", "participation", "meeting", "agenda_item", "series", "escalation",
                "assessment", "goal", "checkin", "subject", "relation", "document",
                "document_version"}  # a route's parameters come as a set: either may be the first
TEAM_OBJECTS = {"voordracht", "approval"}  # the team's own business: not shown to partners of the case
# Who looks, and which kinds of object they may see.
ACTORS = {
    "procesregisseur_team": CASE_OBJECTS | TEAM_OBJECTS | {"signal"},
    "supervisor_team": CASE_OBJECTS | TEAM_OBJECTS | {"signal"},
    "partner_participating": CASE_OBJECTS | {"signal"},   # its organisation reported the signal too
    "partner_other": set(),
    "procesregisseur_other_team": set(),
    "riec_addressed": {"voordracht"},  # the voordracht sent to its RIEC, and nothing else of the case
    "riec_not_addressed": set(),
    "privacy": set(),
    "beheerder": set(),
}

# Which object an id parameter names, by route prefix (web) or path (API).
WEB_PARAMS = {"case_id": "case", "signal_id": "signal", "action_id": "action", "participation_id": "participation",
              "meeting_id": "meeting", "item_id": "agenda_item", "series_id": "series",
              "escalation_id": "escalation", "voordracht_id": "voordracht", "approval_id": "approval"}
# A leefgebieden assessment: in its case's pages and API paths (/api/v1/cases/{id}/assessments/{assessment}).
WEB_PARAMS.update({"assessment_id": "assessment", "assessment": "assessment"})
# A goal of the plan (its status) and a nazorg check-in (/api/v1/cases/{id}/checkins/{checkin}).
WEB_PARAMS.update({"goal_id": "goal", "checkin_id": "checkin", "checkin": "checkin"})
# A subject of the case and a relation between two of them (/api/v1/cases/{id}/subjects/{subject}, …/relations/…).
WEB_PARAMS.update({"subject_id": "subject", "subject": "subject", "relation_id": "relation", "relation": "relation"})
# A document in the case file (for everyone in the case) and the number of one of its versions
# (/api/v1/documents/{id}/versions/{number}/content).
WEB_PARAMS.update({"document_id": "document", "number": "document_version"})
API_OBJECTS = {"/api/v1/cases/<int:id>": "case", "/api/v1/actions/<int:id>": "action",
               "/api/v1/participants/<int:id>": "participation", "/api/v1/signals/<int:id>": "signal",
               "/api/v1/meetings/<int:id>": "meeting", "/api/v1/agenda-items/<int:id>": "agenda_item",
               "/api/v1/escalations/<int:id>": "escalation", "/api/v1/riec-referrals/<int:id>": "voordracht",
               "/api/v1/approvals/<int:id>": "approval", "/api/v1/goals/<int:id>": "goal",
               "/api/v1/documents/<int:id>": "document"}


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    zvh = make_organisation(name="ZVH Matrix", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Matrix")
    other_team = make_team(organisation=zvh, name="Team Elders")
    partner = make_organisation(name="Politie Matrix", kind=OrganisationKind.POLITIE)
    other = make_organisation(name="Corporatie Elders", kind=OrganisationKind.WONINGCORPORATIE)
    riec = make_organisation(name="RIEC Matrix", kind=OrganisationKind.RIEC)
    addressed_riec = make_organisation(name="RIEC Geadresseerd", kind=OrganisationKind.RIEC)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team)
    reporter = make_user("partner", organisation=partner)
    case = make_case(team=team, partners=[partner, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur,
                     subjects=[make_subject(name="Matrix Verborgen"), make_subject(name="Matrix Broer")],
                     plan_discussed_on=today())
    relation = _relation(db, case)
    goal = Goal(case_id=case.id, description="Doel", created_by_id=regisseur.id)
    db.session.add(goal)
    db.session.flush()
    action = Action(case_id=case.id, goal_id=goal.id, description="Actie", owner_organisation_id=partner.id,
                    due_on=today() + timedelta(days=7))
    db.session.add(action)
    db.session.flush()
    db.session.add(ProgressEntry(action_id=action.id, author_id=reporter.id, organisation_id=partner.id, text="Bezig"))
    db.session.add(Note(case_id=case.id, author_id=regisseur.id, organisation_id=zvh.id,
                        visibility=NoteVisibility.ALL, text="Notitie"))
    signal = Signal(reference="S-2026-900001", category=case.category, team=team, description="Melding",
                    reporting_organisation_id=partner.id, reported_by_id=reporter.id)
    db.session.add(signal)
    db.session.flush()
    participation = next(p for p in _participations(db, case) if p.organisation_id == zvh.id)
    # A meeting (and its series) to which the participating partner is invited, with the case on its agenda.
    series, meeting, item = _meeting_with_case(db, team, regisseur, partner, case)
    supervisor = make_user("supervisor", organisation=zvh, team=team)
    assessment = _assessment(db, case, regisseur)
    checkin = _checkin(db, case)
    escalation, voordracht, approval = _ladder_voordracht_approval(db, case, regisseur, supervisor, addressed_riec)
    document = _document(db, case, regisseur)
    return {
        "orgs": {"zvh": zvh, "partner": partner, "other": other, "riec": riec, "addressed_riec": addressed_riec},
        "teams": {"team": team, "other": other_team},
        "ids": {"case": case.id, "signal": signal.id, "action": action.id, "participation": participation.id,
                "meeting": meeting.id, "agenda_item": item.id, "series": series.id, "escalation": escalation.id,
                "voordracht": voordracht.id, "approval": approval.id, "assessment": assessment.id,
                "goal": goal.id, "checkin": checkin.id, "subject": relation.subject_id,
                "relation": relation.id, "document": document.id, "document_version": 1},
        "case": case,
    }


def _relation(db, case):
    """A relation between the two subjects of the case."""
    from casus.cases.models import CaseSubject
    from casus.subjects.models import SubjectRelation

    first, second = db.session.execute(sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == case.id)
                                       .order_by(CaseSubject.subject_id)).scalars().all()
    relation = SubjectRelation(subject_id=first, related_subject_id=second, kind="partner_van")
    db.session.add(relation)
    db.session.flush()
    return relation


def _document(db, case, uploader):
    """A document everyone in the case may see, its file stored (a download reads and verifies it)."""
    from fpdf import FPDF

    from casus.documents.files import store_upload
    from casus.documents.models import Document, DocumentVersion

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Rapportage")
    stored = store_upload(bytes(pdf.output()), "rapportage.pdf")
    document = Document(case_id=case.id, title="Rapportage", document_type="rapportage", document_date=today(),
                        visibility="alle_deelnemers", legal_basis="convenant", uploaded_by_id=uploader.id,
                        organisation_id=uploader.organisation_id)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentVersion(document_id=document.id, number=1, sha256=stored.sha256, filename="rapportage.pdf",
                                   content_type=stored.content_type, size=stored.size, uploaded_by_id=uploader.id,
                                   organisation_id=uploader.organisation_id))
    db.session.flush()
    return document


def _assessment(db, case, regisseur):
    from casus.assessments.models import Assessment, AssessmentScore

    assessment = Assessment(case_id=case.id, moment="triage", assessed_on=today(), recorded_by_id=regisseur.id,
                            scores=[AssessmentScore(domain="financien", score=2)])
    db.session.add(assessment)
    db.session.flush()
    return assessment


def _checkin(db, case):
    """A nazorg check-in of an earlier nazorg period of the case (it relapsed into the aanpak)."""
    from casus.nazorg.models import NazorgCheckin

    checkin = NazorgCheckin(case_id=case.id, nazorg_started_on=today() - timedelta(days=200), months=3,
                            planned_on=today() - timedelta(days=108))
    db.session.add(checkin)
    db.session.flush()
    return checkin


def _ladder_voordracht_approval(db, case, regisseur, supervisor, riec):
    """An open step up the ladder, a voordracht sent to ``riec`` (approved by the supervisor), and a pending
    early-closure request."""
    from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
    from casus.database import utcnow
    from casus.escalations.models import Escalation, EscalationDirection
    from casus.voordrachten.models import RiecLegalBasis, Voordracht
    from workflow import EscalationLevel

    escalation = Escalation(case_id=case.id, direction=EscalationDirection.OPSCHALEN,
                            from_level=EscalationLevel.OPERATIONEEL, to_level=EscalationLevel.TACTISCH,
                            reason="Matrix", decision_owner="Ketenmanager", decision_deadline=today(),
                            review_on=today() + timedelta(days=30), created_by_id=regisseur.id)
    case.escalation_level = EscalationLevel.TACTISCH
    voordracht = Voordracht(case_id=case.id, state="ingediend", addressee_organisation_id=riec.id,
                            summary="Samenvatting voor het RIEC", indicators=["drugs"],
                            legal_basis=RiecLegalBasis.RIEC_CONVENANT, created_by_id=regisseur.id,
                            submitted_at=utcnow(), sent_at=utcnow())
    db.session.add_all([escalation, voordracht])
    db.session.flush()
    db.session.add(Approval(kind=ApprovalKind.RIEC_VOORDRACHT, status=ApprovalStatus.GOEDGEKEURD, case_id=case.id,
                            team_id=case.team_id, voordracht_id=voordracht.id, requested_by_id=regisseur.id,
                            reason="Ondermijning", decided_by_id=supervisor.id, decided_at=utcnow()))
    approval = Approval(kind=ApprovalKind.CLOSE_EARLY, case_id=case.id, team_id=case.team_id,
                        requested_by_id=regisseur.id, reason="Verhuisd", details={"result": "verhuisd"})
    db.session.add(approval)
    db.session.flush()
    return escalation, voordracht, approval


def _meeting_with_case(db, team, chair, invited, case):
    from datetime import time

    from casus.meetings.models import (
        AgendaItem,
        Meeting,
        MeetingInvitation,
        MeetingSeries,
        MeetingSeriesInvitation,
    )
    from casus.meetings.services import local_start

    day = today() + timedelta(days=7)
    series = MeetingSeries(team_id=team.id, type="casusoverleg", title="Overleg Matrix", weekday=day.weekday(),
                           interval_weeks=2, start_time=time(9, 30), first_date=day, location="Zaal Matrix",
                           chair_id=chair.id)
    db.session.add(series)
    db.session.flush()
    starts = local_start(day, time(9, 30))
    meeting = Meeting(series_id=series.id, series_date=day, team_id=team.id, type="casusoverleg",
                      title="Overleg Matrix", starts_at=starts, ends_at=starts + timedelta(hours=2),
                      location="Zaal Matrix", chair_id=chair.id, ical_uid="meeting-matrix@casus")
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all([MeetingSeriesInvitation(series_id=series.id, organisation_id=invited.id),
                        MeetingInvitation(meeting_id=meeting.id, organisation_id=invited.id)])
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken", position=1)
    db.session.add(item)
    db.session.flush()
    return series, meeting, item


def _participations(db, case):
    from casus.cases.models import Participation

    return db.session.execute(sa.select(Participation).where(Participation.case_id == case.id)).scalars().all()


def _actor(name, world, login_as):
    orgs, teams = world["orgs"], world["teams"]
    fields = {
        "procesregisseur_team": (("procesregisseur",), {"organisation": orgs["zvh"], "team": teams["team"]}),
        "supervisor_team": (("supervisor",), {"organisation": orgs["zvh"], "team": teams["team"]}),
        "partner_participating": (("partner",), {"organisation": orgs["partner"]}),
        "partner_other": (("partner",), {"organisation": orgs["other"]}),
        "procesregisseur_other_team": (("procesregisseur",), {"organisation": orgs["zvh"], "team": teams["other"]}),
        "riec_addressed": (("riec",), {"organisation": orgs["addressed_riec"]}),
        "riec_not_addressed": (("riec",), {"organisation": orgs["riec"]}),
        "privacy": (("privacy",), {"organisation": orgs["zvh"]}),
        "beheerder": (("beheerder",), {"organisation": orgs["zvh"]}),
    }[name]
    return login_as(*fields[0], **fields[1])


def _object_routes(app):
    """(rule, methods, object kind, url) for every route that names a case-owned object."""
    routes = []
    for rule in app.url_map.iter_rules():
        params = list(rule.arguments)
        if not params or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/"):
            prefix = next((p for p in API_OBJECTS if rule.rule.startswith(p)), None)
            if prefix is None:
                routes.append((rule, None, None))  # unknown: fails below unless it is not case data
                continue
            routes.append((rule, API_OBJECTS[prefix], None))
        else:
            kinds = [WEB_PARAMS.get(param) for param in params]
            routes.append((rule, kinds[0] if None not in kinds else None, params))
    return routes


# Pages every user who may see the case can read.
ALWAYS_READABLE = {"cases.detail", "cases.subjects", "cases.partners", "cases.notes", "cases.timeline", "plans.plan",
                   "cases_api.CaseItem", "cases_api.CaseNotes", "cases_api.CaseTimeline", "plans_api.CaseActions",
                   "signals.detail", "signals_api.SignalItem", "meetings.detail", "meetings.for_case",
                   "meetings_api.MeetingItem", "meetings_api.MeetingAgenda", "meetings_api.MeetingMinutes",
                   "meetings_api.AgendaItemResource", "meetings_api.AgendaItemDecisions",
                   "documents_api.CaseDocuments", "documents_api.SignalDocuments", "documents_api.AgendaItemDocuments",
                   "documents_api.RiecReferralDocuments", "documents_api.DocumentItem", "documents_api.DocumentContent",
                   "documents_api.DocumentVersionContent",
                   "documents.for_case", "documents.detail", "documents.download", "documents.download_version"}
NOT_CASE_DATA = {"/api/v1/me/notifications/<bigint:id>", "/meldingen/<bigint:notification_id>/gelezen",
                 "/agenda/<token>.ics",  # the personal feed: a secret token, not an object id (calendar tests)
                 # The user's own API tokens (access: tests/users/test_users_tokens.py).
                 "/api/v1/me/tokens/<int:id>", "/account/api-tokens/<int:token_id>/intrekken",
                 # Reports are named, not ids, and hold aggregates only (access: tests/reports).
                 "/rapportages/<name>.<any(csv, xlsx):fmt>", "/api/v1/reports/<string:name>",
                 # Destruction lists: references, categories and dates, for the privacy officer only (access:
                 # tests/retention/test_lists_views.py and test_lists_api.py).
                 "/vernietigingslijsten/<int:list_id>", "/vernietigingslijsten/<int:list_id>/aanbieden",
                 "/vernietigingslijsten/<int:list_id>/items/<int:item_id>",
                 "/vernietigingslijsten/<int:list_id>/items/<int:item_id>/verwijderen",
                 "/vernietigingslijsten/<int:list_id>/items/<int:item_id>/uitstellen",
                 "/vernietigingslijsten/<int:list_id>/items/<int:item_id>/terugzetten",
                 "/api/v1/destruction-lists/<int:id>", "/api/v1/destruction-lists/<int:id>/submission",
                 "/api/v1/destruction-lists/<int:id>/items/<int:item>/removal",
                 "/api/v1/destruction-lists/<int:id>/items/<int:item>/postponement",
                 "/api/v1/destruction-lists/<int:id>/items/<int:item>/restoration",
                 # Verklaringen van vernietiging: no personal data, for the privacy officer only (access:
                 # tests/retention/test_declarations.py).
                 "/verklaringen/<int:declaration_id>", "/verklaringen/<int:declaration_id>.csv",
                 "/verklaringen/<int:declaration_id>.pdf", "/api/v1/destruction-declarations/<int:id>",
                 # A beperking is lifted by the privacy officer only; 404 for everyone else (access:
                 # tests/subject_requests/test_beperking.py).
                 "/api/v1/subject-restrictions/<int:id>/lift",
                 # Retention terms are no case data; a case's legal holds and retention are the privacy officer's
                 # as well as the team's: 403 for a partner of the case, 404 for anyone else (access:
                 # tests/retention/test_holds.py and test_retention_api.py).
                 "/bewaartermijnen/<int:term_id>", "/bewaartermijnen/<int:term_id>/bevestigen",
                 "/api/v1/retention-terms/<int:id>", "/bewaring/<reference>", "/bewaring/<reference>/bevriezen",
                 "/bewaring/<reference>/bevriezingen/<int:hold_id>/opheffen", "/bewaring/<reference>/verlengen",
                 "/api/v1/cases/<int:id>/legal-holds", "/api/v1/legal-holds/<int:id>/lift",
                 "/api/v1/cases/<int:id>/retention-extension"}
ADMIN_PREFIXES = ("/beheer/",)
# Data-subject requests: the privacy officer's alone, every other role 404/403 on every one of them (access:
# tests/subject_requests/test_subject_requests_views.py and test_subject_requests_api.py).
SUBJECT_REQUEST_PREFIXES = ("/verzoeken/", "/api/v1/data-subject-requests/")


def _url(rule, world, missing=False):
    ids = dict.fromkeys(world["ids"], 999999) if missing else world["ids"]
    values = {}
    for param in rule.arguments:
        kind = WEB_PARAMS.get(param) or next(
            (kind for prefix, kind in API_OBJECTS.items() if rule.rule.startswith(prefix)), None)
        values[param] = ids[kind]
    path = rule.rule
    for param, value in values.items():
        path = path.replace(f"<int:{param}>", str(value))
    return path


@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_every_case_route_for_every_kind_of_user(app, db, client, auth, login_as, world, actor_name):
    from casus.auth.tokens import create_token

    sees = ACTORS[actor_name]
    user = _actor(actor_name, world, login_as)
    _, token = create_token(user, days=1)
    db.session.flush()
    csrf = auth.csrf("/account")
    checked = 0
    for rule, kind, _params in _object_routes(app):
        if rule.rule in NOT_CASE_DATA or rule.rule.startswith(ADMIN_PREFIXES + SUBJECT_REQUEST_PREFIXES):
            continue
        assert kind is not None, f"{rule.rule}: unknown id parameter; add it to the access matrix"
        visible = kind in sees
        url = _url(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = _call(client, method, url, csrf, token)
            label = f"{actor_name} {method} {url}"
            assert response.status_code < 500, label
            if not visible:
                # Absent: exactly what a request for an id that does not exist gets (a body failing
                # validation may be refused before the lookup, identically for both), and no content.
                nonexistent = _call(client, method, _url(rule, world, missing=True), csrf, token)
                assert response.status_code == nonexistent.status_code, f"{label}: {response.status_code}"
                assert response.status_code in (400, 404), f"{label}: {response.status_code}"
                if method == "GET":
                    assert response.status_code == 404, label
                assert b"Matrix Verborgen" not in response.data and b"2026-0" not in response.data, label
            elif method == "GET":
                # Seen: the page, a redirect (a triage form for a case past triage), or 403 for a partner
                # on a page only the team may use — but never "not found".
                assert response.status_code in (200, 302, 403), f"{label}: {response.status_code}"
                if rule.endpoint in ALWAYS_READABLE:
                    assert response.status_code == 200, label
            checked += 1
    assert checked >= 40


def _call(client, method, url, csrf, token):
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"}
        if method in ("POST", "PATCH", "PUT"):
            return client.open(url, method=method, json={}, headers=headers)
        return client.open(url, method=method, headers=headers)
    data = {"csrf_token": csrf} if method != "GET" else None
    return client.open(url, method=method, data=data)


@pytest.mark.parametrize("actor_name", [name for name, sees in ACTORS.items() if "case" not in sees])
def test_hidden_case_is_absent_from_lists_and_search(db, client, auth, login_as, world, actor_name):
    from casus.auth.tokens import create_token

    user = _actor(actor_name, world, login_as)
    _, token = create_token(user, days=1)
    db.session.flush()
    case_link = f'/casussen/{world["case"].id}"'.encode()
    reference = world["case"].reference.encode()
    for url in ("/casussen", "/casussen?q=Matrix", f"/casussen?q={world['case'].reference}", "/", "/triage"):
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert case_link not in response.data and b"Matrix Verborgen" not in response.data, url
    for url in ("/api/v1/cases", "/api/v1/cases?q=Matrix", f"/api/v1/cases?q={world['case'].reference}"):
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 403), url
        echoed_query = b"q=" + reference
        assert reference not in response.data.replace(echoed_query, b""), url
