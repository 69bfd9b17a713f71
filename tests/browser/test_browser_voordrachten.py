"""A RIEC voordracht in Chromium, with axe on every page: the procesregisseur drafts and submits it, another
supervisor approves it on the voordracht page, the procesregisseur sends it, and the RIEC accepts it."""

import pyotp

from browser_support import PASSWORD, log_in, log_out, press, wait_for_axe


def prepare(db):
    from casus.auth.passwords import hash_password
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.subjects.models import Subject
    from casus.users.models import Role, User, UserRole
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    zvh = Organisation(name="ZVH Voordrachtstad", kind=OrganisationKind.ZVH, convenant_partner=True)
    politie = Organisation(name="Politie Voordrachtstad", kind=OrganisationKind.POLITIE, convenant_partner=True)
    riec = Organisation(name="RIEC Voorbeeldregio", kind=OrganisationKind.RIEC, convenant_partner=True)
    team = Team(name="Team Ondermijning", gemeente="Voordrachtstad", organisation=zvh)
    db.session.add_all([zvh, politie, riec, team])
    db.session.flush()

    def user(email, name, role, organisation, **fields):
        account = User(email=email, name=name, organisation=organisation, password_hash=hash_password(PASSWORD),
                       **fields)
        account.role_rows = [UserRole(role=Role(role))]
        db.session.add(account)
        return account

    regisseur = user("regisseur.riec@example.org", "Rosa Regisseur", "procesregisseur", zvh, team=team)
    secret = pyotp.random_base32()
    supervisor = user("supervisor.riec@example.org", "Sam Supervisor", "supervisor", zvh, team=team,
                      totp_secret=secret)
    riec_user = user("analist@riec.example.org", "Rik Analist", "riec", riec)
    karel = Subject(kind="persoon", name="Karel Dekmantel", name_key="karel dekmantel", bsn="111222333")
    buurman = Subject(kind="persoon", name="Bert Buurman", name_key="bert buurman")
    db.session.add_all([karel, buurman])
    db.session.flush()
    case = Case(reference="2026-00077", title="Drugslab achter de bakkerij", category=categories["ondermijning"],
                team=team, gemeente=team.gemeente, phase="aanpak.uitvoering", aanbrenger_organisation_id=politie.id,
                procesregisseur_id=regisseur.id, signal_count=1)
    db.session.add(case)
    db.session.flush()
    for organisation, role in ((politie, ParticipationRole.AANBRENGER), (zvh, ParticipationRole.CASUSHOUDER)):
        db.session.add(Participation(case_id=case.id, organisation_id=organisation.id, role=role,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.add_all([CaseSubject(case_id=case.id, subject_id=karel.id),
                        CaseSubject(case_id=case.id, subject_id=buurman.id)])
    db.session.commit()
    return regisseur, supervisor, secret, riec_user, case.id


def test_voordracht_from_draft_to_riec_acceptance(page, live_db):
    from casus.cases.models import TransitionLog
    from casus.voordrachten.models import Voordracht

    regisseur, supervisor, secret, riec_user, case_id = prepare(live_db)

    # 1. The procesregisseur drafts it from the case (the RIEC tab) and submits it for review.
    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.get_by_role("link", name="RIEC", exact=True).click()
    wait_for_axe(page)
    page.get_by_role("link", name="Nieuwe voordracht").click()
    wait_for_axe(page)
    press(page, "Concept opslaan")  # empty: every problem at once, the page stays accessible
    assert "Schrijf de samenvatting voor het RIEC." in page.inner_text("main")
    page.fill("#summary", "Signalen van een drugslab achter de bakkerij; geldstromen lopen via de zaak.")
    page.get_by_label("Persoon · Karel Dekmantel").check()
    page.get_by_label("Drugs", exact=True).check()
    page.get_by_label("Witwassen").check()
    page.select_option("#legal_basis", "riec_convenant")
    page.select_option("#urgency", "hoog")
    page.select_option("#addressee_organisation_id", label="RIEC Voorbeeldregio")
    press(page, "Concept opslaan")
    assert "als concept opgeslagen" in page.inner_text("main")
    voordracht_url = page.url
    press(page, "Ter beoordeling aanbieden")
    assert "ligt nu ter beoordeling" in page.inner_text("main")
    log_out(page)

    # 2. Another supervisor approves it on the voordracht page (the approvals' decision form).
    log_in(page, supervisor, secret)
    page.goto(voordracht_url)
    wait_for_axe(page)
    assert "Karel Dekmantel" in page.inner_text("main") and "Bert Buurman" not in page.inner_text("main")
    press(page, "Goedkeuren")
    assert "Goedgekeurd" in page.inner_text("main")
    log_out(page)

    # 3. The procesregisseur sends it to the RIEC.
    log_in(page, regisseur)
    page.goto(voordracht_url)
    wait_for_axe(page)
    press(page, "Indienen bij het RIEC")
    assert "ingediend bij het RIEC" in page.inner_text("main")
    log_out(page)

    # 4. The RIEC finds it in its list — only what it shares — and accepts it with its own reference.
    log_in(page, riec_user)
    page.click("nav >> text=RIEC-voordrachten")
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "2026-00077" not in main and "Drugslab achter de bakkerij" not in main
    page.get_by_role("link", name="RV-", exact=False).first.click()
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "Karel Dekmantel" in main and "Bert Buurman" not in main and "2026-00077" not in main
    press(page, "Aannemen")
    assert "Vul het RIEC-casusnummer in." in page.inner_text("main")
    page.fill("#aannemen-riec_reference", "RIEC-VR-2026-0012")
    press(page, "Aannemen")
    assert "aangenomen als RIEC-casus" in page.inner_text("main")
    assert "RIEC-VR-2026-0012" in page.inner_text("main")
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    assert "2026-00077" not in page.inner_text("main")  # the case itself stays hidden (404)

    live_db.session.expire_all()
    voordracht = live_db.session.query(Voordracht).one()
    assert voordracht.state == "aangenomen" and voordracht.riec_reference == "RIEC-VR-2026-0012"
    triggers = [row.trigger for row in live_db.session.query(TransitionLog)
                .filter_by(machine="voordracht", allowed=True).order_by(TransitionLog.id)]
    assert triggers == ["submit", "approve", "send_to_riec", "accept"]
