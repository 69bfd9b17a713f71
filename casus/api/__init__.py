"""The HTTP API under ``/api/v1``: flask-smorest, bearer tokens, problem+json, Dutch API Design Rules.

Each domain keeps its endpoints in its own ``api.py`` as a :class:`ApiBlueprint`; they are
registered here.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from casus.extensions import csrf

API_PREFIX = "/api/v1"
PUBLIC_API_ENDPOINTS = frozenset({"api_docs.openapi_json"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class StrictParser(FlaskParser):
    """Invalid input answers 400 (DESIGN §6), listing every validation error."""

    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()


SPEC_KWARGS = {
    "servers": [{"url": API_PREFIX, "description": "Casus API v1"}],
    "info": {
        "description": "Casus API voor ketenpartners. Zie docs/API.md.",
        "contact": {"name": "Team Casus", "email": "casus@example.org", "url": "https://example.org/casus"},
        "license": {"name": "EUPL-1.2", "url": "https://interoperable-europe.ec.europa.eu/collection/eupl"},
    },
}

docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get(f"{API_PREFIX}/openapi.json")
def openapi_json():
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"  # CORS is open for this document only
    return response


def openapi_document() -> dict:
    spec = current_app.extensions["casus_api"].spec.to_dict()
    version_header = {"API-Version": {"$ref": "#/components/headers/API-Version"}}
    spec.setdefault("components", {}).setdefault("headers", {})["API-Version"] = {
        "description": "The full version of the API (major.minor.patch).",
        "schema": {"type": "string", "example": current_app.config["API_VERSION"]},
    }
    spec["paths"]["/openapi.json"] = {
        "get": {
            "summary": "This OpenAPI document",
            "tags": ["Meta"],
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }
    }
    for operations in spec["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, response in operation["responses"].items():
                if str(code)[0] in "23" and "$ref" not in response:
                    response.setdefault("headers", {}).update(version_header)
    return spec


def init_api(app: Flask) -> None:
    app.config["OPENAPI_URL_PREFIX"] = None  # we serve the document ourselves, post-processed
    api = Api(spec_kwargs={**SPEC_KWARGS, "version": app.config["API_VERSION"]})
    api.init_app(app)
    app.extensions["casus_api"] = api
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    from casus.users.api import blp as me_blp

    for blueprint in (me_blp,):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
        csrf.exempt(blueprint)
    app.register_blueprint(docs_bp)
    csrf.exempt(docs_bp)
    app.before_request(_authenticate_api)
    app.after_request(_version_header)


def _authenticate_api():
    from casus.security import is_api_request

    if not is_api_request() or request.endpoint in PUBLIC_API_ENDPOINTS or request.endpoint is None:
        return
    if not current_user.is_authenticated:
        abort(401, description="A valid bearer token is required.")
    if request.method not in READ_METHODS and "write" not in g.api_token.scope_set:
        abort(403, description="This token has no write scope.")


def _version_header(response):
    from casus.security import is_api_request

    if is_api_request():
        response.headers["API-Version"] = current_app.config["API_VERSION"]
        if response.status_code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="casus"'
    return response
