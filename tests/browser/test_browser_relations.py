"""Relations in Chromium: the procesregisseur records a household member and sees the list and the diagram, a
refused relation shows its message next to the field, a relation is ended; the address script fills straat and
woonplaats from a stand-in for PDOK. axe checks every page."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from browser_support import create_live_user, log_in, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.subjects.models import Subject
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    case = Case(reference="2026-00077", title="Zorgen om gezin", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1)
    subjects = [Subject(kind="persoon", name="Jan de Vries", name_key="jan de vries"),
                Subject(kind="persoon", name="Sanne de Vries", name_key="sanne de vries"),
                Subject(kind="huishouden", name="Huishouden De Vries", name_key="huishouden de vries")]
    db.session.add_all([case, *subjects])
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.add_all([CaseSubject(case_id=case.id, subject_id=subject.id) for subject in subjects])
    db.session.commit()
    return regisseur, case.id, [subject.id for subject in subjects]


def test_a_household_member_is_recorded_and_shown_in_list_and_diagram(page, live_db):
    regisseur, case_id, (jan, sanne, huishouden) = prepare(live_db)
    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}/betrokkenen")
    wait_for_axe(page)
    assert "Er zijn nog geen relaties vastgelegd." in page.inner_text("#relaties")

    # A kind that does not fit: the message stands next to the field, on the form's own page.
    page.select_option("#relatie-subject_id", str(jan))
    page.select_option("#relatie-kind", "lid_van")
    page.select_option("#relatie-related_subject_id", str(sanne))
    press(page, "Relatie vastleggen")
    assert "alleen van een huishouden of groep" in page.inner_text("#relatie-kind-error")

    page.select_option("#relatie-related_subject_id", str(huishouden))
    page.fill("#relatie-start_on", "01-03-2020")
    press(page, "Relatie vastleggen")
    assert "De relatie is vastgelegd." in page.inner_text("main")
    section = page.inner_text("#relaties")
    assert "Jan de Vries — lid van — Huishouden De Vries, sinds 01-03-2020." in section
    assert "Huishoudens en groepen" in section and "Jan de Vries, sinds 01-03-2020" in section
    diagram = page.get_by_role("img", name="Relaties in beeld Jan de Vries — lid van — Huishouden De Vries",
                               exact=False)
    assert diagram.count() == 1 and diagram.is_visible()
    assert "lid van" in page.inner_html("svg.casus-relation-diagram")

    # A second relation, then the first ends.
    page.select_option("#relatie-subject_id", str(jan))
    page.select_option("#relatie-kind", "ouder_van")
    page.select_option("#relatie-related_subject_id", str(sanne))
    press(page, "Relatie vastleggen")
    assert "Jan de Vries — ouder van — Sanne de Vries." in page.inner_text("#relaties")
    first = page.locator("#relaties-lijst li").filter(has_text="lid van")
    first.locator("summary").click()  # the end date and the remove button sit behind "Einddatum of verwijderen"
    first.locator("input[name=end_on]").fill("31-12-2025")
    first.get_by_role("button", name="Einddatum opslaan", exact=False).click()
    wait_for_axe(page)
    assert "tot en met 31-12-2025" in page.inner_text("#relaties-lijst")
    assert page.locator("svg.casus-relation-diagram line[stroke-dasharray]").count() == 1


def test_the_address_script_fills_straat_and_woonplaats(page, live_db, live_app):
    class Pdok(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"response": {"numFound": 1, "docs": [
                {"straatnaam": "Dorpsstraat", "woonplaatsnaam": "Utrecht", "huisnummer": 12}]}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pdok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    original = live_app.config["CASUS"]
    live_app.config["CASUS"] = replace(original, address_lookup="pdok",
                                       address_lookup_url=f"http://127.0.0.1:{server.server_address[1]}")
    try:
        regisseur, _case_id, _ids = prepare(live_db)
        log_in(page, regisseur)
        # A form with the four fields the script looks for (the subject form has them), served on the app's origin.
        page.route("**/adresproef", lambda route: route.fulfill(content_type="text/html", body="""<!doctype html>
<html lang="nl"><head><title>Adresproef</title></head><body><main><h1>Adres</h1>
<label for="postcode">Postcode</label><input id="postcode">
<label for="huisnummer">Huisnummer</label><input id="huisnummer">
<label for="straat">Straat</label><input id="straat">
<label for="woonplaats">Woonplaats</label><input id="woonplaats" value="">
<script src="/static/js/address-lookup.js" data-lookup-url="/adres-opzoeken"
  data-filled-message="Straat en woonplaats zijn ingevuld."></script></main></body></html>"""))
        page.goto("/adresproef")
        wait_for_axe(page)
        page.fill("#huisnummer", "12")
        page.fill("#postcode", "3511 AB")
        page.wait_for_function("() => document.getElementById('straat').value === 'Dorpsstraat'")
        assert page.input_value("#woonplaats") == "Utrecht"
        assert page.get_by_role("status").inner_text() == "Straat en woonplaats zijn ingevuld."
        # What the user typed is never overwritten.
        page.fill("#straat", "Kerkstraat")
        page.fill("#huisnummer", "14")
        page.wait_for_timeout(900)
        assert page.input_value("#straat") == "Kerkstraat"
    finally:
        live_app.config["CASUS"] = original
        server.shutdown()
        server.server_close()
