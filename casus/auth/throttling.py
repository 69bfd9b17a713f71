"""Login throttling: at most N failed attempts per minute per account and per IP address.

An attempt is counted *before* the password (or code) is checked, and atomically: :meth:`LoginThrottle.attempt`
reserves a place in both windows (account and IP) only while both have room, all in one step. So N simultaneous
guesses for one account get at most ``limit`` password checks between them — the others are refused without a
check — and no two requests can both read "4 of 5" and both go ahead. A check that turns out right hands its
place back (:meth:`LoginThrottle.release`); a successful login also clears the account's window, never the IP's.

With ``CASUS_REDIS_URL`` the windows live in Redis (a sorted set per key, changed by one Lua script, which Redis
runs atomically) and are shared by every gunicorn worker; without it they live in this process under a lock,
which is right for development and tests only.

When Redis does not answer, the throttle fails *closed*: every method raises :class:`ThrottleUnavailable`,
which :mod:`casus.errors` turns into a 503 ("Inloggen is tijdelijk niet mogelijk", problem+json for the API).
A login is never let through unthrottled, and never ends in a 500.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import defaultdict, deque
from contextlib import contextmanager

WINDOW_SECONDS = 60


class ThrottleUnavailable(Exception):
    """The shared throttle (Redis) did not answer; ``cause`` is the exception type's name, nothing more."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def _key(kind: str, value: str) -> str:
    # Hash the e-mail address or IP, so Redis never holds personal data in clear.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"casus:login-fail:{kind}:{digest}"


class MemoryCounter:
    """Sliding windows in this process: per key the (time, attempt id) of each counted attempt."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[tuple[float, str]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._prune(key))

    def add(self, key: str, member: str | None = None) -> None:
        with self._lock:
            self._prune(key).append((time.monotonic(), member or uuid.uuid4().hex))

    def reserve(self, keys: tuple[str, ...], limit: int, member: str) -> bool:
        """Count ``member`` in every key if each has fewer than ``limit``; otherwise in none. Atomic."""
        with self._lock:
            windows = [self._prune(key) for key in keys]
            if any(len(window) >= limit for window in windows):
                return False
            now = time.monotonic()
            for window in windows:
                window.append((now, member))
            return True

    def discard(self, keys: tuple[str, ...], member: str) -> None:
        with self._lock:
            for key in keys:
                hits = self._hits.get(key)
                if hits:
                    self._hits[key] = deque(hit for hit in hits if hit[1] != member)

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[tuple[float, str]]:
        hits = self._hits[key]
        horizon = time.monotonic() - WINDOW_SECONDS
        while hits and hits[0][0] < horizon:
            hits.popleft()
        return hits


# KEYS: the windows; ARGV: now, window seconds, limit, attempt id. Either every window counts the attempt, or
# (one is full) none does. Redis runs a script as one step: nothing else touches the keys in between.
_RESERVE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('EXPIRE', key, window + 1)
end
return 1
"""


class RedisCounter:
    """A sliding window per key, as a sorted set of attempt ids scored by their time."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._reserve = self._redis.register_script(_RESERVE)

    def ping(self) -> bool:
        import redis

        try:
            return bool(self._redis.ping())
        except redis.RedisError:
            return False

    def count(self, key: str) -> int:
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(key, 0, now - WINDOW_SECONDS)
        pipe.zcard(key)
        return int(pipe.execute()[1])

    def add(self, key: str, member: str | None = None) -> None:
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.zadd(key, {member or f"{now:.6f}:{uuid.uuid4().hex}": now})
        pipe.expire(key, WINDOW_SECONDS + 1)
        pipe.execute()

    def reserve(self, keys: tuple[str, ...], limit: int, member: str) -> bool:
        return bool(self._reserve(keys=list(keys), args=[time.time(), WINDOW_SECONDS, limit, member]))

    def discard(self, keys: tuple[str, ...], member: str) -> None:
        pipe = self._redis.pipeline()
        for key in keys:
            pipe.zrem(key, member)
        pipe.execute()

    def clear(self, key: str) -> None:
        self._redis.delete(key)


class LoginThrottle:
    def __init__(self, limit: int, redis_url: str | None = None) -> None:
        self.limit = limit
        self.counter = RedisCounter(redis_url) if redis_url else MemoryCounter()

    @staticmethod
    def _keys(email: str, ip: str) -> tuple[str, str]:
        return _key("account", email), _key("ip", ip)

    def attempt(self, email: str, ip: str) -> str | None:
        """Count an attempt for this account and IP before checking it: an attempt id, or None when either
        window is full (the attempt is then refused unchecked, and not counted)."""
        member = uuid.uuid4().hex
        with _fail_closed():
            return member if self.counter.reserve(self._keys(email, ip), self.limit, member) else None

    def release(self, email: str, ip: str, attempt: str) -> None:
        """The attempt turned out right: it no longer counts as a failure, for the account nor the IP."""
        with _fail_closed():
            self.counter.discard(self._keys(email, ip), attempt)

    def blocked(self, email: str, ip: str) -> bool:
        """Whether a next attempt would be refused now (a read: it counts nothing)."""
        with _fail_closed():
            return any(self.counter.count(key) >= self.limit for key in self._keys(email, ip))

    def failed(self, email: str, ip: str) -> None:
        """Count a failure after the fact (the login itself counts with :meth:`attempt`)."""
        with _fail_closed():
            for key in self._keys(email, ip):
                self.counter.add(key)

    def succeeded(self, email: str) -> None:
        # Only the account counter resets: one good login must not clear an IP that is guessing.
        with _fail_closed():
            self.counter.clear(_key("account", email))

    def ready(self) -> bool:
        """True when the counters answer (always, in memory); for /readyz."""
        return self.counter.ping() if isinstance(self.counter, RedisCounter) else True


@contextmanager
def _fail_closed():
    try:
        yield
    except Exception as error:
        import redis

        if isinstance(error, redis.RedisError):
            raise ThrottleUnavailable(type(error).__name__) from None
        raise
