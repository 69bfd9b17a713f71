"""The inzage package (AVG art. 15): everything held about the confirmed subjects of a request, item by item.

Items "about the person" are the subject data, their relations to other subjects (casus.subjects.inzage), each
case they appear in (reference, category, phase, dates, team, the participating organisations with their role and
legal basis), that case's notes, plan actions, leefgebieden assessments (casus.assessments.inzage), nazorg
check-ins (casus.nazorg.inzage), agenda-item minutes and documents (casus.documents.inzage), each signal they
appear in, and the access log of their data (audit events on those cases and subjects: organisation, role, date and
activity; employee names only with
``CASUS_INZAGE_EMPLOYEE_NAMES``). Every item has a stable ``item_key`` (``case:12``, ``note:44``, ``relation:7``,
``checkin:3``, ``access:case:12``). The privacy officer withholds an item with a ground or releases it;
``SubjectRequestItem`` records that decision — never the content — and a withheld item leaves the package as its
key, kind and ground only.

Like the search, building the package reads outside ``policy.case_scope`` (see search.py): the confirmed
subjects' cases, whatever team, for the privacy officer of an open request only, audited with its reference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from casus.assessments.inzage import assessment_items
from casus.audit.models import AuditEvent
from casus.audit.services import record
from casus.cases.models import Case, CaseSubject, LegalBasis, Note, Participation
from casus.clock import local_zone
from casus.database import utcnow
from casus.documents.inzage import attach_files, document_items
from casus.extensions import db
from casus.labels import enum_label, translate
from casus.meetings.models import AgendaItem, Meeting
from casus.nazorg.inzage import checkin_items
from casus.organisations.models import Organisation
from casus.pdf import PdfDocument
from casus.plans.models import Action
from casus.processing import activity
from casus.services import ServiceError
from casus.signals.models import Signal, SignalSubject
from casus.subject_requests import services
from casus.subject_requests.models import SubjectRequest, SubjectRequestItem, WithholdingGround
from casus.subjects.inzage import relation_items
from casus.subjects.models import Subject
from casus.users.models import User
from workflow import CasePhase, ParticipationRole

NL = "nl"  # the package is written in Dutch, whoever downloads it


@dataclass
class Item:
    key: str
    kind: str
    title: str
    content: dict
    withheld: bool = False
    ground: str | None = None
    ground_note: str | None = None


@dataclass
class Package:
    subject_request: SubjectRequest
    sections: dict[str, list[Item]] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        return [item for items in self.sections.values() for item in items]

    def item(self, key: str) -> Item | None:
        return next((item for item in self.items if item.key == key), None)


SECTIONS = ("subject", "relation", "case", "note", "action", "assessment", "checkin", "minutes", "document",
            "signal", "access")


def _value(member) -> str | None:
    """A stored enum value (a member, or the plain string a fresh load gives)."""
    return getattr(member, "value", member)


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(local_zone()).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


def _subject_ids(subject_request: SubjectRequest) -> list[int]:
    return [subject.id for subject in services.matched_subjects(subject_request)]


def build(subject_request: SubjectRequest) -> Package:
    """The package of the request's confirmed subjects with the review decisions applied (a fixed number of
    queries, whatever the number of cases)."""
    package = Package(subject_request, {section: [] for section in SECTIONS})
    subjects = services.matched_subjects(subject_request)
    subject_ids = [subject.id for subject in subjects]
    package.sections["subject"] = [_subject_item(subject) for subject in subjects]
    package.sections["relation"] = [Item(key, "relation", title, content)
                                    for key, title, content in relation_items(subject_ids)]
    case_ids = list(db.session.scalars(sa.select(CaseSubject.case_id).distinct()
                                       .where(CaseSubject.subject_id.in_(subject_ids))))
    organisations = {organisation.id: organisation.name for organisation in db.session.scalars(
        sa.select(Organisation))}
    package.sections["case"] = _case_items(case_ids, organisations)
    package.sections["note"] = [
        Item(f"note:{note.id}", "note", f"Notitie {_day(note.created_at)}",
             {"case": note.case_id, "date": _day(note.created_at),
              "organisation": organisations.get(note.organisation_id), "text": note.text})
        for note in db.session.scalars(sa.select(Note).where(Note.case_id.in_(case_ids)).order_by(Note.id))]
    package.sections["action"] = [
        Item(f"action:{action.id}", "action", f"Actie {_day(action.due_on)}",
             {"case": action.case_id, "description": action.description, "dueOn": _day(action.due_on),
              "organisation": organisations.get(action.owner_organisation_id), "status": _value(action.status)})
        for action in db.session.scalars(sa.select(Action).where(Action.case_id.in_(case_ids)).order_by(Action.id))]
    package.sections["minutes"] = _minutes_items(case_ids)
    package.sections["assessment"] = [Item(key, "assessment", title, content)
                                      for key, title, content in assessment_items(case_ids)]
    package.sections["checkin"] = [Item(key, "checkin", title, content)
                                   for key, title, content in checkin_items(case_ids)]
    package.sections["document"] = [Item(key, "document", title, content)
                                    for key, title, content in document_items(case_ids, subject_ids)]
    package.sections["signal"] = _signal_items(subject_ids, organisations)
    package.sections["access"] = _access_items(case_ids, subject_ids, organisations)
    _resolve_case_references(package, case_ids)
    _apply_decisions(package)
    return package


def _subject_item(subject: Subject) -> Item:
    # Their own data, so in full: the BSN too.
    return Item(f"subject:{subject.id}", "subject", subject.display_name, {
        "kind": _value(subject.kind), "name": subject.name, "dateOfBirth": _day(subject.date_of_birth),
        "bsn": subject.bsn, "address": subject.address or None})


def _case_items(case_ids: list[int], organisations: dict[int, str]) -> list[Item]:
    participations = defaultdict(list)
    for participation in db.session.scalars(sa.select(Participation).where(Participation.case_id.in_(case_ids))
                                            .order_by(Participation.id)):
        participations[participation.case_id].append({
            "organisation": organisations.get(participation.organisation_id),
            "role": enum_label(ParticipationRole, participation.role, NL),
            "legalBasis": enum_label(LegalBasis, participation.legal_basis, NL),
            "joinedOn": _day(participation.joined_on), "leftOn": _day(participation.left_on)})
    items = []
    for case in db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)).order_by(Case.reference)):
        items.append(Item(f"case:{case.id}", "case", f"Casus {case.reference}", {
            "reference": case.reference, "category": case.category.name,
            "phase": enum_label(CasePhase, case.phase, NL),
            "openedOn": _day(case.created_at.date()), "closedOn": _day(case.closed_on), "team": case.team.name,
            "participations": participations[case.id]}))
    return items


def _minutes_items(case_ids: list[int]) -> list[Item]:
    items = []
    for agenda_item, starts_at in db.session.execute(
            sa.select(AgendaItem, Meeting.starts_at).join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.case_id.in_(case_ids)).order_by(Meeting.starts_at, AgendaItem.id)):
        minutes = {"beeldvorming": agenda_item.beeldvorming, "oordeelsvorming": agenda_item.oordeelsvorming,
                   "besluitvorming": agenda_item.besluitvorming}
        if any(minutes.values()):
            items.append(Item(f"minutes:{agenda_item.id}", "minutes", f"Verslag overleg {_day(starts_at)}",
                              {"case": agenda_item.case_id, "meetingOn": _day(starts_at), **minutes}))
    return items


def _signal_items(subject_ids: list[int], organisations: dict[int, str]) -> list[Item]:
    signals = db.session.scalars(
        sa.select(Signal).where(Signal.id.in_(sa.select(SignalSubject.signal_id)
                                              .where(SignalSubject.subject_id.in_(subject_ids))))
        .order_by(Signal.received_at))
    return [Item(f"signal:{signal.id}", "signal", f"Signaal {signal.reference}", {
        "reference": signal.reference, "receivedOn": _day(signal.received_at),
        "reportingOrganisation": organisations.get(signal.reporting_organisation_id),
        "description": signal.description}) for signal in signals]


def _access_items(case_ids: list[int], subject_ids: list[int], organisations: dict[int, str]) -> list[Item]:
    """One item per case (and one for the subjects themselves): who read or changed it, when, what for."""
    names = current_app.config["CASUS"].inzage_employee_names
    subject_keys = [str(subject_id) for subject_id in subject_ids]
    events = db.session.execute(
        sa.select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.user_id)
        .where(sa.or_(AuditEvent.case_id.in_(case_ids),
                      sa.and_(AuditEvent.object_type == "subject", AuditEvent.object_id.in_(subject_keys))))
        .order_by(AuditEvent.occurred_at, AuditEvent.id))
    by_case: dict[int | None, list[dict]] = defaultdict(list)
    for event, employee in events:
        entry = {"date": _day(event.occurred_at), "organisation": organisations.get(event.organisation_id),
                 "role": event.roles, "activity": _activity_name(event.activity) or event.action}
        if names:
            entry["employee"] = employee
        by_case[event.case_id].append(entry)
    items = [Item(f"access:case:{case_id}", "access", "Toegang tot casus",
                  {"case": case_id, "events": by_case[case_id]}) for case_id in sorted(by_case) if case_id is not None]
    if by_case.get(None):
        items.append(Item("access:subject", "access", "Toegang tot de persoonsgegevens", {"events": by_case[None]}))
    return items


def _activity_name(activity_id: str | None) -> str | None:
    try:
        return translate(activity(activity_id).name, NL) if activity_id else None
    except KeyError:
        return None


def _resolve_case_references(package: Package, case_ids: list[int]) -> None:
    """Items name their case by reference, never by id."""
    references = dict(db.session.execute(sa.select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all())
    for item in package.items:
        if "case" in item.content:
            item.content["case"] = references.get(item.content["case"])
            if item.kind == "access":
                item.title = f"Toegang tot casus {item.content['case']}"
            else:
                item.title = f"{item.title}, casus {item.content['case']}"


def _apply_decisions(package: Package) -> None:
    decisions = {row.item_key: row for row in db.session.scalars(
        sa.select(SubjectRequestItem).where(SubjectRequestItem.request_id == package.subject_request.id))}
    for item in package.items:
        decision = decisions.get(item.key)
        if decision is not None and decision.withheld:
            item.withheld, item.ground, item.ground_note = True, _value(decision.ground), decision.ground_note


def review(user: User, subject_request: SubjectRequest, item_key: str, *, withheld: bool,
           ground: WithholdingGround | str | None, note: str | None) -> SubjectRequestItem:
    """Withhold an item with a ground, or release it; the decision is kept, the content never."""
    services.require_privacy(user)
    services.require_open(subject_request)
    item = build(subject_request).item(item_key)
    if item is None:
        raise ServiceError("Dit onderdeel hoort niet bij het pakket van dit verzoek.", field="item_key", status=404)
    if withheld and ground not in WithholdingGround.values():
        raise ServiceError("Kies de grond waarop dit onderdeel wordt achtergehouden.", field="ground")
    decision = db.session.scalar(sa.select(SubjectRequestItem).where(
        SubjectRequestItem.request_id == subject_request.id, SubjectRequestItem.item_key == item_key))
    if decision is None:
        decision = SubjectRequestItem(request_id=subject_request.id, item_key=item_key, item_kind=item.kind,
                                      reviewed_by_id=user.id)
        db.session.add(decision)
    decision.withheld = withheld
    decision.ground = WithholdingGround(ground) if withheld else None
    decision.ground_note = ((note or "").strip() or None) if withheld else None
    decision.reviewed_by_id, decision.reviewed_at = user.id, utcnow()
    db.session.flush()
    record("subject_request.item_reviewed", object_type="subject_request", object_id=subject_request.id, user=user,
           purpose=subject_request.reference,
           details={"item_key": item_key, "withheld": withheld, "ground": _value(decision.ground)})
    return decision


def as_json(package: Package) -> dict:
    """The machine-readable package: a withheld item is its key, kind and ground, without content."""
    subject_request = package.subject_request
    items = []
    for item in package.items:
        if item.withheld:
            items.append({"itemKey": item.key, "kind": item.kind, "withheld": True, "ground": item.ground})
        else:
            items.append({"itemKey": item.key, "kind": item.kind, "withheld": False, "title": item.title,
                          **item.content})
    return {"request": {"reference": subject_request.reference, "kind": _value(subject_request.kind),
                        "receivedOn": subject_request.received_on.isoformat()},
            "producedAt": utcnow().isoformat(), "items": items}


def produce(user: User, subject_request: SubjectRequest, *, format: str) -> Package:
    """The package for download (JSON or PDF): ``package_produced_at`` set, audited with what was withheld."""
    services.require_privacy(user)
    package = build(subject_request)
    if not package.sections["subject"]:
        raise ServiceError("Bevestig eerst welke betrokkenen de verzoeker zijn.", status=409)
    subject_request.package_produced_at = utcnow()
    services.flush_unchecked(subject_request)
    record("subject_request.package_produced", object_type="subject_request", object_id=subject_request.id,
           user=user, purpose=subject_request.reference,
           details={"format": format, "items": len(package.items),
                    "withheld": [item.key for item in package.items if item.withheld]})
    return package


SECTION_TITLES = {"subject": "Uw gegevens", "relation": "Relaties", "case": "Casussen waarin u voorkomt",
                  "note": "Notities", "action": "Acties uit het plan van aanpak",
                  "assessment": "Scores op leefgebieden", "checkin": "Nazorgcontacten",
                  "minutes": "Verslagen van casusoverleg", "document": "Documenten",
                  "signal": "Signalen waarin u voorkomt", "access": "Wie uw gegevens heeft ingezien of gewijzigd"}
FIELD_LABELS = {"kind": "Soort", "name": "Naam", "dateOfBirth": "Geboortedatum", "bsn": "BSN", "address": "Adres",
                "reference": "Kenmerk", "category": "Categorie", "phase": "Fase", "openedOn": "Geopend op",
                "closedOn": "Afgesloten op", "team": "Team", "case": "Casus", "date": "Datum",
                "organisation": "Organisatie", "text": "Tekst", "description": "Omschrijving", "dueOn": "Uiterlijk",
                "status": "Status", "meetingOn": "Overleg op", "beeldvorming": "Beeldvorming",
                "oordeelsvorming": "Oordeelsvorming", "besluitvorming": "Besluitvorming", "receivedOn": "Ontvangen op",
                "reportingOrganisation": "Gemeld door", "moment": "Moment", "participants": "Wie deden mee",
                "note": "Toelichting", "scores": "Scores (1 acute problematiek – 5 volledig zelfredzaam)",
                "relation": "Relatie", "relationKind": "Soort relatie", "otherKind": "Soort betrokkene",
                "otherName": "Naam betrokkene", "startOn": "Vanaf", "endOn": "Tot en met", "plannedOn": "Gepland op",
                "doneOn": "Gehouden op", "contactMade": "Contact gelegd", "outcome": "Uitkomst",
                "relapseSignal": "Signaal van terugval", "signal": "Signaal", "documentTitle": "Titel",
                "documentType": "Soort document", "versions": "Aantal versies", "filename": "Bestandsnaam",
                "sha256": "Controlegetal van het bestand (SHA-256)"}


def as_pdf(package: Package) -> bytes:
    """The readable package: a header with the request and the person, a section per kind of item, and the
    withheld items listed with their ground (never their content)."""
    subject_request = package.subject_request
    names = ", ".join(item.title for item in package.sections["subject"])
    document = PdfDocument(f"Inzage in persoonsgegevens — {subject_request.reference}",
                           subtitle=f"Betreft: {names} · opgesteld op {_day(utcnow())}")
    document.key_values([("Verzoek", subject_request.reference), ("Ontvangen op", _day(subject_request.received_on)),
                         ("Betrokkene", names)])
    document.paragraph("Dit overzicht bevat de gegevens die de partners van het Zorg- en Veiligheidshuis over u "
                       "verwerken (AVG artikel 15). Onderdelen die zijn achtergehouden staan aan het einde, met de "
                       "grond waarop.")
    for section, items in package.sections.items():
        shown = [item for item in items if not item.withheld]
        if shown:
            document.heading(SECTION_TITLES[section])
            for item in shown:
                _pdf_item(document, item)
    attached = [(item.key, item.content) for item in package.sections["document"] if not item.withheld]
    if attached:
        document.heading("Bijgevoegde bestanden")
        document.paragraph("De huidige versie van elk document hierboven zit als bijlage in dit PDF-bestand.")
        document.table(["Document", "Bijlage", "Status"], attach_files(document, attached))
    withheld = [item for item in package.items if item.withheld]
    if withheld:
        document.heading("Achtergehouden onderdelen")
        document.table(["Onderdeel", "Soort", "Grond"], [
            [item.key, SECTION_TITLES[item.kind], enum_label(WithholdingGround, item.ground, NL)] for item in withheld])
    return document.to_bytes()


def _text(value):
    """A yes/no of the content (true in the JSON) as the PDF's reader reads it."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value


def _pdf_item(document, item: Item) -> None:
    if item.kind == "access":
        document.paragraph(item.title)
        rows = [[event["date"], event["organisation"] or "—", event["role"] or "—", event["activity"],
                 *([event.get("employee") or "—"] if "employee" in event else [])] for event in item.content["events"]]
        names = rows and len(rows[0]) == 5
        document.table(["Datum", "Organisatie", "Rol", "Activiteit", *(["Medewerker"] if names else [])], rows)
        return
    values = [(FIELD_LABELS.get(key, key), _text(value)) for key, value in item.content.items()
              if key != "participations" and value not in (None, "")]
    document.key_values([("Onderdeel", item.title), *values])
    participations = item.content.get("participations")
    if participations:
        document.table(["Organisatie", "Rol", "Grondslag", "Sinds"], [
            [row["organisation"], row["role"], row["legalBasis"], row["joinedOn"]] for row in participations])
