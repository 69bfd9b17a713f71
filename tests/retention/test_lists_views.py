"""The destruction-list pages: the privacy officer's overview, review and submission; the approval in /akkoorden and
on the list page for a second person, never for the preparer; no page shows case content."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from lists_world import item_for, propose, world_fixture

from casus.approvals.models import Approval
from casus.audit.models import AuditEvent, Outcome
from casus.cases.models import Case
from casus.retention.models import DestructionItemStatus, DestructionList, DestructionListStatus

list_world = world_fixture()


def _switch(auth, login, user):
    auth.logout()
    login(user)


def _post(client, auth, url, **data):
    return client.post(url, data={"csrf_token": auth.csrf("/account"), **data})


def test_only_the_privacy_officer_opens_the_lists(client, db, login, auth, list_world):
    w = list_world
    destruction_list = propose(w)
    login(w["regisseur"])
    for who in ("supervisor", "regisseur"):
        _switch(auth, login, w[who])
        assert client.get("/vernietigingslijsten").status_code == 403
        assert client.get(f"/vernietigingslijsten/{destruction_list.id}").status_code == 403
    _switch(auth, login, w["privacy"])
    page = client.get("/vernietigingslijsten").get_data(as_text=True)
    assert destruction_list.reference in page and "Team Lijst" in page and "Concept" in page
    detail = client.get(f"/vernietigingslijsten/{destruction_list.id}").get_data(as_text=True)
    assert w["due"].reference in detail and w["signal_due"].reference in detail
    assert "Vervallen Dossierlaan" not in detail and "Bram Bewaard" not in detail  # no case content
    w["due2"].phase = "triage"  # reopened since the proposal: marked, and it leaves the list at submission
    db.session.flush()
    assert "Niet meer aan de beurt" in client.get(f"/vernietigingslijsten/{destruction_list.id}").get_data(as_text=True)


def test_the_overview_costs_the_same_queries_for_one_list_or_many(client, db, login, list_world, count_queries):
    w = list_world
    propose(w)
    login(w["privacy"])

    def queries():
        with count_queries() as counter:
            assert client.get("/vernietigingslijsten").status_code == 200
        return len(counter.statements)

    one = queries()
    for month in range(1, 4):  # more lists, each with its items
        lists_of_month = db.session.execute(sa.select(DestructionList)).scalars().all()
        for row in lists_of_month[:1]:
            db.session.add(DestructionList(team_id=row.team_id, period=f"2020-{month:02d}",
                                           reference=f"VL-2020-{month:04d}"))
    db.session.flush()
    assert queries() == one


def test_review_and_submission_through_the_pages(client, db, login, auth, list_world):
    w = list_world
    destruction_list = propose(w)
    login(w["privacy"])
    item = item_for(destruction_list, w["due2"])
    base = f"/vernietigingslijsten/{destruction_list.id}"
    page = client.get(f"{base}/items/{item.id}").get_data(as_text=True)
    assert "Van de lijst halen" in page and "Uitstellen" in page
    missing = _post(client, auth, f"{base}/items/{item.id}/verwijderen", version=destruction_list.version)
    assert "Dit veld is verplicht." in missing.get_data(as_text=True)
    stale = _post(client, auth, f"{base}/items/{item.id}/verwijderen", version=destruction_list.version + 5,
                  reason="Nog nodig")
    assert stale.status_code == 409
    done = _post(client, auth, f"{base}/items/{item.id}/verwijderen", version=destruction_list.version,
                 reason="Nog nodig voor de evaluatie")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(item), item.id).status == DestructionItemStatus.VERWIJDERD

    postponed = item_for(destruction_list, w["today"])
    until = (w["day"] + timedelta(days=60)).strftime("%d-%m-%Y")
    version = db.session.get(DestructionList, destruction_list.id).version
    assert _post(client, auth, f"{base}/items/{postponed.id}/uitstellen", version=version, until=until,
                 postpone_reason="Bezwaar loopt").status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, w["today"].id).archiefactiedatum == w["day"] + timedelta(days=60)

    version = db.session.get(DestructionList, destruction_list.id).version
    assert _post(client, auth, f"{base}/aanbieden", version=version).status_code == 302
    detail = client.get(base).get_data(as_text=True)
    assert "Ter goedkeuring" in detail and "U heeft deze lijst zelf aangeboden" in detail
    assert "Goedkeuren" not in detail


def test_the_preparer_is_refused_and_a_second_officer_approves_from_the_list_page(client, db, login, auth,
                                                                                   list_world):
    from casus.retention import lists

    w = list_world
    destruction_list = propose(w)
    lists.submit(w["privacy"], destruction_list)
    approval = db.session.execute(sa.select(Approval)).scalar_one()
    due_id = w["due"].id
    login(w["privacy"])
    assert "Goedkeuren" not in client.get(f"/akkoorden/{approval.id}").get_data(as_text=True)
    refused = _post(client, auth, f"/akkoorden/{approval.id}/besluit", decision="approve", version=approval.version)
    assert refused.status_code == 403
    assert db.session.execute(sa.select(AuditEvent.outcome).where(
        AuditEvent.action == "approval.decided", AuditEvent.user_id == w["privacy"].id)).scalar_one() == Outcome.DENIED

    _switch(auth, login, w["privacy2"])
    queue = client.get("/akkoorden").get_data(as_text=True)
    assert destruction_list.reference in queue and "Vernietigingslijst" in queue
    detail = client.get(f"/vernietigingslijsten/{destruction_list.id}").get_data(as_text=True)
    assert "Goedkeuren" in detail
    done = _post(client, auth, f"/akkoorden/{approval.id}/besluit", decision="approve", version=approval.version,
                 next=f"/vernietigingslijsten/{destruction_list.id}")
    assert done.status_code == 302 and done.location.endswith(f"/vernietigingslijsten/{destruction_list.id}")
    db.session.expire_all()
    assert db.session.get(DestructionList, destruction_list.id).status == DestructionListStatus.VERNIETIGD
    assert db.session.get(Case, due_id) is None


def test_a_supervisor_of_the_team_decides_in_akkoorden_but_not_one_of_another_team(client, db, login, auth,
                                                                                    list_world):
    from casus.retention import lists

    w = list_world
    destruction_list = propose(w)
    lists.submit(w["privacy"], destruction_list)
    approval = db.session.execute(sa.select(Approval)).scalar_one()
    login(w["elsewhere"])
    assert client.get(f"/akkoorden/{approval.id}").status_code == 404  # another team's business
    _switch(auth, login, w["supervisor"])
    page = client.get(f"/akkoorden/{approval.id}").get_data(as_text=True)
    assert f"Akkoord op vernietigingslijst {destruction_list.reference}" in page and "Goedkeuren" in page
    assert w["due"].reference in page and w["signal_due"].reference in page  # what the decider approves
    assert "Vervallen Dossierlaan" not in page and "Bram Bewaard" not in page
    rejected = _post(client, auth, f"/akkoorden/{approval.id}/besluit", decision="reject",
                     motivation="Eerst de evaluatie afronden", version=approval.version)
    assert rejected.status_code == 302
    db.session.expire_all()
    assert db.session.get(DestructionList, destruction_list.id).status == DestructionListStatus.AFGEWEZEN
    _switch(auth, login, w["privacy"])
    detail = client.get(f"/vernietigingslijsten/{destruction_list.id}").get_data(as_text=True)
    assert "De lijst is afgewezen." in detail and "Eerst de evaluatie afronden" in detail
    assert "Ter goedkeuring aanbieden" in detail
