"""Bearer-token authentication for the API."""

from __future__ import annotations

from flask import g

from casus.auth.tokens import user_for_token


def user_from_bearer(req):
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    found = user_for_token(token.strip())
    if found is None:
        return None
    user, token_row = found
    g.api_token = token_row
    return user
