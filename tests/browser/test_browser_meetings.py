"""A casusoverleg in Chromium: the chair plans a series, opens today's meeting, puts a case on the agenda,
writes the minutes with a decision that becomes an action, sees the action in the case's plan and closes
the meeting. axe checks every page."""

import sqlalchemy as sa

from browser_support import PASSWORD, create_live_user, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    case = Case(reference="2026-00077", title="Overlast Molenweg", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.plan",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1)
    db.session.add(case)
    db.session.flush()
    for organisation, role in ((politie, ParticipationRole.AANBRENGER),
                               (regisseur.organisation, ParticipationRole.CASUSHOUDER)):
        db.session.add(Participation(case_id=case.id, organisation_id=organisation.id, role=role,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.commit()
    return regisseur, politie, case.id



def test_the_chair_runs_a_casusoverleg(page, live_db):
    from datetime import timedelta

    from casus.cases.models import Case
    from casus.clock import today
    from casus.meetings.models import Decision, Meeting
    from casus.plans.models import Action

    regisseur, politie, case_id = prepare(live_db)
    politie_id, email = politie.id, regisseur.email
    day = today()

    page.goto("/inloggen")
    wait_for_axe(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=Inloggen")
    wait_for_axe(page)

    page.get_by_role("link", name="Overleggen", exact=True).first.click()
    wait_for_axe(page)
    page.get_by_role("link", name="Reeksen", exact=True).click()
    wait_for_axe(page)
    page.get_by_role("link", name="Reeks plannen", exact=True).click()
    wait_for_axe(page)
    page.select_option("#type", "casusoverleg")
    page.fill("#title", "Casusoverleg Voorbeeldstad")
    page.select_option("#weekday", str(day.weekday()))
    page.fill("#interval_weeks", "1")
    page.fill("#start_time", "00:00")  # today's meeting has begun, so its minutes can be recorded
    page.fill("#first_date", day.isoformat())
    page.uncheck("#skip_holidays")
    page.fill("#location", "Stadhuis, zaal 3")
    page.get_by_label("Politie Voorbeeld").check()
    press(page, "Reeks plannen")
    assert "De reeks is opgeslagen" in page.inner_text("main")

    live_db.session.expire_all()
    meeting_id = live_db.session.execute(sa.select(Meeting.id).where(Meeting.series_date == day)).scalar_one()
    count = live_db.session.execute(sa.select(sa.func.count(Meeting.id))).scalar_one()
    assert count >= 8  # eight weeks ahead, weekly
    live_db.session.rollback()  # end the read transaction before the server writes again

    page.goto(f"/overleggen/{meeting_id}")
    wait_for_axe(page)
    assert "Er staan nog geen casussen op de agenda." in page.inner_text("main")
    page.fill("#reference", "2026-00077")
    page.select_option("#purpose", "nieuw")
    press(page, "Op de agenda zetten")
    assert "Casus 2026-00077 staat op de agenda." in page.inner_text("main")

    item_id = page.locator("section[aria-labelledby^=punt-]").first.get_attribute("aria-labelledby").split("-")[1]
    page.fill(f"#verslag-{item_id}-beeldvorming", "Buren melden al maanden nachtelijk lawaai.")
    page.fill(f"#verslag-{item_id}-oordeelsvorming", "Politie en gemeente zien een escalatierisico.")
    page.fill(f"#verslag-{item_id}-besluitvorming", "Een huisbezoek door de wijkagent.")
    page.check(f"#verslag-{item_id}-discussed")
    press(page, "Verslag opslaan")
    assert "Het verslag is opgeslagen." in page.inner_text("main")

    # Someone else saves these minutes while the chair is still typing: the chair's save is refused (409) and
    # the page shows what is stored now beside the chair's own text; saving again stores the chair's version.
    from casus.meetings.models import AgendaItem

    other = live_db.session.get(AgendaItem, int(item_id))
    other.beeldvorming = "Aangevuld door de notulist."
    live_db.session.commit()
    page.fill(f"#verslag-{item_id}-oordeelsvorming", "Risico op escalatie is groot.")
    press(page, "Verslag opslaan")
    main = page.inner_text("main")
    assert "Iemand anders heeft dit intussen gewijzigd" in main and "Aangevuld door de notulist." in main
    assert page.input_value(f"#verslag-{item_id}-oordeelsvorming") == "Risico op escalatie is groot."
    press(page, "Verslag opslaan")
    assert "Het verslag is opgeslagen." in page.inner_text("main")
    live_db.session.expire_all()
    assert live_db.session.get(AgendaItem, int(item_id)).oordeelsvorming == "Risico op escalatie is groot."
    live_db.session.rollback()

    due = day + timedelta(days=14)
    page.fill(f"#besluit-{item_id}-text", "Wijkagent legt een huisbezoek af")
    page.check(f"#besluit-{item_id}-as_action")
    page.select_option(f"#besluit-{item_id}-owner_organisation_id", str(politie_id))
    page.fill(f"#besluit-{item_id}-due_on", due.isoformat())
    press(page, "Besluit vastleggen")
    assert "als actie in het plan van aanpak gezet" in page.inner_text("main")

    page.get_by_role("link", name="plan van aanpak", exact=True).click()
    wait_for_axe(page)
    assert "Wijkagent legt een huisbezoek af" in page.inner_text("main")
    assert "Politie Voorbeeld" in page.inner_text("main")

    page.get_by_role("link", name="Overleggen", exact=True).last.click()  # the case file's tab
    wait_for_axe(page)
    page.get_by_role("link", name="Casusoverleg Voorbeeldstad").click()
    wait_for_axe(page)
    press(page, "Overleg afsluiten")
    assert "Het overleg is afgesloten." in page.inner_text("main")

    live_db.session.expire_all()
    case = live_db.session.get(Case, case_id)
    assert case.plan_discussed_on == day and case.next_review_on == day + timedelta(days=28)
    decision = live_db.session.execute(sa.select(Decision)).scalar_one()
    action = live_db.session.get(Action, decision.action_id)
    assert (action.owner_organisation_id, action.due_on) == (politie_id, due)
