"""Helpers for the API tests (a module of its own: ``conftest`` is not importable by name reliably)."""

from __future__ import annotations

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status: int) -> dict:
    """``response`` is an RFC 9457 problem with ``status``, a title, a detail and no stack trace."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"] and isinstance(body["title"], str)
    assert body["detail"] and isinstance(body["detail"], str)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    assert_api_headers(response)
    return body


def assert_api_headers(response) -> None:
    """What every API response carries: the version, the security headers, and never a cookie."""
    assert response.headers["API-Version"] == "1.0.0"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in response.headers
