"""Single sign-on with role sync (CASUS_OIDC_SYNC_ROLES), the Casus half: which roles follow the claims, which
stay, what a team-less account is not given, and that nothing changes with sync off. The whole login through a
real provider is in tests/browser/test_browser_sso.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent

ROLE_MAP = {"g-partners": "partner", "g-regie": "procesregisseur", "g-riec": "riec"}


@pytest.fixture
def sso(app, monkeypatch):
    def configure(**changes):
        settings = {"oidc_issuer": "https://sso.example.nl", "oidc_client_id": "casus", "oidc_role_map": ROLE_MAP,
                    "oidc_sync_roles": True, **changes}
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], **settings))

    configure()
    return configure


def login(user, *groups):
    from casus.auth import sso

    return sso.identify({"sub": f"sub-{user.id}", "email": user.email, "groups": list(groups)})


def synced(db) -> list[dict]:
    return list(db.session.scalars(sa.select(AuditEvent.details).where(AuditEvent.action == "user.sso_roles")))


def test_the_mapped_roles_follow_the_claims_and_the_others_stay(db, sso, make_user, make_team):
    user = make_user("partner", "privacy", team=make_team())
    assert login(user, "g-regie", "onbekend").roles == {"procesregisseur", "privacy"}
    assert synced(db) == [{"added": ["procesregisseur"], "removed": ["partner"]}]
    login(user, "g-regie")
    assert len(synced(db)) == 1, "nothing changed: nothing audited"


def test_a_team_role_is_not_given_to_an_account_without_a_team(db, sso, make_user):
    user = make_user("partner")
    assert login(user, "g-regie", "g-riec").roles == {"riec"}
    assert synced(db) == [{"added": ["riec"], "removed": ["partner"], "not_given": ["procesregisseur"]}]


def test_an_account_the_claims_leave_without_a_role_is_refused_unchanged(db, sso, make_user):
    from casus.auth.oidc import SsoError

    user = make_user("partner")
    with pytest.raises(SsoError) as refused:
        login(user, "onbekend")
    assert refused.value.reason == "roles" and user.roles == {"partner"}


def test_without_sync_the_claims_change_no_roles(db, sso, make_user):
    sso(oidc_sync_roles=False)
    user = make_user("partner")
    assert login(user, "g-riec").roles == {"partner"} and synced(db) == []
