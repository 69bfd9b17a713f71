"""An inzage request in Chromium: a person present in three cases of two teams; the privacy officer registers the
request, searches inside it, confirms the match, withholds one note on the grounds of the rights of others,
downloads the PDF and the JSON (the withheld text absent, its ground present), every step audited with the
request as purpose — and the scheduler chases the deadline. axe checks every page on every load."""

import io
import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, press, wait_for_axe

WITHHELD = "Buurvrouw Klaasen vertelde vertrouwelijk over haar eigen schulden"
RELEASED = "Huisbezoek bij de heer De Vries afgelegd"


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Note, NoteVisibility, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.subjects.models import Subject
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    officer = create_live_user(db, "privacy", name="Paula Privacy")
    officer.totp_secret = pyotp.random_base32()
    politie = Organisation(name="Politie Inzage", kind=OrganisationKind.POLITIE, convenant_partner=True)
    north = Team(name="Team Noord", gemeente="Voorbeeldstad", organisation=officer.organisation)
    south = Team(name="Team Zuid", gemeente="Voorbeeldstad", organisation=officer.organisation)
    person = Subject(kind="persoon", name="Jan de Vries", name_key="jan de vries", bsn="111222333")
    db.session.add_all([politie, north, south, person])
    db.session.flush()
    cases = []
    for number, team in enumerate((north, north, south), start=1):
        case = Case(reference=f"2026-0077{number}", title=f"Casus {number}", category=categories["woonoverlast"],
                    team=team, gemeente=team.gemeente, phase="aanpak.uitvoering", aanbrenger_organisation_id=politie.id)
        db.session.add(case)
        db.session.flush()
        db.session.add_all([CaseSubject(case_id=case.id, subject_id=person.id),
                            Participation(case_id=case.id, organisation_id=politie.id,
                                          role=ParticipationRole.AANBRENGER, legal_basis=LegalBasis.CONVENANT,
                                          joined_on=today())])
        cases.append(case)
    db.session.add_all([
        Note(case_id=cases[0].id, author_id=officer.id, organisation_id=politie.id,
             visibility=NoteVisibility.ALL, text=RELEASED),
        Note(case_id=cases[2].id, author_id=officer.id, organisation_id=politie.id,
             visibility=NoteVisibility.ALL, text=WITHHELD)])
    db.session.commit()
    return officer, [case.reference for case in cases]


def _download(page, name: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    return Path(download.value.path()).read_bytes()


def test_an_inzage_request_from_registration_to_package_and_deadline(page, live_db, live_app):
    from pypdf import PdfReader

    from casus.audit.models import AuditEvent
    from casus.clock import today
    from casus.subject_requests.jobs import subject_request_deadlines
    from casus.subject_requests.models import SubjectRequest

    officer, references = prepare(live_db)
    log_in(page, officer, officer.totp_secret)
    page.get_by_role("link", name="Verzoeken betrokkenen").click()
    wait_for_axe(page)
    page.get_by_role("link", name="Verzoek registreren").click()
    wait_for_axe(page)
    page.select_option("#kind", "inzage")
    page.fill("#bsn", "111222333")
    page.select_option("#identity_check", "id_bewijs")
    page.fill("#received_on", today().strftime("%d-%m-%Y"))
    page.fill("#description", "Wil weten wat er over hem is vastgelegd")
    press(page, "Registreren")
    main = page.inner_text("main")
    reference = live_db.session.scalar(sa.select(SubjectRequest.reference))
    live_db.session.rollback()  # end the read: the server writes next
    assert f"Verzoek {reference} is geregistreerd." in main and "Ontvangen" in main

    press(page, "Zoeken in alle casussen en signalen")
    main = page.inner_text("main")
    assert all(case_reference in main for case_reference in references)
    assert "Team Noord" in main and "Team Zuid" in main
    press(page, "Bevestigen als verzoeker Jan de Vries")
    assert "De betrokkene is bevestigd als de verzoeker." in page.inner_text("main")

    page.goto(page.url.split("/koppelen")[0])
    wait_for_axe(page)
    assert "Inzagepakket" in page.inner_text("main")
    row = page.locator("tr", has_text=f"casus {references[2]}").filter(has_text="Notitie")
    row.locator("select").select_option("rechten_anderen")
    row.get_by_role("button", name="Achterhouden", exact=False).click()
    wait_for_axe(page)
    assert "Achtergehouden: Rechten en vrijheden van anderen" in page.inner_text("main")

    document = json.loads(_download(page, "Pakket downloaden als JSON"))
    withheld = [item for item in document["items"] if item["withheld"]]
    assert len(withheld) == 1 and withheld[0] == {"itemKey": withheld[0]["itemKey"], "kind": "note",
                                                  "withheld": True, "ground": "rechten_anderen"}
    assert WITHHELD not in json.dumps(document, ensure_ascii=False) and RELEASED in json.dumps(
        document, ensure_ascii=False)
    pdf = _download(page, "Pakket downloaden als PDF")
    text = "\n".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(pdf)).pages)
    assert "Buurvrouw Klaasen" not in text and "Huisbezoek" in text
    assert "Rechten en vrijheden van anderen" in text and reference in text

    live_db.session.expire_all()
    actions = set(live_db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.purpose == reference)))
    assert {"subject_request.registered", "subject_request.searched", "subject_request.match_confirmed",
            "subject_request.item_reviewed", "subject_request.package_produced"} <= actions
    subject_request = live_db.session.scalars(sa.select(SubjectRequest)).one()
    near_deadline = datetime.combine(subject_request.deadline_on - timedelta(days=1), time(8), tzinfo=UTC)
    assert subject_request_deadlines(live_app, near_deadline) == 1  # the scheduler's run, in the live app's context
    live_db.session.commit()
    page.goto("/meldingen")
    wait_for_axe(page)
    assert f"Termijn verzoek {reference} loopt af" in page.inner_text("main")
