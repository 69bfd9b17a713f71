"""A destruction list in Chromium, with axe on every page: closed cases pass their archiefactiedatum, the monthly
job proposes the list, the privacy officer takes one case off with a reason and submits it, cannot approve it
(no button, and a forged POST is refused), a second privacy officer approves it in a browser of their own, the
cases are destroyed and the verklaring names them without any personal data; a case under legal hold never
appears."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pyotp
import sqlalchemy as sa

from browser_support import AXE_RUNNER, PASSWORD, AxeReports, log_in, press, wait_for_axe

NAMES = ("Marloes Markering", "Hendrik Houvast")
BSN = "123456782"


def prepare(db):
    from casus.auth.passwords import hash_password
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Archiefnominatie, Case, CaseSubject, LegalBasis, Participation
    from casus.clock import today
    from casus.database import utcnow
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.retention.models import LegalHold, RetentionTerm
    from casus.subjects.models import Subject
    from casus.users.models import Role, User, UserRole
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    zvh = Organisation(name="ZVH Vernietigstad", kind=OrganisationKind.ZVH, convenant_partner=True)
    team = Team(name="Team Archief", gemeente="Vernietigstad", organisation=zvh)
    db.session.add_all([zvh, team])
    db.session.flush()

    def user(email, name, role, **fields):
        account = User(email=email, name=name, organisation=zvh, password_hash=hash_password(PASSWORD),
                       totp_secret=pyotp.random_base32(), **fields)
        account.role_rows = [UserRole(role=Role(role))]
        db.session.add(account)
        return account

    preparer = user("pia.privacy@example.org", "Pia Privacy", "privacy")
    second = user("piet.privacy@example.org", "Piet Privacy", "privacy")
    user("sem.supervisor@example.org", "Sem Supervisor", "supervisor", team=team)
    db.session.flush()
    db.session.add(RetentionTerm(category_id=categories["woonoverlast"].id, months=60, confirmed_at=utcnow(),
                                 confirmed_by_id=preparer.id))
    day = today()
    subjects = [Subject(kind="persoon", name=NAMES[0], name_key=NAMES[0].lower(), bsn=BSN),
                Subject(kind="persoon", name=NAMES[1], name_key=NAMES[1].lower())]
    db.session.add_all(subjects)
    db.session.flush()
    cases = {}
    for number, (key, subject) in enumerate((("first", subjects[0]), ("second", subjects[1]), ("kept", None),
                                             ("held", subjects[0])), start=1):
        case = Case(reference=f"2026-0090{number}", title=f"Dossier {NAMES[0]} {number}",
                    category=categories["woonoverlast"], team=team, gemeente=team.gemeente, phase="afgesloten",
                    result="doel_bereikt", closed_on=day - timedelta(days=2000), aanbrenger_organisation_id=zvh.id,
                    archiefnominatie=Archiefnominatie.VERNIETIGEN, archiefactiedatum=day - timedelta(days=20))
        db.session.add(case)
        db.session.flush()
        db.session.add(Participation(case_id=case.id, organisation_id=zvh.id, role=ParticipationRole.AANBRENGER,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=day - timedelta(days=2500)))
        if subject is not None:
            db.session.add(CaseSubject(case_id=case.id, subject_id=subject.id))
        cases[key] = case
    db.session.add(LegalHold(case_id=cases["held"].id, reason="Lopende procedure", placed_by_id=preparer.id))
    db.session.commit()
    # Plain values: touching an expired ORM object later would open a read transaction that holds the server up.
    people = [SimpleNamespace(email=person.email, totp_secret=person.totp_secret) for person in (preparer, second)]
    ids = {key: (case.id, case.reference) for key, case in cases.items()}
    db.session.rollback()
    return *people, ids


def second_browser(chromium, live_server):
    """Another person's browser: a context of its own, axe in every page, checked by ``assert_accessible``."""
    context = chromium.new_context(base_url=live_server, locale="nl-NL")
    reports = AxeReports()
    context.expose_binding("casusReportAxe",
                           lambda _source, path, data: reports.pages.append((path, json.loads(data))))
    context.add_init_script(AXE_RUNNER)
    other = context.new_page()
    other.set_default_timeout(30_000)
    other.axe = reports
    return context, other


def test_a_destruction_list_from_proposal_to_verklaring(page, chromium, live_server, live_app, live_db):
    from casus.approvals.models import Approval
    from casus.cases.models import Case
    from casus.scheduling.jobs import registry
    from casus.scheduling.runner import run_job

    preparer, second, cases = prepare(live_db)
    assert run_job(live_app, registry()["destruction_lists"]) == 1  # the monthly job

    log_in(page, preparer, preparer.totp_secret)
    page.get_by_role("link", name="Vernietigingslijsten", exact=True).click()
    wait_for_axe(page)
    page.locator("table a").first.click()
    wait_for_axe(page)
    main = page.inner_text("main")
    for key in ("first", "second", "kept"):
        assert cases[key][1] in main
    assert cases["held"][1] not in main  # the legal hold keeps it off the list
    assert NAMES[0] not in main and BSN not in main

    page.get_by_role("link", name=f"Beoordelen {cases['kept'][1]}").click()
    wait_for_axe(page)
    page.fill("#reason", "Nodig voor de evaluatie van de aanpak")
    press(page, "Van de lijst halen")
    assert "Het item is van de lijst gehaald." in page.inner_text("main")
    press(page, "Ter goedkeuring aanbieden")
    main = page.inner_text("main")
    assert "De lijst is ter goedkeuring aangeboden." in main and "U heeft deze lijst zelf aangeboden" in main
    assert page.get_by_role("button", name="Goedkeuren").count() == 0

    approval_id = live_db.session.execute(sa.select(Approval.id)).scalar_one()
    live_db.session.rollback()  # no read transaction of the test's may hold the server's writes up
    page.goto(f"/akkoorden/{approval_id}")
    wait_for_axe(page)
    assert "Akkoord op vernietigingslijst" in page.inner_text("main")
    assert page.get_by_role("button", name="Goedkeuren").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(f"/akkoorden/{approval_id}/besluit",
                               form={"csrf_token": token, "decision": "approve", "version": "1"})
    assert forged.status == 403

    context, other = second_browser(chromium, live_server)
    try:
        log_in(other, second, second.totp_secret)
        other.get_by_role("link", name="Akkoorden", exact=True).click()
        wait_for_axe(other)
        other.locator("table a").filter(has_text="VL-").first.click()
        wait_for_axe(other)
        press(other, "Goedkeuren")
        main = other.inner_text("main")
        assert "Het verzoek is goedgekeurd." in main and "Vernietigd" in main
        other.get_by_role("link", name="Naar de verklaring van vernietiging").click()
        wait_for_axe(other)
        verklaring = other.inner_text("main")
        assert cases["first"][1] in verklaring and cases["second"][1] in verklaring
        assert cases["kept"][1] not in verklaring and cases["held"][1] not in verklaring
        for marker in (*NAMES, BSN, "Dossier"):
            assert marker not in other.content(), marker
        assert not other.axe.violations(), "accessibility violations:\n" + "\n".join(other.axe.violations())
    finally:
        context.close()

    live_db.session.expire_all()
    remaining = set(live_db.session.execute(sa.select(Case.id)).scalars())
    assert remaining == {cases["kept"][0], cases["held"][0]}
