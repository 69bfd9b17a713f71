"""A case walked through its plan in Chromium: adopt the plan, a partner logs progress, step down, close."""

from datetime import timedelta

import sqlalchemy as sa

from browser_support import create_live_user, log_in, log_out, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.plans.models import Action, Goal
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    corporatie = Organisation(name="Woonstichting Voorbeeld", kind=OrganisationKind.WONINGCORPORATIE,
                              convenant_partner=True)
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add_all([corporatie, politie])
    db.session.flush()
    partner = create_live_user(db, "partner", name="Hanna Huurbeheer", organisation=corporatie)
    case = Case(reference="2026-00042", title="Overlast Dorpsstraat", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.plan",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1,
                plan_discussed_on=today())
    db.session.add(case)
    db.session.flush()
    for organisation, role in ((politie, ParticipationRole.AANBRENGER), (corporatie, ParticipationRole.CASUSHOUDER)):
        db.session.add(Participation(case_id=case.id, organisation_id=organisation.id, role=role,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    goal = Goal(case_id=case.id, description="De overlast stopt", created_by_id=regisseur.id)
    db.session.add(goal)
    db.session.flush()
    action = Action(case_id=case.id, goal_id=goal.id, description="Huisbezoek afleggen",
                    owner_organisation_id=corporatie.id, owner_user_id=partner.id, due_on=today() + timedelta(days=7))
    db.session.add(action)
    db.session.commit()
    return regisseur, partner, case.id, action.id





def test_procesregisseur_and_partner_run_a_case_to_closure(page, live_db):
    from casus.cases.models import Case, TransitionLog
    from casus.clock import today
    from casus.plans.models import ProgressEntry

    regisseur, partner, case_id, action_id = prepare(live_db)

    log_in(page, regisseur)
    page.goto("/casussen")
    wait_for_axe(page)
    page.get_by_role("link", name="2026-00042", exact=True).click()
    wait_for_axe(page)
    assert "Fase: Aanpak: plan" in page.inner_text("main")
    page.fill("#overgang-adopt_plan-reason", "Vastgesteld in het casusoverleg")
    press(page, "Plan van aanpak vaststellen")
    assert "De casus is nu in fase: Aanpak: uitvoering." in page.inner_text("main")
    for tab in ("Betrokkenen", "Partners", "Plan van aanpak", "Notities", "Tijdlijn", "Overzicht"):
        page.get_by_role("link", name=tab, exact=True).click()
        wait_for_axe(page)
    log_out(page)

    log_in(page, partner)
    page.goto(f"/casussen/{case_id}/plan")
    wait_for_axe(page)
    page.fill(f"#voortgang-{action_id}-text", "Bewoner bezocht, afspraken gemaakt")
    page.select_option(f"#voortgang-{action_id}-status", "gereed")
    press(page, "Voortgang vastleggen")
    assert "De voortgang is vastgelegd." in page.inner_text("main")
    assert "Bewoner bezocht" in page.inner_text("main")
    log_out(page)

    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.fill("#evaluation", "De overlast is gestopt; de corporatie volgt de huurder.")
    press(page, "Evaluatie opslaan")
    page.fill("#overgang-step_down-reason", "Alle acties zijn gereed")
    press(page, "Afschalen naar nazorg")
    assert "De casus is nu in fase: Nazorg." in page.inner_text("main")

    # The nazorg period has passed (six months later).
    live_db.session.execute(sa.update(Case).where(Case.id == case_id)
                            .values(nazorg_started_on=today() - timedelta(days=200)))
    live_db.session.commit()
    page.reload()
    wait_for_axe(page)
    page.fill("#overgang-close-reason", "Nazorg zonder terugval afgerond")
    page.select_option("#overgang-close-result", "doel_bereikt")
    press(page, "Afsluiten")
    assert "De casus is nu in fase: Afgesloten." in page.inner_text("main")

    live_db.session.expire_all()
    case = live_db.session.get(Case, case_id)
    assert case.phase == "afgesloten" and case.result == "doel_bereikt"
    triggers = live_db.session.execute(sa.select(TransitionLog.trigger, TransitionLog.reason)
                                       .where(TransitionLog.case_id == case_id).order_by(TransitionLog.id)).all()
    assert [tuple(row) for row in triggers] == [
        ("adopt_plan", "Vastgesteld in het casusoverleg"), ("step_down", "Alle acties zijn gereed"),
        ("close", "Nazorg zonder terugval afgerond")]
    entry = live_db.session.execute(sa.select(ProgressEntry)).scalar_one()
    assert entry.organisation_id == partner.organisation_id
