"""A refused step told to whoever can act on it: a supervisor closing during nazorg is told until when it runs and
how to override it (the checkbox on the page, ``override`` in the API); anyone else gets the workflow's message."""

from __future__ import annotations

import pyotp
import pytest
from dateutil.relativedelta import relativedelta

GENERAL = "alleen een supervisor kan eerder afsluiten"


@pytest.fixture
def in_nazorg(db, categories, make_organisation, make_team, make_user):
    from casus.cases.models import Case
    from casus.clock import today
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    case = Case(reference="2026-09001", title="Overlast Dorpsstraat", category=categories["woonoverlast"],
                team=team, gemeente=team.gemeente, phase="nazorg", aanbrenger_organisation_id=zvh.id,
                nazorg_started_on=today() - relativedelta(months=1), evaluation="De rust is terug.")
    db.session.add(case)
    db.session.flush()
    supervisor = make_user("supervisor", organisation=zvh, team=team, totp_secret=pyotp.random_base32())
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, totp_secret=pyotp.random_base32())
    case.procesregisseur_id = regisseur.id
    db.session.flush()
    return case, supervisor, regisseur


def refused_close(app, user, case):
    from casus.cases import services
    from workflow import TransitionRefused

    with app.test_request_context(), pytest.raises(TransitionRefused) as refused:
        services.transition(user, case, "close", reason="Klaar", result="doel_bereikt")
    return refused.value


def ends_on(case) -> str:
    from casus.clock import cadences

    return cadences().nazorg_ends(case.nazorg_started_on).strftime("%d-%m-%Y")


def test_a_supervisor_is_told_until_when_and_how_to_override(app, in_nazorg):
    from casus.cases.refusals import for_user

    case, supervisor, regisseur = in_nazorg
    refused = refused_close(app, supervisor, case)
    with app.test_request_context():
        told = for_user(refused, supervisor, case)
        api = for_user(refused, supervisor, case, api=True)
        other = for_user(refused, regisseur, case)
    assert told.codes == refused.codes == api.codes  # the codes are the API's contract
    message = told.messages("nl")[0]
    assert message == (f"De nazorgperiode loopt nog tot {ends_on(case)}. Als supervisor kunt u toch afsluiten: "
                       "vink 'Nazorgperiode overslaan (supervisor)' aan en sluit opnieuw af.")
    assert "Skip the aftercare period (supervisor)" in told.messages("en")[0]
    assert "override: true" in api.messages("nl")[0] and "override: true" in api.messages("en")[0]
    assert GENERAL in other.messages("nl")[0]


def test_the_page_tells_a_supervisor_about_the_override(client, auth, login, in_nazorg):
    case, supervisor, _regisseur = in_nazorg
    login(supervisor)
    response = auth.post(f"/casussen/{case.id}/overgang", form_url=f"/casussen/{case.id}", data={
        "trigger": "close", "reason": "Klaar", "result": "doel_bereikt", "version": case.version},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"De nazorgperiode loopt nog tot {ends_on(case)}. Als supervisor kunt u toch afsluiten" in page
    assert GENERAL not in page


def test_the_api_tells_a_supervisor_to_send_override(api, in_nazorg):
    case, supervisor, regisseur = in_nazorg
    response = api(supervisor, "POST", f"/cases/{case.id}/transitions", json={
        "trigger": "close", "reason": "Klaar", "result": "doel_bereikt", "version": case.version})
    assert response.status_code == 409
    body = response.get_json()
    assert body["failedGuards"] == ["nazorg_period_over"]
    assert "Als supervisor kunt u toch afsluiten: stuur de stap opnieuw met override: true." in body["detail"]
    response = api(regisseur, "POST", f"/cases/{case.id}/transitions", json={
        "trigger": "close", "reason": "Klaar", "result": "doel_bereikt", "version": case.version})
    assert GENERAL in response.get_json()["detail"]


def test_a_workflow_refusal_is_titled_and_told_in_the_requests_language(api, in_nazorg):
    case, _supervisor, regisseur = in_nazorg
    step = {"trigger": "close", "reason": "Klaar", "result": "doel_bereikt", "version": case.version}
    dutch = api(regisseur, "POST", f"/cases/{case.id}/transitions", json=step).get_json()
    assert dutch["title"] == "Stap geweigerd" and GENERAL in dutch["detail"]
    english = api(regisseur, "POST", f"/cases/{case.id}/transitions", json=step,
                  headers={"Accept-Language": "en"}).get_json()
    assert english["title"] == "Transition refused"
    assert english["detail"] == "The aftercare period has not ended yet; only a supervisor can override it."
    assert english["failedGuards"] == dutch["failedGuards"] == ["nazorg_period_over"]
