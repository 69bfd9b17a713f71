"""/meldingen: own notifications, newest first, keyset pages, marking read; the header count."""

from __future__ import annotations

import re

import pytest

from support import csrf_from


@pytest.fixture
def notify_user(db):
    """``notify_user(user, n=1, case=None)`` -> the recorded notifications (in-app only)."""
    from casus.notifications.services import notify

    counter = iter(range(1, 100_000))

    def make(user, n=1, case=None, kind="review_due"):
        for _ in range(n):
            number = next(counter)
            notify(user, key=f"test:{user.id}:{number}", kind=kind, link=f"/casussen/{getattr(case, 'id', 1)}",
                   params={"reference": f"2026-{number:05d}", "date": "2026-11-20"},
                   case_id=getattr(case, "id", None), email=False)

    return make


def test_the_list_shows_own_notifications_newest_first(client, login_as, make_user, notify_user):
    user = login_as("procesregisseur")
    notify_user(user, 3)
    notify_user(make_user("partner"), 1)  # someone else's
    page = client.get("/meldingen").get_data(as_text=True)
    titles = re.findall(r"Herbeoordeling nodig: casus (2026-\d{5})</th>", page)
    assert titles == ["2026-00003", "2026-00002", "2026-00001"]
    assert "2026-00004" not in page


def test_open_marks_read_and_goes_to_the_link(client, db, login_as, managed_case, notify_user, notifications_of):
    user = login_as("procesregisseur")
    case = managed_case(team=user.team)[0]
    notify_user(user, case=case)
    [notification] = notifications_of(user)
    token = csrf_from(client.get("/meldingen"))
    response = client.post(f"/meldingen/{notification.id}/gelezen", data={"csrf_token": token, "open": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/casussen/{case.id}"
    assert notifications_of(user)[0].read_at is not None


def test_mark_read_and_unread_filter(client, login_as, notify_user, notifications_of):
    user = login_as("procesregisseur")
    notify_user(user, 2)
    first, second = notifications_of(user)
    token = csrf_from(client.get("/meldingen"))
    response = client.post(f"/meldingen/{first.id}/gelezen", data={"csrf_token": token, "ongelezen": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/meldingen?ongelezen=1"
    page = client.get("/meldingen?ongelezen=1").get_data(as_text=True)
    assert second.params["reference"] in page and first.params["reference"] not in page


def test_mark_all_read(client, login_as, notify_user, notifications_of):
    user = login_as("partner")
    notify_user(user, 3)
    token = csrf_from(client.get("/meldingen"))
    response = client.post("/meldingen/alles-gelezen", data={"csrf_token": token})
    assert response.status_code == 302
    assert all(n.read_at is not None for n in notifications_of(user))
    assert "3 meldingen als gelezen gemarkeerd." in client.get("/meldingen").get_data(as_text=True)


def test_another_users_notification_is_404(client, login_as, make_user, notify_user, notifications_of):
    login_as("partner")
    other = make_user("partner")
    notify_user(other)
    [notification] = notifications_of(other)
    token = csrf_from(client.get("/meldingen"))
    assert client.post(f"/meldingen/{notification.id}/gelezen", data={"csrf_token": token}).status_code == 404
    assert notifications_of(other)[0].read_at is None


def test_marking_read_needs_csrf_and_post(client, login_as, notify_user, notifications_of):
    user = login_as("partner")
    notify_user(user)
    [notification] = notifications_of(user)
    assert client.post(f"/meldingen/{notification.id}/gelezen").status_code == 400
    assert client.get(f"/meldingen/{notification.id}/gelezen").status_code == 405


def test_notifications_about_cases_no_longer_visible_disappear(client, db, login_as, make_organisation,
                                                                managed_case, notify_user):
    from casus.cases.models import Participation

    organisation = make_organisation()
    user = login_as("partner", organisation=organisation)
    case = managed_case(partners=[make_organisation(), organisation])[0]
    notify_user(user, case=case)
    assert "2026-00001" in client.get("/meldingen").get_data(as_text=True)
    db.session.query(Participation).filter_by(case_id=case.id, organisation_id=organisation.id).update(
        {"left_on": case.created_at.date()})
    assert "2026-00001" not in client.get("/meldingen").get_data(as_text=True)


def test_keyset_pages(client, login_as, notify_user):
    user = login_as("partner")
    notify_user(user, 30)
    first = client.get("/meldingen").get_data(as_text=True)
    assert first.count("</th>\n        <td") == 25
    link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert second.count("</th>\n        <td") == 5
    assert "2026-00005" in second and "2026-00006" not in second
    assert 'rel="next"' not in second


def test_the_list_costs_the_same_queries_for_one_or_many(client, login_as, notify_user, count_queries):
    user = login_as("partner")
    notify_user(user, 1)
    client.get("/meldingen")
    with count_queries() as one:
        client.get("/meldingen")
    notify_user(user, 24)
    with count_queries() as many:
        client.get("/meldingen")
    assert many.count == one.count


def test_unread_count_is_capped(app, db, make_user, notify_user):
    from casus.notifications.services import UNREAD_CAP, mark_all_read, unread_count

    user = make_user("partner")
    assert unread_count(user) == 0
    notify_user(user, UNREAD_CAP + 5)
    assert unread_count(user) == UNREAD_CAP + 1
    mark_all_read(user)
    assert unread_count(user) == 0


def test_unread_notifications_global(app, client, login_as, notify_user):
    from flask import render_template_string

    user = login_as("partner")
    notify_user(user, 2)
    with app.test_request_context():
        assert render_template_string("{{ unread_notifications() }}") == "0"  # nobody logged in
    from casus.notifications.views import unread_notifications

    with app.test_request_context():
        from flask_login import login_user

        login_user(user)
        assert unread_notifications() == 2
