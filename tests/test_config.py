import pytest

from casus.config import Config, ConfigError


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError, match="CASUS_SECRET_KEY"):
        Config.from_env({"CASUS_ENV": "production"})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigError, match="at least 32"):
        Config.from_env({"CASUS_ENV": "production", "CASUS_SECRET_KEY": "short"})


def test_development_and_testing_get_a_throwaway_key(tmp_path):
    for env in ("development", "testing"):
        config = Config.from_env({"CASUS_ENV": env, "CASUS_INSTANCE_PATH": str(tmp_path)})
        assert len(config.secret_key) >= 32


def test_values_come_from_casus_environment_variables(tmp_path):
    config = Config.from_env({
        "CASUS_ENV": "production", "CASUS_SECRET_KEY": "k" * 40,
        "CASUS_DATABASE_URL": "postgresql+psycopg://db/casus", "CASUS_SESSION_IDLE_MINUTES": "15",
        "CASUS_TOTP_REQUIRED_ROLES": "supervisor, beheerder", "CASUS_SECURE_COOKIES": "false",
    })
    assert config.database_url == "postgresql+psycopg://db/casus"
    assert config.session_idle_minutes == 15
    assert config.totp_required_roles == frozenset({"supervisor", "beheerder"})
    assert config.secure_cookies is False
    assert not config.is_sqlite


def test_default_database_is_a_sqlite_file_under_instance(tmp_path):
    config = Config.from_env({"CASUS_ENV": "development", "CASUS_INSTANCE_PATH": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'casus.db'}"


def test_config_is_immutable(tmp_path):
    config = Config.from_env({"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(AttributeError):
        config.env = "production"


def test_invalid_numbers_and_environments_are_refused():
    with pytest.raises(ConfigError):
        Config.from_env({"CASUS_ENV": "testing", "CASUS_SESSION_IDLE_MINUTES": "lang"})
    with pytest.raises(ConfigError, match="CASUS_ENV"):
        Config.from_env({"CASUS_ENV": "staging"})


@pytest.mark.parametrize(("value", "roles"), [
    ("", frozenset()),
    (" , ", frozenset()),
    ("beheerder", frozenset({"beheerder"})),
])
def test_empty_totp_required_roles_means_none(tmp_path, value, roles):
    config = Config.from_env({"CASUS_ENV": "development", "CASUS_INSTANCE_PATH": str(tmp_path),
                              "CASUS_TOTP_REQUIRED_ROLES": value})
    assert config.totp_required_roles == roles


def test_unset_totp_required_roles_keeps_the_default(tmp_path):
    config = Config.from_env({"CASUS_ENV": "development", "CASUS_INSTANCE_PATH": str(tmp_path)})
    assert config.totp_required_roles == frozenset({"supervisor", "privacy", "beheerder"})


def test_an_unknown_time_zone_is_refused(tmp_path):
    environ = {"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigError, match="time zone"):
        Config.from_env(environ, timezone="Europe/Atlantis")
    assert Config.from_env(environ, timezone="Europe/Brussels").timezone == "Europe/Brussels"


def test_a_report_threshold_below_one_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="CASUS_REPORT_MIN_COUNT"):
        Config.from_env({"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path), "CASUS_REPORT_MIN_COUNT": "0"})


def test_the_audit_chain_settings(tmp_path):
    environ = {"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path)}
    default = Config.from_env(environ)
    assert (default.audit_chain, default.audit_seal_key, default.audit_seal_mail_to) == ("scheduled", "", ())
    config = Config.from_env({**environ, "CASUS_AUDIT_CHAIN": " Inline ", "CASUS_AUDIT_SEAL_KEY": "k" * 32,
                              "CASUS_AUDIT_SEAL_KEY_FILE": "/etc/casus/seal/keys", "CASUS_AUDIT_SEAL_DIR": "/seals",
                              "CASUS_AUDIT_SEAL_MAIL_TO": "privacy@example.org, fg@example.org"})
    assert config.audit_chain == "inline"
    assert (config.audit_seal_key_file, config.audit_seal_dir) == ("/etc/casus/seal/keys", "/seals")
    assert config.audit_seal_mail_to == ("privacy@example.org", "fg@example.org")
    with pytest.raises(ConfigError, match="CASUS_AUDIT_CHAIN must be one of scheduled, inline"):
        Config.from_env({**environ, "CASUS_AUDIT_CHAIN": "never"})
    with pytest.raises(ConfigError, match="CASUS_AUDIT_SEAL_KEY must be at least 32"):
        Config.from_env({**environ, "CASUS_AUDIT_SEAL_KEY": "short"})


def test_single_sign_on_settings_are_parsed_and_checked():
    config = Config.from_env({
        "CASUS_ENV": "testing", "CASUS_OIDC_ISSUER": "https://sso.example.nl/realms/zvh/",
        "CASUS_OIDC_CLIENT_ID": "casus", "CASUS_OIDC_SCOPES": "openid, email groups",
        "CASUS_OIDC_ROLE_MAP": "casus-partners=partner; Team, Noord=procesregisseur",
        "CASUS_OIDC_ORGANISATION_MAP": "ggz-noord=GGZ Noord", "CASUS_OIDC_MFA_AMR": "",
        "CASUS_OIDC_MFA_ACR": "mfa,loa2", "CASUS_OIDC_CREATE_USERS": "true", "CASUS_INACTIVE_DAYS": "30",
        "CASUS_OIDC_SYNC_ROLES": "true"})
    assert config.oidc_enabled and config.oidc_issuer == "https://sso.example.nl/realms/zvh"
    assert config.oidc_scopes == "openid email groups"
    assert config.oidc_role_map == {"casus-partners": "partner", "Team, Noord": "procesregisseur"}
    assert config.oidc_organisation_map == {"ggz-noord": "GGZ Noord"}
    assert (config.oidc_mfa_amr, config.oidc_mfa_acr) == (frozenset(), frozenset({"mfa", "loa2"}))
    assert config.oidc_create_users and config.inactive_days == 30 and config.oidc_sync_roles
    assert not Config.from_env({"CASUS_ENV": "testing"}).oidc_sync_roles
    assert not Config.from_env({"CASUS_ENV": "testing"}).oidc_enabled
    assert Config.from_env({"CASUS_ENV": "testing"}).inactive_days == 90
    for environ in ({"CASUS_OIDC_ISSUER": "sso.example.nl", "CASUS_OIDC_CLIENT_ID": "casus"},
                    {"CASUS_OIDC_ISSUER": "https://sso.example.nl"},
                    {"CASUS_OIDC_ISSUER": "https://sso.example.nl", "CASUS_OIDC_CLIENT_ID": "c",
                     "CASUS_OIDC_SCOPES": "email"},
                    {"CASUS_OIDC_ROLE_MAP": "partner"},
                    {"CASUS_INACTIVE_DAYS": "-1"}):
        with pytest.raises(ConfigError):
            Config.from_env({"CASUS_ENV": "testing", **environ})
