"""CASUS_ASSESSMENT_DOMAINS: a JSON file may replace the ZRM's 13 domains; an unusable file stops the start with a
message saying what is wrong."""

from __future__ import annotations

import json

import pytest

from casus import create_app
from casus import testing_config as config_for_tests
from casus.assessments import domains
from casus.config import Config, ConfigError


def test_the_zrm_domains_are_the_default_with_stable_codes():
    assert len(domains.ZRM_DOMAINS) == 13
    assert domains.ZRM_DOMAINS[0].code == "financien" and domains.ZRM_DOMAINS[-1].code == "justitie"
    assert all(domains.CODE.match(domain.code) for domain in domains.ZRM_DOMAINS)
    assert domains.scale_label(1, "nl") == "Acute problematiek" and domains.scale_label(5) == "Volledig zelfredzaam"


def test_the_setting_is_read_from_the_environment():
    assert Config.from_env({"CASUS_ASSESSMENT_DOMAINS": "/etc/casus/domeinen.json"}, env="testing"
                           ).assessment_domains == "/etc/casus/domeinen.json"


def test_a_configured_file_replaces_the_list(tmp_path):
    path = tmp_path / "domeinen.json"
    path.write_text(json.dumps([{"code": "wonen", "nl": "Wonen", "en": "Housing"},
                                {"code": "schulden", "nl": "Schulden", "en": "Debts"}]), encoding="utf-8")
    app = create_app(config_for_tests(assessment_domains=str(path), database_url="sqlite://"))
    with app.app_context():
        assert domains.codes() == ("wonen", "schulden")
        assert domains.current()[0].label("en") == "Housing" and domains.label_of("wonen", "nl") == "Wonen"
        assert domains.label_of("financien", "nl") == "financien"  # an old code shows as itself


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot be read"),
    ("{niet json", "not valid JSON"),
    ("[]", "non-empty JSON list"),
    ('[{"code": "wonen", "nl": "Wonen"}]', "exactly the keys"),
    ('[{"code": "Wonen!", "nl": "Wonen", "en": "Housing"}]', "lower-case"),
    ('[{"code": "wonen", "nl": "Wonen", "en": "Housing"}, {"code": "wonen", "nl": "W", "en": "H"}]', "twice"),
    ('[{"code": "wonen", "nl": "", "en": "Housing"}]', "'nl' must be a text"),
])
def test_an_unusable_file_stops_the_start_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "domeinen.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        create_app(config_for_tests(assessment_domains=str(path), database_url="sqlite://"))
    assert "CASUS_ASSESSMENT_DOMAINS" in str(refused.value) and message in str(refused.value)
