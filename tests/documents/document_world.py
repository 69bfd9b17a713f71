"""A case for the documents tests: its team (ZVH) with a procesregisseur, two partners taking part (politie, GGZ) and
an outsider; documents stored in a directory of the test's own. Import the fixtures into a test module
(``from document_world import docs_world, doc_storage``)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest


@pytest.fixture
def doc_storage(app, monkeypatch, tmp_path):
    """Local storage in this test's own directory (the backend is rebuilt from the settings)."""
    from casus.documents.files import EXTENSION

    def configure(**settings):
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], **settings))
        monkeypatch.delitem(app.extensions, EXTENSION, raising=False)

    configure(storage_backend="local", storage_dir=str(tmp_path / "documents"))
    return configure


@pytest.fixture
def docs_world(db, doc_storage, make_organisation, make_team, make_user, make_case):
    import pyotp

    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="ZVH Documenten", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie Documenten", kind=OrganisationKind.POLITIE)
    ggz = make_organisation(name="GGZ Documenten", kind=OrganisationKind.GGZ)
    buiten = make_organisation(name="Buiten Documenten")

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    regisseur = user("procesregisseur", organisation=zvh, team=team)
    case = make_case(team=team, partners=[politie, ggz, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur)
    return {"case": case, "team": team, "zvh": zvh, "politie": politie, "ggz": ggz, "buiten": buiten,
            "regisseur": regisseur, "agent": user("partner", organisation=politie),
            "ggz_user": user("partner", organisation=ggz), "outsider": user("partner", organisation=buiten)}


def unique_pdf() -> bytes:
    """A PDF no other test stores (content-addressed storage shares equal files)."""
    from document_samples import pdf_bytes

    return pdf_bytes(f"Rapportage test {uuid.uuid4().hex}")


def upload(user, parent, *, data: bytes | None = None, filename: str = "rapportage.pdf", **fields):
    from casus.documents import services

    values = {"title": "Rapportage Veilig Thuis", "document_type": "rapportage", "document_date": date(2026, 11, 21),
              "visibility": "alle_deelnemers", "audience_ids": (), "legal_basis": "convenant"}
    return services.upload_document(user, parent, filename=filename, data=data if data is not None else unique_pdf(),
                                    **{**values, **fields})


def close_case(db, case) -> None:
    """Close ``case`` as the close transition leaves it (phase, result and closing date)."""
    from casus.clock import today
    from workflow import CasePhase, ClosureResult

    case.phase, case.result, case.closed_on = CasePhase.AFGESLOTEN, ClosureResult.DOEL_BEREIKT, today()
    db.session.flush()
