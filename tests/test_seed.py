"""``casus seed``: realistic synthetic data that is consistent with the workflow, deterministic and repeatable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casus_seed.commands import seed as seed_command


@pytest.fixture
def seeded(app, db):
    result = app.test_cli_runner().invoke(seed_command, ["--cases", "200", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "200 casussen" in result.output
    return result


def scalar(db, query):
    return db.session.execute(query).scalar_one()


def test_seed_fills_every_phase_category_and_table(seeded, db):
    from casus.cases.models import Case, Category, Note, Participation, TransitionLog
    from casus.plans.models import Action, Goal, ProgressEntry
    from casus.signals.models import Signal
    from casus.subjects.models import Subject
    from casus.timeline.models import TimelineEvent
    from workflow import CasePhase

    assert scalar(db, sa.select(sa.func.count(Case.id))) == 200
    phases = dict(db.session.execute(sa.select(Case.phase, sa.func.count()).group_by(Case.phase)).all())
    assert set(phases) == set(CasePhase)
    assert phases[CasePhase.SIGNALERING] < phases[CasePhase.AANPAK_UITVOERING]
    assert phases[CasePhase.SIGNALERING] < phases[CasePhase.AFGESLOTEN]
    used = scalar(db, sa.select(sa.func.count(sa.distinct(Case.category_id))))
    assert used >= 6 and used <= scalar(db, sa.select(sa.func.count(Category.id)))
    assert scalar(db, sa.select(sa.func.count(sa.distinct(Case.team_id)))) >= 2
    for model in (Signal, Subject, Participation, Goal, Action, ProgressEntry, Note, TimelineEvent, TransitionLog):
        assert scalar(db, sa.select(sa.func.count()).select_from(model)) > 0, model
    kinds = set(db.session.execute(sa.select(Subject.kind).distinct()).scalars())
    assert kinds == {"persoon", "adres", "bedrijf", "huishouden", "groep"}


def test_seed_gives_households_groups_and_streets(seeded, db):
    from casus.cases.models import CaseSubject
    from casus.subjects.models import Subject, SubjectRelation

    relations = db.session.execute(sa.select(SubjectRelation.kind, Subject.kind).join(
        Subject, Subject.id == SubjectRelation.related_subject_id)).all()
    assert {(str(kind), str(target)) for kind, target in relations} == {
        ("ouder_van", "persoon"), ("kind_van", "persoon"), ("lid_van", "huishouden"), ("lid_van", "groep")}
    # Every household or group is a subject of a case, with its members beside it.
    collectives = db.session.execute(sa.select(Subject.id).where(Subject.kind.in_(("huishouden", "groep")))).scalars()
    for collective_id in collectives:
        case_id = scalar(db, sa.select(CaseSubject.case_id).where(CaseSubject.subject_id == collective_id))
        members = db.session.execute(sa.select(SubjectRelation.subject_id).where(
            SubjectRelation.related_subject_id == collective_id, SubjectRelation.kind == "lid_van")).scalars().all()
        in_case = db.session.execute(sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == case_id)).scalars()
        assert len(members) >= 2 and set(members) <= set(in_case)
    addresses = db.session.execute(sa.select(Subject.straat, Subject.woonplaats).where(Subject.kind == "adres")).all()
    assert addresses and all(straat and woonplaats for straat, woonplaats in addresses)


def test_escalated_cases_have_their_ladder_and_voordrachten_their_approval(app, db):
    """Every case above operationeel has the steps up that took it there (the queue and reports need them);
    every submitted voordracht has its four-eyes approval, never decided by its requester."""
    from casus.approvals.models import Approval
    from casus.cases.models import Case
    from casus.escalations.models import Escalation
    from casus.voordrachten.models import Voordracht

    result = app.test_cli_runner().invoke(seed_command, ["--cases", "600", "--seed", "4"])
    assert result.exit_code == 0, result.output
    steps = dict(db.session.execute(sa.select(Escalation.case_id, sa.func.count()).group_by(Escalation.case_id)).all())
    escalated = db.session.execute(sa.select(Case.id, Case.escalation_level)
                                   .where(Case.escalation_level != "operationeel")).all()
    assert escalated
    for case_id, level in escalated:
        assert steps.get(case_id) == {"tactisch": 1, "bestuurlijk": 2}[level], (case_id, level)
    voordrachten = db.session.execute(sa.select(Voordracht)).scalars().all()
    assert len({v.state for v in voordrachten}) >= 3
    approvals = {a.voordracht_id: a for a in db.session.execute(
        sa.select(Approval).where(Approval.kind == "riec_voordracht")).scalars()}
    for voordracht in voordrachten:
        approval = approvals.get(voordracht.id)
        assert (approval is None) == (voordracht.state == "concept"), voordracht.state
        if approval is not None:
            assert approval.decided_by_id != approval.requested_by_id
            assert (approval.status == "open") == (voordracht.state == "ter_beoordeling")


def test_seeded_cases_are_consistent_with_their_phase(seeded, db):
    from casus.cases.models import Case, Note, NoteAudience, Participation
    from casus.plans.models import Action, ProgressEntry
    from casus.signals.models import Signal
    from workflow import CasePhase

    def none(query) -> None:
        rows = db.session.execute(query.limit(5)).all()
        assert rows == [], rows

    closed, nazorg = CasePhase.AFGESLOTEN, CasePhase.NAZORG
    aanpak = (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING)
    none(sa.select(Case.id).where(Case.phase == closed, sa.or_(Case.result.is_(None), Case.closed_on.is_(None))))
    none(sa.select(Case.id).where(Case.phase != closed, sa.or_(Case.result.is_not(None), Case.closed_on.is_not(None))))
    none(sa.select(Case.id).where(Case.phase == nazorg, Case.nazorg_started_on.is_(None)))
    none(sa.select(Case.id).where(Case.phase == nazorg, Case.evaluation.is_(None)))
    none(sa.select(Case.id).where(Case.triage_due_on.is_(None)))
    none(sa.select(Case.id).where(Case.phase.in_(aanpak), Case.next_review_on.is_(None)))
    none(sa.select(Case.id).where(Case.phase.in_((*aanpak, nazorg)), Case.triage_outcome != "A"))
    none(sa.select(Case.id).where(Case.phase != CasePhase.SIGNALERING, Case.procesregisseur_id.is_(None)))
    none(sa.select(Case.id).where(Case.phase == CasePhase.AANPAK_UITVOERING, Case.plan_discussed_on.is_(None)))
    # No open work in cases that have stepped down or closed.
    none(sa.select(Action.id).join(Case, Case.id == Action.case_id)
         .where(Case.phase.in_((nazorg, closed)), Action.status.in_(("open", "in_uitvoering"))))
    # Adopted plans have goals and actions.
    for phase in (CasePhase.AANPAK_UITVOERING, nazorg):
        none(sa.select(Case.id).where(Case.phase == phase,
                                      ~sa.exists().where(Action.case_id == Case.id)))
    # Everyone has a participation; accepted cases at least two; the aanbrenger takes part as aanbrenger.
    none(sa.select(Case.id).where(~sa.exists().where(Participation.case_id == Case.id)))
    participants = (sa.select(sa.func.count(Participation.id)).where(Participation.case_id == Case.id)
                    .scalar_subquery())
    none(sa.select(Case.id).where(Case.phase.in_((*aanpak, nazorg)), participants < 2))
    none(sa.select(Case.id).where(~sa.exists().where(
        Participation.case_id == Case.id, Participation.organisation_id == Case.aanbrenger_organisation_id,
        Participation.role == "aanbrenger")))
    # Actions belong to participating organisations; progress is written by the owner.
    none(sa.select(Action.id).where(~sa.exists().where(
        Participation.case_id == Action.case_id, Participation.organisation_id == Action.owner_organisation_id)))
    none(sa.select(ProgressEntry.id).join(Action, Action.id == ProgressEntry.action_id)
         .where(ProgressEntry.organisation_id != Action.owner_organisation_id))
    none(sa.select(Note.id).where(Note.visibility == "genoemde_organisaties",
                                  ~sa.exists().where(NoteAudience.note_id == Note.id)))
    assert scalar(db, sa.select(sa.func.count(Note.id)).where(Note.visibility != "alle_deelnemers")) > 0
    # Signals agree with their case.
    counts = sa.select(sa.func.count(Signal.id)).where(Signal.case_id == Case.id).scalar_subquery()
    none(sa.select(Case.id).where(Case.signal_count != counts))
    none(sa.select(Signal.id).join(Case, Case.id == Signal.case_id).where(Signal.team_id != Case.team_id))
    none(sa.select(Signal.id).join(Case, Case.id == Signal.case_id)
         .where(Case.phase == closed, Signal.status.not_in(("afgesloten", "doorverwezen"))))
    assert scalar(db, sa.select(sa.func.count(Signal.id)).where(Signal.status == "ontvangen",
                                                                Signal.case_id.is_(None))) > 0


def test_identifiers_are_valid(seeded, db):
    from casus.subjects import validation
    from casus.subjects.models import Subject

    bsns = db.session.execute(sa.select(Subject.bsn).where(Subject.bsn.is_not(None))).scalars().all()
    assert len(bsns) > 20
    assert all(validation.bsn(value) == value for value in bsns)
    postcodes = db.session.execute(sa.select(Subject.postcode).where(Subject.postcode.is_not(None))).scalars().all()
    assert postcodes and all(validation.postcode(value) == value for value in postcodes)
    kvks = db.session.execute(sa.select(Subject.kvk_nummer).where(Subject.kvk_nummer.is_not(None))).scalars().all()
    assert kvks and all(validation.kvk_nummer(value) == value for value in kvks)


def test_dates_lie_in_the_past_and_in_order(seeded, db):
    from casus.cases.models import Case
    from casus.clock import today
    from casus.database import utcnow
    from casus.timeline.models import TimelineEvent

    now = utcnow()
    assert scalar(db, sa.select(sa.func.max(TimelineEvent.occurred_at))) <= now
    assert scalar(db, sa.select(sa.func.max(Case.closed_on))) <= today()
    late = db.session.execute(sa.select(Case.id).where(Case.updated_at < Case.created_at)).first()
    assert late is None


def test_same_seed_gives_the_same_data_and_a_second_run_adds_without_collisions(app, db):
    from casus.cases.models import Case, Participation
    from casus.clock import today
    from casus.references import next_number
    from casus.subjects.models import Subject
    from casus_seed.seed import seed

    def fingerprint(since_id: int):
        cases = db.session.execute(sa.select(Case.title, Case.phase, Case.category_id, Case.team_id, Case.risk_level,
                                             Case.result, Case.created_at).where(Case.id > since_id)
                                   .order_by(Case.id)).all()
        bsns = db.session.execute(sa.select(Subject.bsn, Subject.name).where(Subject.id > since_subject)
                                  .order_by(Subject.id)).all()
        orgs = db.session.execute(sa.select(Participation.organisation_id, Participation.role)
                                  .join(Case, Case.id == Participation.case_id).where(Case.id > since_id)
                                  .order_by(Participation.id)).all()
        return cases, bsns, orgs

    with app.test_request_context():
        since_subject = 0
        first = seed(25, 7)
        one = fingerprint(0)
        last_case = scalar(db, sa.select(sa.func.max(Case.id)))
        since_subject = scalar(db, sa.select(sa.func.max(Subject.id)))
        second = seed(25, 7)
        two = fingerprint(last_case)
        third = seed(10, 8)
    assert first.cases == second.cases == 25 and third.cases == 10
    assert second.users_created == 0  # the region is reused
    assert one[0] and [row[:6] for row in one[0]] == [row[:6] for row in two[0]]
    assert one[1] == two[1] and one[2] == two[2]
    references = db.session.execute(sa.select(Case.reference)).scalars().all()
    assert len(references) == len(set(references)) == 60
    # A case opened through the application afterwards gets a fresh number.
    year = today().year
    number = next_number("case", year)
    assert f"{year}-{number:05d}" not in references


def test_seeded_closed_cases_carry_their_archive_fields(app, seeded, db):
    """Closing through the workflow sets archiefnominatie and archiefactiedatum from the category's term; the
    seed does the same, so a demo's monthly destruction list has something to propose."""
    from casus.cases.models import Case
    from workflow.cadences import add_months

    closed = db.session.execute(sa.select(Case).where(Case.phase == "afgesloten")).unique().scalars().all()
    assert closed
    months = app.config["CASUS"].retention_case_months
    assert all(case.archiefnominatie == "vernietigen" and case.archiefactiedatum == add_months(case.closed_on, months)
               for case in closed)


def test_on_sqlite_every_batch_inserts_through_a_large_page_cache(app, db):
    """SQLite's 2 MB default cache made a large seed crawl once its indexes outgrew it (docs/PERFORMANCE.md)."""
    from casus_seed.seed import SQLITE_SEED_CACHE_KIB, seed

    seen = []
    seed(30, 5, batch_size=10, progress=lambda _n: seen.append(
        db.session.execute(sa.text("PRAGMA cache_size")).scalar_one()
        if db.session.get_bind().dialect.name == "sqlite" else None))
    expected = -SQLITE_SEED_CACHE_KIB if db.session.get_bind().dialect.name == "sqlite" else None
    assert seen == [expected] * 3
