"""Cases, signals and subjects whose every text field carries a marker of its own, for the destruction tests.

``seed_case(world, tag)`` writes a case with everything that can hang off it — subjects, a bundled signal,
notes with an audience, tijdlijn, documents (two versions, an audience, a file of their own; also on the agenda item
and on each signal), plan (goal, action, progress), an agenda item with minutes and a decision,
an escalation, a RIEC voordracht with a subject, an approval, notifications (also the caseless ones that quote
it), a transition, a lifted legal hold, rectificatie history and a restriction on its subject, a data-subject
request's match, a destruction list item — and returns the markers it used. Markers are lower case: name_key
stores names lower-cased, and dumps are searched without regard to case.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from casus.approvals.models import Approval
from casus.assessments.models import Assessment, AssessmentScore
from casus.cases.models import Case, CaseSubject, Category, Note, NoteAudience, Participation, TransitionLog
from casus.database import utcnow
from casus.documents.files import store_upload
from casus.documents.models import Document, DocumentAudience, DocumentVersion
from casus.escalations.models import Escalation
from casus.extensions import db
from casus.meetings.models import AgendaItem, Decision, Meeting
from casus.nazorg.models import NazorgCheckin
from casus.notifications.models import Notification
from casus.organisations.models import Organisation, Team
from casus.plans.models import Action, Goal, ProgressEntry
from casus.retention.models import DestructionList, DestructionListItem, LegalHold
from casus.signals.models import Signal, SignalStatus, SignalSubject
from casus.subject_requests.models import SubjectCorrection, SubjectRequest, SubjectRequestMatch, SubjectRestriction
from casus.subjects.models import Subject, SubjectRelation
from casus.timeline.models import TimelineEvent
from casus.users.models import Role, User, UserRole
from casus.voordrachten.models import Voordracht, VoordrachtSubject

_numbers = itertools.count(1)
_bsn_base = itertools.count(27_000_001)
_births = itertools.count(0, 97)


def valid_bsn() -> str:
    """A BSN passing the 11-proef, unique within the test run."""
    while True:
        digits = [int(d) for d in f"{next(_bsn_base):08d}"]
        rest = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if rest < 10:  # last digit d9 with (sum - d9) % 11 == 0
            return "".join(map(str, digits)) + str(rest)


@dataclass
class World:
    """The organisations, team and people the seeded records belong to."""

    organisation: Organisation
    riec: Organisation
    team: Team
    user: User
    category: Category
    meeting: Meeting
    request: SubjectRequest
    destruction_list: DestructionList
    markers: dict[str, list[str]] = field(default_factory=dict)


def seed_world(category: Category) -> World:
    number = next(_numbers)
    organisation = Organisation(name=f"Gemeente {number}", kind="gemeente", convenant_partner=True)
    riec = Organisation(name=f"RIEC {number}", kind="politie", convenant_partner=True)
    db.session.add_all([organisation, riec])
    db.session.flush()
    team = Team(name=f"Team {number}", gemeente="Voorbeeldstad", organisation_id=organisation.id)
    db.session.add(team)
    db.session.flush()
    user = User(email=f"vernietiging{number}@example.org", name=f"Medewerker {number}", password_hash="x",
                organisation_id=organisation.id, team_id=team.id)
    user.role_rows = [UserRole(role=Role.SUPERVISOR), UserRole(role=Role.PRIVACY)]
    starts = datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(days=number)
    meeting = Meeting(team_id=team.id, type="casusoverleg", title="Casusoverleg", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), ical_uid=f"meeting-{number}@casus.test")
    db.session.add_all([user, meeting])
    db.session.flush()
    request = SubjectRequest(reference=f"AVG-2026-{number:04d}", kind="inzage", identity_check="id_bewijs",
                             received_on=date(2026, 3, 1), deadline_on=date(2026, 4, 1), registered_by_id=user.id)
    destruction_list = DestructionList(reference=f"VL-2026-{number:04d}", team_id=team.id, period="2026-03")
    db.session.add_all([request, destruction_list])
    db.session.flush()
    return World(organisation, riec, team, user, category, meeting, request, destruction_list)


def seed_case(world: World, tag: str, *, shared: Subject | None = None) -> tuple[Case, list[str]]:
    """A closed case, everything about it marked with ``tag``; ``shared`` (a subject of another case) is linked
    too. The markers it wrote, the subject's BSN and date of birth among them."""
    m = _Marks(tag)
    bsn = valid_bsn()
    birth = date(1901, 1, 1) + timedelta(days=next(_births))  # unique: a date no other row holds
    person = Subject(kind="persoon", name=m("naam"), name_key=m("naam"), bsn=bsn, date_of_birth=birth)
    business = Subject(kind="bedrijf", name=m("bedrijf"), kvk_nummer=f"{next(_numbers) + 70_000_000:08d}")
    db.session.add_all([person, business])
    db.session.flush()
    case = Case(reference=f"2026-{next(_numbers) + 50_000:05d}", title=m("titel"), category_id=world.category.id,
                team_id=world.team.id, gemeente="Voorbeeldstad", phase="afgesloten", result="doel_bereikt",
                closed_on=date(2020, 1, 15), aanbrenger_organisation_id=world.organisation.id,
                evaluation=m("evaluatie"), inclusion_criteria=["meervoudig"])
    db.session.add(case)
    db.session.flush()
    subjects = [person, business] + ([shared] if shared is not None else [])
    db.session.add_all([CaseSubject(case_id=case.id, subject_id=subject.id) for subject in subjects])
    db.session.add(SubjectRelation(subject_id=person.id, related_subject_id=business.id, kind="eigenaar_van"))
    _seed_case_file(world, case, m)
    item = _seed_plan_and_meeting(world, case, m)
    seed_document(world, m, case=case, agenda_item=item)
    _seed_team_work(world, case, person, m)
    _seed_subject_history(world, person, m)
    signal = seed_signal(world, tag + "m", case=case, subjects=[person])
    db.session.flush()
    return case, [*m.used, bsn, birth.isoformat(), *world.markers.pop(signal.reference)]


def seed_signal(world: World, tag: str, *, case: Case | None = None, subjects=()) -> Signal:
    """A signal (bundled in ``case``, or dismissed on its own) with its own marked subject; its markers are in
    ``world.markers[signal.reference]``."""
    m = _Marks(tag)
    own = Subject(kind="persoon", name=m("melder"), name_key=m("melder"), bsn=valid_bsn())
    db.session.add(own)
    db.session.flush()
    signal = Signal(reference=f"S-2026-{next(_numbers) + 500_000:06d}", category_id=world.category.id,
                    description=m("omschrijving"), team_id=world.team.id,
                    reporting_organisation_id=world.organisation.id, reported_by_id=world.user.id,
                    case_id=case.id if case is not None else None,
                    status=SignalStatus.GEBUNDELD if case is not None else SignalStatus.AFGESLOTEN,
                    dismissal_reason=None if case is not None else m("afwijzing"),
                    closed_on=None if case is not None else date(2020, 2, 1))
    db.session.add(signal)
    db.session.flush()
    db.session.add_all([SignalSubject(signal_id=signal.id, subject_id=subject.id, reported_as=m(f"gemeld{index}"))
                        for index, subject in enumerate([own, *subjects])])
    seed_document(world, m, signal=signal)
    if case is None:
        db.session.add(DestructionListItem(
            destruction_list_id=world.destruction_list.id, signal_id=signal.id, record_kind="signal",
            reference=signal.reference, category_code=world.category.code, closed_on=date(2020, 2, 1),
            archiefactiedatum=date(2025, 2, 1)))
    db.session.flush()
    world.markers[signal.reference] = [*m.used, own.bsn]
    return signal


def seed_document(world: World, m: _Marks, *, case: Case | None = None, signal: Signal | None = None,
                  agenda_item: AgendaItem | None = None, versions: int = 2) -> Document:
    """A document on ``case`` (and ``agenda_item``) or ``signal``, named for one other organisation, with
    ``versions`` stored files of its own (plain text, as store_upload keeps any upload) and, on a case, the
    tijdlijn line naming it."""
    document = Document(case_id=case.id if case is not None else None, signal_id=signal.id if signal else None,
                        agenda_item_id=agenda_item.id if agenda_item is not None else None, title=m("document"),
                        document_type="rapportage", document_date=date(2019, 7, 1),
                        visibility="genoemde_organisaties", legal_basis="convenant", uploaded_by_id=world.user.id,
                        organisation_id=world.organisation.id, current_number=versions)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentAudience(document_id=document.id, organisation_id=world.riec.id))
    for number in range(1, versions + 1):
        name = m(f"bestand{number}")
        stored = store_upload(f"{name} inhoud van versie {number}\n".encode(), f"{name}.txt")
        db.session.add(DocumentVersion(document_id=document.id, number=number, sha256=stored.sha256,
                                       filename=f"{name}.txt", content_type=stored.content_type, size=stored.size,
                                       uploaded_by_id=world.user.id, organisation_id=world.organisation.id,
                                       scan_result=stored.scan_result))
    if case is not None:
        db.session.add(TimelineEvent(case_id=case.id, kind="document.uploaded", summary=m("documentregel"),
                                     actor_id=world.user.id, document_id=document.id))
    db.session.flush()
    return document


class _Marks:
    """Hands out markers ``zq<tag><what>`` and remembers them."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.used: list[str] = []

    def __call__(self, what: str) -> str:
        marker = f"zq{self.tag}{what}"
        self.used.append(marker)
        return marker


def _seed_case_file(world: World, case: Case, m: _Marks) -> None:
    db.session.add(Participation(case_id=case.id, organisation_id=world.organisation.id, role="aanbrenger",
                                 legal_basis="convenant", joined_on=date(2019, 6, 1)))
    note = Note(case_id=case.id, author_id=world.user.id, organisation_id=world.organisation.id,
                visibility="genoemde_organisaties", text=m("notitie"))
    db.session.add(note)
    db.session.flush()
    db.session.add_all([
        NoteAudience(note_id=note.id, organisation_id=world.riec.id),
        TimelineEvent(case_id=case.id, kind="note.added", summary=m("tijdlijn"), actor_id=world.user.id,
                      note_id=note.id),
        TimelineEvent(case_id=case.id, kind="case.transition", summary=m("tijdlijn2")),
        TransitionLog(case_id=case.id, machine="case", trigger="close", from_state="nazorg",
                      to_state="afgesloten", actor_id=world.user.id, reason=m("overgang"), allowed=True),
        LegalHold(case_id=case.id, reason=m("bevriezing"), placed_by_id=world.user.id, lifted_by_id=world.user.id,
                  lifted_at=utcnow(), lift_reason=m("opheffing")),
        DestructionListItem(destruction_list_id=world.destruction_list.id, case_id=case.id, record_kind="case",
                            reference=case.reference, category_code=world.category.code,
                            closed_on=case.closed_on, archiefactiedatum=date(2025, 1, 15)),
    ])


def _seed_plan_and_meeting(world: World, case: Case, m: _Marks) -> AgendaItem:
    goal = Goal(case_id=case.id, description=m("doel"), created_by_id=world.user.id)
    db.session.add(goal)
    db.session.flush()
    action = Action(case_id=case.id, goal_id=goal.id, description=m("actie"),
                    owner_organisation_id=world.organisation.id, due_on=date(2019, 9, 1))
    item = AgendaItem(meeting_id=world.meeting.id, case_id=case.id, position=case.id, purpose="bespreken",
                      beeldvorming=m("beeld"), oordeelsvorming=m("oordeel"), besluitvorming=m("besluit"))
    db.session.add_all([action, item])
    db.session.flush()
    db.session.add_all([
        ProgressEntry(action_id=action.id, author_id=world.user.id, organisation_id=world.organisation.id,
                      text=m("voortgang")),
        Decision(agenda_item_id=item.id, text=m("besluittekst"), action_id=action.id, created_by_id=world.user.id),
        Assessment(case_id=case.id, moment="triage", assessed_on=date(2019, 6, 1), participants=m("deelnemers"),
                   note=m("toelichting"), recorded_by_id=world.user.id,
                   scores=[AssessmentScore(domain="financien", score=2)]),
        NazorgCheckin(case_id=case.id, nazorg_started_on=date(2019, 10, 1), months=3, planned_on=date(2020, 1, 1),
                      done_on=date(2020, 1, 6), contact_made=True, outcome=m("nazorguitkomst"),
                      recorded_by_id=world.user.id),
    ])
    return item


def _seed_team_work(world: World, case: Case, person: Subject, m: _Marks) -> None:
    escalation = Escalation(case_id=case.id, direction="opschalen", from_level="operationeel",
                            to_level="tactisch", reason=m("escalatie"), decision_owner=m("eigenaar"),
                            decision_deadline=date(2019, 8, 1), review_on=date(2019, 9, 1),
                            decision=m("escalatiebesluit"), decided_at=utcnow(), created_by_id=world.user.id)
    voordracht = Voordracht(case_id=case.id, state="teruggelegd", addressee_organisation_id=world.riec.id,
                            summary=m("voordracht"), indicator_other=m("indicator"), legal_basis="riec_convenant",
                            created_by_id=world.user.id, riec_advice=m("advies"), riec_reference=m("riecref"))
    db.session.add_all([escalation, voordracht])
    db.session.flush()
    db.session.add_all([
        VoordrachtSubject(voordracht_id=voordracht.id, subject_id=person.id),
        Approval(kind="close_early", case_id=case.id, team_id=world.team.id, requested_by_id=world.user.id,
                 reason=m("akkoordreden"), details={"note": m("akkoorddetail")}),
        Notification(key=m("melding-sleutel"), user_id=world.user.id, case_id=case.id, kind="review_due",
                     title=m("meldingtitel"), params={"reference": case.reference}, link=f"/casussen/{case.id}"),
        Notification(key=m("riec-sleutel"), user_id=world.user.id, kind="voordracht_received",
                     title=m("riectitel"), params={"number": f"RV-{voordracht.id}"},
                     link=f"/voordrachten/{voordracht.id}"),
        Notification(key=m("digest-sleutel"), user_id=world.user.id, kind="actions_overdue",
                     title=m("digesttitel"), params={"count": 2, "references": [case.reference, "2026-99999"]},
                     link="/"),
    ])


def _seed_subject_history(world: World, person: Subject, m: _Marks) -> None:
    db.session.add_all([
        SubjectCorrection(subject_id=person.id, request_id=world.request.id, field="name", old_value=m("oudenaam"),
                          new_value=m("nieuwenaam"), corrected_by_id=world.user.id),
        SubjectRestriction(subject_id=person.id, request_id=world.request.id, reason=m("beperking"),
                           placed_by_id=world.user.id),
        SubjectRequestMatch(request_id=world.request.id, subject_id=person.id, confirmed_by_id=world.user.id),
    ])
