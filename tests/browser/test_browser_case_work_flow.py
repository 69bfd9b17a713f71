"""A group case worked from triage to a relapse, entirely in Chromium, with axe on every page.

A group of five youths and an address → a sixth youth added, one name corrected, a BSN added, the category
changed (each audited, each on the tijdlijn without the old values) → leefgebieden scored at triage and at
evaluation, charted → Halt invited and told (in the app and by e-mail through a real SMTP server) → an action
assigned to Halt and Halt told → plan adopted, Halt reports the action done, the case steps down to nazorg → a
nazorg check-in recorded with a signal of relapse → the relapse step it offers.
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace

import sqlalchemy as sa

from browser_support import create_live_user, log_in, log_out, press, wait_for_axe

YOUTHS = ["Daan Jansma", "Milan Bakker", "Sem Visser", "Luuk Smit", "Noah Meijr"]


class Inbox:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"


def prepare(db):
    """A group case in triage: a groep with five members, an address, a police aanbrenger; Halt with one user."""
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import now, today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.subjects.models import Subject, SubjectRelation
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Stationsplein", kind=OrganisationKind.POLITIE, convenant_partner=True)
    halt = Organisation(name="Halt Voorbeeldstad", kind=OrganisationKind.HALT, convenant_partner=True)
    db.session.add_all([politie, halt])
    db.session.flush()
    halt_user = create_live_user(db, "partner", name="Hanna Halt", organisation=halt)
    case = Case(reference="2026-00123", title="Jongerengroep Stationsplein", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="triage",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1,
                created_at=now() - timedelta(days=60), triage_due_on=today() + timedelta(days=5))
    group = Subject(kind="groep", name="Jongeren Stationsplein", name_key="jongeren stationsplein")
    square = Subject(kind="adres", postcode="3511AB", huisnummer=1, straat="Stationsplein", woonplaats="Utrecht")
    youths = [Subject(kind="persoon", name=name, name_key=name.lower()) for name in YOUTHS]
    db.session.add_all([case, group, square, *youths])
    db.session.flush()
    db.session.add_all([CaseSubject(case_id=case.id, subject_id=subject.id) for subject in [group, square, *youths]])
    db.session.add_all([SubjectRelation(subject_id=youth.id, related_subject_id=group.id, kind="lid_van")
                        for youth in youths])
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.commit()
    # Plain values: reading an expired ORM object from the test thread would hold SQLite's lock while the
    # server writes.
    return (SimpleNamespace(id=regisseur.id, email=regisseur.email),
            SimpleNamespace(id=halt_user.id, email=halt_user.email), case.id)


def subject_row(page, name: str):
    return page.get_by_role("row", name=re.compile(name))


def score(page, domain: str, value: int) -> None:
    page.check(f"#score_{domain}-{value}")


def record_assessment(page, moment_index: int, day: str, scores: dict[str, int]) -> None:
    page.get_by_role("link", name="Leefgebieden", exact=True).click()
    wait_for_axe(page)
    page.check(f"#moment-{moment_index}")
    page.fill("#assessed_on", day)
    page.fill("#participants", "Jongerenwerker en procesregisseur")
    for domain, value in scores.items():
        score(page, domain, value)
    press(page, "Scores vastleggen")
    assert "De scores zijn vastgelegd." in page.inner_text("main")


def send_emails_to(live_app, port: int) -> None:
    from casus.clock import now
    from casus.mail import Mailer
    from casus.notifications.services import send_pending_emails

    with live_app.app_context():
        mailer = Mailer(host="127.0.0.1", port=port, sender="casus@example.org", timeout=5)
        send_pending_emails(live_app, now() + timedelta(minutes=1), mailer=mailer)


def edit_subjects_and_case(page, case_id: int) -> None:
    page.goto(f"/casussen/{case_id}/betrokkenen")
    wait_for_axe(page)
    # A sixth youth joins the group.
    page.select_option("#soort-betrokkene", "persoon")
    page.fill("#name", "Finn de Boer")
    page.fill("#date_of_birth", "14-02-2010")
    press(page, "Betrokkene toevoegen")
    assert "De betrokkene is toegevoegd." in page.inner_text("main")
    # One name corrected, then a BSN added for another youth.
    subject_row(page, "Noah Meijr").get_by_role("link", name="Corrigeren").click()
    wait_for_axe(page)
    page.fill("#name", "Noah Meijer")
    press(page, "Correctie opslaan")
    assert "De gegevens van de betrokkene zijn gecorrigeerd." in page.inner_text("main")
    subject_row(page, "Daan Jansma").get_by_role("link", name="Corrigeren").click()
    wait_for_axe(page)
    page.fill("#bsn", "123456782")
    press(page, "Correctie opslaan")
    table = page.inner_text("#subjects-caption >> xpath=..")
    assert all(name in table for name in ["Finn de Boer", "Noah Meijer", "******782"]) and "Meijr" not in table
    # The category changes from woonoverlast to jeugd.
    page.get_by_role("link", name="Overzicht", exact=True).click()
    wait_for_axe(page)
    page.get_by_role("link", name="Bewerken", exact=False).click()
    wait_for_axe(page)
    page.select_option("#category_id", label="Jeugd")
    press(page, "Wijzigingen opslaan")
    assert "De gegevens van de casus zijn gewijzigd." in page.inner_text("main")


def assert_edits_on_timeline_and_audited(page, live_db, case_id: int) -> None:
    from casus.audit.models import AuditEvent

    page.get_by_role("link", name="Tijdlijn", exact=True).click()
    wait_for_axe(page)
    timeline = page.inner_text("main")
    for line in ["Betrokkene toegevoegd (persoon)", "Naam van een betrokkene gecorrigeerd",
                 "BSN van een betrokkene gecorrigeerd", "Categorie gewijzigd"]:
        assert line in timeline, line
    assert "Meijr" not in timeline and "123456782" not in timeline and "Woonoverlast" not in timeline
    live_db.session.rollback()
    actions = set(live_db.session.execute(sa.select(AuditEvent.action).where(
        AuditEvent.case_id == case_id)).scalars())
    live_db.session.rollback()
    assert {"case.subject_added", "subject.corrected", "case.edited"} <= actions, actions


def invite_halt_and_triage(page, case_id: int) -> None:
    page.goto(f"/casussen/{case_id}/partners")
    wait_for_axe(page)
    page.select_option("#organisation_id", label="Halt Voorbeeldstad")
    page.select_option("#role", "deelnemer")
    page.select_option("#legal_basis", "convenant")
    press(page, "Uitnodigen")
    assert "Halt Voorbeeldstad" in page.inner_text("main")
    page.goto(f"/triage/casussen/{case_id}")
    wait_for_axe(page)
    page.get_by_label("Problemen op meer dan één leefgebied").check()
    page.get_by_label("A: casusoverleg").check()
    page.fill("#reason", "Meerdere leefgebieden, zorg en veiligheid")
    press(page, "Triage vastleggen")
    assert "Aanpak: plan" in page.inner_text("main"), page.inner_text("main")


def plan_with_an_action_for_halt(page, case_id: int, due: str) -> None:
    page.goto(f"/casussen/{case_id}/plan")
    wait_for_axe(page)
    page.fill("#doel-description", "De overlast op het plein stopt")
    press(page, "Doel toevoegen")
    page.fill("#actie-description", "Halt-afdoening voor de twee oudste jongeren")
    page.select_option("#actie-owner_organisation_id", label="Halt Voorbeeldstad")
    page.fill("#actie-due_on", due)
    press(page, "Actie toevoegen")
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.fill("#discussed_on", page.evaluate("() => new Date().toLocaleDateString('nl-NL', "
                                             "{day: '2-digit', month: '2-digit', year: 'numeric'})"
                                             ".replaceAll('/', '-')"))
    press(page, "Bespreking vastleggen")
    page.fill("#overgang-adopt_plan-reason", "Vastgesteld in het casusoverleg")
    press(page, "Plan van aanpak vaststellen")
    assert "Aanpak: uitvoering" in page.inner_text("main")


def halt_sees_and_finishes(page, halt_user, case_id: int, reference: str) -> None:
    log_in(page, halt_user)
    page.goto("/meldingen")
    wait_for_axe(page)
    inbox = page.inner_text("main")
    assert f"casus {reference}" in inbox and "Jongerengroep" not in inbox
    assert f"Uw organisatie neemt deel aan casus {reference}" in inbox
    assert f"Nieuwe actie voor uw organisatie: casus {reference}" in inbox, inbox
    page.goto(f"/casussen/{case_id}/plan")
    wait_for_axe(page)
    page.locator("[id^=voortgang-][id$=-text]").first.fill("Beide afdoeningen afgerond")
    page.locator("select[id^=voortgang-][id$=-status]").first.select_option("gereed")
    press(page, "Voortgang vastleggen")
    log_out(page)


def test_a_group_case_from_corrections_to_relapse(page, live_app, live_db):
    from aiosmtpd.controller import Controller

    from casus.cases.models import Case, TransitionLog
    from casus.clock import today
    from casus.nazorg.models import NazorgCheckin
    from casus.notifications.models import Notification

    regisseur, halt_user, case_id = prepare(live_db)
    halt_email, reference = halt_user.email, "2026-00123"
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        log_in(page, regisseur)
        edit_subjects_and_case(page, case_id)
        assert_edits_on_timeline_and_audited(page, live_db, case_id)

        record_assessment(page, 0, (today() - timedelta(days=20)).strftime("%d-%m-%Y"),
                          {"tijdsbesteding": 1, "justitie": 2, "werk_opleiding": 2})
        invite_halt_and_triage(page, case_id)
        plan_with_an_action_for_halt(page, case_id, (today() + timedelta(days=14)).strftime("%d-%m-%Y"))
        record_assessment(page, 1, today().strftime("%d-%m-%Y"), {"tijdsbesteding": 3, "justitie": 3})
        chart = page.get_by_role("img", name="Verloop van de scores")
        assert chart.is_visible()
        justitie = page.get_by_role("table", name="Scores per leefgebied en scoring").get_by_role(
            "row", name="Justitie").locator("td").all_inner_texts()
        assert justitie == ["2", "3"]
        log_out(page)

        # Halt was told twice (invited, action assigned): in the app, and by e-mail with only a reference.
        live_db.session.rollback()
        kinds = live_db.session.execute(sa.select(Notification.kind).where(
            Notification.user_id == halt_user.id)).scalars().all()
        live_db.session.rollback()
        assert {"participation_started", "action_assigned"} <= set(kinds), kinds
        send_emails_to(live_app, port)
        mails = [message for recipients, message in inbox.messages if halt_email in recipients]
        assert mails, "no e-mail reached Halt"
        body = "\n".join(f"{mail['Subject']}\n{mail.get_body(('plain',)).get_content()}" for mail in mails)
        assert reference in body and f"/casussen/{case_id}" in body
        assert "Jongerengroep" not in body and "Daan" not in body

        halt_sees_and_finishes(page, halt_user, case_id, reference)

        # Evaluation, step down to nazorg; three months later the check-in finds a relapse.
        log_in(page, regisseur)
        page.goto(f"/casussen/{case_id}")
        wait_for_axe(page)
        page.fill("#evaluation", "Overlast op het plein is afgenomen.")
        press(page, "Evaluatie opslaan")
        page.fill("#overgang-step_down-reason", "Alle acties gereed")
        press(page, "Afschalen naar nazorg")
        assert "Nazorg" in page.inner_text("main")
        live_db.session.rollback()
        planned = live_db.session.execute(sa.select(NazorgCheckin.months).where(
            NazorgCheckin.case_id == case_id).order_by(NazorgCheckin.months)).scalars().all()
        assert planned == [3, 6]  # planned when the case stepped down
        # Three months on: nazorg started 95 days ago (its check-ins are planned again for that start).
        started = today() - timedelta(days=95)
        live_db.session.execute(sa.delete(NazorgCheckin).where(NazorgCheckin.case_id == case_id))
        live_db.session.execute(sa.update(Case).where(Case.id == case_id).values(nazorg_started_on=started))
        live_db.session.commit()
        page.get_by_role("link", name="Nazorg", exact=True).click()
        wait_for_axe(page)
        three = live_db.session.execute(sa.select(NazorgCheckin.id).where(
            NazorgCheckin.case_id == case_id, NazorgCheckin.nazorg_started_on == started,
            NazorgCheckin.months == 3)).scalar_one()
        live_db.session.rollback()
        form = page.locator(f"form[action$='/nazorg/{three}']")
        form.locator(f"#nazorg-{three}-done_on").fill(today().strftime("%d-%m-%Y"))
        form.locator(f"#nazorg-{three}-contact_made").select_option("ja")
        form.locator(f"#nazorg-{three}-outcome").fill("De groep is weer 's avonds op het plein.")
        form.locator(f"#nazorg-{three}-relapse_signal").check()
        form.get_by_role("button", name="Nazorgcontact vastleggen").click()
        wait_for_axe(page)
        assert "Het nazorgcontact is vastgelegd." in page.inner_text("main")
        page.get_by_role("button", name="Terugval: terug naar de uitvoering", exact=True).click()
        wait_for_axe(page)
        assert "De casus is nu in fase: Aanpak: uitvoering" in page.inner_text("main")
    finally:
        smtp.stop()

    live_db.session.expire_all()
    triggers = live_db.session.execute(sa.select(TransitionLog.trigger).where(
        TransitionLog.case_id == case_id, TransitionLog.allowed.is_(True)).order_by(TransitionLog.id)).scalars().all()
    assert triggers == ["accept", "adopt_plan", "step_down", "relapse"]
    halt_kinds = live_db.session.execute(sa.select(Notification.kind).where(
        Notification.user_id == halt_user.id)).scalars().all()
    assert "case_relapse" in halt_kinds, halt_kinds
