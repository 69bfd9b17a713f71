"""Leefgebieden in Chromium: the procesregisseur records a triage and an evaluation assessment on the case's
Leefgebieden tab; the chart (an SVG image named by its heading and caption) and its table show both, and the
overview the latest scores. axe checks every page on the way (the tab with the form, with the chart, the
correction page and the overview)."""

from __future__ import annotations

import re
from datetime import timedelta

from browser_support import create_live_user, log_in, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import now, today
    from casus.organisations.models import Organisation, OrganisationKind
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    case = Case(reference="2026-00077", title="Overlast Kerkstraat", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1,
                created_at=now() - timedelta(days=40))
    db.session.add(case)
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.commit()
    return regisseur, case.id


def score(page, domain: str, value: int) -> None:
    page.check(f"#score_{domain}-{value}")  # option 0 is "Niet gescoord", so the index is the score


def test_a_triage_and_an_evaluation_are_recorded_and_charted(page, live_db):
    from casus.clock import today

    regisseur, case_id = prepare(live_db)
    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.get_by_role("link", name="Leefgebieden", exact=True).click()
    wait_for_axe(page)
    triage_day = (today() - timedelta(days=30)).strftime("%d-%m-%Y")
    page.check("#moment-0")
    page.fill("#assessed_on", triage_day)
    page.fill("#participants", "Bewoner en procesregisseur")
    score(page, "financien", 2)
    score(page, "huisvesting", 1)
    press(page, "Scores vastleggen")
    assert "De scores zijn vastgelegd." in page.inner_text("main")

    page.check("#moment-1")
    page.fill("#assessed_on", (today() + timedelta(days=1)).strftime("%d-%m-%Y"))  # refused: in the future
    score(page, "financien", 3)
    press(page, "Scores vastleggen")
    assert "De datum kan niet in de toekomst liggen." in page.inner_text("#assessed_on-error")
    evaluation_day = today().strftime("%d-%m-%Y")
    page.fill("#assessed_on", evaluation_day)
    score(page, "huisvesting", 3)
    press(page, "Scores vastleggen")
    assert "De scores zijn vastgelegd." in page.inner_text("main")

    chart = page.get_by_role("img", name="Verloop van de scores")
    assert chart.is_visible()
    legend = chart.text_content()
    assert f"Triage {triage_day}" in legend and f"Evaluatie {evaluation_day}" in legend
    table = page.get_by_role("table", name="Scores per leefgebied en scoring")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[1:] == [f"Triage {triage_day}", f"Evaluatie {evaluation_day}"]
    financien = table.get_by_role("row", name="Financiën").locator("td").all_inner_texts()
    assert financien == ["2", "3"]
    huisvesting = table.get_by_role("row", name="Huisvesting").locator("td").all_inner_texts()
    assert huisvesting == ["1", "3"]

    page.get_by_role("link", name=re.compile(f"^Corrigeren.*Triage {triage_day}$")).click()
    wait_for_axe(page)
    score(page, "financien", 1)
    press(page, "Correctie opslaan")
    assert "De correctie is opgeslagen." in page.inner_text("main")
    financien = page.get_by_role("table", name="Scores per leefgebied en scoring").get_by_role(
        "row", name="Financiën").locator("td").all_inner_texts()
    assert financien == ["1", "3"]

    page.get_by_role("link", name="Overzicht", exact=True).click()
    wait_for_axe(page)
    overview = page.inner_text("main")
    assert "Laatste scoring: evaluatie op" in overview and "Huisvesting: 3" in overview
