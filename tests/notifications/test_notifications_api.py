"""GET /api/v1/me/notifications, PATCH /me/notifications/{id}, POST /me/notifications/read."""

from __future__ import annotations

import pytest


@pytest.fixture
def caller(db, make_user):
    """(user, headers) for a partner with a read+write token, and a helper to notify them."""
    from casus.auth.tokens import create_token
    from casus.notifications.services import notify

    user = make_user("partner", locale="en")
    _row, token = create_token(user, days=1, scopes="read write")
    db.session.flush()

    def give(n=1, **fields):
        for _ in range(n):
            index = give.count = give.count + 1
            notify(user, key=f"api:{user.id}:{index}", kind="review_due", link="/casussen/7",
                   params={"reference": f"2026-{index:05d}", "date": "2026-11-20"}, email=False, **fields)

    give.count = 0
    return user, {"Authorization": f"Bearer {token}"}, give


def test_list_newest_first_with_cursor(client, caller):
    _user, headers, give = caller
    give(3)
    response = client.get("/api/v1/me/notifications?limit=2", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [item["title"] for item in body["items"]] == ["Review due: case 2026-00003", "Review due: case 2026-00002"]
    item = body["items"][0]
    assert set(item) == {"id", "kind", "title", "link", "caseId", "createdAt", "readAt", "read"}
    assert item["createdAt"].endswith("Z") and item["read"] is False and item["readAt"] is None
    assert body["next"] and body["links"]["next"] == f"/api/v1/me/notifications?limit=2&cursor={body['next']}"
    rest = client.get(body["links"]["next"], headers=headers).get_json()
    assert [i["title"] for i in rest["items"]] == ["Review due: case 2026-00001"]
    assert rest["next"] is None and rest["links"]["next"] is None


def test_patch_marks_read_and_unread(client, caller):
    _user, headers, give = caller
    give(2)
    items = client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]
    response = client.patch(f"/api/v1/me/notifications/{items[0]['id']}", json={"read": True}, headers=headers)
    assert response.status_code == 200 and response.get_json()["read"] is True
    unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()["items"]
    assert [i["id"] for i in unread] == [items[1]["id"]]
    response = client.patch(f"/api/v1/me/notifications/{items[0]['id']}", json={"read": False}, headers=headers)
    assert response.get_json()["readAt"] is None


def test_post_read_marks_all_or_some(client, caller, make_user):
    _user, headers, give = caller
    give(3)
    ids = [i["id"] for i in client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]]
    assert client.post("/api/v1/me/notifications/read", json={"ids": ids[:1]}, headers=headers).get_json() == {
        "marked": 1}
    assert client.post("/api/v1/me/notifications/read", json={}, headers=headers).get_json() == {"marked": 2}


def test_others_notifications_are_404_and_untouched(client, db, caller, make_user):
    from casus.notifications.models import Notification
    from casus.notifications.services import notify

    _user, headers, _give = caller
    other = make_user("partner")
    notify(other, key="other:1", kind="review_due", link="/", params={"reference": "2026-00009"}, email=False)
    theirs = db.session.query(Notification).filter_by(user_id=other.id).one()
    assert client.patch(f"/api/v1/me/notifications/{theirs.id}", json={"read": True},
                        headers=headers).status_code == 404
    assert client.post("/api/v1/me/notifications/read", json={"ids": [theirs.id]},
                       headers=headers).get_json() == {"marked": 0}
    assert client.get(f"/api/v1/me/notifications/{theirs.id}", headers=headers).status_code == 404


def test_invalid_input_is_400(client, caller):
    _user, headers, _give = caller
    assert client.get("/api/v1/me/notifications?limit=0", headers=headers).status_code == 400
    assert client.get("/api/v1/me/notifications?colour=red", headers=headers).status_code == 400
    assert client.get("/api/v1/me/notifications?cursor=not-a-cursor", headers=headers).status_code == 400
    assert client.patch("/api/v1/me/notifications/1", json={}, headers=headers).status_code == 400


def test_the_operations_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"get"} <= set(spec["paths"]["/me/notifications"])
    assert {"get", "patch"} <= set(spec["paths"]["/me/notifications/{id}"])
    assert {"post"} <= set(spec["paths"]["/me/notifications/read"])
