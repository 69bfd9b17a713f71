"""A supervisor opens the reports in Chromium: charts and tables for their team's cases, with small counts
withheld; axe checks every page."""

from datetime import UTC, datetime, timedelta

import pyotp

from browser_support import create_live_user, log_in, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.plans.models import Action

    categories = ensure_standard_categories()
    supervisor = create_live_user(db, "supervisor", name="Sanne Supervisor")
    supervisor.totp_secret = pyotp.random_base32()
    politie = Organisation(name="Politie Browserland", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    created = datetime.now(UTC) - timedelta(days=20)
    phases = ["signalering"] * 6 + ["triage"] * 2 + ["aanpak.uitvoering"] * 5
    for number, phase in enumerate(phases, start=1):
        case = Case(reference=f"2026-{number:05d}", title=f"Casus {number}", category=categories["woonoverlast"],
                    team=supervisor.team, gemeente=supervisor.team.gemeente, phase=phase,
                    aanbrenger_organisation_id=politie.id, created_at=created)
        db.session.add(case)
        db.session.flush()
        if phase == "aanpak.uitvoering":
            db.session.add(Action(case_id=case.id, description="Huisbezoek", owner_organisation_id=politie.id,
                                  due_on=today() - timedelta(days=number % 2), status="open"))
    db.session.commit()
    return supervisor


def test_a_supervisor_reads_the_reports(page, live_db):
    supervisor = prepare(live_db)
    log_in(page, supervisor, supervisor.totp_secret)
    page.click("nav >> text=Rapportages")
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "Casussen per fase" in main and "Acties per partnerorganisatie" in main
    assert page.locator("svg.casus-chart[role=img]").count() == 9  # leefgebieden too
    phases = page.locator("#rapport-fasen table").inner_text()
    assert "Signalering\t6" in phases and "Triage\t<5" in phases
    page.fill("#van", "31-02-2026")
    page.click("button >> text=Cijfers tonen")
    wait_for_axe(page)
    assert "Vul een datum in als dd-mm-jjjj" in page.inner_text(".casus-error-summary")
