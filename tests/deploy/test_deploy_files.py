"""The deployment kit under deploy/ agrees with the application: variables it sets exist and load, limits match.
No processes; runs everywhere."""

from __future__ import annotations

import re

import pytest

from deploy_support import ROOT, SITE_CONF

pytestmark = pytest.mark.deploy

ENV_EXAMPLE = ROOT / "deploy" / "casus.env.example"
UNITS = ROOT / "deploy" / "systemd"


def _assignments(text: str, *, commented: bool = False) -> dict[str, str]:
    prefix = r"#?" if commented else ""
    return dict(re.findall(rf"^{prefix}([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.M))


def test_env_example_sets_known_variables_and_loads():
    from casus.config import Config, ConfigError

    text = ENV_EXAMPLE.read_text()
    unknown = {name for name in _assignments(text, commented=True)
               if name.startswith("CASUS_") and name not in Config.ENV_VARS}
    assert not unknown, f"{ENV_EXAMPLE.name} names variables Casus does not read: {sorted(unknown)}"
    environ = {name: value for name, value in _assignments(text).items() if name.startswith("CASUS_")}
    with pytest.raises(ConfigError, match="at least 32"):  # the placeholder secret is refused
        Config.from_env(environ)
    config = Config.from_env({**environ, "CASUS_SECRET_KEY": "s" * 48})
    assert config.env == "production" and config.proxy_fix_hops == 1 and config.secure_cookies
    assert config.database_url.startswith("postgresql+psycopg://") and config.redis_url


def test_nginx_and_units_match_the_application():
    from casus.config import Config

    site = SITE_CONF.read_text()
    limit = re.search(r"client_max_body_size (\d+)m;", site)
    assert limit and int(limit.group(1)) * 1024 * 1024 == Config().max_content_length
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", site) == ["8001", "8002"]
    for unit in ("casus-web@.service", "casus-scheduler.service"):
        assert "EnvironmentFile=/etc/casus/casus.env" in (UNITS / unit).read_text()
    assert "--bind 127.0.0.1:%i" in (UNITS / "casus-web@.service").read_text()
    assert re.search(r"^ExecStart=\S+/casus scheduler\b", (UNITS / "casus-scheduler.service").read_text(), re.M)


def test_a_nightly_vacuum_as_the_owner_removes_destroyed_rows_from_the_files():
    service = (UNITS / "casus-vacuum.service").read_text()
    timer = (UNITS / "casus-vacuum.timer").read_text()
    assert re.search(r"^ExecStart=/usr/bin/vacuumdb .*--dbname=\$\{CASUS_VACUUM_DATABASE\}", service, re.M)
    # The owner's connection comes from a file of its own, never from casus.env (which the web units read).
    assert re.findall(r"^EnvironmentFile=(.*)$", service, re.M) == ["/etc/casus/vacuum.env"]
    assert "CASUS_VACUUM_DATABASE" not in ENV_EXAMPLE.read_text()
    assert re.search(r"^OnCalendar=\S+ 0[3-5]:\d\d$", timer, re.M) and "Persistent=true" in timer
