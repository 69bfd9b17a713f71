"""Typed, immutable configuration read from ``CASUS_*`` environment variables.

The app refuses to start outside development and testing without a real secret key, so a
forgotten variable fails at boot instead of quietly signing sessions with a known key.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow import Cadences

# Templates and migrations travel inside the package (casus/templates and casus/migrations link to the
# top-level folders in a checkout and are real folders in an installed wheel).
PACKAGE_DIR = Path(__file__).resolve().parent
ENVIRONMENTS = ("development", "testing", "production")
DEFAULT_TOTP_ROLES = frozenset({"supervisor", "privacy", "beheerder"})


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used safely."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def _roles(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _networks(value: str) -> tuple[str, ...]:
    """Comma-separated CIDRs (``none`` for none), normalised; a malformed one raises ValueError."""
    if value.strip().lower() == "none":
        return ()
    return tuple(str(ipaddress.ip_network(part.strip(), strict=False)) for part in value.split(",") if part.strip())


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _clock_time(value: str) -> time:
    """``HH:MM`` (24 hours), e.g. ``07:00``; anything else raises ValueError."""
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(value)
    return time(int(hours), int(minutes))


def _mapping(value: str) -> dict[str, str]:
    """``claim value=target`` pairs separated by ``;`` (a group's name may hold a comma); a pair without ``=``
    raises ValueError."""
    pairs = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        key, sep, target = part.partition("=")
        if not sep or not key.strip() or not target.strip():
            raise ValueError(part)
        pairs[key.strip()] = target.strip()
    return pairs


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
AUDIT_CHAIN_MODES = ("scheduled", "inline")
ADDRESS_LOOKUPS = ("none", "pdok")
STORAGE_BACKENDS = ("local", "s3")


@dataclass(frozen=True)
class Config:
    """Everything the application reads from its environment, in one place."""

    env: str = "production"
    secret_key: str = ""
    database_url: str = ""
    # The schema's owner, for migrations (and `casus db grant-runtime`); the application connects as a runtime
    # role that owns nothing (docs/OPERATIONS.md, "Database roles"). Empty: migrations use database_url.
    migration_database_url: str = ""
    redis_url: str | None = None
    # Relative to the working directory, never to the code: an installed package lives in site-packages.
    instance_path: str = field(default_factory=lambda: str(Path.cwd() / "instance"))
    template_dir: str = str(PACKAGE_DIR / "templates")
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    totp_required_roles: frozenset[str] = DEFAULT_TOTP_ROLES
    login_attempts_per_minute: int = 5
    secure_cookies: bool = True
    proxy_fix_hops: int = 0
    max_content_length: int = 2 * 1024 * 1024
    default_locale: str = "nl"
    # The local time zone (IANA name): what "today" and deadlines mean (casus.clock), how times are shown.
    timezone: str = "Europe/Amsterdam"
    # The periods of the process (triage deadline, review interval, …); read through casus.clock.cadences().
    cadences: Cadences = field(default_factory=Cadences)
    # Rows per page of the case list (/casussen).
    cases_page_size: int = 25
    demo_mode: bool = False
    api_version: str = "1.0.0"
    base_url: str = "http://127.0.0.1:5000"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "casus@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Development and demo only: write e-mail as .eml files into this directory instead of sending it by SMTP.
    mail_outbox: str | None = None
    sql_echo: bool = False
    # Logs: one JSON object per line (production) or readable text (development); see docs/OPERATIONS.md.
    log_format: str = "json"
    log_level: str = "INFO"
    # Tracebacks in the logs (they can quote personal data): only together with CASUS_ENV=development.
    debug_logs: bool = False
    # GET /metrics answers callers from these networks or with this bearer token; everyone else gets 404.
    metrics_allowed_networks: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    metrics_token: str = ""
    # `casus scheduler` serves its own metrics on 127.0.0.1:<port> when set (0 = off).
    scheduler_metrics_port: int = 0
    # Report cells counting fewer than this many cases show as "<5": small groups stay unrecognisable.
    report_min_count: int = 5
    # Known-elsewhere hints a user gets per day (Amsterdam time); past it they are withheld, the signal is saved.
    known_elsewhere_per_day: int = 20
    # An inzage package's access log names the employees who read the person's data only when this is true;
    # otherwise organisation, role, date and activity (docs/PRIVACY.md, "Data-subject requests").
    inzage_employee_names: bool = False
    # The default retention terms (months after closure) a new term starts from: per case category, and for a
    # signal that ends without a case. Each stays unconfirmed until the privacy officer confirms it (PRIVACY.md).
    retention_case_months: int = 60
    retention_signal_months: int = 12
    # The audit log's hash chain (casus.audit.chain): "scheduled" chains new events every minute, off the write
    # path; "inline" chains them in the writing transaction. docs/PERFORMANCE.md measures both.
    audit_chain: str = "scheduled"
    # The key that signs the chain's seals, never stored in the database: given here, or in a file of keys (one a
    # line; the last signs, every one verifies, so an old key keeps verifying the seals it signed).
    audit_seal_key: str = ""
    audit_seal_key_file: str = ""
    # Where seals go besides the database: a directory (one JSON line per seal, appended) and/or these addresses.
    audit_seal_dir: str = ""
    audit_seal_mail_to: tuple[str, ...] = ()
    # Filling in straat and woonplaats from postcode and huisnummer (casus.subjects.lookup): "none" (off) or "pdok",
    # the PDOK Locatieserver (BAG) at address_lookup_url. Only postcode and huisnummer leave the server.
    address_lookup: str = "none"
    address_lookup_url: str = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
    # When the daily digest of notifications (dagoverzicht) goes out, local time (timezone above).
    digest_time: time = time(7, 0)
    # A JSON file of leefgebieden ([{code, nl, en}]) replacing the ZRM's 13 (casus.assessments.domains reads and
    # checks it at start); empty: the ZRM's.
    assessment_domains: str = ""
    # Single sign-on through OpenID Connect (casus.auth.oidc; docs/OPERATIONS.md, "Single sign-on"): off while
    # oidc_issuer is empty. Claims map to an organisation (oidc_organisation_map: claim value -> organisation name)
    # and roles (oidc_role_map: claim value -> role); an unknown identity is refused unless oidc_create_users.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_provider_name: str = "SSO"
    oidc_organisation_claim: str = ""
    oidc_organisation_map: Mapping[str, str] = field(default_factory=dict)
    oidc_roles_claim: str = "groups"
    oidc_role_map: Mapping[str, str] = field(default_factory=dict)
    oidc_create_users: bool = False
    # At every single sign-on the roles oidc_role_map can give follow the roles claim (added and taken away);
    # roles outside the map stay as managed in Casus. Off: roles of existing accounts are managed in Casus only.
    oidc_sync_roles: bool = False
    # The provider asserted multi-factor authentication when its amr claim holds one of these, or its acr is one
    # of oidc_mfa_acr: Casus then asks no TOTP code of its own.
    oidc_mfa_amr: frozenset[str] = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt"})
    oidc_mfa_acr: frozenset[str] = frozenset()
    # Accounts without a login for this many days are deactivated by the scheduler (0 = never).
    inactive_days: int = 90
    # Documents (casus.documents; docs/OPERATIONS.md, "Documents"). Files live outside the database: "local" (a
    # directory, storage_dir; empty: <instance>/documents) or "s3" (an S3-compatible endpoint and bucket).
    storage_backend: str = "local"
    storage_dir: str = ""
    storage_s3_endpoint: str = ""
    storage_s3_bucket: str = ""
    storage_s3_region: str = "us-east-1"
    storage_s3_access_key: str = ""
    storage_s3_secret_key: str = ""
    # Encryption keys at rest (AES-256-GCM): ``key id=base64 of 32 bytes`` pairs separated by ``;``. The first
    # encrypts new files, every one decrypts (rotation: put the new key first, run `casus documents rotate-key`).
    storage_keys: Mapping[str, str] = field(default_factory=dict)
    # The largest document accepted, in bytes.
    document_max_bytes: int = 25 * 1024 * 1024
    # ClamAV's daemon: "unix:/run/clamav/clamd.ctl" or "tcp:host:port"; empty: no scanning. Configured but not
    # reachable: uploads are refused, never stored unscanned.
    clamd_address: str = ""
    clamd_timeout_seconds: int = 30
    extra: Mapping[str, object] = field(default_factory=dict)

    # Environment variable name -> (field name, parser)
    ENV_VARS = {
        "CASUS_ENV": ("env", str),
        "CASUS_SECRET_KEY": ("secret_key", str),
        "CASUS_DATABASE_URL": ("database_url", str),
        "CASUS_MIGRATION_DATABASE_URL": ("migration_database_url", str),
        "CASUS_REDIS_URL": ("redis_url", str),
        "CASUS_INSTANCE_PATH": ("instance_path", str),
        "CASUS_TEMPLATE_DIR": ("template_dir", str),
        "CASUS_SESSION_IDLE_MINUTES": ("session_idle_minutes", int),
        "CASUS_SESSION_ABSOLUTE_HOURS": ("session_absolute_hours", int),
        "CASUS_TOTP_REQUIRED_ROLES": ("totp_required_roles", _roles),
        "CASUS_LOGIN_ATTEMPTS_PER_MINUTE": ("login_attempts_per_minute", int),
        "CASUS_SECURE_COOKIES": ("secure_cookies", _bool),
        "CASUS_PROXY_FIX_HOPS": ("proxy_fix_hops", int),
        "CASUS_MAX_CONTENT_LENGTH": ("max_content_length", int),
        "CASUS_DEFAULT_LOCALE": ("default_locale", str),
        "CASUS_DEMO_MODE": ("demo_mode", _bool),
        "CASUS_BASE_URL": ("base_url", str),
        "CASUS_SMTP_HOST": ("smtp_host", str),
        "CASUS_SMTP_PORT": ("smtp_port", int),
        "CASUS_SMTP_SENDER": ("smtp_sender", str),
        "CASUS_SMTP_USERNAME": ("smtp_username", str),
        "CASUS_SMTP_PASSWORD": ("smtp_password", str),
        "CASUS_SMTP_STARTTLS": ("smtp_starttls", _bool),
        "CASUS_MAIL_OUTBOX": ("mail_outbox", str),
        "CASUS_SQL_ECHO": ("sql_echo", _bool),
        "CASUS_LOG_FORMAT": ("log_format", lambda value: value.strip().lower()),
        "CASUS_LOG_LEVEL": ("log_level", lambda value: value.strip().upper()),
        "CASUS_DEBUG_LOGS": ("debug_logs", _bool),
        "CASUS_METRICS_ALLOWED_NETWORKS": ("metrics_allowed_networks", _networks),
        "CASUS_METRICS_TOKEN": ("metrics_token", str),
        "CASUS_SCHEDULER_METRICS_PORT": ("scheduler_metrics_port", int),
        "CASUS_REPORT_MIN_COUNT": ("report_min_count", int),
        "CASUS_KNOWN_ELSEWHERE_PER_DAY": ("known_elsewhere_per_day", int),
        "CASUS_INZAGE_EMPLOYEE_NAMES": ("inzage_employee_names", _bool),
        "CASUS_RETENTION_CASE_MONTHS": ("retention_case_months", int),
        "CASUS_RETENTION_SIGNAL_MONTHS": ("retention_signal_months", int),
        "CASUS_AUDIT_CHAIN": ("audit_chain", lambda value: value.strip().lower()),
        "CASUS_AUDIT_SEAL_KEY": ("audit_seal_key", str),
        "CASUS_AUDIT_SEAL_KEY_FILE": ("audit_seal_key_file", str),
        "CASUS_AUDIT_SEAL_DIR": ("audit_seal_dir", str),
        "CASUS_AUDIT_SEAL_MAIL_TO": ("audit_seal_mail_to", _addresses),
        "CASUS_ASSESSMENT_DOMAINS": ("assessment_domains", str),
        "CASUS_ADDRESS_LOOKUP": ("address_lookup", lambda value: value.strip().lower()),
        "CASUS_ADDRESS_LOOKUP_URL": ("address_lookup_url", lambda value: value.strip().rstrip("/")),
        "CASUS_DIGEST_TIME": ("digest_time", _clock_time),
        "CASUS_OIDC_ISSUER": ("oidc_issuer", lambda value: value.strip().rstrip("/")),
        "CASUS_OIDC_CLIENT_ID": ("oidc_client_id", str),
        "CASUS_OIDC_CLIENT_SECRET": ("oidc_client_secret", str),
        "CASUS_OIDC_SCOPES": ("oidc_scopes", lambda value: " ".join(value.replace(",", " ").split())),
        "CASUS_OIDC_PROVIDER_NAME": ("oidc_provider_name", str),
        "CASUS_OIDC_ORGANISATION_CLAIM": ("oidc_organisation_claim", str),
        "CASUS_OIDC_ORGANISATION_MAP": ("oidc_organisation_map", _mapping),
        "CASUS_OIDC_ROLES_CLAIM": ("oidc_roles_claim", str),
        "CASUS_OIDC_ROLE_MAP": ("oidc_role_map", _mapping),
        "CASUS_OIDC_CREATE_USERS": ("oidc_create_users", _bool),
        "CASUS_OIDC_SYNC_ROLES": ("oidc_sync_roles", _bool),
        "CASUS_OIDC_MFA_AMR": ("oidc_mfa_amr", _roles),
        "CASUS_OIDC_MFA_ACR": ("oidc_mfa_acr", _roles),
        "CASUS_INACTIVE_DAYS": ("inactive_days", int),
        "CASUS_STORAGE_BACKEND": ("storage_backend", lambda value: value.strip().lower()),
        "CASUS_STORAGE_DIR": ("storage_dir", str),
        "CASUS_STORAGE_S3_ENDPOINT": ("storage_s3_endpoint", lambda value: value.strip().rstrip("/")),
        "CASUS_STORAGE_S3_BUCKET": ("storage_s3_bucket", str),
        "CASUS_STORAGE_S3_REGION": ("storage_s3_region", str),
        "CASUS_STORAGE_S3_ACCESS_KEY": ("storage_s3_access_key", str),
        "CASUS_STORAGE_S3_SECRET_KEY": ("storage_s3_secret_key", str),
        "CASUS_STORAGE_KEYS": ("storage_keys", _mapping),
        "CASUS_DOCUMENT_MAX_BYTES": ("document_max_bytes", int),
        "CASUS_CLAMD_ADDRESS": ("clamd_address", str),
        "CASUS_CLAMD_TIMEOUT_SECONDS": ("clamd_timeout_seconds", int),
    }
    # Variables where an empty value means "none" rather than "not set, use the default".
    EMPTY_MEANS_NONE = frozenset({"CASUS_TOTP_REQUIRED_ROLES", "CASUS_OIDC_MFA_AMR", "CASUS_OIDC_MFA_ACR"})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Config:
        """Build a validated config from ``environ`` (default: ``os.environ``) plus overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for var, (name, parse) in cls.ENV_VARS.items():
            raw = environ.get(var)
            if raw is None or (raw == "" and var not in cls.EMPTY_MEANS_NONE):
                continue
            try:
                values[name] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{var} has an invalid value") from exc
        values.update(overrides)
        env = str(values.get("env", "production"))
        if env == "development":
            values.setdefault("secure_cookies", False)
            values.setdefault("log_format", "text")
        return cls(**values).validated()

    def validated(self) -> Config:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"CASUS_ENV must be one of {', '.join(ENVIRONMENTS)}")
        config = self
        if not config.secret_key:
            if config.env == "production":
                raise ConfigError("CASUS_SECRET_KEY is required outside development and testing")
            # A throwaway key: sessions do not survive a restart, which is fine for dev and tests.
            config = replace(config, secret_key=secrets.token_urlsafe(32))
        elif config.env == "production" and len(config.secret_key) < 32:
            raise ConfigError("CASUS_SECRET_KEY must be at least 32 characters")
        if config.env == "production" and config.mail_outbox:
            # The files hold whole messages, and nobody would receive them: never in production.
            raise ConfigError("CASUS_MAIL_OUTBOX is for development and demo only")
        if config.env == "production" and config.sql_echo:
            raise ConfigError("CASUS_SQL_ECHO is for development only: SQL statements can hold personal data")
        if config.log_format not in LOG_FORMATS:
            raise ConfigError(f"CASUS_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        if config.log_level not in LOG_LEVELS:
            raise ConfigError(f"CASUS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if config.metrics_token and len(config.metrics_token) < 32:
            raise ConfigError("CASUS_METRICS_TOKEN must be at least 32 characters")
        if config.known_elsewhere_per_day < 0:
            raise ConfigError("CASUS_KNOWN_ELSEWHERE_PER_DAY must be 0 or more")
        for name, months in (("CASE", config.retention_case_months), ("SIGNAL", config.retention_signal_months)):
            if not 1 <= months <= 1200:
                raise ConfigError(f"CASUS_RETENTION_{name}_MONTHS must be 1 to 1200")
        if config.audit_chain not in AUDIT_CHAIN_MODES:
            raise ConfigError(f"CASUS_AUDIT_CHAIN must be one of {', '.join(AUDIT_CHAIN_MODES)}")
        if config.address_lookup not in ADDRESS_LOOKUPS:
            raise ConfigError(f"CASUS_ADDRESS_LOOKUP must be one of {', '.join(ADDRESS_LOOKUPS)}")
        if config.address_lookup == "pdok" and not config.address_lookup_url.startswith(("https://", "http://")):
            raise ConfigError("CASUS_ADDRESS_LOOKUP_URL must be an http(s) URL")
        if config.audit_seal_key and len(config.audit_seal_key) < 32:
            raise ConfigError("CASUS_AUDIT_SEAL_KEY must be at least 32 characters")
        if config.report_min_count < 1:
            raise ConfigError("CASUS_REPORT_MIN_COUNT must be 1 or more")
        if config.cases_page_size < 1:
            raise ConfigError("The case list's page size must be 1 or more")
        try:
            ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError("The time zone must be an IANA name such as Europe/Amsterdam") from exc
        if not 0 <= config.scheduler_metrics_port <= 65535:
            raise ConfigError("CASUS_SCHEDULER_METRICS_PORT must be a port number (0 = off)")
        oidc_url = config.oidc_issuer.startswith(("https://", "http://"))
        if config.oidc_issuer and not (oidc_url and config.oidc_client_id):
            raise ConfigError("CASUS_OIDC_ISSUER must be an http(s) URL and needs CASUS_OIDC_CLIENT_ID")
        if config.oidc_issuer and "openid" not in config.oidc_scopes.split():
            raise ConfigError("CASUS_OIDC_SCOPES must include openid")
        if config.inactive_days < 0:
            raise ConfigError("CASUS_INACTIVE_DAYS must be 0 (never) or more")
        if config.storage_backend not in STORAGE_BACKENDS:
            raise ConfigError(f"CASUS_STORAGE_BACKEND must be one of {', '.join(STORAGE_BACKENDS)}")
        if config.storage_backend == "s3" and not (config.storage_s3_endpoint and config.storage_s3_bucket):
            raise ConfigError("CASUS_STORAGE_BACKEND=s3 needs CASUS_STORAGE_S3_ENDPOINT and CASUS_STORAGE_S3_BUCKET")
        if config.document_max_bytes < 1:
            raise ConfigError("CASUS_DOCUMENT_MAX_BYTES must be 1 or more")
        if config.clamd_address and not config.clamd_address.startswith(("unix:", "tcp:")):
            raise ConfigError("CASUS_CLAMD_ADDRESS must start with unix: or tcp:")
        if not config.database_url:
            Path(config.instance_path).mkdir(parents=True, exist_ok=True)
            config = replace(config, database_url=f"sqlite:///{Path(config.instance_path) / 'casus.db'}")
        return config

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def owner_database_url(self) -> str:
        """The URL migrations and grants connect with: the owner's when set apart, else the application's."""
        return self.migration_database_url or self.database_url

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def log_tracebacks(self) -> bool:
        """Tracebacks quote exception messages, which can carry user input: development with CASUS_DEBUG_LOGS only."""
        return self.debug_logs and self.env == "development"

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/.
        return "__Host-casus_session" if self.secure_cookies else "casus_session"

    def flask_settings(self) -> dict[str, object]:
        """The settings Flask and its extensions read from ``app.config``."""
        return {
            "ENV_NAME": self.env,
            "TESTING": self.env == "testing",
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ECHO": self.sql_echo,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(self.database_url, self.env),
            "SESSION_COOKIE_NAME": self.session_cookie_name,
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_PATH": "/",
            "SESSION_COOKIE_DOMAIN": None,
            "PREFERRED_URL_SCHEME": "https" if self.secure_cookies else "http",
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "WTF_CSRF_TIME_LIMIT": None,
            "WTF_CSRF_SSL_STRICT": self.secure_cookies,
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.timezone,
            "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
            "API_TITLE": "Casus API",
            "API_VERSION": self.api_version,
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "CASUS": self,
            **dict(self.extra),
        }


def _engine_options(url: str, env: str = "production") -> dict[str, object]:
    # Outside development SQLAlchemy never shows statement parameters (names, BSNs, free text) in its exception
    # messages or log lines.
    options: dict[str, object] = {"hide_parameters": env != "development"}
    if url.startswith("sqlite"):
        return {**options, "connect_args": {"timeout": 15, "check_same_thread": False}}
    return {**options, "pool_pre_ping": True, "pool_size": 10, "max_overflow": 5}
