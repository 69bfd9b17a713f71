def test_login_page_renders(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert "Inloggen bij Casus" in response.get_data(as_text=True)


def test_partner_logs_in_and_sees_dashboard(client, auth, make_user):
    user = make_user("partner", name="Piet Partner")
    response = auth.login(user)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Piet Partner" in page.get_data(as_text=True)
