"""API fixtures: bearer tokens and a fresh app for throwaway test-only routes."""

from __future__ import annotations

import pytest
from api_helpers import bearer


@pytest.fixture
def make_token(db, make_user):
    """``make_token(user=None, scopes="read write", days=30)`` -> the plain bearer token."""
    from casus.auth.tokens import create_token

    def make(user=None, *, scopes: str = "read write", days: int = 30) -> str:
        _row, plain = create_token(user or make_user(), days=days, scopes=scopes)
        db.session.flush()
        return plain

    return make


class FreshApi:
    """A separate app with test-only routes under /api/v1 and a user with a read+write token."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token
        self.client = app.test_client()

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=bearer(self.token), **kwargs)

    def patch(self, path: str, **kwargs):
        return self.client.patch(path, headers=bearer(self.token), **kwargs)


@pytest.fixture
def fresh_api(tmp_path):
    """Build a fresh app (its own SQLite file) so test-only routes never reach production code."""
    from werkzeug.exceptions import TooManyRequests

    from casus import create_app, testing_config
    from casus.auth.tokens import create_token
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.services import ServiceError
    from casus.users.models import User

    app = create_app(testing_config(database_url=f"sqlite:///{tmp_path / 'fresh.db'}",
                                    instance_path=str(tmp_path), max_content_length=1024))

    def boom():
        raise RuntimeError("secret-internal-detail")

    def conflict():
        from flask_smorest import abort

        abort(409, message="The case was changed by someone else; reload it and try again.")

    def unprocessable():
        from flask_smorest import abort

        abort(422)

    def throttled():
        raise TooManyRequests(retry_after=30)

    def refused():
        raise ServiceError("Kies een actieve organisatie.", field="organisation_id")

    def stale():
        raise ServiceError("De casus is intussen gewijzigd.", status=409)

    for name, view in (("boom", boom), ("conflict", conflict), ("unprocessable", unprocessable),
                       ("throttled", throttled), ("refused", refused), ("stale", stale)):
        app.add_url_rule(f"/api/v1/test-{name}", f"test_{name}", view, methods=["GET"])

    with app.app_context():
        db.create_all()
        organisation = Organisation(name="Testgemeente", kind=OrganisationKind.GEMEENTE, convenant_partner=True)
        user = User(email="fresh@example.org", name="Fresh", organisation=organisation, password_hash="!")
        db.session.add_all([organisation, user])
        db.session.flush()
        _row, token = create_token(user, days=1)
        db.session.commit()
    yield FreshApi(app, token)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
