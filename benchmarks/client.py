"""The load clients: plain ``http.client`` with a cookie dict per client, run as threads in a driver process.

The driver is a separate process (``multiprocessing`` spawn), so the clients never share the interpreter of
the code that seeds or measures in-process. It keeps its logged-in clients between endpoints and answers
commands over a pipe:

* ``("login", group, base_url, email, password, count, csrf_path[, totp_secret])`` logs ``count`` clients in
  through the real login form (GET for the CSRF token, POST) and reads a CSRF token for later POSTs from
  ``csrf_path``; with a TOTP secret one client logs in (password, then the code) and the others share its session;
* ``("bearer", group, token, count)`` makes ``count`` API clients;
* ``("run", spec, duration, clients, warmup)`` drives one endpoint and answers its latencies;
* ``("stop",)``.

Gunicorn's sync workers close every connection, so each request opens a new one (the floor likewise). A POST
never keeps the cookies it is answered with: the flash messages it sets would otherwise pile up in the session
cookie of a client that never renders a page.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from http.cookies import SimpleCookie

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|'
                  r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')
TIMEOUT = 60
TOTP_PATH = "/inloggen/code"


class LoginFailed(RuntimeError):
    pass


class Client:
    """One browser-like client: a cookie dict, a CSRF token, optional bearer token."""

    def __init__(self, base_url: str, bearer: str | None = None) -> None:
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self.bearer = bearer

    def request(self, method: str, path: str, form: dict | None = None, *,
                keep_cookies: bool = True) -> tuple[int, bytes, str]:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "casus-benchmark"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
            headers["Accept"] = "application/json"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            if keep_cookies:
                for header in response.headers.get_all("Set-Cookie") or ():
                    self._store(header)
            return response.status, data, response.headers.get("Location") or ""
        finally:
            connection.close()

    def _store(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for key, morsel in cookie.items():
            expired = morsel["max-age"] == "0" or "1970" in (morsel["expires"] or "")
            if expired or morsel.value == "":
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = morsel.value

    def read_csrf(self, path: str) -> str:
        status, body, _ = self.request("GET", path)
        match = CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or not match:
            raise LoginFailed(f"no CSRF token on {path} (HTTP {status})")
        self.csrf = match.group(1) or match.group(2)
        return self.csrf

    def login(self, email: str, password: str, totp_secret: str | None = None) -> None:
        """The real login form; with ``totp_secret`` also the second step (roles that require TOTP)."""
        token = self.read_csrf("/inloggen")
        status, _body, location = self.request(
            "POST", "/inloggen", {"csrf_token": token, "email": email, "password": password, "next": ""})
        if totp_secret and status == 302 and location.endswith(TOTP_PATH):
            import pyotp

            token = self.read_csrf(TOTP_PATH)
            status, _body, location = self.request(
                "POST", TOTP_PATH, {"csrf_token": token, "code": pyotp.TOTP(totp_secret).now()})
        if status != 302 or "inloggen" in location:
            raise LoginFailed(f"login of {email} failed (HTTP {status}, {location or 'no redirect'})")

    def twin(self) -> Client:
        """Another client on the same session (a TOTP code is accepted once, so one login serves many)."""
        other = Client(f"http://{self.host}:{self.port}", bearer=self.bearer)
        other.cookies, other.csrf = dict(self.cookies), self.csrf
        return other


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


class _Pool:
    """Items that may be used once (cases prepared for a transition), shared by the client threads."""

    def __init__(self, items: list) -> None:
        self.items = list(items)
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            return self.items.pop() if self.items else None


def _next_request(spec: dict, client: Client, rng: random.Random, pool: _Pool | None):
    """(method, path, form) for the next request of ``spec``, or None when its pool is used up."""
    form = None
    if pool is not None:
        item = pool.take()
        if item is None:
            return None
        path = item["path"]
        form = dict(item.get("form") or {})
    else:
        path = rng.choice(spec["paths"]) if spec.get("paths") else spec["path"]
        if spec.get("form") is not None:
            form = dict(spec["form"])
    if form is not None:
        form = {key: (value.format(n=rng.randrange(10**9)) if isinstance(value, str) else value)
                for key, value in form.items()}
        if client.csrf:
            form.setdefault("csrf_token", client.csrf)
    return spec.get("method", "GET"), path, form


def _ok(spec: dict, status: int, location: str) -> bool:
    if status not in spec.get("expect", (200,)):
        return False
    wanted = spec.get("location")
    return not wanted or wanted in location


def drive(clients: list[Client], spec: dict, duration: float, warmup: float = 0.0) -> dict:
    """Every client sends ``spec``'s requests back to back for ``duration`` seconds (after ``warmup``)."""
    pool = _Pool(spec["pool"]) if spec.get("pool") is not None else None
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic() + warmup
    deadline = start + duration

    def work(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        bad = 0
        seen: Counter = Counter()
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            request = _next_request(spec, client, rng, pool)
            if request is None:
                break
            method, path, form = request
            began = time.perf_counter()
            try:
                status, _body, location = client.request(method, path, form, keep_cookies=method == "GET")
            except OSError:
                status, location = 0, ""
            elapsed = time.perf_counter() - began
            if now < start:
                continue  # warm-up: not counted
            seen[status] += 1
            mine.append(elapsed)
            if not _ok(spec, status, location):
                bad += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors[0] += bad

    threads = [threading.Thread(target=work, args=(client, index), daemon=True)
               for index, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = max(1e-9, min(time.monotonic(), deadline) - start) if latencies else duration
    latencies.sort()
    return {
        "requests": len(latencies), "errors": errors[0], "seconds": wall,
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": percentile(latencies, 0.50) * 1000, "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "pool_exhausted": pool is not None and not pool.items,
    }


def driver_main(connection) -> None:
    """The driver process: answers the commands described in the module docstring."""
    groups: dict[str, list[Client]] = {}
    while True:
        command = connection.recv()
        kind = command[0]
        try:
            if kind == "stop":
                connection.send(("ok", None))
                return
            if kind == "login":
                _kind, group, base_url, email, password, count, csrf_path, *rest = command
                totp_secret = rest[0] if rest else None
                clients = []
                for _ in range(count):
                    if totp_secret and clients:  # one login with a second factor, shared by every client
                        clients.append(clients[0].twin())
                        continue
                    client = Client(base_url)
                    client.login(email, password, totp_secret)
                    if csrf_path:
                        client.read_csrf(csrf_path)
                    clients.append(client)
                groups[group] = clients
                connection.send(("ok", None))
            elif kind == "bearer":
                _kind, group, base_url, token, count = command
                groups[group] = [Client(base_url, bearer=token) for _ in range(count)]
                connection.send(("ok", None))
            elif kind == "anonymous":
                _kind, group, base_url, count = command
                groups[group] = [Client(base_url) for _ in range(count)]
                connection.send(("ok", None))
            elif kind == "run":
                _kind, spec, duration, count, warmup = command
                clients = groups[spec["group"]][:count]
                connection.send(("ok", drive(clients, spec, duration, warmup)))
            else:
                connection.send(("error", f"unknown command {kind}"))
        except Exception as error:  # report, keep serving
            connection.send(("error", f"{type(error).__name__}: {error}"))
