"""Which requests are the API's (casus.api_paths): errors, security and the API's own guard all ask this."""

from __future__ import annotations

import pytest

from casus.api_paths import is_api_path, is_api_request


@pytest.mark.parametrize(("path", "api"), [
    ("/api/v1", True), ("/api/v1/cases", True), ("/api/v2/x", True), ("/api/", True),
    ("/api", False), ("/apidocs", False), ("/casussen", False), ("/", False),
])
def test_a_path_under_api_is_the_apis(path, api):
    assert is_api_path(path) is api


def test_the_current_request_is_judged_by_its_path(app):
    with app.test_request_context("/api/v1/cases?q=/casussen"):
        assert is_api_request()
    with app.test_request_context("/casussen?next=/api/v1"):
        assert not is_api_request()
