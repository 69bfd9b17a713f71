"""The verklaringen van vernietiging in Chromium, with axe on every page: the privacy officer finds them in the
menu, opens one, and downloads it as PDF and CSV."""

from __future__ import annotations

from datetime import date

import pyotp

from browser_support import PASSWORD, log_in, wait_for_axe


def prepare(db):
    from casus.auth.passwords import hash_password
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.retention.declarations import record_declaration
    from casus.retention.models import DeclarationKind, DestructionList
    from casus.users.models import Role, User, UserRole

    zvh = Organisation(name="ZVH Verklaarstad", kind=OrganisationKind.ZVH, convenant_partner=True)
    team = Team(name="Team Verklaring", gemeente="Verklaarstad", organisation=zvh)
    db.session.add_all([zvh, team])
    db.session.flush()
    people = []
    for email, name, role in (("vera.privacy@example.org", "Vera Privacy", "privacy"),
                              ("sam.supervisor@example.org", "Sam Supervisor", "supervisor")):
        person = User(email=email, name=name, organisation=zvh, password_hash=hash_password(PASSWORD),
                      totp_secret=pyotp.random_base32(), team=team if role == "supervisor" else None)
        person.role_rows = [UserRole(role=Role(role))]
        db.session.add(person)
        people.append(person)
    destruction_list = DestructionList(reference="VL-2026-0042", team_id=team.id, period="2026-03")
    db.session.add(destruction_list)
    db.session.flush()
    entries = [{"kind": "case", "reference": "2019-00077", "category": "woonoverlast", "closed_on": date(2019, 5, 2),
                "destroyed_on": date(2026, 4, 1), "counts": {"subjects": 2, "notes": 5}},
               {"kind": "signal", "reference": "S-2020-000099", "category": "jeugd", "closed_on": date(2020, 1, 9),
                "destroyed_on": date(2026, 4, 1), "counts": {"subjects": 1}}]
    declaration = record_declaration(kind=DeclarationKind.LIST, entries=entries, prepared_by=people[0],
                                     approved_by=people[1], team_id=team.id, destruction_list_id=destruction_list.id)
    db.session.commit()
    officer = people[0]
    found = (officer.email, officer.totp_secret, declaration.reference)
    db.session.rollback()
    return found


def test_the_privacy_officer_reads_and_downloads_a_verklaring(page, live_db):
    from types import SimpleNamespace

    email, secret, reference = prepare(live_db)
    log_in(page, SimpleNamespace(email=email), totp_secret=secret)

    page.get_by_role("link", name="Verklaringen van vernietiging").click()
    wait_for_axe(page)
    assert "VL-2026-0042" in page.inner_text("main")
    page.get_by_role("link", name=reference).click()
    wait_for_axe(page)
    shown = page.inner_text("main")
    for expected in ("2019-00077", "S-2020-000099", "02-05-2019", "01-04-2026", "Sam Supervisor", "Notities: 5"):
        assert expected in shown

    for label, extension in (("Downloaden als PDF", "pdf"), ("Downloaden als CSV", "csv")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        assert download.value.suggested_filename == f"verklaring-van-vernietiging-{reference}.{extension}"
