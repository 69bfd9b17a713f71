"""The request pages: the list with its deadlines, registration, one request, extension and completion — and
nobody but the privacy officer gets any of them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casus.clock import today
from casus.subject_requests.models import SubjectRequest


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_shows_open_requests_with_their_deadline_and_days_left(client, db, privacy_world, register, login,
                                                                        count_queries):
    first = register(received_on=today() - timedelta(days=10))
    login(privacy_world["privacy"])
    with count_queries() as one:
        page = text(client.get("/verzoeken"))
    assert first.reference in page and "Inzage" in page
    assert first.due_on.strftime("%d-%m-%Y") in page and "nog " in page
    register(kind="wissing")
    register(kind="bezwaar")
    with count_queries() as three:
        page = text(client.get("/verzoeken"))
    assert page.count("AVG-") == 3 and three.count == one.count


def test_the_privacy_officer_registers_a_request_through_the_form(client, db, privacy_world, auth, login):
    login(privacy_world["privacy"])
    response = auth.post("/verzoeken/nieuw", {
        "kind": "inzage", "bsn": "111222333", "identity_check": "id_bewijs",
        "received_on": today().strftime("%d-%m-%Y"), "description": "Alles"})
    assert response.status_code == 302
    registered = db.session.query(SubjectRequest).one()
    page = text(client.get(response.headers["Location"]))
    assert registered.reference in page and "111222333" in page and "Termijn verlengen" in page
    refused = auth.post("/verzoeken/nieuw", {"kind": "inzage", "identity_check": "id_bewijs",
                                             "received_on": today().strftime("%d-%m-%Y")})
    assert refused.status_code == 400 and "Identificeer de persoon" in text(refused)


def test_extension_and_completion_through_the_page(client, db, privacy_world, register, auth, login):
    registered = register()
    login(privacy_world["privacy"])
    url = f"/verzoeken/{registered.id}"
    assert auth.post(f"{url}/verlengen", {"version": "1", "months": "1", "reason": "Veel dossiers",
                                          "letter_on": today().strftime("%d-%m-%Y")}, form_url=url).status_code == 302
    stale = auth.post(f"{url}/afronden", {"version": "1", "outcome": "toegewezen"}, form_url=url)
    assert stale.status_code == 409
    done = auth.post(f"{url}/afronden", {"version": "2", "outcome": "toegewezen"}, form_url=url)
    assert done.status_code == 302
    page = text(client.get(url))
    assert "Toegewezen" in page and "Veel dossiers" in page and "Termijn verlengen" not in page


@pytest.mark.parametrize("who", ["supervisor", "partner", "beheerder"])
def test_nobody_else_opens_any_request_page(client, db, privacy_world, register, auth, login, who):
    registered = register()
    login(privacy_world[who])
    for path in ("/verzoeken", "/verzoeken/nieuw"):
        assert client.get(path).status_code == 403
    for path in ("", "/pakket.pdf", "/pakket.json"):
        assert client.get(f"/verzoeken/{registered.id}{path}").status_code in (403, 404)
    token = auth.csrf("/")
    for path in ("/verlengen", "/afronden", "/zoeken", "/koppelen", "/beoordelen"):
        response = client.post(f"/verzoeken/{registered.id}{path}", data={"csrf_token": token})
        assert response.status_code in (403, 404), path
    assert client.post("/verzoeken/nieuw", data={"csrf_token": token}).status_code == 403
