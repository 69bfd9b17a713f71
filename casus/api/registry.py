"""The API under ``/api/v1`` put together: flask-smorest's :class:`~casus.api.openapi.CasusApi`, every domain's
endpoints, the OpenAPI document and the guard every request passes (:mod:`casus.api.guard`).

The one module that imports every domain's ``api.py``; only the app factory imports it, so no domain's
endpoints import it back.
"""

from __future__ import annotations

from flask import Flask

from casus.api.guard import ApiSessionInterface, api_headers, guard_api_request
from casus.api.openapi import SPEC_KWARGS, CasusApi, docs_bp, one_of_property
from casus.api.schemas import ProblemSchema
from casus.api_paths import API_PREFIX
from casus.approvals.api import blp as approvals_blp
from casus.assessments.api import blp as assessments_blp
from casus.cases.api import blp as cases_blp
from casus.cases.relation_api import blp as case_relations_blp
from casus.cases.subject_api import blp as case_subjects_blp
from casus.documents.api import blp as documents_blp
from casus.escalations.api import blp as escalations_blp
from casus.extensions import csrf
from casus.meetings.api import blp as meetings_blp
from casus.nazorg.api import blp as nazorg_blp
from casus.notifications.api import blp as notifications_blp
from casus.plans.api import blp as plans_blp
from casus.reports.api import blp as reports_blp
from casus.retention.api import blp as retention_blp
from casus.retention.declaration_api import blp as declarations_blp
from casus.retention.list_api import blp as destruction_lists_blp
from casus.signals.api import blp as signals_blp
from casus.subject_requests.api import blp as subject_requests_blp
from casus.users.api import blp as me_blp
from casus.voordrachten.api import blp as voordrachten_blp

# In this order in the OpenAPI document.
BLUEPRINTS = (me_blp, cases_blp, plans_blp, nazorg_blp, signals_blp, notifications_blp, meetings_blp, escalations_blp,
              voordrachten_blp, approvals_blp, reports_blp, retention_blp, destruction_lists_blp,
              declarations_blp, subject_requests_blp, case_subjects_blp, assessments_blp, case_relations_blp,
              documents_blp)


def init_api(app: Flask) -> None:
    app.config["OPENAPI_URL_PREFIX"] = None  # we serve the document ourselves, post-processed
    api = CasusApi(spec_kwargs={**SPEC_KWARGS, "version": app.config["API_VERSION"]})
    api.init_app(app)
    app.extensions["casus_api"] = api
    api.ma_plugin.converter.add_attribute_function(one_of_property)
    if "Problem" not in api.spec.components.schemas:  # flask-smorest may have registered ERROR_SCHEMA
        api.spec.components.schema("Problem", schema=ProblemSchema)
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token from `casus create-token`; scopes `read` and `write`."})
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
        csrf.exempt(blueprint)
    app.register_blueprint(docs_bp)
    csrf.exempt(docs_bp)
    app.session_interface = ApiSessionInterface(app.session_interface)
    app.before_request(guard_api_request)
    app.after_request(api_headers)
