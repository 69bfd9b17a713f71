"""Destruction lists: the monthly proposal picks exactly what is due, the privacy officer reviews and submits, and a
second person's approval destroys what is on it and records the verklaring — never the preparer's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from lists_world import item_for, propose, world_fixture

from casus.approvals import services as approvals
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.audit.models import AuditEvent, Outcome
from casus.cases.models import Case
from casus.notifications.models import Notification
from casus.retention import lists
from casus.retention.models import (
    DestructionDeclaration,
    DestructionItemStatus,
    DestructionList,
    DestructionListStatus,
    LegalHold,
)
from casus.services import ServiceError
from casus.signals.models import Signal
from casus.subjects.models import Subject

list_world = world_fixture()


def _records(destruction_list):
    return {(item.record_kind, item.case_id or item.signal_id) for item in destruction_list.items}


# --- the monthly proposal ------------------------------------------------------------------------------------------

def test_the_monthly_list_holds_exactly_what_is_due(db, list_world):
    w = list_world
    destruction_list = propose(w)
    assert _records(destruction_list) == {("case", w["due"].id), ("case", w["due2"].id), ("case", w["lifted"].id),
                                          ("case", w["today"].id), ("signal", w["signal_due"].id)}
    assert destruction_list.reference.startswith(f"VL-{w['day'].year}-")
    assert destruction_list.period == f"{w['day']:%Y-%m}" and destruction_list.status == DestructionListStatus.CONCEPT
    item = item_for(destruction_list, w["due"])
    assert (item.reference, item.category_code, item.closed_on, item.archiefactiedatum) == (
        w["due"].reference, "woonoverlast", w["due"].closed_on, w["due"].archiefactiedatum)
    other = db.session.execute(sa.select(DestructionList).where(DestructionList.team_id == w["other_team"].id)
                               ).scalar_one()
    assert other.id != destruction_list.id  # one list per team


def test_the_proposal_is_idempotent_and_never_proposes_twice(db, list_world):
    w = list_world
    propose(w)
    assert lists.propose_lists(w["day"]) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DestructionList)) == 2
    # Next month: what is still on this month's open list is not proposed again — only what became due since —
    # and a team with nothing due gets no (empty) list.
    proposed = lists.propose_lists(w["day"] + timedelta(days=31))
    assert [row.team_id for row in proposed] == [w["team"].id]
    assert _records(lists.get_list(proposed[0].id)) == {("case", w["future"].id), ("signal", w["signal_future"].id)}


def test_the_privacy_officers_are_told_by_reference_only(db, list_world):
    w = list_world
    destruction_list = propose(w)
    notes = db.session.execute(sa.select(Notification).where(Notification.kind == "destruction_list_proposed",
                                                             Notification.link.endswith(f"/{destruction_list.id}"))
                               ).scalars().all()
    assert {note.user_id for note in notes} == {w["privacy"].id, w["privacy2"].id}
    assert all(note.params == {"reference": destruction_list.reference} for note in notes)


def test_the_job_proposes_in_local_time(app, db, list_world):
    from datetime import UTC, datetime

    from casus.retention.jobs import propose_destruction_lists

    assert propose_destruction_lists(app, datetime.now(UTC)) == 2
    assert propose_destruction_lists(app, datetime.now(UTC)) == 0


# --- review --------------------------------------------------------------------------------------------------------

def test_removing_postponing_and_restoring_items(db, list_world):
    w = list_world
    destruction_list = propose(w)
    user, version = w["privacy"], destruction_list.version
    removed = item_for(destruction_list, w["due2"])
    lists.remove_item(user, destruction_list, removed, reason="Nog nodig voor evaluatie", expected_version=version)
    assert (removed.status, removed.reason) == (DestructionItemStatus.VERWIJDERD, "Nog nodig voor evaluatie")
    assert destruction_list.version == version + 1
    with pytest.raises(ServiceError) as stale:
        lists.remove_item(user, destruction_list, item_for(destruction_list, w["today"]), reason="x",
                          expected_version=version)
    assert stale.value.status == 409

    postponed = item_for(destruction_list, w["signal_due"])
    until = w["day"] + timedelta(days=90)
    with pytest.raises(ServiceError, match="na vandaag"):
        lists.postpone_item(user, destruction_list, postponed, until=w["day"], reason="Later")
    lists.postpone_item(user, destruction_list, postponed, until=until, reason="Klacht loopt nog")
    assert (postponed.status, postponed.postponed_until) == (DestructionItemStatus.UITGESTELD, until)
    assert db.session.get(Signal, w["signal_due"].id).archiefactiedatum == until  # a later list proposes it again

    with pytest.raises(ServiceError, match="eerst terug"):
        lists.remove_item(user, destruction_list, postponed, reason="Toch niet")
    lists.restore_item(user, destruction_list, postponed)
    assert postponed.status == DestructionItemStatus.VOORGESTELD and postponed.reason is None
    assert db.session.get(Signal, w["signal_due"].id).archiefactiedatum == w["signal_due"].archiefactiedatum
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("destruction_list.item%"))
                                 ).scalars().all()
    assert actions == ["destruction_list.item_removed", "destruction_list.item_postponed",
                       "destruction_list.item_restored"]


def test_only_the_privacy_officer_reviews(db, list_world):
    w = list_world
    destruction_list = propose(w)
    with pytest.raises(ServiceError) as refused:
        lists.remove_item(w["supervisor"], destruction_list, item_for(destruction_list, w["due"]), reason="x")
    assert refused.value.status == 403


def test_a_case_held_while_on_the_list_drops_off_at_submission(db, list_world):
    w = list_world
    destruction_list = propose(w)
    db.session.add(LegalHold(case_id=w["due"].id, reason="Verzoek van de officier", placed_by_id=w["privacy"].id))
    db.session.flush()
    assert lists.held_case_ids(destruction_list) == {w["due"].id}
    with pytest.raises(ServiceError) as refused:
        lists.restore_item(w["privacy"], destruction_list, item_for(destruction_list, w["due"]))
    assert refused.value.status == 409  # it is still proposed: nothing to restore
    lists.submit(w["privacy"], destruction_list)
    item = item_for(destruction_list, w["due"])
    assert item.status == DestructionItemStatus.VERWIJDERD and "legal hold" in item.reason


# --- submission and the four-eyes approval -------------------------------------------------------------------------

def _submitted(db, w):
    destruction_list = propose(w)
    lists.submit(w["privacy"], destruction_list, expected_version=destruction_list.version)
    approval = db.session.execute(sa.select(Approval).where(Approval.destruction_list_id == destruction_list.id)
                                  ).scalar_one()
    return destruction_list, approval


def test_submission_opens_a_case_less_approval_and_notifies_the_deciders(db, list_world):
    w = list_world
    destruction_list, approval = _submitted(db, w)
    assert destruction_list.status == DestructionListStatus.TER_GOEDKEURING
    assert destruction_list.prepared_by_id == w["privacy"].id and destruction_list.prepared_at is not None
    assert (approval.kind, approval.case_id, approval.team_id, approval.requested_by_id) == (
        ApprovalKind.DESTRUCTION_LIST, None, w["team"].id, w["privacy"].id)
    notified = set(db.session.execute(sa.select(Notification.user_id).where(
        Notification.kind == "destruction_list_submitted")).scalars())
    assert notified == {w["privacy2"].id, w["supervisor"].id}  # not the preparer, not another team's supervisor
    with pytest.raises(ServiceError) as again:
        lists.submit(w["privacy"], destruction_list)
    assert again.value.status == 409


@pytest.mark.parametrize("who", ["privacy", "elsewhere", "regisseur"])
def test_the_preparer_and_outsiders_cannot_approve(db, list_world, who):
    w = list_world
    destruction_list, approval = _submitted(db, w)
    with pytest.raises(ServiceError) as refused:
        approvals.decide(w[who], approval, approve=True)
    assert refused.value.status == 403
    denied = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "approval.decided",
                                                            AuditEvent.outcome == Outcome.DENIED)).scalar_one()
    assert denied.user_id == w[who].id
    assert approval.is_open and destruction_list.status == DestructionListStatus.TER_GOEDKEURING
    assert db.session.get(Case, w["due"].id) is not None


@pytest.mark.parametrize("who", ["privacy2", "supervisor"])
def test_a_second_person_approves_and_the_list_is_destroyed(db, list_world, who):
    w = list_world
    destruction_list, approval = _submitted(db, w)
    subject_id = w["subject"].id
    approvals.decide(w[who], approval, approve=True, expected_version=approval.version)
    assert approval.status == ApprovalStatus.GOEDGEKEURD
    assert destruction_list.status == DestructionListStatus.VERNIETIGD
    assert destruction_list.approved_by_id == w[who].id and destruction_list.destroyed_at is not None
    assert {item.status for item in destruction_list.items} == {DestructionItemStatus.VERNIETIGD}
    db.session.expire_all()
    for name in ("due", "due2", "lifted", "today"):
        assert db.session.get(Case, w[name].id) is None, name
    assert db.session.get(Signal, w["signal_due"].id) is None
    assert db.session.get(Subject, subject_id) is None
    for name in ("held", "future", "kept", "unconfirmed", "open", "other"):
        assert db.session.get(Case, w[name].id) is not None, name
    declaration = db.session.execute(sa.select(DestructionDeclaration).where(
        DestructionDeclaration.destruction_list_id == destruction_list.id)).scalar_one()
    assert (declaration.prepared_by_id, declaration.approved_by_id) == (w["privacy"].id, w[who].id)
    assert sorted(entry["reference"] for entry in declaration.entries) == sorted(
        [w[name].reference for name in ("due", "due2", "lifted", "today")] + [w["signal_due"].reference])
    assert "Bram Bewaard" not in str(declaration.entries) and "111222333" not in str(declaration.entries)
    told = db.session.execute(sa.select(Notification).where(Notification.kind == "destruction_list_decided")
                              ).scalar_one()
    assert told.user_id == w["privacy"].id and told.params["reference"] == destruction_list.reference


def test_a_hold_placed_after_submission_still_wins(db, list_world):
    w = list_world
    destruction_list, approval = _submitted(db, w)
    db.session.add(LegalHold(case_id=w["due2"].id, reason="Nieuwe procedure", placed_by_id=w["supervisor"].id))
    db.session.flush()
    approvals.decide(w["privacy2"], approval, approve=True)
    assert item_for(destruction_list, w["due2"]).status == DestructionItemStatus.VERWIJDERD
    assert db.session.get(Case, w["due2"].id) is not None
    assert db.session.get(Case, w["due"].id) is None


def test_a_case_reopened_or_given_a_later_date_is_never_destroyed_by_an_older_list(db, list_world):
    w = list_world
    destruction_list = propose(w)
    w["due"].phase, w["due"].archiefactiedatum = "triage", None  # reopened while the list was in review
    db.session.flush()
    lists.submit(w["privacy"], destruction_list)
    assert item_for(destruction_list, w["due"]).status == DestructionItemStatus.VERWIJDERD
    approval = db.session.execute(sa.select(Approval)).scalar_one()
    w["due2"].archiefactiedatum = w["day"] + timedelta(days=400)  # a longer term since it was submitted
    w["signal_due"].archiefactiedatum = w["day"] + timedelta(days=400)
    db.session.flush()
    approvals.decide(w["privacy2"], approval, approve=True)
    assert item_for(destruction_list, w["due2"]).reason == lists.NOT_DUE_REASON
    assert item_for(destruction_list, w["signal_due"]).status == DestructionItemStatus.VERWIJDERD
    for name in ("due", "due2", "signal_due"):
        assert db.session.get(Signal if name.startswith("signal") else Case, w[name].id) is not None, name
    assert db.session.get(Case, w["today"].id) is None


def test_a_rejected_list_returns_to_review_with_the_motivation(db, list_world):
    w = list_world
    destruction_list, approval = _submitted(db, w)
    approvals.decide(w["supervisor"], approval, approve=False, motivation="Casus 2 hoort er niet op")
    assert destruction_list.status == DestructionListStatus.AFGEWEZEN
    assert db.session.get(Case, w["due"].id) is not None
    lists.remove_item(w["privacy"], destruction_list, item_for(destruction_list, w["due2"]), reason="Terecht")
    lists.submit(w["privacy"], destruction_list)
    assert destruction_list.status == DestructionListStatus.TER_GOEDKEURING


def test_withdrawing_the_request_returns_the_list_to_concept(db, list_world):
    w = list_world
    destruction_list, approval = _submitted(db, w)
    approvals.withdraw(w["privacy"], approval)
    assert destruction_list.status == DestructionListStatus.CONCEPT


def test_a_case_whose_subject_is_restricted_is_kept_off_the_list_until_the_restriction_is_lifted(db, list_world):
    from casus.clock import now
    from casus.subject_requests.models import SubjectRestriction

    w = list_world
    restriction = SubjectRestriction(subject_id=w["subject"].id, reason="Nodig voor een procedure",
                                     placed_by_id=w["privacy"].id)
    db.session.add(restriction)
    db.session.flush()
    destruction_list = propose(w)
    assert ("case", w["due"].id) not in _records(destruction_list)
    assert ("case", w["due2"].id) in _records(destruction_list)
    restriction.lifted_at, restriction.lifted_by_id = now(), w["privacy"].id
    db.session.flush()
    lists.propose_lists(w["day"] + timedelta(days=31))
    from casus.retention.models import DestructionListItem
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DestructionListItem)
                             .where(DestructionListItem.case_id == w["due"].id)) == 1
