"""A real OpenID provider for the single sign-on tests: oidc-provider-mock run as its own process on a free port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx

from browser_support import AXE_RUNNER, AxeReports

PROVIDER_PATHS = ("/oauth2/",)  # the provider's own pages: not Casus's to make accessible


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def oidc_provider(*args: str):
    """Start ``python -m oidc_provider_mock`` (nonce required) and yield its issuer URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the OpenID provider did not start")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def set_identity(issuer: str, sub: str, claims: dict) -> None:
    """Register (or replace) the claims the provider asserts for ``sub``."""
    answer = httpx.put(f"{issuer}/users/{sub}", content=json.dumps(claims),
                       headers={"Content-Type": "application/json"}, timeout=5)
    answer.raise_for_status()


def new_page(chromium, base_url: str):
    """A browser context like the suite's ``page`` fixture, whose axe reports leave out the provider's pages;
    requests to other hosts (the provider's stylesheet on a CDN) are refused."""
    context = chromium.new_context(base_url=base_url, locale="nl-NL")
    reports = AxeReports()

    def report(_source, path, data):
        if not path.startswith(PROVIDER_PATHS):
            reports.pages.append((path, json.loads(data)))

    context.expose_binding("casusReportAxe", report)
    context.add_init_script(AXE_RUNNER)
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    browser_page = context.new_page()
    browser_page.set_default_timeout(30_000)
    browser_page.axe = reports
    return context, browser_page
