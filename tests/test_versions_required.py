"""Every web form that changes an existing object requires the version it was loaded with: a form without one is
refused (400, a Dutch message) and changes nothing — it is never saved without the check.
Concurrent saves with a version are in tests/test_concurrent_edits.py."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from meetings.meeting_factories import add_item, add_meeting, local, started


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    import pyotp

    from casus.approvals.case_requests import request_early_closure
    from casus.clock import today
    from casus.meetings.models import MeetingSeries
    from casus.organisations.models import OrganisationKind
    from casus.plans.models import Action
    from casus.voordrachten.models import Voordracht, VoordrachtSubject

    zvh = make_organisation(name="ZVH Versies", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Versies")
    politie = make_organisation(name="Politie Versies", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Corporatie Versies", kind=OrganisationKind.WONINGCORPORATIE)
    riec = make_organisation(name="RIEC Versies", kind=OrganisationKind.RIEC)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    regisseur = user("procesregisseur", organisation=zvh, team=team)
    supervisor = user("supervisor", organisation=zvh, team=team)
    riec_user = user("riec", organisation=riec)
    subject = make_subject("persoon", name="Vera Versie")
    running = make_case(team=team, partners=[politie, zvh, corporatie], phase="aanpak.uitvoering",
                        procesregisseur=regisseur, subjects=[subject])
    planning = make_case(team=team, partners=[politie, zvh], phase="aanpak.plan", procesregisseur=regisseur)
    new = make_case(team=team, partners=[politie, zvh], phase="signalering", procesregisseur=regisseur)
    action = Action(case_id=running.id, description="Huisbezoek", owner_organisation_id=zvh.id,
                    due_on=today() + timedelta(days=7))
    db.session.add(action)
    meeting = started(db, add_meeting(db, team, invited=[politie], chair=regisseur))  # minutes from its start
    item = add_item(db, meeting, running)
    held = add_meeting(db, team, starts_at=local(today()), invited=[politie], chair=regisseur)
    series = MeetingSeries(team_id=team.id, type="casusoverleg", title="Reeks Versies", weekday=1, interval_weeks=2,
                           start_time=time(9, 30), duration_minutes=120, first_date=today() + timedelta(days=30),
                           location="Stadhuis", chair_id=regisseur.id)
    db.session.add(series)
    db.session.flush()
    approval = request_early_closure(regisseur, running, reason="Verhuisd", result="verhuisd")
    voordrachten = {}
    for state in ("concept", "ingediend"):
        voordracht = Voordracht(case_id=running.id, state=state, addressee_organisation_id=riec.id,
                                summary=f"Voordracht {state}", indicators=["drugs"], legal_basis="riec_convenant",
                                urgency="regulier", created_by_id=regisseur.id)
        db.session.add(voordracht)
        db.session.flush()
        db.session.add(VoordrachtSubject(voordracht_id=voordracht.id, subject_id=subject.id))
        voordrachten[state] = voordracht
    db.session.flush()
    corporatie_participation = next(p for p in _participations(db, running) if p.organisation_id == corporatie.id)
    return {"regisseur": regisseur, "supervisor": supervisor, "riec": riec_user, "running": running,
            "planning": planning, "new": new, "action": action, "meeting": meeting, "item": item, "held": held,
            "series": series, "approval": approval, "concept": voordrachten["concept"],
            "sent": voordrachten["ingediend"], "participation": corporatie_participation, "politie": politie,
            "corporatie": corporatie}


def _participations(db, case):
    from casus.cases.models import Participation

    return db.session.execute(sa.select(Participation).where(Participation.case_id == case.id)).scalars().all()


VERSIONED = ("running", "planning", "new", "action", "meeting", "item", "held", "series", "approval", "concept",
             "sent", "participation")


def _versions(db, w) -> dict:
    db.session.expire_all()
    return {name: db.session.get(type(w[name]), w[name].id).version for name in VERSIONED}


def _forms(w) -> list[tuple[str, str, dict]]:
    """(who, url, the form's fields without its version)."""
    from casus.clock import today

    run, meeting, item = w["running"].id, w["meeting"].id, w["item"].id
    day = (today() + timedelta(days=9)).isoformat()
    return [
        ("regisseur", f"/casussen/{run}/overgang", {"trigger": "step_down", "reason": "Klaar"}),
        ("regisseur", f"/casussen/{run}/evaluatie", {"evaluation": "Het werkt"}),
        ("regisseur", f"/casussen/{w['planning'].id}/plan-besproken", {"discussed_on": today().isoformat()}),
        ("regisseur", f"/casussen/{run}/partners", {"organisation_id": str(w["politie"].id), "role": "deelnemer",
                                                    "legal_basis": "convenant"}),
        ("regisseur", f"/casussen/{run}/partners/{w['participation'].id}/beeindigen", {}),
        ("regisseur", f"/triage/casussen/{w['new'].id}", {"outcome": "A", "criteria": ["meerdere_leefgebieden"],
                                                          "reason": "", "referral_organisation_id": ""}),
        ("regisseur", f"/casussen/{run}/plan/acties/{w['action'].id}/status", {"status": "vervallen"}),
        ("regisseur", f"/casussen/{run}/plan/acties/{w['action'].id}/voortgang", {"text": "Gedaan"}),
        ("regisseur", f"/casussen/{run}/escalaties/opschalen", {"reason": "Vast", "decision_owner": "Burgemeester",
                                                                 "review_on": day}),
        ("regisseur", f"/overleggen/{meeting}/agenda/{item}/verslag", {"beeldvorming": "Overschreven?"}),
        ("regisseur", f"/overleggen/{meeting}/agenda/{item}/verwijderen", {}),
        ("regisseur", f"/overleggen/{meeting}/aanwezigheid", {"rows-0-organisation_id": str(w["politie"].id),
                                                              "rows-0-present": "y", "rows-0-names": "J. Jansen"}),
        ("regisseur", f"/overleggen/{w['held'].id}/afsluiten", {}),
        ("regisseur", f"/overleggen/{meeting}/wijzigen", {"day": day, "start_time": "10:00",
                                                          "duration_minutes": "60", "location": "Elders"}),
        ("regisseur", f"/overleggen/{meeting}/annuleren", {}),
        ("regisseur", f"/overleggen/reeksen/{w['series'].id}", {
            "type": "casusoverleg", "title": "Overschreven?", "weekday": "1", "interval_weeks": "2",
            "start_time": "09:30", "duration_minutes": "120", "first_date": w["series"].first_date.isoformat(),
            "location": "Stadhuis", "organisation_ids": [str(w["politie"].id)], "active": "y"}),
        ("supervisor", f"/akkoorden/{w['approval'].id}/besluit", {"decision": "approve"}),
        ("regisseur", f"/akkoorden/{w['approval'].id}/intrekken", {}),
        ("regisseur", f"/voordrachten/{w['concept'].id}/ter-beoordeling", {}),
        ("regisseur", f"/voordrachten/{w['concept'].id}/wijzigen", {"summary": "Overschreven?"}),
        ("riec", f"/voordrachten/{w['sent'].id}/aannemen", {"riec_reference": "RIEC-1"}),
    ]


def test_no_form_saves_without_its_version(client, auth, db, world, login):
    before = _versions(db, world)
    forms = _forms(world)
    refused, current = [], None
    for who, url, fields in forms:
        if who != current:
            if current is not None:
                auth.logout()
            login(world[who])
            current = who
        response = auth.post(url, fields, form_url="/")
        page = response.get_data(as_text=True)
        if response.status_code == 400 and "mist de versie" in page:
            refused.append(url)
        else:
            pytest.fail(f"{url}: {response.status_code} without a version")
    assert len(refused) == len(forms)
    assert _versions(db, world) == before
    db.session.expire_all()
    assert world["item"].beeldvorming is None and world["series"].title == "Reeks Versies"


def test_with_its_version_the_same_form_saves(client, auth, db, world, login):
    """The refusal above is about the version, not the rest of the input: the minutes form with it is saved."""
    login(world["regisseur"])
    url = f"/overleggen/{world['meeting'].id}/agenda/{world['item'].id}/verslag"
    response = auth.post(url, {"beeldvorming": "Nu wel", "version": str(world["item"].version)}, form_url="/")
    assert response.status_code == 302
    db.session.expire_all()
    assert world["item"].beeldvorming == "Nu wel" and world["item"].version == 2


@pytest.fixture
def sneaks_in(db):
    """``sneaks_in(table, row_id)``: just before the next flush that writes, another writer's change of that row
    commits (its version goes up) — the race that passes the version compare and loses at the UPDATE."""
    from sqlalchemy import event

    from casus.extensions import db as database

    armed = {}

    def before_flush(session, _context, _instances):
        if armed and session.dirty:
            table, row_id = armed.pop("table"), armed.pop("id")
            session.execute(table.update().where(table.c.id == row_id).values(version=table.c.version + 1))

    session_class = type(database.session())  # every request's own session is one of these
    event.listen(session_class, "before_flush", before_flush)

    def arm(table, row_id):
        armed.update(table=table, id=row_id)

    yield arm
    event.remove(session_class, "before_flush", before_flush)


def test_a_lost_race_at_the_update_is_a_409_with_the_stored_version_and_keeps_the_audit(api, db, world, sneaks_in):
    from casus.audit.models import AuditEvent
    from casus.meetings.models import AgendaItem

    item = world["item"]
    sneaks_in(AgendaItem.__table__, item.id)
    response = api(world["regisseur"], "PATCH", f"/agenda-items/{item.id}",
                   json={"beeldvorming": "Verloren race", "version": item.version})
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    db.session.expire_all()
    assert world["item"].beeldvorming is None  # nothing of the losing write
    assert isinstance(response.get_json()["currentVersion"], int)  # its value: tests/test_concurrent_edits.py
    refused = [event for event in db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.user_id == world["regisseur"].id)).scalars() if (event.details or {}).get("refused_with") == 409]
    assert refused  # the attempt (its read of the case) stays audited, marked refused


def test_a_lost_race_in_a_page_shows_the_stored_minutes_and_keeps_the_input(client, auth, db, world, login,
                                                                               sneaks_in):
    from casus.meetings.models import AgendaItem

    login(world["regisseur"])
    item = world["item"]
    db.session.execute(sa.update(AgendaItem).where(AgendaItem.id == item.id).values(beeldvorming="Van de ander"))
    db.session.expire_all()
    sneaks_in(AgendaItem.__table__, item.id)
    response = auth.post(f"/overleggen/{world['meeting'].id}/agenda/{item.id}/verslag",
                         {"beeldvorming": "Mijn verslag", "version": str(item.version)}, form_url="/")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Iemand anders heeft dit intussen gewijzigd" in page
    assert "Van de ander" in page and "Mijn verslag" in page
    db.session.expire_all()
    assert f'name="version" value="{world["item"].version}"' in page
