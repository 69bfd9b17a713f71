"""The plan van aanpak tab: goals and actions by the case's managers, voortgang only by the owning organisation."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.clock import today
from casus.organisations.models import OrganisationKind
from casus.plans.models import Action, Goal, ProgressEntry

from support import csrf_from


@pytest.fixture
def plan_case(db, make_organisation, make_team, make_user, make_case):
    import pyotp

    zvh = make_organisation(name="ZVH", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Corporatie", kind=OrganisationKind.WONINGCORPORATIE)
    buiten = make_organisation(name="Buiten")
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, totp_secret=pyotp.random_base32())
    case = make_case(team=team, partners=[politie, corporatie], phase="aanpak.uitvoering", procesregisseur=regisseur)
    action = Action(case_id=case.id, description="Huisbezoek", owner_organisation_id=corporatie.id,
                    due_on=today() - timedelta(days=2))
    db.session.add(action)
    db.session.flush()
    return {
        "case": case, "action": action, "team": team, "politie": politie, "corporatie": corporatie, "buiten": buiten,
        "regisseur": regisseur,
        "owner": make_user("partner", organisation=corporatie, totp_secret=pyotp.random_base32()),
        "other": make_user("partner", organisation=politie, totp_secret=pyotp.random_base32()),
        "outsider": make_user("partner", organisation=buiten, totp_secret=pyotp.random_base32()),
    }


def url(p, suffix=""):
    return f"/casussen/{p['case'].id}/plan{suffix}"


def progress_count(db) -> int:
    return db.session.execute(sa.select(sa.func.count(ProgressEntry.id))).scalar_one()


def test_only_the_owning_organisation_sees_and_uses_the_progress_form(client, db, auth, plan_case):
    p = plan_case
    action = p["action"]
    auth.login_with_totp(p["other"])
    page = client.get(url(p)).get_data(as_text=True)
    assert "Huisbezoek" in page and "over datum" in page
    assert "Voortgang vastleggen" not in page and "Status wijzigen" not in page
    response = client.post(url(p, f"/acties/{action.id}/voortgang"),
                           data={"csrf_token": csrf_from(client.get("/")), "text": "Niet van mij",
                                 "version": action.version})
    assert response.status_code == 403
    assert progress_count(db) == 0
    denied = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "action.progress")).scalar_one()
    assert denied.outcome == "denied" and denied.user_id == p["other"].id
    auth.logout()

    auth.login_with_totp(p["owner"])
    page = client.get(url(p)).get_data(as_text=True)
    assert "Voortgang vastleggen" in page and "Status wijzigen" not in page
    response = auth.post(url(p, f"/acties/{action.id}/voortgang"),
                         {"text": "Bewoner gesproken", "status": "in_uitvoering", "version": action.version},
                         form_url=url(p))
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == "in_uitvoering" and progress_count(db) == 1
    page = client.get(url(p)).get_data(as_text=True)
    assert "Bewoner gesproken" in page


def test_an_outsider_gets_404_on_the_plan(client, db, auth, plan_case):
    p = plan_case
    auth.login_with_totp(p["outsider"])
    assert client.get(url(p)).status_code == 404
    token = csrf_from(client.get("/"))
    for suffix in ("/doelen", "/acties", f"/acties/{p['action'].id}/status", f"/acties/{p['action'].id}/voortgang"):
        response = client.post(url(p, suffix), data={"csrf_token": token, "text": "x", "description": "x",
                                                     "status": "gereed"})
        assert response.status_code == 404, suffix
    assert progress_count(db) == 0


def test_an_action_of_another_case_is_not_found(client, db, auth, plan_case, make_case):
    p = plan_case
    elsewhere = make_case(team=p["team"], partners=[p["corporatie"]], phase="aanpak.uitvoering")
    auth.login_with_totp(p["owner"])
    response = auth.post(f"/casussen/{elsewhere.id}/plan/acties/{p['action'].id}/voortgang",
                         {"text": "x", "version": 1}, form_url="/")
    assert response.status_code == 404
    assert progress_count(db) == 0


def test_a_stale_action_version_changes_nothing(client, db, auth, plan_case):
    p = plan_case
    auth.login_with_totp(p["owner"])
    response = auth.post(url(p, f"/acties/{p['action'].id}/voortgang"),
                         {"text": "Oud formulier", "version": p["action"].version + 5}, form_url=url(p))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Iemand anders heeft dit intussen gewijzigd" in page and "Oud formulier" in page
    response = auth.post(url(p, f"/acties/{p['action'].id}/voortgang"), {"text": "Zonder versie"}, form_url=url(p))
    assert response.status_code == 400 and "mist de versie" in response.get_data(as_text=True)
    assert progress_count(db) == 0


def test_the_procesregisseur_adds_goals_and_actions_and_changes_status(client, db, auth, plan_case):
    p = plan_case
    auth.login_with_totp(p["regisseur"])
    assert auth.post(url(p, "/doelen"), {"doel-description": "Rust in de straat"}).status_code == 302
    goal = db.session.execute(sa.select(Goal)).scalar_one()
    due = (today() + timedelta(days=10)).isoformat()
    response = auth.post(url(p, "/acties"), {"actie-description": "Gesprek",
                                             "actie-owner_organisation_id": p["buiten"].id, "actie-due_on": due},
                         form_url=url(p))
    assert response.status_code == 200 and "Kies een waarde uit de lijst." in response.get_data(as_text=True)
    response = auth.post(url(p, "/acties"), {"actie-description": "Gesprek",
                                             "actie-owner_organisation_id": p["politie"].id, "actie-due_on": due,
                                             "actie-goal_id": goal.id, "actie-owner_user_id": p["other"].id},
                         form_url=url(p))
    assert response.status_code == 302
    action = db.session.execute(sa.select(Action).where(Action.description == "Gesprek")).scalar_one()
    assert action.owner_organisation_id == p["politie"].id and action.owner_user_id == p["other"].id
    response = auth.post(url(p, f"/acties/{p['action'].id}/status"), {"status": "vervallen",
                                                                     "version": p["action"].version},
                         form_url=url(p))
    assert response.status_code == 302
    db.session.refresh(p["action"])
    assert p["action"].status == "vervallen"


def test_a_partner_cannot_add_goals_or_change_status(client, db, auth, plan_case):
    p = plan_case
    auth.login_with_totp(p["owner"])
    token = csrf_from(client.get("/"))
    assert client.post(url(p, "/doelen"), data={"csrf_token": token, "doel-description": "x"}).status_code == 403
    response = client.post(url(p, f"/acties/{p['action'].id}/status"),
                           data={"csrf_token": token, "status": "gereed", "version": p["action"].version})
    assert response.status_code == 403
    db.session.refresh(p["action"])
    assert p["action"].status == "open"
    assert db.session.execute(sa.select(sa.func.count(Goal.id))).scalar_one() == 0


def test_the_plan_costs_the_same_queries_with_1_and_50_actions(app, client, db, auth, plan_case, make_case,
                                                              make_organisation, make_user, count_queries):
    p = plan_case
    big = make_case(team=p["team"], partners=[p["politie"], p["corporatie"]], phase="aanpak.uitvoering")
    for i in range(50):
        owner = make_organisation()
        user = make_user("partner", organisation=owner)
        goal = Goal(case_id=big.id, description=f"Doel {i}", created_by_id=p["regisseur"].id)
        db.session.add(goal)
        db.session.flush()
        action = Action(case_id=big.id, goal_id=goal.id, description=f"Actie {i}", owner_organisation_id=owner.id,
                        owner_user_id=user.id, due_on=today() + timedelta(days=i))
        db.session.add(action)
        db.session.flush()
        for j in range(2):
            db.session.add(ProgressEntry(action_id=action.id, author_id=user.id, organisation_id=owner.id,
                                         text=f"Voortgang {i}.{j}"))
    p["action"].owner_user_id = p["owner"].id  # same shape as the large plan: an owner user and progress
    db.session.add(ProgressEntry(action_id=p["action"].id, author_id=p["owner"].id,
                                 organisation_id=p["corporatie"].id, text="Eerste stap"))
    db.session.flush()
    auth.login_with_totp(p["other"])
    counts = []
    for case in (p["case"], big):
        client.get(f"/casussen/{case.id}/plan")
        with count_queries() as counter:
            assert client.get(f"/casussen/{case.id}/plan").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
