"""The HTTP API under ``/api/v1``: flask-smorest, bearer tokens, problem+json, Dutch API Design Rules.

Each domain keeps its endpoints in its own ``api.py`` on an :class:`~casus.api.blueprint.ApiBlueprint`;
:mod:`casus.api.registry` (imported by the app factory alone) registers them all. What every endpoint gets
without asking:

- a bearer token is required (except for the OpenAPI document); reads need the ``read`` scope,
  writes the ``write`` scope; the browser session is neither read nor written on API paths
  (:mod:`casus.api.guard`, tokens in :mod:`casus.api.auth`);
- request bodies must be JSON; unknown keys, bad values and malformed JSON answer 400 with every
  validation error in ``invalidParams`` (:mod:`casus.api.blueprint`, :mod:`casus.errors`);
- every response carries ``API-Version``, every error is ``application/problem+json``;
- the OpenAPI document at ``/api/v1/openapi.json`` is post-processed (:mod:`casus.api.openapi`)
  so that paths are relative to ``servers[0].url``, errors are documented as problem+json and
  every 2xx/3xx response documents the ``API-Version`` header.

Shared by the domains' endpoints: :mod:`casus.api.schemas`, the documented case responses
(:mod:`casus.api.responses`) and the page body of every list (:mod:`casus.api.paging`). This package imports
no domain; only the registry does.
"""
