"""Retention in Chromium: the privacy officer sees the unconfirmed banner, changes and confirms terms until it goes,
finds a closed case by its reference, places a legal hold and asks for an extension; the team's supervisor sees the
Archief block and lifts the hold; a reporter withdraws an unweighed signal. axe checks every page."""

from datetime import timedelta

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, log_out, press, wait_for_axe

BANNER = "Bevestig de bewaartermijnen: dit is een besluit van uw organisatie."


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.retention import archive
    from casus.signals.models import Signal
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    privacy = create_live_user(db, "privacy", name="Pim Privacy")
    supervisor = create_live_user(db, "supervisor", name="Sem Supervisor")
    politie = Organisation(name="Politie Bewaren", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    agent = create_live_user(db, "partner", name="Anton Agent", organisation=politie)
    for user in (privacy, supervisor, agent):
        user.totp_secret = pyotp.random_base32()
    case = Case(reference="2026-00077", title="Overlast Bewaarstraat", category=categories["jeugd"],
                team=supervisor.team, gemeente=supervisor.team.gemeente, phase="afgesloten", result="doel_bereikt",
                closed_on=today() - timedelta(days=30), aanbrenger_organisation_id=politie.id, signal_count=1)
    db.session.add(case)
    db.session.flush()
    archive.set_archive_fields(case)
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    signal = Signal(reference="S-2026-000077", category_id=categories["jeugd"].id, description="Zorgen",
                    team_id=supervisor.team.id, reporting_organisation_id=politie.id, reported_by_id=agent.id)
    db.session.add(signal)
    db.session.commit()
    return privacy, supervisor, agent, case.id, signal.id


def test_terms_holds_and_withdrawal_in_the_browser(page, live_db):
    from casus.retention.models import LegalHold, RetentionTerm
    from casus.signals.models import Signal

    privacy, supervisor, agent, case_id, signal_id = prepare(live_db)
    log_in(page, privacy, privacy.totp_secret)
    page.get_by_role("link", name="Bewaartermijnen").click()
    wait_for_axe(page)
    assert BANNER in page.inner_text("main")
    page.get_by_role("link", name="Wijzigen Jeugd").click()
    wait_for_axe(page)
    page.fill("#months", "84")
    page.fill("#basis", "Convenant ZVH artikel 12")
    press(page, "Opslaan en bevestigen")
    assert "De bewaartermijn is opgeslagen en bevestigd." in page.inner_text("main")
    press(page, "Bevestigen Woonoverlast")
    assert "De bewaartermijn is bevestigd." in page.inner_text("main")
    live_db.session.execute(sa.update(RetentionTerm).where(RetentionTerm.confirmed_at.is_(None))
                            .values(confirmed_by_id=privacy.id, confirmed_at=sa.func.current_timestamp()))
    live_db.session.commit()
    page.reload()
    wait_for_axe(page)
    assert BANNER not in page.inner_text("main") and "84 maanden" in page.inner_text("main")

    page.get_by_role("link", name="Een casus bevriezen of zijn bewaartermijn verlengen").click()
    wait_for_axe(page)
    page.fill("#reference", "2026-00077")
    press(page, "Casus zoeken")
    main = page.inner_text("main")
    assert "2026-00077" in main and "Overlast Bewaarstraat" not in main
    page.fill("#reason", "Lopende procedure bij de rechtbank")
    press(page, "Casus bevriezen")
    assert "De casus is bevroren." in page.inner_text("main")
    page.fill("#extension-until", "31-12-2040")
    page.fill("#extension-reason", "Onderzoek van de officier loopt")
    press(page, "Verlenging aanvragen")
    assert "De verlenging is aangevraagd" in page.inner_text("main")
    log_out(page)

    log_in(page, supervisor, supervisor.totp_secret)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    assert "bevroren tot wederopzegging" in page.inner_text("main")
    page.get_by_role("link", name="Bevriezing en bewaartermijn").click()
    wait_for_axe(page)
    page.fill("#lift_reason", "Procedure afgerond")
    press(page, "Bevriezing opheffen")
    assert "De bevriezing is opgeheven." in page.inner_text("main")
    log_out(page)

    log_in(page, agent, agent.totp_secret)
    page.goto(f"/signalen/{signal_id}")
    wait_for_axe(page)
    press(page, "Signaal intrekken")
    assert "is ingetrokken" in page.inner_text("main")

    live_db.session.expire_all()
    hold = live_db.session.execute(sa.select(LegalHold)).scalar_one()
    assert hold.lifted_by_id == supervisor.id and hold.placed_by_id == privacy.id
    signal = live_db.session.get(Signal, signal_id)
    assert signal.status == "ingetrokken" and signal.archiefactiedatum is not None
