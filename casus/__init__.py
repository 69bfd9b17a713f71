"""Casus: case coordination for zorg-en-veiligheidscasuïstiek.

``create_app`` is the only way an application is built: by gunicorn (``wsgi.py``), the CLI and
the tests, each passing its own configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from flask import Flask, g
from flask_wtf.csrf import generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from casus.config import Config

__all__ = ["create_app"]


def create_app(config: Config | Mapping[str, object] | None = None) -> Flask:
    """Build the application. ``config`` is a :class:`Config` or overrides for the environment's."""
    cfg = _resolve_config(config)
    from casus.documents.crypto import parse_keys

    parse_keys(cfg.storage_keys)  # a malformed storage key stops the start, not the first upload
    from casus import logs

    logs.configure(cfg)
    app = logs.CasusFlask(
        __name__,
        template_folder=cfg.template_dir,
        static_folder=str(Path(__file__).parent / "static"),
        instance_path=cfg.instance_path,
        instance_relative_config=False,
    )
    app.config.from_mapping(cfg.flask_settings())
    if cfg.proxy_fix_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=cfg.proxy_fix_hops, x_proto=cfg.proxy_fix_hops,
                                x_host=cfg.proxy_fix_hops)
    if cfg.database_url.startswith("sqlite"):
        from casus.database import RetryStaleSnapshot

        app.wsgi_app = RetryStaleSnapshot(app.wsgi_app)
    logs.init_app(app)  # first: the request clock and id before any guard, the request line after the commit
    from casus import edge

    edge.init_app(app)  # before the blueprints (the int converter) and the guards (hostile input never reaches them)
    _init_extensions(app, cfg)
    _register_event_handlers(app)
    _register_blueprints(app)
    from casus import errors, i18n, labels, navigation, security

    security.init_app(app)
    navigation.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    errors.init_app(app)
    return app


def _resolve_config(config: Config | Mapping[str, object] | None) -> Config:
    if isinstance(config, Config):
        return config.validated()
    overrides = dict(config or {})
    return Config.from_env(**overrides)


def request_csrf_token() -> str:
    """The request's CSRF token for templates: flask-wtf's ``generate_csrf`` caches it on ``g`` itself, but reads
    its configuration five times per call before looking there, and a page with a form per row (a 30-item
    agenda) calls it a hundred times. Same token, same cache: a token flask-wtf drops from ``g`` is made anew."""
    token = g.get("csrf_token")  # flask-wtf's cache (WTF_CSRF_FIELD_NAME is left at its default)
    return token if token is not None else generate_csrf()


def _init_extensions(app: Flask, cfg: Config) -> None:
    from casus import models  # noqa: F401  (register every model with the metadata)
    from casus.auth.throttling import LoginThrottle
    from casus.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"))
    csrf.init_app(app)
    # Replaces flask-wtf's generate_csrf in templates: its global and its context processor (registered before
    # this one, so ours wins the update of the template context).
    app.jinja_env.globals["csrf_token"] = request_csrf_token
    app.context_processor(lambda: {"csrf_token": request_csrf_token})
    login_manager.init_app(app)
    app.extensions["casus_throttle"] = LoginThrottle(cfg.login_attempts_per_minute, cfg.redis_url)
    from casus.audit import chain

    chain.init_app(app)  # CASUS_AUDIT_CHAIN=inline: the session links audit events before each commit
    from casus.subject_requests import restriction

    restriction.init_app(app)  # beperking: a restricted case refuses changes in every flush of a request
    from casus.assessments import domains

    domains.init_app(app)  # the leefgebieden: CASUS_ASSESSMENT_DOMAINS is read and checked once, at start
    from casus.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def _register_event_handlers(app: Flask) -> None:
    """Who reacts to which domain event (``casus.events``): the domains above subscribe to those below, here
    and nowhere else. For one event the handlers run in this order. Likewise the builders of e-mail attachments
    that notifications send for a domain above them."""
    from casus import events
    from casus.approvals import case_requests
    from casus.meetings import calendar
    from casus.nazorg import services as nazorg
    from casus.notifications import partners
    from casus.notifications import services as notifications
    from casus.retention import archive, list_decisions
    from casus.signals import services as signals
    from casus.voordrachten import services as voordrachten

    events.init_app(app, (signals.register, case_requests.register, voordrachten.register, list_decisions.register,
                          archive.register, nazorg.register, partners.register))
    from casus.printing import mail as printing_mail

    notifications.init_attachments(app, printing_mail.with_agenda(calendar.attachment_builders()))


def _register_blueprints(app: Flask) -> None:
    from casus.api.registry import init_api
    from casus.auth.views import bp as auth_bp
    from casus.main.views import bp as main_bp
    from casus.organisations.views import bp as organisations_bp
    from casus.signals.views import bp as signals_bp
    from casus.users.views import bp as users_bp

    for blueprint in (main_bp, auth_bp, organisations_bp, users_bp, signals_bp):
        app.register_blueprint(blueprint)
    from casus.cases.views import bp as cases_bp
    from casus.nazorg.views import bp as nazorg_bp
    from casus.plans.views import bp as plans_bp

    app.register_blueprint(cases_bp)
    from casus.cases.edit_views import bp as case_edit_bp
    from casus.cases.subject_views import bp as case_subjects_bp

    app.register_blueprint(case_edit_bp)
    app.register_blueprint(case_subjects_bp)
    app.register_blueprint(plans_bp)
    from casus.cases.relation_views import bp as case_relations_bp

    app.register_blueprint(case_relations_bp)
    from casus.assessments.views import bp as assessments_bp

    app.register_blueprint(assessments_bp)
    app.register_blueprint(nazorg_bp)
    from casus.notifications.views import bp as notifications_bp

    app.register_blueprint(notifications_bp)
    from casus.audit.register_views import bp as audit_register_bp
    from casus.audit.subject_views import bp as audit_trail_bp
    from casus.audit.views import bp as audit_bp

    app.register_blueprint(audit_bp)
    app.register_blueprint(audit_register_bp)
    app.register_blueprint(audit_trail_bp)
    from casus.meetings.feeds import bp as calendar_bp

    app.register_blueprint(calendar_bp)
    from casus.meetings.views import bp as meetings_bp

    app.register_blueprint(meetings_bp)
    from casus.approvals.views import bp as approvals_bp
    from casus.escalations.views import bp as escalations_bp
    from casus.reports.views import bp as reports_bp
    from casus.voordrachten.views import bp as voordrachten_bp

    for blueprint in (escalations_bp, voordrachten_bp, approvals_bp, reports_bp):
        app.register_blueprint(blueprint)
    from casus.subject_requests.views import bp as subject_requests_bp

    app.register_blueprint(subject_requests_bp)
    from casus.retention.views import bp as retention_bp

    app.register_blueprint(retention_bp)
    from casus.retention.list_views import bp as destruction_lists_bp

    app.register_blueprint(destruction_lists_bp)
    from casus.retention.declaration_views import bp as declarations_bp

    app.register_blueprint(declarations_bp)
    from casus.documents.views import bp as documents_bp

    app.register_blueprint(documents_bp)
    from casus.printing.views import bp as printing_bp

    app.register_blueprint(printing_bp)
    init_api(app)
    from casus.metrics import bp as metrics_bp

    app.register_blueprint(metrics_bp)


def testing_config(**overrides) -> Config:
    """A configuration for tests: in-memory throttling, TLS-style cookies, a throwaway key."""
    base = Config.from_env({}, env="testing")
    return replace(base, **overrides).validated()
