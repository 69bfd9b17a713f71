"""A reporter withdraws their own signal before the team weighs it: status ingetrokken, closing date today and the
archiefactiedatum of withdrawn signals' retention term; audited; refused for anyone else and once weighed."""

from __future__ import annotations

import pyotp
import pytest
from signals_helpers import audit_actions

from casus.clock import today
from casus.retention import terms
from casus.retention.models import SignalOutcome
from casus.services import ServiceError
from casus.signals import services
from casus.signals.models import SignalStatus
from casus.subjects.services import SubjectInput
from workflow.cadences import add_months


@pytest.fixture
def reported(app, db, region, make_user):
    """A signal reported by a police officer (with a second factor, so they can log in)."""
    agent = make_user("partner", organisation=region.politie, name="Anton Agent", totp_secret=pyotp.random_base32())
    with app.test_request_context():
        signal, _known = services.report_signal(
            agent, category_id=region.category.id, team_id=region.team.id, description="Zorgen over de buren",
            urgency="normaal", subjects=[SubjectInput(kind="persoon", name="Karel Kok")])
    return agent, signal


def test_the_reporter_withdraws_an_unweighed_signal(db, region, reported):
    agent, signal = reported
    withdrawn_term = terms.term_for_outcome(SignalOutcome.WITHDRAWN)
    services.withdraw_signal(agent, signal)
    assert signal.status == SignalStatus.INGETROKKEN and signal.case_id is None
    assert signal.closed_on == today()
    assert signal.archiefactiedatum == add_months(today(), withdrawn_term.months)
    [event] = audit_actions(db, "signal.withdrawn")
    assert event.user_id == agent.id and str(event.outcome) == "success"


def test_nobody_else_withdraws_and_a_weighed_signal_stays(db, region, reported, make_user):
    agent, signal = reported
    colleague = make_user("partner", organisation=region.politie)
    with pytest.raises(ServiceError) as other:
        services.withdraw_signal(colleague, signal)
    assert other.value.status == 403 and signal.status == SignalStatus.ONTVANGEN
    assert [str(event.outcome) for event in audit_actions(db, "signal.withdrawn")] == ["denied"]
    services.dismiss_signal(region.regisseur, signal, reason="Geen casus nodig")
    with pytest.raises(ServiceError) as weighed:
        services.withdraw_signal(agent, signal)
    assert weighed.value.status == 409 and signal.status == SignalStatus.AFGESLOTEN


def test_a_withdrawn_signal_can_no_longer_be_weighed(db, region, reported):
    agent, signal = reported
    services.withdraw_signal(agent, signal)
    with pytest.raises(ServiceError) as refused:
        services.dismiss_signal(region.regisseur, signal, reason="Geen casus")
    assert refused.value.status == 409


def test_the_signal_page_offers_the_reporter_a_withdraw_button(client, db, region, reported, login, auth):
    agent, signal = reported
    login(agent)
    page = client.get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "Signaal intrekken" in page
    response = auth.post(f"/signalen/{signal.id}/intrekken", form_url=f"/signalen/{signal.id}")
    assert response.status_code == 302
    db.session.refresh(signal)
    assert signal.status == SignalStatus.INGETROKKEN
    page = client.get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "Ingetrokken" in page and "Signaal intrekken" not in page


def test_the_api_withdraws_once(client, db, region, reported, api_token):
    from signals_helpers import bearer

    agent, signal = reported
    token = api_token(agent)
    response = client.post(f"/api/v1/signals/{signal.id}/withdrawal", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "ingetrokken"
    again = client.post(f"/api/v1/signals/{signal.id}/withdrawal", headers=bearer(token))
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
