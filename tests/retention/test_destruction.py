"""casus.retention.destruction: a destroyed case, signal or subject leaves no row that carries its content, and
nothing of the records beside it is touched."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from destruction_support import seed_case, seed_signal, seed_world

from casus.audit.models import AuditEvent
from casus.cases.models import Case, CaseSubject
from casus.extensions import db as database
from casus.retention import destruction
from casus.retention.destruction import destroy_case, destroy_cases, destroy_signal, erase_subject
from casus.retention.models import DestructionListItem, LegalHold
from casus.services import ServiceError
from casus.signals.models import Signal
from casus.subject_requests.models import SubjectCorrection, SubjectRequestMatch
from casus.subjects.models import Subject


@pytest.fixture
def world(db, categories):
    return seed_world(categories["woonoverlast"])


def all_text() -> str:
    """Every row of every table as one lower-cased text: what a dump would show of the live rows."""
    rows = []
    for table in database.metadata.sorted_tables:
        rows.extend(" | ".join(map(str, row)) for row in database.session.execute(sa.select(table)))
    return "\n".join(rows).lower()


def test_destroy_case_removes_everything_carrying_it_and_counts_it(world):
    doomed, doomed_markers = seed_case(world, "weg1")
    control, control_markers = seed_case(world, "blijf1")
    shared = Subject(kind="persoon", name="zqgedeeldnaam", name_key="zqgedeeldnaam")
    database.session.add(shared)
    database.session.flush()
    database.session.add_all([CaseSubject(case_id=doomed.id, subject_id=shared.id),
                              CaseSubject(case_id=control.id, subject_id=shared.id)])
    database.session.flush()
    doomed_id, reference = doomed.id, doomed.reference

    counts = destroy_case(doomed)

    assert counts == {"subjects": 3, "signals": 1, "notes": 1, "timeline_events": 3, "documents": 2, "goals": 1,
                      "actions": 1,
                      "progress_entries": 1, "assessments": 1, "nazorg_checkins": 1,
                      "participations": 1, "agenda_items": 1, "decisions": 1,
                      "escalations": 1, "voordrachten": 1, "approvals": 1, "notifications": 3, "transitions": 1,
                      "legal_holds": 1}
    text = all_text()
    assert [marker for marker in doomed_markers if marker in text] == []
    assert [marker for marker in control_markers if marker not in text] == []
    assert "zqgedeeldnaam" in text  # still in the control case
    assert database.session.get(Case, doomed_id) is None
    item = database.session.execute(sa.select(DestructionListItem).where(
        DestructionListItem.reference == reference)).scalar_one()
    assert item.case_id is None and item.closed_on is not None  # the copy outlives the case
    assert database.session.execute(sa.select(sa.func.count()).select_from(SubjectRequestMatch).where(
        SubjectRequestMatch.subject_id.is_(None))).scalar() == 1


def test_one_audit_event_per_destroyed_case_with_its_counts_and_no_content(world):
    first, markers = seed_case(world, "weg2")
    second, more = seed_case(world, "weg3")
    ids = sorted([first.id, second.id])

    counts = destroy_cases(ids)

    events = database.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "case.destroyed")
                                      .order_by(AuditEvent.case_id)).scalars().all()
    assert [(event.object_id, event.case_id) for event in events] == [(str(ids[0]), ids[0]), (str(ids[1]), ids[1])]
    assert [event.details["counts"] for event in events] == [counts[ids[0]], counts[ids[1]]]
    shown = repr([event.details for event in events]).lower()
    assert [marker for marker in markers + more if marker in shown] == []


def test_a_case_under_legal_hold_is_refused_and_nothing_is_deleted(world):
    free, _ = seed_case(world, "vrij1")
    held, _ = seed_case(world, "vast1")
    database.session.add(LegalHold(case_id=held.id, reason="Lopende procedure", placed_by_id=world.user.id))
    database.session.flush()

    with pytest.raises(ServiceError) as refused:
        destroy_cases([free.id, held.id])

    assert refused.value.status == 409
    assert database.session.execute(sa.select(sa.func.count()).select_from(Case).where(
        Case.id.in_([free.id, held.id]))).scalar() == 2


def test_destroy_signal_removes_it_and_its_own_subjects_only(world):
    control, control_markers = seed_case(world, "blijf2")
    person = database.session.execute(sa.select(Subject).join(CaseSubject).where(
        CaseSubject.case_id == control.id, Subject.kind == "persoon")).scalar_one()
    signal = seed_signal(world, "weg4", subjects=[person])
    markers = world.markers.pop(signal.reference)
    signal_id, reference = signal.id, signal.reference

    counts = destroy_signal(signal)

    assert counts == {"subjects": 1, "documents": 1}  # its reporter's subject; the control case's person stays
    text = all_text()
    assert [marker for marker in markers if marker in text] == []
    assert [marker for marker in control_markers if marker not in text] == []
    assert database.session.get(Signal, signal_id) is None
    item = database.session.execute(sa.select(DestructionListItem).where(
        DestructionListItem.reference == reference)).scalar_one()
    assert item.signal_id is None
    event = database.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "signal.destroyed")).scalar_one()
    assert event.object_id == str(signal_id) and event.details == {"counts": counts}


def test_a_bundled_signal_goes_with_its_case_not_alone(world):
    case, _ = seed_case(world, "blijf3")
    bundled = database.session.execute(sa.select(Signal).where(Signal.case_id == case.id)).scalar_one()

    with pytest.raises(ServiceError):
        destroy_signal(bundled)


def test_erase_subject_leaves_the_cases_and_names_those_left_without_a_subject(world):
    only_theirs, _ = seed_case(world, "wis1")
    with_others, other_markers = seed_case(world, "wis2")
    person = Subject(kind="persoon", name="zqwispersoon", name_key="zqwispersoon", bsn="123456782")
    database.session.add(person)
    database.session.flush()
    database.session.add(SubjectCorrection(subject_id=person.id, field="name", old_value="zqwisoud",
                                           new_value="zqwispersoon", corrected_by_id=world.user.id))
    # The first case keeps only this person; the second keeps its own subjects too.
    database.session.execute(sa.delete(CaseSubject).where(CaseSubject.case_id == only_theirs.id))
    database.session.add_all([CaseSubject(case_id=only_theirs.id, subject_id=person.id),
                              CaseSubject(case_id=with_others.id, subject_id=person.id)])
    database.session.flush()
    person_id = person.id

    left = erase_subject(person)

    assert left == [only_theirs.id]
    assert database.session.get(Subject, person_id) is None
    text = all_text()
    assert "zqwispersoon" not in text and "zqwisoud" not in text and "123456782" not in text
    assert [marker for marker in other_markers if marker not in text] == []
    assert database.session.get(Case, only_theirs.id) is not None  # destroying it is the caller's (with a verklaring)
    event = database.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "subject.erased")).scalar_one()
    assert event.object_id == str(person_id)
    assert event.details == {"removed_from": {"cases": 2, "signals": 0, "voordrachten": 0},
                             "cases_left_without_subject": 1}


def test_every_table_pointing_at_a_case_signal_or_subject_is_handled():
    """A new table with a foreign key to cases, signals or subjects fails here until destruction handles it (or
    this test says why it need not)."""
    handled = {part.model.__tablename__ for part in destruction.CASE_PARTS} | set(destruction.OTHER_TABLES)
    pointing = {(table.name, key.column.table.name) for table in database.metadata.sorted_tables
                for key in table.foreign_keys if key.column.table.name in {"cases", "signals", "subjects"}}
    assert {table for table, _ in pointing} - handled == set()


def test_statements_do_not_grow_with_the_number_of_cases(world, count_queries):
    few = [seed_case(world, f"tel{n}")[0].id for n in range(2)]
    many = [seed_case(world, f"veel{n}")[0].id for n in range(8)]

    with count_queries() as one_batch:
        destroy_cases(few)
    with count_queries() as bigger_batch:
        destroy_cases(many)

    def without_audit(counter):
        return [s for s in counter.statements if "audit_events" not in s]

    assert len(without_audit(bigger_batch)) == len(without_audit(one_batch))


def test_vacuum_runs_after_the_commit_on_the_tables_deleted_from(world, monkeypatch):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    vacuumed = []
    monkeypatch.setattr(destruction, "vacuum", lambda tables, url, **_: vacuumed.append(tables))
    case, _ = seed_case(world, "vac1")
    destroy_case(case)
    assert vacuumed == []  # not inside the transaction

    database.session.commit()

    assert len(vacuumed) == 1
    assert {"cases", "notes", "subjects", "signals", "agenda_items", "decisions"} <= set(vacuumed[0])


def test_a_rolled_back_destruction_vacuums_nothing(world, monkeypatch):
    vacuumed = []
    monkeypatch.setattr(destruction, "vacuum", lambda tables, url, **_: vacuumed.append(tables))
    case, _ = seed_case(world, "vac2")
    database.session.commit()
    destroy_case(case)
    database.session.rollback()
    database.session.commit()

    assert vacuumed == []


def test_vacuum_failure_is_logged_by_type_only(caplog):
    destruction.vacuum(["cases"], "postgresql+psycopg://nobody@127.0.0.1:1/none", after="destruction")

    assert [record.getMessage() for record in caplog.records] == ["VACUUM after destruction failed: OperationalError"]



def test_a_role_that_does_not_own_the_tables_skips_them_and_says_so(app, caplog):
    """The runtime role owns nothing: VACUUM would only warn, so Casus leaves those tables to the owner's
    scheduled vacuumdb and logs how many it skipped."""
    import secrets

    from support import ADMIN_DATABASE_URL, TEST_DATABASE_URL, owner_url

    if not TEST_DATABASE_URL:
        pytest.skip("VACUUM is PostgreSQL's")
    admin = sa.create_engine(ADMIN_DATABASE_URL, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    role = f"casus_not_owner_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'geheim-{role}'")
    try:
        url = sa.engine.make_url(owner_url(app.config["SQLALCHEMY_DATABASE_URI"])).set(
            username=role, password=f"geheim-{role}").render_as_string(hide_password=False)
        destruction.vacuum(["cases", "notes"], url, after="destruction")
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()

    assert [record.getMessage() for record in caplog.records] == [
        "VACUUM after destruction skipped 2 of 2 tables: not their owner"]


def test_the_owner_vacuums_without_a_warning(app, caplog):
    from support import TEST_DATABASE_URL, owner_url

    if not TEST_DATABASE_URL:
        pytest.skip("VACUUM is PostgreSQL's")
    destruction.vacuum(["cases", "notes"], owner_url(app.config["SQLALCHEMY_DATABASE_URI"]), after="destruction")

    assert caplog.records == []
