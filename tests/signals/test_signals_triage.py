"""Weighing signals: the triage queue, bundling, opening a case, dismissing, and the triage form."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from signals_helpers import VALID_BSN, audit_actions, count


@pytest.fixture
def report(app, db, region, make_user):
    """``report(subjects=..., received_at=...)``: a signal from the police, through the service."""
    from casus.signals import services
    from casus.subjects.services import SubjectInput

    agent = make_user("partner", organisation=region.politie)

    def make(subjects=None, received_at=None, team=None):
        with app.test_request_context():
            signal, _known = services.report_signal(
                agent, category_id=region.category.id, team_id=(team or region.team).id,
                description="Overlast in het portiek", urgency="normaal",
                subjects=subjects or [SubjectInput(kind="persoon", name="Jan de Vries", bsn=VALID_BSN)])
        if received_at is not None:
            signal.received_at = received_at
        db.session.flush()
        return signal

    make.agent = agent
    return make


def _age(since):
    from casus.clock import today
    from workflow import workdays
    from workflow.facts import LOCAL_TIMEZONE

    return workdays.working_days_between(since.astimezone(LOCAL_TIMEZONE).date(), today())


# --- the queue ---------------------------------------------------------------------------------------------

def test_triage_queue_lists_signals_and_cases_oldest_first_with_working_day_ages(
        client, login_as, region, report, make_case):
    from casus.database import utcnow

    now = utcnow()
    recent = report(received_at=now - timedelta(days=1))
    old = report(received_at=now - timedelta(days=20))
    new_case = make_case(team=region.team, phase="signalering", title="Nieuwe casus")
    old_case = make_case(team=region.team, phase="triage", title="Oude casus", created_at=now - timedelta(days=3))
    make_case(team=region.team, phase="aanpak.plan", title="Lopende casus")
    login_as("supervisor", organisation=region.zvh, team=region.team)
    page = client.get("/triage").get_data(as_text=True)
    assert page.index(old.reference) < page.index(recent.reference)
    assert page.index("Oude casus") < page.index("Nieuwe casus")
    assert "Lopende casus" not in page
    for since in (recent.received_at, old.received_at, old_case.created_at, new_case.created_at):
        assert f"{_age(since)} van 5 werkdagen" in page
    assert _age(old.received_at) > 5
    assert "utrecht-status-badge--danger" in page and "Over termijn" in page


def test_triage_queue_shows_only_the_own_team(client, login_as, region, report, make_team, make_case):
    other_team = make_team(organisation=region.zvh, name="Team Noord")
    theirs = report(team=other_team)
    ours = report()
    make_case(team=other_team, title="Casus van Noord")
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    page = client.get("/triage").get_data(as_text=True)
    assert ours.reference in page and theirs.reference not in page and "Casus van Noord" not in page


def test_triage_queue_badge_warns_when_one_day_is_left(client, login_as, region, report):
    from casus.database import utcnow

    received = next(moment for moment in (utcnow() - timedelta(days=days) for days in range(1, 20))
                    if _age(moment) == 4)  # four of five werkdagen gone: one left
    report(received_at=received)
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    page = client.get("/triage").get_data(as_text=True)
    assert f"{_age(received)} van 5 werkdagen" in page
    assert "utrecht-status-badge--warning" in page


def test_triage_queue_pages_with_a_meer_link(client, login_as, region, report, monkeypatch):
    from casus.database import utcnow
    from casus.signals import views

    monkeypatch.setattr(views, "QUEUE_SIZE", 2)
    signals = [report(received_at=utcnow() - timedelta(hours=10 - i)) for i in range(3)]
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    page = client.get("/triage").get_data(as_text=True)
    assert signals[0].reference in page and signals[1].reference in page and signals[2].reference not in page
    link = page.split('href="/triage?signalen_na=', 1)[1].split('"', 1)[0]
    page = client.get(f"/triage?signalen_na={link}").get_data(as_text=True)
    assert signals[2].reference in page and signals[0].reference not in page


@pytest.mark.parametrize("roles", [("partner",), ("beheerder",), ("riec",)])
def test_triage_queue_is_for_team_roles(client, login_as, region, roles):
    login_as(*roles, organisation=region.politie)
    assert client.get("/triage").status_code == 403


# --- weighing a signal ----------------------------------------------------------------------------------------

def test_the_receiving_team_sees_candidate_cases_and_attaches_the_signal(client, auth, login_as, region, db,
                                                                         report, make_case, make_subject):
    from casus.timeline.models import TimelineEvent

    signal = report()
    subject = db.session.execute(sa.text("SELECT subject_id FROM signal_subjects")).scalar_one()
    from casus.subjects.models import Subject

    case = make_case(team=region.team, partners=[region.zvh], subjects=[db.session.get(Subject, subject)],
                     title="Casus De Vries", phase="triage")
    make_case(team=region.team, title="Andere casus")
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    page = client.get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "Casus De Vries" in page and "Andere casus" not in page
    assert "Toevoegen aan deze casus" in page and VALID_BSN in page
    response = auth.post(f"/signalen/{signal.id}/bundelen", {"case_id": str(case.id)},
                         form_url=f"/signalen/{signal.id}")
    assert response.status_code == 302
    db.session.refresh(signal)
    db.session.refresh(case)
    assert signal.case_id == case.id and signal.status == "in_triage" and case.signal_count == 1
    assert count(db, TimelineEvent) == 1
    assert audit_actions(db, "signal.bundled")


def test_opening_a_case_from_a_signal(client, auth, login_as, region, db, report):
    from casus.cases.models import Case, Participation

    signal = report()
    regisseur = login_as("procesregisseur", organisation=region.zvh, team=region.team)
    response = auth.post(f"/signalen/{signal.id}/casus-openen",
                         {"title": "Overlast portiek", "risk_level": "hoog", "legal_basis": "convenant"},
                         form_url=f"/signalen/{signal.id}")
    case = db.session.execute(sa.select(Case)).unique().scalar_one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/triage/casussen/{case.id}")
    assert (case.phase, case.risk_level, case.procesregisseur_id, case.aanbrenger_organisation_id) == (
        "signalering", "hoog", regisseur.id, region.politie.id)
    participation = db.session.execute(sa.select(Participation)).unique().scalar_one()
    assert participation.organisation_id == region.politie.id and participation.role == "aanbrenger"
    db.session.refresh(signal)
    assert signal.case_id == case.id and case.signal_count == 1


def test_opening_a_case_on_a_geheimhoudingsverklaring_needs_the_signing_date(client, auth, login_as, region, db,
                                                                            report):
    from casus.cases.models import Case

    signal = report()
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    response = auth.post(f"/signalen/{signal.id}/casus-openen",
                         {"title": "Overlast", "risk_level": "midden", "legal_basis": "geheimhoudingsverklaring"},
                         form_url=f"/signalen/{signal.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul de datum van ondertekening van de geheimhoudingsverklaring in." in page.split(
        'id="confidentiality_signed_on-error"', 1)[1]
    assert 'value="Overlast"' in page
    assert count(db, Case) == 0
    response = auth.post(f"/signalen/{signal.id}/casus-openen",
                         {"title": "Overlast", "risk_level": "midden", "legal_basis": "geheimhoudingsverklaring",
                          "confidentiality_signed_on": "01-02-2026"}, form_url=f"/signalen/{signal.id}")
    assert response.status_code == 302
    case = db.session.execute(sa.select(Case)).unique().scalar_one()
    assert case.legal_basis == "geheimhoudingsverklaring"


def test_dismissing_a_signal_needs_a_reason(client, auth, login_as, region, db, report):
    signal = report()
    login_as("supervisor", organisation=region.zvh, team=region.team)
    response = auth.post(f"/signalen/{signal.id}/geen-casus", {"reason": "  "}, form_url=f"/signalen/{signal.id}")
    assert response.status_code == 200 and "Geef een reden." in response.get_data(as_text=True)
    db.session.refresh(signal)
    assert signal.status == "ontvangen"
    response = auth.post(f"/signalen/{signal.id}/geen-casus", {"reason": "Regulier opgepakt door wijkteam"},
                         form_url=f"/signalen/{signal.id}")
    assert response.status_code == 302
    db.session.refresh(signal)
    assert signal.status == "afgesloten"
    assert signal.dismissal_reason == "Regulier opgepakt door wijkteam"
    page = client.get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "Signaal wegen" not in page
    assert "Regulier opgepakt door wijkteam" in page  # the team sees why


def test_the_reporter_sees_the_status_but_not_the_dismissal_reason(client, auth, login_as, region, db, report):
    signal = report()
    login_as("supervisor", organisation=region.zvh, team=region.team)
    auth.post(f"/signalen/{signal.id}/geen-casus", {"reason": "Regulier opgepakt door wijkteam"},
              form_url=f"/signalen/{signal.id}")
    auth.logout()
    login_as("partner", organisation=signal.reporting_organisation)
    page = client.get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "Afgesloten" in page
    assert "Regulier opgepakt door wijkteam" not in page


@pytest.mark.parametrize("action", ["bundelen", "casus-openen", "geen-casus"])
def test_only_the_receiving_team_weighs_a_signal(client, auth, login_as, region, db, report, make_team, make_case,
                                                 action):
    from casus.cases.models import Case

    signal = report()
    case = make_case(team=region.team)
    data = {"case_id": str(case.id), "title": "X", "risk_level": "midden", "legal_basis": "convenant",
            "reason": "Geen casus"}
    # The reporting partner sees the signal but may not weigh it.
    login_as("partner", organisation=region.politie)
    response = auth.post(f"/signalen/{signal.id}/{action}", data, form_url=f"/signalen/{signal.id}")
    assert response.status_code == 403
    auth.logout()
    # Another team's procesregisseur does not even see it.
    other = make_team(name="Team Elders")
    login_as("procesregisseur", organisation=other.organisation, team=other)
    response = auth.post(f"/signalen/{signal.id}/{action}", data, form_url="/triage")
    assert response.status_code == 404
    assert client.get(f"/signalen/{signal.id}").status_code == 404
    db.session.refresh(signal)
    assert signal.status == "ontvangen" and signal.case_id is None
    assert count(db, Case) == 1


def test_the_reporter_sees_status_but_no_triage_actions_and_no_hidden_case(client, auth, login_as, region, db,
                                                                           report):
    from casus.signals import services

    signal = report()
    with client.application.test_request_context():
        case = services.open_case(region.regisseur, signal, title="Casus met geheime titel")
    db.session.flush()
    login_as("partner", organisation=region.corporatie)
    assert client.get(f"/signalen/{signal.id}").status_code == 404  # another organisation's signal
    auth.logout()
    auth.login_with_totp(_with_totp(db, report.agent))
    page = client.get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "In triage" in page and "Overlast in het portiek" in page
    assert "Signaal wegen" not in page and "Toevoegen aan deze casus" not in page
    # The police take part as aanbrenger, so they may see the case behind their signal.
    assert case.reference in page
    index = client.get("/signalen").get_data(as_text=True)
    assert signal.reference in index and case.reference in index


def test_the_case_is_hidden_from_the_reporter_once_their_participation_ends(client, auth, region, db, report):
    from casus.cases.models import Participation
    from casus.clock import today
    from casus.signals import services

    signal = report()
    with client.application.test_request_context():
        case = services.open_case(region.regisseur, signal, title="Casus met geheime titel")
    db.session.execute(sa.update(Participation).values(left_on=today()))
    db.session.flush()
    auth.login_with_totp(_with_totp(db, report.agent))
    for url in (f"/signalen/{signal.id}", "/signalen"):
        page = client.get(url).get_data(as_text=True)
        assert signal.reference in page
        assert case.reference not in page and case.title not in page


def _with_totp(db, user):
    import pyotp

    user.totp_secret = pyotp.random_base32()
    db.session.flush()
    return user


def test_viewing_a_signal_outside_scope_is_audited_as_denied(client, login_as, region, db, report):
    signal = report()
    login_as("partner", organisation=region.corporatie)
    assert client.get(f"/signalen/{signal.id}").status_code == 404
    assert [(e.object_id, e.outcome) for e in audit_actions(db, "signal.view")] == [(str(signal.id), "denied")]


# --- the triage form ----------------------------------------------------------------------------------------

@pytest.fixture
def triage_case(region, make_case):
    def make(partners, phase="signalering"):
        return make_case(team=region.team, partners=partners, phase=phase, procesregisseur=region.regisseur,
                         signal_count=1)

    return make


def _triage_data(case, **fields):
    return {"outcome": "A", "criteria": ["meerdere_leefgebieden", "impact_omgeving"], "reason": "Complex",
            "version": str(case.version), "referral_organisation_id": "", **fields}


def test_outcome_a_with_two_participants_moves_the_case_to_aanpak_plan(client, auth, login_as, region, db,
                                                                      triage_case):
    case = triage_case([region.politie, region.corporatie])
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    url = f"/triage/casussen/{case.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Problemen op meer dan één leefgebied" in page and "A: casusoverleg" in page
    assert f'id="version" name="version" type="hidden" value="{case.version}"' in page
    response = auth.post(url, _triage_data(case))
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.phase == "aanpak.plan" and case.triage_outcome == "A"
    assert case.inclusion_criteria == ["impact_omgeving", "meerdere_leefgebieden"]


def test_outcome_a_without_a_second_participant_is_refused_and_recorded(client, auth, login_as, region, db,
                                                                       triage_case):
    from casus.cases.models import TransitionLog
    from workflow import GUARDS

    case = triage_case([region.politie])
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    url = f"/triage/casussen/{case.id}"
    response = auth.post(url, _triage_data(case))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert GUARDS["needs_two_partners"].message_nl in page.split("casus-error-summary", 1)[1]
    assert 'value="meerdere_leefgebieden" checked' in page and "Complex" in page  # input kept
    db.session.refresh(case)
    assert case.phase == "signalering" and case.triage_outcome is None
    logs = db.session.execute(sa.select(TransitionLog)).scalars().all()
    assert [(log.trigger, log.allowed) for log in logs] == [("accept", False)]
    assert "needs_two_partners" in logs[0].failure_codes


def test_a_stale_version_changes_nothing(client, auth, login_as, region, db, triage_case):
    from casus.cases.models import TransitionLog

    case = triage_case([region.politie, region.corporatie])
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    response = auth.post(f"/triage/casussen/{case.id}", _triage_data(case, version=str(case.version + 1)))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd" in page
    assert f'value="{case.version}"' in page  # saving again is checked against the version stored now
    data = _triage_data(case)
    del data["version"]
    missing = auth.post(f"/triage/casussen/{case.id}", data)
    assert missing.status_code == 400 and "mist de versie" in missing.get_data(as_text=True)
    db.session.refresh(case)
    assert case.phase == "signalering" and case.triage_outcome is None
    assert count(db, TransitionLog) == 0


def test_referral_needs_a_receiving_organisation_and_closes_the_case(client, auth, login_as, region, db,
                                                                    triage_case):
    case = triage_case([region.politie], phase="triage")
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    url = f"/triage/casussen/{case.id}"
    response = auth.post(url, _triage_data(case, outcome="B", criteria=[]))
    assert response.status_code == 200
    db.session.refresh(case)
    assert case.phase == "triage"
    response = auth.post(url, _triage_data(case, outcome="B", criteria=[],
                                           referral_organisation_id=str(region.corporatie.id)))
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.phase == "afgesloten" and case.result == "doorverwezen"
    assert case.referral_organisation_id == region.corporatie.id


def test_triage_form_access(client, login_as, region, make_team, triage_case):
    case = triage_case([region.politie, region.corporatie])
    login_as("partner", organisation=region.politie)  # takes part, but does not run the case
    assert client.get(f"/triage/casussen/{case.id}").status_code == 403


def test_triage_form_is_absent_for_another_team(client, login_as, make_team, region, triage_case):
    case = triage_case([region.politie, region.corporatie])
    other = make_team(name="Team Elders")
    login_as("procesregisseur", organisation=other.organisation, team=other)
    assert client.get(f"/triage/casussen/{case.id}").status_code == 404


def test_a_case_past_triage_redirects(client, login_as, region, triage_case):
    case = triage_case([region.politie, region.corporatie], phase="aanpak.plan")
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    assert client.get(f"/triage/casussen/{case.id}").status_code == 302
