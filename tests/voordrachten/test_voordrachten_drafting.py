"""Drawing up a voordracht (casus.voordrachten.drafting): the concept, its fields checked at once, its changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.voordrachten import drafting, services
from casus.voordrachten.models import VoordrachtSubject


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def lines(db, case, kind) -> list[str]:
    return list(db.session.execute(sa.select(TimelineEvent.summary).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == kind).order_by(TimelineEvent.id)).scalars())


def audits(db, action, voordracht) -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(voordracht.id)).order_by(AuditEvent.id)).scalars())


def test_a_concept_shares_exactly_the_chosen_subjects(db, ctx, world, draft_values):
    voordracht = drafting.create_voordracht(world["regisseur"], world["case"], **draft_values())
    assert voordracht.state == "concept" and voordracht.created_by_id == world["regisseur"].id
    assert [s.name for s in services.shared_subjects(voordracht)] == ["Karel Geheim", "Bakkerij Dekmantel B.V."]
    assert voordracht.indicators == ["drugs", "witwassen"] and voordracht.urgency == "hoog"
    assert lines(db, world["case"], "voordracht.created") == [f"RIEC-voordracht RV-{voordracht.id} opgesteld (concept)"]
    event, = audits(db, "voordracht.created", voordracht)
    assert event.case_id == world["case"].id and event.details["subject_ids"] == sorted(
        s.id for s in world["subjects"][:2])


def test_every_problem_is_reported_at_once(db, ctx, world, draft_values, make_organisation):
    with pytest.raises(drafting.InvalidVoordracht) as invalid:
        drafting.create_voordracht(world["regisseur"], world["case"], **draft_values(
            summary="  ", subject_ids=[], indicators=[], legal_basis="weet_niet", urgency="morgen",
            addressee_organisation_id=world["politie"].id))
    assert [p.field for p in invalid.value.problems] == [
        "summary", "subject_ids", "indicators", "legal_basis", "urgency", "addressee_organisation_id"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(VoordrachtSubject)).scalar_one() == 0


def test_overig_needs_a_short_description_and_only_overig_keeps_one(db, ctx, world, draft_values):
    with pytest.raises(drafting.InvalidVoordracht) as invalid:
        drafting.create_voordracht(world["regisseur"], world["case"], **draft_values(indicators=["overig"]))
    assert [p.field for p in invalid.value.problems] == ["indicator_other"]
    with pytest.raises(drafting.InvalidVoordracht):
        drafting.create_voordracht(world["regisseur"], world["case"], **draft_values(
            indicators=["overig"], indicator_other="x" * 201))
    kept = drafting.create_voordracht(world["regisseur"], world["case"], **draft_values(
        indicators=["overig", "vastgoed"], indicator_other="Malafide uitzendbureau"))
    assert kept.indicators == ["vastgoed", "overig"] and kept.indicator_other == "Malafide uitzendbureau"
    dropped = drafting.create_voordracht(world["regisseur"], world["case"], **draft_values(
        indicators=["drugs"], indicator_other="wordt niet bewaard"))
    assert dropped.indicator_other is None


def test_only_subjects_of_the_case_can_be_shared(db, ctx, world, draft_values, make_subject):
    stranger = make_subject("persoon", name="Elders Bekend")
    with pytest.raises(drafting.InvalidVoordracht) as invalid:
        drafting.create_voordracht(world["regisseur"], world["case"], **draft_values(
            subject_ids=[world["subjects"][0].id, stranger.id]))
    assert [p.field for p in invalid.value.problems] == ["subject_ids"]


def test_the_addressee_is_an_active_riec(db, ctx, world, draft_values):
    world["riec"].active = False
    with pytest.raises(drafting.InvalidVoordracht) as invalid:
        drafting.create_voordracht(world["regisseur"], world["case"], **draft_values())
    assert invalid.value.field == "addressee_organisation_id"


def test_only_the_team_drafts_and_not_on_a_closed_case(db, ctx, world, draft_values, make_case):
    with pytest.raises(ServiceError) as refused:
        drafting.create_voordracht(world["agent"], world["case"], **draft_values())
    assert refused.value.status == 403
    world["case"].phase = "afgesloten"
    with pytest.raises(ServiceError) as closed:
        drafting.create_voordracht(world["regisseur"], world["case"], **draft_values())
    assert closed.value.status == 409


def test_a_concept_can_be_changed_with_its_version_and_nothing_else(db, ctx, world, draft_values):
    voordracht = drafting.create_voordracht(world["regisseur"], world["case"], **draft_values())
    version = voordracht.version
    drafting.update_voordracht(world["supervisor"], voordracht, expected_version=version,
                               subject_ids=[world["subjects"][0].id], urgency="spoed")
    assert [s.name for s in services.shared_subjects(voordracht)] == ["Karel Geheim"]
    assert voordracht.urgency == "spoed" and voordracht.version > version
    assert audits(db, "voordracht.updated", voordracht)[0].details == {"fields": ["subject_ids", "urgency"]}
    assert len(lines(db, world["case"], "voordracht.updated")) == 1
    with pytest.raises(ServiceError) as stale:
        drafting.update_voordracht(world["regisseur"], voordracht, expected_version=version, summary="Nieuw")
    assert stale.value.status == 409
    services.submit(world["regisseur"], voordracht)
    with pytest.raises(ServiceError) as not_concept:
        drafting.update_voordracht(world["regisseur"], voordracht, summary="Nieuw")
    assert not_concept.value.status == 409
