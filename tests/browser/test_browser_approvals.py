"""Four eyes in Chromium: someone holding both roles asks to close a case early and cannot approve it; a second
supervisor finds it in the queue, is told a rejection needs a motivation, and approves. axe checks the case
overview, the queue and the request page on every load."""

import pyotp
import sqlalchemy as sa

from browser_support import PASSWORD, create_live_user, log_in, log_out, press, wait_for_axe


def prepare(db):
    from casus.auth.passwords import hash_password
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.users.models import Role, User, UserRole
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    dual = create_live_user(db, "procesregisseur", "supervisor", name="Daan Dubbel")
    dual.totp_secret = pyotp.random_base32()
    second = User(email="tweede.supervisor@example.org", name="Sara Tweede", organisation=dual.organisation,
                  team=dual.team, password_hash=hash_password(PASSWORD), totp_secret=pyotp.random_base32())
    second.role_rows = [UserRole(role=Role.SUPERVISOR)]
    politie = Organisation(name="Politie Akkoord", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add_all([second, politie])
    db.session.flush()
    case = Case(reference="2026-00088", title="Overlast Akkoordstraat", category=categories["woonoverlast"],
                team=dual.team, gemeente=dual.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, signal_count=1, procesregisseur_id=dual.id)
    db.session.add(case)
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.commit()
    return dual, second, case.id


def test_a_second_supervisor_approves_an_early_closure(page, live_db):
    from casus.approvals.models import Approval
    from casus.cases.models import Case

    dual, second, case_id = prepare(live_db)
    log_in(page, dual, dual.totp_secret)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.fill("#reason", "Betrokkene is verhuisd naar een andere regio")
    page.select_option("#result", "verhuisd")
    press(page, "Afsluiten aanvragen")
    main = page.inner_text("main")
    assert "Een andere supervisor van het team beslist erover." in main
    assert "Daan Dubbel vraagt akkoord voor: Vroegtijdig afsluiten" in main
    page.get_by_role("link", name="Naar het verzoek").click()
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "U heeft dit verzoek zelf gedaan" in main
    assert page.get_by_role("button", name="Goedkeuren").count() == 0
    log_out(page)

    log_in(page, second, second.totp_secret)
    page.goto("/akkoorden")
    wait_for_axe(page)
    assert "0 dagen" in page.inner_text("main") and "Daan Dubbel" in page.inner_text("main")
    page.get_by_role("link", name="Vroegtijdig afsluiten").click()
    wait_for_axe(page)
    press(page, "Afwijzen")
    assert "Geef een motivering bij een afwijzing." in page.inner_text("main")
    press(page, "Goedkeuren")
    assert "Het verzoek is goedgekeurd." in page.inner_text("main")
    page.goto("/akkoorden?tab=afgehandeld")
    wait_for_axe(page)
    assert "Goedgekeurd" in page.inner_text("main")

    live_db.session.expire_all()
    case = live_db.session.get(Case, case_id)
    assert case.phase == "afgesloten" and case.result == "verhuisd"
    decided_by = live_db.session.execute(sa.select(Approval.decided_by_id)).scalar_one()
    assert decided_by == second.id
