"""The caller (``/me``) and the caller's own API tokens (``/me/tokens``)."""

from types import SimpleNamespace

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort

from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.auth import tokens
from casus.users.models import ApiToken
from casus.users.schemas import ApiTokenSchema, MeSchema, MeUpdateSchema
from casus.users.services import set_locale

blp = ApiBlueprint("me", __name__, description="The authenticated caller")

TOKEN_NOT_FOUND = {"schema": ProblemSchema, "description": "No such token among the caller's own"}


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The caller's user, organisation and roles."""
        return current_user._get_current_object()

    @blp.arguments(MeUpdateSchema)
    @blp.response(200, MeSchema)
    def patch(self, changes):
        """Change the caller's preferences (needs the `write` scope)."""
        user = current_user._get_current_object()
        if "locale" in changes:
            set_locale(user, changes["locale"])
        return user


def _token_view(row: ApiToken) -> SimpleNamespace:
    fields = {key: getattr(row, key) for key in (
        "id", "name", "prefix", "scope_set", "created_at", "last_used_at", "expires_at", "revoked_at")}
    calling = g.get("api_token")
    current = calling is not None and calling.id == row.id
    return SimpleNamespace(**fields, state=tokens.token_state(row), current=current)


def _own_token(id: int) -> ApiToken:
    row = tokens.own_token(current_user._get_current_object(), id)
    if row is None:
        abort(404, message="No such token among yours.")
    return row


@blp.route("/me/tokens")
class MyTokens(MethodView):
    @blp.response(200, ApiTokenSchema(many=True))
    def get(self):
        """The caller's API tokens, newest first — active, expired and revoked — never the token itself.

        A password change, an administrator's password reset, a second-factor reset and a deactivation revoke
        every token of the user (`state: ingetrokken`); a reactivated user gets none back."""
        return [_token_view(row) for row in tokens.tokens_of(current_user._get_current_object())]


@blp.route("/me/tokens/<int:id>")
class MyToken(MethodView):
    @blp.response(200, ApiTokenSchema)
    @blp.alt_response(404, **TOKEN_NOT_FOUND)
    def get(self, id):
        """One of the caller's API tokens."""
        return _token_view(_own_token(id))

    @blp.response(204)
    @blp.alt_response(404, **TOKEN_NOT_FOUND)
    def delete(self, id):
        """Revoke one of the caller's tokens at once (audited); it stays listed as `ingetrokken`. Revoking the
        token of this very request is allowed: the next request with it answers 401. Revoking a revoked token
        changes nothing."""
        if tokens.revoke_own(current_user._get_current_object(), id) is None:
            abort(404, message="No such token among yours.")
        return None
