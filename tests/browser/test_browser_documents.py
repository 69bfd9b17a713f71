"""Documents in Chromium, with a real ClamAV daemon: the procesregisseur uploads a PDF and an image to a case, visible
only to the GGZ (named organisations); the GGZ user downloads both and gets exactly the bytes uploaded (SHA-256); the
politie, taking part in the same case, gets 404 for both documents' pages and downloads; the EICAR test file is
refused as a virus and an executable renamed to .pdf by its content, each with the message at the file field. axe
checks every page on the way."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from browser_support import create_live_user, log_in, log_out, wait_for_axe
from clamd_support import EICAR, clamd_address  # noqa: F401 - a fixture

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "documents"))
from document_samples import elf_bytes, image_bytes, pdf_bytes


@pytest.fixture
def scanned_storage(live_app, clamd_address, tmp_path):  # noqa: F811
    """The live app stores documents in this test's directory and scans them with the test's clamd."""
    from casus.documents.files import EXTENSION

    original = live_app.config["CASUS"]
    live_app.config["CASUS"] = replace(original, clamd_address=clamd_address, storage_backend="local",
                                       storage_dir=str(tmp_path / "documents"))
    live_app.extensions.pop(EXTENSION, None)
    yield
    live_app.config["CASUS"] = original
    live_app.extensions.pop(EXTENSION, None)


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    ggz = Organisation(name="GGZ Voorbeeld", kind=OrganisationKind.GGZ, convenant_partner=True)
    db.session.add_all([politie, ggz])
    db.session.flush()
    case = Case(reference="2026-00088", title="Zorgen Dorpsstraat", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1)
    db.session.add(case)
    db.session.flush()
    for organisation, role in ((politie, ParticipationRole.AANBRENGER), (ggz, ParticipationRole.DEELNEMER)):
        db.session.add(Participation(case_id=case.id, organisation_id=organisation.id, role=role,
                                     legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.commit()
    agent = create_live_user(db, "partner", name="Piet Politie", organisation=politie)
    ggz_user = create_live_user(db, "partner", name="Greet GGZ", organisation=ggz)
    return regisseur, agent, ggz_user, case.id


def upload(page, *, title: str, name: str, mime: str, data: bytes, ggz_only: bool = True) -> None:
    page.fill("#title", title)
    page.select_option("#document_type", "rapportage")
    if ggz_only:
        page.select_option("#visibility", "genoemde_organisaties")
        page.get_by_label("GGZ Voorbeeld").check()
    page.select_option("#legal_basis", "convenant")
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    # The upload script sends the form itself (with a progress bar): a saved upload loads the list anew, a refused
    # one puts the form with its messages in place.
    page.evaluate("() => { window.casusBeforeUpload = true; document.querySelector('main form').dataset.sent = 1; }")
    page.get_by_role("button", name="Document toevoegen", exact=True).click()
    page.wait_for_function("() => !window.casusBeforeUpload || (document.querySelector('#file-error') !== null"
                           " && document.querySelector('form[data-sent]') === null)")
    wait_for_axe(page)


def refused(page, *, name: str, data: bytes, message: str) -> None:
    upload(page, title="Geweigerd bestand", name=name, mime="application/pdf", data=data)
    error = page.locator("#file-error")
    error.wait_for()
    assert message in error.inner_text()
    assert page.locator("#file").get_attribute("aria-invalid") == "true"


def test_need_to_know_checksums_virus_and_type_refusals(page, live_db, scanned_storage):
    regisseur, agent, ggz_user, case_id = prepare(live_db)
    pdf, png = pdf_bytes("Rapportage GGZ (test)"), image_bytes("PNG", colour="blue")

    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.get_by_role("link", name="Documenten (0)").click()
    wait_for_axe(page)
    assert page.locator("#document_date").input_value()  # today, dd-mm-jjjj
    upload(page, title="Rapportage GGZ", name="rapportage.pdf", mime="application/pdf", data=pdf)
    assert "Het document is toegevoegd." in page.inner_text("main")
    upload(page, title="Foto woning", name="foto.png", mime="image/png", data=png)
    assert "Documenten (2)" in page.inner_text("main")
    refused(page, name="eicar.pdf", data=EICAR, message="bevat een virus")
    refused(page, name="handleiding.pdf", data=elf_bytes(), message="Dit soort bestand is niet toegestaan")
    links = page.locator("main table a[href^='/documenten/']:not([download])")
    documents = {links.nth(n).inner_text(): int(links.nth(n).get_attribute("href").rsplit("/", 1)[1])
                 for n in range(links.count())}
    assert set(documents) == {"Rapportage GGZ", "Foto woning"}
    log_out(page)

    log_in(page, ggz_user)
    page.goto(f"/casussen/{case_id}/documenten")
    wait_for_axe(page)
    for title, data in (("Rapportage GGZ", pdf), ("Foto woning", png)):
        with page.expect_download() as download:
            page.get_by_role("link", name=f"Download {title}").click()
        body = Path(download.value.path()).read_bytes()
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest(), title
    page.goto(f"/documenten/{documents['Rapportage GGZ']}")
    wait_for_axe(page)
    assert hashlib.sha256(pdf).hexdigest() in page.inner_text("main")
    log_out(page)

    log_in(page, agent)
    for document_id in documents.values():
        response = page.goto(f"/documenten/{document_id}")
        wait_for_axe(page)
        assert response.status == 404
        assert page.request.get(f"/documenten/{document_id}/download").status == 404
    page.goto(f"/casussen/{case_id}/documenten")
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "Rapportage GGZ" not in main and "Foto woning" not in main and "Documenten (0)" in main
