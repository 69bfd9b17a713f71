"""Printing in Chromium: the chair picks an invited organisation on the meeting page and downloads its agenda PDF
(only that organisation's cases, by the PDF's text); a partner downloads the case summary from the case overview.
axe checks every page."""

import re
from io import BytesIO

from pypdf import PdfReader

from browser_support import create_live_user, log_in, log_out, wait_for_axe


def prepare(db):
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.meetings.models import AgendaItem, Meeting, MeetingInvitation
    from casus.organisations.models import Organisation, OrganisationKind
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    ggz = Organisation(name="GGZ Voorbeeld", kind=OrganisationKind.GGZ, convenant_partner=True)
    db.session.add_all([politie, ggz])
    db.session.flush()
    starts = datetime.combine(today() + timedelta(days=7), time(9, 30),
                              tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)
    meeting = Meeting(team_id=regisseur.team.id, type="casusoverleg", title="Casusoverleg Voorbeeldstad",
                      starts_at=starts, ends_at=starts + timedelta(hours=2), location="Stadhuis",
                      chair_id=regisseur.id, status="gepland", ical_uid="meeting-print@casus")
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all([MeetingInvitation(meeting_id=meeting.id, organisation_id=org.id) for org in (politie, ggz)])
    references = {}
    for position, (reference, partner) in enumerate((("2026-00081", politie), ("2026-00082", ggz)), start=1):
        case = Case(reference=reference, title=f"Casus {reference}", category=categories["woonoverlast"],
                    team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.uitvoering",
                    aanbrenger_organisation_id=partner.id, procesregisseur_id=regisseur.id, signal_count=1)
        db.session.add(case)
        db.session.flush()
        db.session.add(Participation(case_id=case.id, organisation_id=partner.id, legal_basis=LegalBasis.CONVENANT,
                                     role=ParticipationRole.AANBRENGER, joined_on=today()))
        db.session.add(AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken", position=position))
        references[partner.name] = (reference, case.id)
    db.session.commit()
    agent = create_live_user(db, "partner", name="Aart Agent", organisation=politie)
    return regisseur, agent, meeting.id, ggz.id, references


def _pdf_text(download) -> str:
    with open(download.path(), "rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages)


def test_the_chair_prints_ggz_s_agenda_and_a_partner_the_case_summary(page, live_db):
    regisseur, agent, meeting_id, ggz_id, references = prepare(live_db)
    log_in(page, regisseur)
    page.goto(f"/overleggen/{meeting_id}")
    wait_for_axe(page)
    page.select_option("#afdrukken-organisatie", str(ggz_id))
    with page.expect_download() as download:
        page.get_by_role("button", name="Agenda afdrukken (PDF)", exact=True).click()
    text = _pdf_text(download.value)
    assert set(re.findall(r"2026-\d{5}", text)) == {references["GGZ Voorbeeld"][0]}
    assert "Vertrouwelijk — alleen voor deelnemers aan deze casus" in text
    log_out(page)

    log_in(page, agent)
    reference, case_id = references["Politie Voorbeeld"]
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Afdrukken (PDF) casussamenvatting", exact=True).click()
    text = _pdf_text(download.value)
    assert reference in text and "Politie Voorbeeld" in text
    assert references["GGZ Voorbeeld"][0] not in text
