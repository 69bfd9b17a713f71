"""Documents in a few of the seeded cases, so the demo's Documenten tab has something to show: a rapportage or a
besluit as a small PDF, a photo as a PNG, now and then a second version, each visible to all participants, the
uploader's own organisation or one named partner. Files are generated here (fpdf2, Pillow) with synthetic text only
and go through the application's own storage (``casus.documents.files.store_upload``: type check, encryption).

A few dozen documents whatever the number of cases (the benchmark seeds 100,000: its speed must not depend on this).
Drawn from a stream of its own, seeded from the seed number: the same seed gives the same documents' rows, and every
other seeded value stays as it was. Skipped when the installation has no key to encrypt files with.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from fpdf import FPDF
from PIL import Image, ImageDraw

from casus.cases.models import Case, Participation
from casus.clock import today
from casus.documents.files import documents_enabled, store_upload
from casus.documents.models import (
    Document,
    DocumentAudience,
    DocumentType,
    DocumentVersion,
    DocumentVisibility,
    SharingBasis,
)
from casus.extensions import db
from casus.timeline.models import TimelineEvent
from casus_seed.region import Region

MAX_CASES = 12  # cases that get documents, at most; 1–3 documents each
FIXED_PDF_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the PDFs' metadata date: the same seed gives the same bytes

PAPERS = (  # (type, title, paragraph) — invented texts, no real persons
    (DocumentType.RAPPORTAGE, "Rapportage Veilig Thuis",
     "Na de melding is het gezin bezocht. De zorgen over de thuissituatie worden gedeeld door school en wijkteam."),
    (DocumentType.RAPPORTAGE, "Verslag huisbezoek woonconsulent",
     "De woning is bezocht in aanwezigheid van de wijkagent. Er zijn afspraken gemaakt over schoonmaak en huur."),
    (DocumentType.BESLUIT, "Besluit sluiting woning (Damocles)",
     "De burgemeester heeft besloten de woning voor drie maanden te sluiten op grond van artikel 13b Opiumwet."),
    (DocumentType.VERKLARING, "Ondertekende geheimhoudingsverklaring",
     "Ondergetekende verklaart de informatie uit het casusoverleg alleen te gebruiken voor deze casus."),
    (DocumentType.CORRESPONDENTIE, "Brief aan betrokkene over het plan van aanpak",
     "In deze brief leest u welke afspraken de partners met u hebben gemaakt en wie uw contactpersoon is."),
    (DocumentType.RAPPORTAGE, "Zorgmelding school",
     "De mentor meldt verzuim en zorgen over de veiligheid thuis; de leerplichtambtenaar is ingelicht."),
)
PHOTOS = ("Foto van de situatie bij de woning", "Foto van de kelderbox", "Foto van de achtertuin")
COLOURS = ("#6b8e23", "#4682b4", "#8b4513", "#708090")


def add_documents(region: Region, seed: int, first_case_id: int) -> int:
    """Give some of the cases seeded in this run (id above ``first_case_id``) a few documents; how many."""
    if not documents_enabled():
        return 0
    rng = random.Random(seed ^ 0x646F6373)
    cases = db.session.execute(
        sa.select(Case.id, Case.reference, Case.procesregisseur_id, Case.created_at, Case.closed_on)
        .where(Case.id > first_case_id, Case.procesregisseur_id.is_not(None)).order_by(Case.id)).all()
    if not cases:
        return 0
    chosen = sorted(rng.sample(cases, min(MAX_CASES, max(1, len(cases) // 20))), key=lambda row: row.id)
    partners = _partners([row.id for row in chosen])
    added = 0
    for case in chosen:
        for number in range(rng.randint(1, 3)):
            _add_document(rng, region, case, partners.get(case.id, []), number)
            added += 1
    db.session.commit()
    return added


def _partners(case_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for case_id, organisation_id in db.session.execute(
            sa.select(Participation.case_id, Participation.organisation_id)
            .where(Participation.case_id.in_(case_ids), Participation.left_on.is_(None))
            .order_by(Participation.id)):
        found.setdefault(case_id, []).append(organisation_id)
    return found


def _add_document(rng: random.Random, region: Region, case, partners: list[int], number: int) -> None:
    uploader = case.procesregisseur_id
    partner_users = [user for org in partners for user in region.users_by_org.get(org, ())]
    if partner_users and rng.random() < 0.4:
        uploader = rng.choice(partner_users)
    organisation = region.org_of[uploader]
    day = _day_in_case(rng, case)
    photo = rng.random() < 0.3
    if photo:
        document_type, title = DocumentType.FOTO, rng.choice(PHOTOS)
    else:
        document_type, title, text = rng.choice(PAPERS)
    visibility, audience = _visibility(rng, organisation, partners)
    at = datetime.combine(day, time(9 + rng.randint(0, 7), rng.randint(0, 59)), tzinfo=UTC)
    document = Document(case_id=case.id, title=title, document_type=document_type, document_date=day,
                        visibility=visibility, legal_basis=SharingBasis.CONVENANT, uploaded_by_id=uploader,
                        organisation_id=organisation, created_at=at, updated_at=at)
    document.audience = [DocumentAudience(organisation_id=org) for org in audience]
    db.session.add(document)
    db.session.flush()
    versions = 2 if rng.random() < 0.25 else 1
    for version in range(1, versions + 1):
        label = f"{case.reference} {number + 1}.{version}"
        if photo:
            data, filename = _png(label, rng.choice(COLOURS)), f"foto-{number + 1}.png"
        else:
            data, filename = _pdf(title, text, label), f"{document_type.value}-{number + 1}.pdf"
        stored = store_upload(data, filename)
        db.session.add(DocumentVersion(document_id=document.id, number=version, sha256=stored.sha256,
                                       filename=filename, content_type=stored.content_type, size=stored.size,
                                       uploaded_by_id=uploader, organisation_id=organisation,
                                       uploaded_at=at + timedelta(days=version - 1), scan_result=stored.scan_result))
    document.current_number = versions
    db.session.add(TimelineEvent(case_id=case.id, occurred_at=at, kind="document.added",
                                 summary=f"Document toegevoegd ({document_type.label_nl})", actor_id=uploader,
                                 organisation_id=organisation, document_id=document.id))
    db.session.flush()


def _day_in_case(rng: random.Random, case) -> date:
    start = case.created_at.date()
    end = max(start, min(case.closed_on or today(), today()))
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _visibility(rng: random.Random, organisation: int, partners: list[int]) -> tuple[DocumentVisibility, list[int]]:
    others = [org for org in partners if org != organisation]
    draw = rng.random()
    if draw < 0.6 or not others:
        return DocumentVisibility.ALL, []
    if draw < 0.8:
        return DocumentVisibility.OWN, []
    return DocumentVisibility.NAMED, [rng.choice(others)]


def _pdf(title: str, text: str, label: str) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(FIXED_PDF_DATE)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, f"{text}\n\nKenmerk {label}. Voorbeelddocument met verzonnen tekst.", new_x="LMARGIN",
                   new_y="NEXT")
    return bytes(pdf.output())


def _png(label: str, colour: str) -> bytes:
    image = Image.new("RGB", (320, 200), colour)
    ImageDraw.Draw(image).text((12, 12), f"Voorbeeldfoto {label}", fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
