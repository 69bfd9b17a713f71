"""The one audited getter (policy.get_visible, get_of_case) and the four-eyes request phases.

Every route's 404/200 per kind of user is in tests/test_access_matrix.py; this checks what the getter promises
beyond that: one query, absent means 404 with a denied audit event, a read is audited only for the kinds that
audit it here, and a narrower ``where`` or another case is absent too."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from casus import policy
from casus.audit.models import AuditEvent, Outcome
from casus.cases.models import Case, Participation
from casus.organisations.models import OrganisationKind
from casus.signals.models import Signal


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case):
    zvh = make_organisation(name="ZVH Beleid", kind=OrganisationKind.ZVH)
    partner = make_organisation(name="Politie Beleid", kind=OrganisationKind.POLITIE)
    team = make_team(organisation=zvh)
    case = make_case(team=team, partners=[partner, zvh], phase="aanpak.plan")
    other_case = make_case(team=team, partners=[zvh], phase="aanpak.plan")
    signal = Signal(reference="S-2026-777001", category=case.category, team=team, description="Melding",
                    reporting_organisation_id=partner.id, reported_by_id=make_user("partner", organisation=partner).id)
    db.session.add(signal)
    db.session.flush()
    return {"case": case, "other_case": other_case, "signal": signal,
            "regisseur": make_user("procesregisseur", organisation=zvh, team=team),
            "partner": make_user("partner", organisation=partner),
            "outsider": make_user("partner")}


def events(db, action):
    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def participation_of(db, case, organisation_id):
    return db.session.execute(sa.select(Participation).where(
        Participation.case_id == case.id, Participation.organisation_id == organisation_id)).scalar_one()


def test_a_visible_case_is_read_in_one_query_and_the_read_audited_with_its_case(app, db, world, count_queries):
    case, partner = world["case"], world["partner"]
    with app.test_request_context(), count_queries() as counter:
        assert policy.get_visible(partner, Case, case.id, action="case.probe") is case
    assert len(counter.statements) == 1  # the audit event is written with the next flush
    [event] = events(db, "case.probe")
    assert (event.outcome, event.object_type, event.object_id, event.case_id, event.user_id) == (
        Outcome.SUCCESS, "case", str(case.id), case.id, partner.id)


def test_a_hidden_case_is_absent_404_and_the_attempt_audited_as_denied(app, db, world):
    case, outsider = world["case"], world["outsider"]
    with app.test_request_context(), pytest.raises(NotFound):
        policy.get_visible(outsider, Case, case.id, action="case.probe", purpose="onderzoek")
    [event] = events(db, "case.probe")
    assert (event.outcome, event.object_id, event.case_id, event.purpose, event.user_id) == (
        Outcome.DENIED, str(case.id), None, "onderzoek", outsider.id)


def test_a_signal_read_is_left_to_the_caller_to_audit_and_a_refusal_is_not(app, db, world):
    signal = world["signal"]
    with app.test_request_context():
        assert policy.get_signal(world["regisseur"], signal.id, action="signal.probe") is signal
        assert events(db, "signal.probe") == []
        with pytest.raises(NotFound):
            policy.get_signal(world["outsider"], signal.id, action="signal.probe")
    assert [event.outcome for event in events(db, "signal.probe")] == [Outcome.DENIED]


def test_a_participation_is_seen_through_its_case(app, db, world):
    """The participation kind selects through an alias: case_scope's own EXISTS over participations must not
    correlate to the row fetched, or a partner would see no participation but its own."""
    case, zvh_id = world["case"], world["regisseur"].organisation_id
    zvh_participation = participation_of(db, case, zvh_id)
    with app.test_request_context():
        assert policy.get_participation(world["partner"], zvh_participation.id) is zvh_participation
        with pytest.raises(NotFound):
            policy.get_participation(world["outsider"], zvh_participation.id)


def test_an_object_outside_the_narrower_where_is_absent_too(app, db, world):
    case, other_case, regisseur = world["case"], world["other_case"], world["regisseur"]
    with app.test_request_context(), pytest.raises(NotFound):
        policy.get_visible(regisseur, Case, case.id, action="case.probe", where=(Case.id == other_case.id,))
    assert [event.outcome for event in events(db, "case.probe")] == [Outcome.DENIED]


def test_an_object_of_another_case_is_absent_and_the_refusal_names_the_case_asked_about(app, db, world):
    case, other_case, regisseur = world["case"], world["other_case"], world["regisseur"]
    theirs = participation_of(db, other_case, regisseur.organisation_id)
    with app.test_request_context():
        assert policy.get_of_case(other_case, Participation, theirs.id, action="participation.probe") is theirs
        with pytest.raises(NotFound):
            policy.get_of_case(case, Participation, theirs.id, action="participation.probe", user=regisseur)
    [event] = events(db, "participation.probe")
    assert (event.outcome, event.object_type, event.object_id, event.case_id) == (
        Outcome.DENIED, "participation", str(theirs.id), case.id)


@pytest.mark.parametrize(("kind", "phases"), [("close_early", {"aanpak.plan", "aanpak.uitvoering"}),
                                              ("reopen", {"afgesloten"}), ("voordracht", set())])
def test_the_team_asks_for_a_four_eyes_step_only_where_the_workflow_can_take_it(db, world, make_case, kind, phases):
    regisseur = world["regisseur"]
    for phase in ("signalering", "triage", "aanpak.plan", "aanpak.uitvoering", "nazorg", "afgesloten"):
        case = make_case(team=regisseur.team, phase=phase)
        assert policy.requests_approval(regisseur, case, kind) == (phase in phases), phase
        assert not policy.requests_approval(world["partner"], case, kind)
