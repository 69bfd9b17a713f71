"""Rectificatie, beperking and wissing in Chromium: the privacy officer corrects a confirmed person's name on the
request page and restricts their processing; the procesregisseur then finds the case file bannered and a new note
refused; a wissing request shows its two steps. axe checks every page on every load."""

from datetime import timedelta

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, log_out, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.subject_requests.models import SubjectRequest, SubjectRequestMatch
    from casus.subjects.models import Subject
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    officer = create_live_user(db, "privacy", name="Paula Privacy")
    regisseur = create_live_user(db, "procesregisseur", name="Rik Regisseur", organisation=officer.organisation)
    for user in (officer, regisseur):
        user.totp_secret = pyotp.random_base32()
    politie = Organisation(name="Politie Rechten", kind=OrganisationKind.POLITIE, convenant_partner=True)
    person = Subject(kind="persoon", name="Jan de Vries", name_key="jan de vries", bsn="111222333")
    db.session.add_all([politie, person])
    db.session.flush()
    case = Case(reference="2026-00881", title="Overlast Dorpsstraat", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id)
    db.session.add(case)
    db.session.flush()
    db.session.add_all([CaseSubject(case_id=case.id, subject_id=person.id),
                        Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                      legal_basis=LegalBasis.CONVENANT, joined_on=today())])
    requests = {}
    for number, kind in enumerate(("rectificatie", "wissing"), start=1):
        subject_request = SubjectRequest(
            reference=f"AVG-2026-090{number}", kind=kind, bsn="111222333", identity_check="id_bewijs",
            received_on=today() - timedelta(days=3), deadline_on=today() + timedelta(days=27),
            registered_by_id=officer.id)
        db.session.add(subject_request)
        db.session.flush()
        db.session.add(SubjectRequestMatch(request_id=subject_request.id, subject_id=person.id,
                                           confirmed_by_id=officer.id))
        requests[kind] = subject_request.id
    db.session.commit()
    return officer, regisseur, person.id, case.id, requests


def test_rectificatie_and_beperking_on_the_request_page_and_the_case_file(page, live_db):
    from casus.subjects.models import Subject

    officer, regisseur, person_id, case_id, requests = prepare(live_db)
    log_in(page, officer, officer.totp_secret)
    page.goto(f"/verzoeken/{requests['rectificatie']}")
    wait_for_axe(page)
    page.fill(f"#correctie-{person_id}-name", "Jan de Vries-Bakker")
    press(page, "Gegevens corrigeren")
    assert "De gegevens zijn gecorrigeerd" in page.content()
    history = page.get_by_role("table", name="Geschiedenis van de correcties")
    assert "Jan de Vries-Bakker" in history.inner_text() and "Jan de Vries" in history.inner_text()
    page.fill(f"#beperking-{person_id}-reason", "De verzoeker betwist de juistheid")
    press(page, "Verwerking beperken")
    assert "Verwerking beperkt sinds" in page.content()
    live_db.session.expire_all()
    assert live_db.session.get(Subject, person_id).name == "Jan de Vries-Bakker"
    assert regisseur.email and regisseur.totp_secret  # loaded now: closing the session keeps them
    live_db.session.close()  # no read transaction held open while the server writes (SQLite)

    log_out(page)
    log_in(page, regisseur, regisseur.totp_secret)
    page.goto(f"/casussen/{case_id}/notities")
    wait_for_axe(page)
    assert "Verwerking beperkt" in page.content()
    page.fill("#text", "Nieuwe afspraak met de verhuurder")
    press(page, "Notitie toevoegen")
    assert "alleen de privacyfunctionaris" in page.content()
    from casus.cases.models import Note

    assert live_db.session.scalar(sa.select(sa.func.count()).select_from(Note)) == 0


def test_a_wissing_request_shows_its_two_steps(page, live_db):
    officer, _regisseur, _person_id, _case_id, requests = prepare(live_db)
    log_in(page, officer, officer.totp_secret)
    page.goto(f"/verzoeken/{requests['wissing']}")
    wait_for_axe(page)
    press(page, "Wissing toekennen")
    assert "Toegekend door Paula Privacy" in page.content()
    assert "Een andere privacyfunctionaris bevestigt de wissing" in page.content()
