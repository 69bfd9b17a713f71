"""Case categories are data a beheerder can extend: list, create and edit with Dutch validation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def admin(login_as, categories):
    return login_as("beheerder")


def category(db, code):
    from casus.cases.models import Category

    return db.session.execute(sa.select(Category).where(Category.code == code)).scalar_one_or_none()


def form(**values):
    data = {"code": "mensenhandel", "name": "Mensenhandel", "name_en": "Human trafficking",
            "active": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "supervisor", "riec", "privacy"])
def test_only_the_beheerder_manages_categories(client, auth, login_as, categories, role):
    login_as(role)
    token = auth.csrf("/account")
    jeugd = categories["jeugd"]
    for method, url in (("GET", "/beheer/categorieen"), ("GET", "/beheer/categorieen/nieuw"),
                        ("POST", "/beheer/categorieen/nieuw"), ("GET", f"/beheer/categorieen/{jeugd.id}"),
                        ("POST", f"/beheer/categorieen/{jeugd.id}")):
        response = client.open(url, method=method, data={"csrf_token": token, **form()} if method == "POST" else None)
        assert response.status_code == 403, (method, url)


def test_list_shows_the_standard_categories(client, admin):
    html = client.get("/beheer/categorieen").get_data(as_text=True)
    assert "Woonoverlast" in html and "Housing nuisance" in html and "woonoverlast" in html
    assert "Nieuwe categorie" in html


def test_beheerder_creates_a_category_and_it_is_audited(client, auth, admin, db):
    from casus.audit.models import AuditEvent

    response = auth.post("/beheer/categorieen/nieuw", form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/beheer/categorieen")
    created = category(db, "mensenhandel")
    assert (created.name, created.name_en, created.active) == ("Mensenhandel", "Human trafficking", True)
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "category.created")).scalar_one()
    assert event.object_id == str(created.id) and event.user_id == admin.id
    assert "Mensenhandel" in client.get("/beheer/categorieen").get_data(as_text=True)


def test_a_new_active_category_can_be_chosen_elsewhere(client, auth, admin, db):
    from casus.cases.categories import active_categories

    auth.post("/beheer/categorieen/nieuw", form())
    assert "mensenhandel" in {c.code for c in active_categories()}


def test_beheerder_edits_and_deactivates_a_category_but_not_its_code(client, auth, admin, db, categories):
    overig = categories["overig"]
    url = f"/beheer/categorieen/{overig.id}"
    assert "de code ligt vast" in client.get(url).get_data(as_text=True)
    response = auth.post(url, form(code="iets_anders", name="Overige zorgen", name_en="Other concerns",
                                   active=None))
    assert response.status_code == 302
    db.session.refresh(overig)
    assert (overig.code, overig.name, overig.name_en, overig.active) == (
        "overig", "Overige zorgen", "Other concerns", False)
    assert category(db, "iets_anders") is None


@pytest.mark.parametrize(("values", "message"), [
    ({"code": ""}, "Dit veld is verplicht."),
    ({"code": "Mensen Handel"}, "Gebruik 2 tot 40 kleine letters"),
    ({"code": "jeugd"}, "Er bestaat al een categorie met deze code."),
    ({"name": ""}, "Dit veld is verplicht."),
    ({"name": "Jeugd"}, "Er bestaat al een categorie met deze naam."),
    ({"name_en": ""}, "Dit veld is verplicht."),
    ({"name": "x" * 121}, "Gebruik hoogstens 120 tekens."),
])
def test_invalid_input_gives_a_dutch_message_and_changes_nothing(client, auth, admin, db, values, message):
    from casus.cases.models import Category

    before = db.session.execute(sa.select(sa.func.count(Category.id))).scalar_one()
    response = auth.post("/beheer/categorieen/nieuw", form(**values))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "Controleer de gemarkeerde velden" in html
    assert db.session.execute(sa.select(sa.func.count(Category.id))).scalar_one() == before


def test_save_category_service_refuses_bad_values(app, db, categories):
    from casus.cases.categories import save_category
    from casus.services import ServiceError

    with app.test_request_context():
        with pytest.raises(ServiceError) as error:
            save_category(None, code="1abc", name="Nieuw", name_en="New")
        assert error.value.field == "code"
        saved = save_category(None, code="ok_code", name="Nieuw", name_en="New")
        assert saved.id and saved.active


def test_unknown_category_is_404(client, admin):
    assert client.get("/beheer/categorieen/999999").status_code == 404


def test_list_costs_the_same_queries_for_1_and_20_categories(client, auth, admin, db, count_queries):
    from casus.cases.models import Category

    def cost() -> int:
        with count_queries() as counter:
            assert client.get("/beheer/categorieen").status_code == 200
        return counter.count

    one = cost()
    for number in range(20):
        db.session.add(Category(code=f"extra_{number}", name=f"Extra {number}", name_en=f"Extra {number}"))
    db.session.flush()
    assert cost() == one
