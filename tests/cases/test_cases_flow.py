"""A case from first signal to closure through the services, as the UI and API drive them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.cases import services as cases
from casus.cases.categories import ensure_standard_categories
from casus.cases.models import TransitionLog
from casus.clock import today
from casus.organisations.models import OrganisationKind
from casus.plans import services as plans
from casus.signals import services as signals
from casus.signals.models import SignalStatus
from casus.subjects.services import SubjectInput
from workflow import TransitionRefused


@pytest.fixture
def region(app, db, make_organisation, make_team, make_user):
    with app.test_request_context():
        categories = ensure_standard_categories()
    zvh = make_organisation(name="ZVH", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Corporatie", kind=OrganisationKind.WONINGCORPORATIE)
    return {
        "category": categories["woonoverlast"], "team": team,
        "regisseur": make_user("procesregisseur", organisation=zvh, team=team),
        "supervisor": make_user("supervisor", organisation=zvh, team=team),
        "agent": make_user("partner", organisation=politie),
        "corporatie": make_user("partner", organisation=corporatie),
        "politie": politie, "corporatie_org": corporatie,
    }


def test_signal_to_closure(app, db, region):
    r = region
    with app.test_request_context():
        signal, known = signals.report_signal(
            r["agent"], category_id=r["category"].id, team_id=r["team"].id, description="Overlast en vervuiling",
            urgency="hoog", subjects=[SubjectInput(kind="persoon", name="Jan de Boer", bsn="111222333"),
                                      SubjectInput(kind="adres", postcode="1234 ab", huisnummer="12")])
        assert known == []
        case = signals.open_case(r["regisseur"], signal, title="Overlast Dorpsstraat")
        assert case.reference.endswith("-00001") and case.phase == "signalering"
        assert signal.status == SignalStatus.IN_TRIAGE
        cases.invite_organisation(r["regisseur"], case, organisation_id=r["corporatie_org"].id,
                                  role="casushouder", legal_basis="convenant")
        cases.triage(r["regisseur"], case, outcome="A", criteria=["meerdere_leefgebieden"], reason="Complex")
        assert case.phase == "aanpak.plan"
        goal = plans.add_goal(r["regisseur"], case, description="Overlast stopt")
        action = plans.add_action(r["regisseur"], case, description="Huisbezoek", due_on=today() + timedelta(7),
                                  owner_organisation_id=r["corporatie_org"].id, goal_id=goal.id)
        with pytest.raises(TransitionRefused) as refused:
            cases.transition(r["regisseur"], case, "adopt_plan", reason="Plan klaar")
        assert refused.value.codes == ("needs_plan_discussed",)
        case.plan_discussed_on = today()
        cases.transition(r["regisseur"], case, "adopt_plan", reason="Vastgesteld in casusoverleg")
        plans.add_progress(r["corporatie"], case, action, text="Bezoek afgelegd", status="gereed")
        case.evaluation = "Rust teruggekeerd"
        cases.transition(r["regisseur"], case, "step_down", reason="Doelen bereikt")
        assert case.nazorg_started_on == today()
        cases.transition(r["supervisor"], case, "close", reason="Afgerond", result="doel_bereikt", override=True)
        assert case.phase == "afgesloten" and case.result == "doel_bereikt"
        assert signal.status == SignalStatus.AFGESLOTEN
    logs = db.session.execute(sa.select(TransitionLog).order_by(TransitionLog.id)).scalars().all()
    assert [(log.trigger, log.allowed) for log in logs] == [
        ("start_triage", True), ("accept", True), ("adopt_plan", False), ("adopt_plan", True),
        ("step_down", True), ("close", True)]


def test_known_elsewhere_says_whom_to_contact_and_nothing_more(app, db, region):
    r = region
    with app.test_request_context():
        first, _ = signals.report_signal(
            r["agent"], category_id=r["category"].id, team_id=r["team"].id, description="Eerste melding",
            urgency="normaal", subjects=[SubjectInput(kind="persoon", name="Piet Pieters", bsn="111222333")])
        signals.open_case(r["regisseur"], first, title="Casus Pieters")
        _, known = signals.report_signal(
            r["corporatie"], category_id=r["category"].id, team_id=r["team"].id, description="Tweede melding",
            urgency="normaal", subjects=[SubjectInput(kind="persoon", name="P. Pieters", bsn="111 222 333")])
    assert len(known) == 1
    assert known[0].contact_name == r["regisseur"].name


def test_refused_triage_changes_nothing(app, db, region):
    r = region
    with app.test_request_context():
        signal, _ = signals.report_signal(
            r["agent"], category_id=r["category"].id, team_id=r["team"].id, description="Melding",
            urgency="normaal", subjects=[SubjectInput(kind="adres", postcode="1234AB", huisnummer="1")])
        case = signals.open_case(r["regisseur"], signal, title="Casus")
        with pytest.raises(TransitionRefused) as refused:
            cases.triage(r["regisseur"], case, outcome="A", criteria=[], reason="x")
    assert "needs_two_partners" in refused.value.codes
    db.session.refresh(case)
    assert case.phase == "signalering" and case.triage_outcome is None
