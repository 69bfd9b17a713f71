"""The escalation ladder in Chromium: a supervisor escalates a case, records the decision and de-escalates it;
axe checks the tab, the overview and the queue on every page load."""

from datetime import timedelta

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    supervisor = create_live_user(db, "supervisor", name="Sanne Supervisor")
    supervisor.totp_secret = pyotp.random_base32()  # supervisors need a second factor
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    case = Case(reference="2026-00077", title="Woonoverlast Kerkstraat", category=categories["woonoverlast"],
                team=supervisor.team, gemeente=supervisor.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, signal_count=1, plan_discussed_on=today())
    db.session.add(case)
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.commit()
    return supervisor, case.id


def test_supervisor_escalates_records_the_decision_and_de_escalates(page, live_db):
    from casus.cases.models import Case, TransitionLog
    from casus.clock import today
    from casus.escalations.models import Escalation
    from casus.escalations.services import default_decision_deadline

    supervisor, case_id = prepare(live_db)
    log_in(page, supervisor, supervisor.totp_secret)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    assert "De casus is niet opgeschaald" in page.inner_text("main")
    page.get_by_role("navigation", name="Onderdelen van het dossier").get_by_role("link", name="Escalaties").click()
    wait_for_axe(page)
    assert page.input_value("#opschalen-decision_deadline") == default_decision_deadline().strftime("%d-%m-%Y")

    page.fill("#opschalen-reason", "Corporatie en GGZ komen er samen niet uit")
    page.fill("#opschalen-decision_owner", "Ketenmanagers corporatie en GGZ")
    page.fill("#opschalen-review_on", (today() + timedelta(days=42)).strftime("%d-%m-%Y"))
    press(page, "Opschalen")
    main = page.inner_text("main")
    assert "De casus is opgeschaald naar Tactisch (ketenmanagers)." in main
    assert "Ketenmanagers corporatie en GGZ" in main

    page.goto("/escalaties")
    wait_for_axe(page)
    assert "2026-00077" in page.inner_text("main")
    page.get_by_role("link", name="2026-00077").click()
    wait_for_axe(page)

    page.fill("#besluit-decision", "Extra inzet wijkagent en GGZ-team")
    press(page, "Besluit vastleggen")
    assert "Het besluit is vastgelegd." in page.inner_text("main")
    assert page.input_value("#afschalen-decision") == "Extra inzet wijkagent en GGZ-team"

    page.fill("#afschalen-decision", "Inzet werkt; terug naar het casusoverleg")
    press(page, "Afschalen")
    main = page.inner_text("main")
    assert "De casus is afgeschaald naar Operationeel (casusoverleg)." in main
    assert "Afgeschaald" in main and "Opgeschaald" in main

    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)

    live_db.session.expire_all()
    assert live_db.session.get(Case, case_id).escalation_level == "operationeel"
    steps = live_db.session.execute(sa.select(Escalation.direction, Escalation.decision)
                                    .order_by(Escalation.id)).all()
    assert [tuple(row) for row in steps] == [("opschalen", "Extra inzet wijkagent en GGZ-team"),
                                             ("afschalen", "Inzet werkt; terug naar het casusoverleg")]
    log = live_db.session.execute(sa.select(TransitionLog.machine, TransitionLog.trigger, TransitionLog.allowed)
                                  .order_by(TransitionLog.id)).all()
    assert [tuple(row) for row in log] == [("escalation", "escalate", True), ("escalation", "deescalate", True)]
