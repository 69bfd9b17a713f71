"""The voordracht PDF: as the RIEC receives it — the shared fields and the subjects chosen for it, nothing else of
the case behind it — for the case's team and the addressed RIEC; 404 for anyone else; audited."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa
from print_support import pdf_text

from casus.audit.models import AuditEvent
from casus.organisations.models import OrganisationKind


@pytest.fixture
def sent(db, world, make_organisation, make_user, make_subject):
    """A voordracht about case A sent to RIEC Midden, sharing one of the case's two subjects."""
    from casus.cases.models import CaseSubject
    from casus.database import utcnow
    from casus.voordrachten.models import Voordracht, VoordrachtSubject

    riec = make_organisation(name="RIEC Midden", kind=OrganisationKind.RIEC)
    other_riec = make_organisation(name="RIEC Noord", kind=OrganisationKind.RIEC)
    shared = make_subject("bedrijf", name="Bakkerij Dekmantel B.V.", kvk_nummer="12345678")
    hidden = make_subject("persoon", name="Nina Nietgedeeld", bsn="111222333")
    for subject in (shared, hidden):
        db.session.add(CaseSubject(case_id=world.case_a.id, subject_id=subject.id))
    voordracht = Voordracht(case_id=world.case_a.id, state="ingediend", addressee_organisation_id=riec.id,
                            summary="Geldstromen via de bakkerij.", indicators=["witwassen"],
                            legal_basis="riec_convenant", urgency="hoog", created_by_id=world.regisseur.id,
                            sent_at=utcnow())
    db.session.add(voordracht)
    db.session.flush()
    db.session.add(VoordrachtSubject(voordracht_id=voordracht.id, subject_id=shared.id))
    db.session.flush()

    def riec_user(organisation, name):
        return make_user("riec", organisation=organisation, name=name, totp_secret=pyotp.random_base32())

    return {"voordracht": voordracht, "riec_user": riec_user(riec, "Rik Riec"),
            "other_riec_user": riec_user(other_riec, "Noor Noord"), "riec": riec}


def url(sent) -> str:
    return f"/voordrachten/{sent['voordracht'].id}/voordracht.pdf"


def test_the_riec_gets_only_what_the_voordracht_shares(db, client, login, world, sent):
    login(sent["riec_user"])
    response = client.get(url(sent))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert f"RV-{sent['voordracht'].id}" in text
    assert "Geldstromen via de bakkerij." in text and "Bakkerij Dekmantel B.V." in text
    for case_data in (world.case_a.reference, world.case_a.title, "Nina Nietgedeeld", "111222333", "Rosa Regisseur",
                      "Politie Eenheid Voorbeeld"):
        assert case_data not in text, case_data
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.voordracht")).scalar_one()
    assert (event.object_type, event.object_id) == ("voordracht", str(sent["voordracht"].id))
    assert event.details["organisation_id"] == sent["riec"].id


def test_the_team_prints_it_as_the_riec_receives_it(client, login, world, sent):
    login(world.regisseur)
    text = pdf_text(client.get(url(sent)).data)
    assert "Bakkerij Dekmantel B.V." in text
    assert world.case_a.reference not in text and "Nina Nietgedeeld" not in text


@pytest.mark.parametrize("reader", ["agent", "behandelaar", "other_riec_user"])
def test_anyone_else_gets_404(client, login, world, sent, reader):
    login(sent[reader] if reader in sent else getattr(world, reader))
    response = client.get(url(sent))
    assert response.status_code == 404
    assert b"Dekmantel" not in response.data
