"""Login throttling: at most N failures per minute per account and per IP address.

With ``CASUS_REDIS_URL`` the counters live in Redis and are shared by every gunicorn worker;
without it they live in this process, which is right for development and tests only.

When Redis does not answer, the throttle fails *closed*: every method raises :class:`ThrottleUnavailable`,
which :mod:`casus.errors` turns into a 503 ("Inloggen is tijdelijk niet mogelijk", problem+json for the API).
A login is never let through unthrottled, and never ends in a 500.
"""

from __future__ import annotations

import hashlib
import threading
import time
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
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._prune(key))

    def add(self, key: str) -> None:
        with self._lock:
            self._prune(key).append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits[key]
        horizon = time.monotonic() - WINDOW_SECONDS
        while hits and hits[0] < horizon:
            hits.popleft()
        return hits


class RedisCounter:
    """A sliding window per key, as a sorted set of failure timestamps."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

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

    def add(self, key: str) -> None:
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.zadd(key, {f"{now:.6f}": now})
        pipe.expire(key, WINDOW_SECONDS + 1)
        pipe.execute()

    def clear(self, key: str) -> None:
        self._redis.delete(key)


class LoginThrottle:
    def __init__(self, limit: int, redis_url: str | None = None) -> None:
        self.limit = limit
        self.counter = RedisCounter(redis_url) if redis_url else MemoryCounter()

    def blocked(self, email: str, ip: str) -> bool:
        keys = (_key("account", email), _key("ip", ip))
        with _fail_closed():
            return any(self.counter.count(key) >= self.limit for key in keys)

    def failed(self, email: str, ip: str) -> None:
        with _fail_closed():
            self.counter.add(_key("account", email))
            self.counter.add(_key("ip", ip))

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
