"""The case summary PDF: the case file as the reader may see it (a note restricted to another organisation is
absent), the confidential footer with the reader's organisation and the print time on every page, audited, and
404 for whoever may not see the case. The renderer fetches nothing but its own fonts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from print_support import pdf_pages, pdf_text

from casus.audit.models import AuditEvent, Outcome
from casus.printing.rendering import FONT_DIR, LocalOnlyFetcher


def summary_url(case) -> str:
    return f"/casussen/{case.id}/samenvatting.pdf"


def _note(db, world, case, author, text, visibility, organisations=()):
    from casus.cases.services import add_note

    return add_note(author, case, text=text, visibility=visibility,
                    organisation_ids=[organisation.id for organisation in organisations])


def test_a_note_restricted_to_another_organisation_is_absent_from_a_partner_s_summary(db, client, auth, login,
                                                                                       world):
    _note(db, world, world.case_c, world.behandelaar, "Alleen voor de GGZ: diagnose", "eigen_organisatie")
    _note(db, world, world.case_c, world.behandelaar, "Voor iedereen: afspraak gemaakt", "alle_deelnemers")
    login(world.agent)
    response = client.get(summary_url(world.case_c))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Voor iedereen: afspraak gemaakt" in text
    assert "Alleen voor de GGZ" not in text
    auth.logout()
    login(world.behandelaar)
    assert "Alleen voor de GGZ: diagnose" in pdf_text(client.get(summary_url(world.case_c)).data)


def test_the_summary_shows_overview_subjects_partners_and_plan(db, client, login, world, make_subject):
    from casus.cases.models import CaseSubject
    from casus.clock import today
    from casus.plans.models import Action, Goal

    subject = make_subject(name="Petra Pieterse", bsn="123456782")
    db.session.add(CaseSubject(case_id=world.case_a.id, subject_id=subject.id))
    goal = Goal(case_id=world.case_a.id, description="Rust in de straat", created_by_id=world.regisseur.id)
    db.session.add(goal)
    db.session.flush()
    db.session.add(Action(case_id=world.case_a.id, goal_id=goal.id, description="Buurtgesprek voeren",
                          owner_organisation_id=world.politie.id, due_on=today() + timedelta(days=14)))
    db.session.flush()
    login(world.agent)
    text = pdf_text(client.get(summary_url(world.case_a)).data)
    for expected in (world.case_a.reference, "Overlast Kerkstraat", "Rosa Regisseur", "Petra Pieterse",
                     "******782", "Politie Eenheid Voorbeeld", "Rust in de straat", "Buurtgesprek voeren"):
        assert expected in text, expected
    assert "123456782" not in text  # the BSN masked, as on the Betrokkenen tab


def test_the_footer_is_on_every_page(db, client, login, world, make_subject):
    from casus.cases.models import CaseSubject

    for number in range(80):  # enough subjects for several pages
        subject = make_subject(name=f"Betrokkene Nummer {number}")
        db.session.add(CaseSubject(case_id=world.case_b.id, subject_id=subject.id))
    db.session.flush()
    login(world.behandelaar)
    pages = pdf_pages(client.get(summary_url(world.case_b)).data)
    assert len(pages) > 1
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.case_summary")).scalar_one()
    from casus.clock import local_zone

    printed = event.occurred_at.astimezone(local_zone())
    moments = {(printed + timedelta(minutes=delta)).strftime("%d-%m-%Y %H:%M") for delta in (-1, 0)}
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert "Vertrouwelijk — alleen voor deelnemers aan deze casus" in flat, number
        assert "GGZ Voorbeeld" in flat, number
        assert any(moment in flat for moment in moments), number
        assert f"{number} / {len(pages)}" in flat, number


def test_the_print_is_audited_for_the_reader_s_organisation(db, client, login, world):
    login(world.agent)
    client.get(summary_url(world.case_a))
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.case_summary")).scalar_one()
    assert (event.object_type, event.object_id, event.case_id) == ("case", str(world.case_a.id), world.case_a.id)
    assert event.details["organisation_id"] == world.politie.id and event.outcome == Outcome.SUCCESS


@pytest.mark.parametrize("reader", ["woonconsulent", "behandelaar"])
def test_a_case_the_reader_does_not_take_part_in_is_404(db, client, login, world, reader):
    login(getattr(world, reader))
    response = client.get(summary_url(world.case_a))
    assert response.status_code == 404
    assert world.case_a.reference.encode() not in response.data
    assert not db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.case_summary")).first()


def test_the_pdf_is_tagged_carries_its_title_and_embeds_the_vendored_font(client, login, world):
    from io import BytesIO

    from pypdf import PdfReader

    login(world.regisseur)
    reader = PdfReader(BytesIO(client.get(summary_url(world.case_a)).data))
    assert reader.metadata.title == f"Casussamenvatting {world.case_a.reference}"
    catalog = reader.trailer["/Root"]
    # tagged (PDF/UA): a structure tree and the language, so that a screen reader can follow the pack
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "nl"
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("Casus-Noto-Sans" in str(font) for font in fonts)


@pytest.mark.parametrize("url", ["http://example.org/logo.png", "https://example.org/x.css",
                                 "file:///etc/passwd", "ftp://example.org/x"])
def test_the_renderer_fetches_nothing_from_outside(url):
    with pytest.raises(ValueError):
        LocalOnlyFetcher().fetch(url)


def test_the_renderer_fetches_the_vendored_font():
    response = LocalOnlyFetcher().fetch((FONT_DIR / "noto-sans-latin-400-normal.woff").resolve().as_uri())
    assert response is not None


def test_the_case_page_and_the_voordracht_pages_link_to_their_pdf(client, login, world):
    login(world.agent)
    page = client.get(f"/casussen/{world.case_a.id}").get_data(as_text=True)
    assert f'href="{summary_url(world.case_a)}"' in page and "Afdrukken (PDF)" in page
