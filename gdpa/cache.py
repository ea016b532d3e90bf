"""The shared cache: Redis, and a process-local stand-in while Redis is away.

What the portal keeps in its cache is worth losing, not worth an error page: the sign-in
rate limits and account lockout (allauth), the check-in attempt counters and the "last
seen" interval of a session. When Redis stops answering, ``ResilientRedisCache`` logs it
once and keeps answering from a cache in the process's own memory; it asks Redis again
after ``RETRY_AFTER`` seconds, and from then on uses Redis as before.

The choice for the rate limits (docs/operations.md, "When Redis is down"): they fail safe
both ways. Nobody is locked out because Redis is down, and the limits still hold, counted
per web process instead of across all of them (so at most ``workers`` times the limit,
for the minutes of the outage). Refusing every sign-in would turn a cache outage into a
portal outage; ignoring the limits would open the door to guessing passwords.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Seconds during which the process-local cache answers before Redis is asked again.
RETRY_AFTER = 5.0
#: What redis-py raises when the server is down, restarting, loading or not answering.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
#: A counter advanced in Redis by each process that finds Redis again after losing it: what
#: a process counted in its own memory meanwhile never reached Redis, so whatever is kept
#: against the counters (gdpa/http/kept_pages.py) must be forgotten.
OUTAGES = "gdpa:cache-outages"
#: The counters read while a page is drawn, by name, with the value read (None: never
#: advanced); None when no page is being kept. Set by gdpa/http/kept_pages.py.
counters_read: ContextVar[dict | None] = ContextVar("gdpa_counters_read", default=None)


class KeptClients(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool.

    Django makes a new redis-py client for every cache call, and redis-py fills a table of
    about 170 reply handlers for each: a tenth of a millisecond per call, several calls per
    page. A redis-py client is safe to share between threads (each command takes a
    connection from the pool), so one per pool is kept for the life of the process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._kept_clients.get(pool)
        if client is None:
            client = self._kept_clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` that answers from process memory while Redis is away."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClients
        self._local = LocMemCache(
            f"redis-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)}
        )
        self._retry_at = 0.0

    @property
    def reachable(self) -> bool:
        """Whether the last call reached Redis (False while the stand-in answers)."""
        return not self._retry_at

    def _call(self, name: str, *args, **kwargs):
        return self._either(
            lambda: getattr(super(ResilientRedisCache, self), name)(*args, **kwargs),
            lambda: getattr(self._local, name)(*args, **kwargs),
        )

    def _either(self, in_redis: Callable, in_memory: Callable):
        if time.monotonic() >= self._retry_at:
            try:
                result = in_redis()
            except UNREACHABLE as exc:
                if not self._retry_at:
                    logger.warning(
                        "Redis cache unreachable (%s); answering from process memory and "
                        "trying again every %.0f s.",
                        type(exc).__name__,
                        RETRY_AFTER,
                    )
                self._retry_at = time.monotonic() + RETRY_AFTER
            else:
                if self._retry_at:
                    logger.warning("Redis cache reachable again.")
                    self._retry_at = 0.0
                    self._either(lambda: self._advance_in_redis([OUTAGES]), lambda: None)
                return result
        return in_memory()

    def advance_counters(self, keys: Iterable[str]) -> None:
        """``advance_counters`` in one round trip to Redis."""
        keys = list(keys)
        self._either(lambda: self._advance_in_redis(keys), lambda: _advance_each(self._local, keys))

    def _advance_in_redis(self, keys: list[str]) -> None:
        pipe = self._cache.get_client(write=True).pipeline(transaction=False)
        start = time.time_ns()
        for key in keys:
            key = self.make_and_validate_key(key)
            pipe.set(key, start, nx=True)
            pipe.incr(key)
        pipe.execute()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")


#: The ``CACHES`` alias of Redis itself, without the stand-in: for checks that must reach
#: Redis (``/ready/``), whose calls raise while Redis is away.
DIRECT = "redis"


def shared_cache(redis_url: str) -> dict:
    """``CACHES`` for a Redis at ``redis_url``: a dead or silent server fails a call
    within a second (then the process-local stand-in answers), never a whole request.
    ``DIRECT`` names the same Redis without the stand-in."""
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {
        "default": {
            "BACKEND": "gdpa.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "OPTIONS": options,
        },
        DIRECT: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": options,
        },
    }


def _advance_each(cache, keys: Iterable[str]) -> None:
    start = time.time_ns()
    for key in keys:
        cache.add(key, start, None)
        try:
            cache.incr(key)
        except ValueError:  # forgotten between the two calls
            cache.set(key, start, None)


def advance_counters(keys: Iterable[str]) -> None:
    """Advance each counter named in ``keys``, kept in the shared cache without expiry. A
    counter that does not exist starts from the current time in nanoseconds, so one that
    Redis forgot (evicted, restarted) never comes back to a value it had before."""
    from django.core.cache import cache

    # ``cache`` is Django's proxy to this thread's backend: ask it, not its type.
    in_one_trip = getattr(cache, "advance_counters", None)
    if in_one_trip is not None:
        in_one_trip(keys)
    else:
        _advance_each(cache, keys)


class Generation:
    """A counter in the shared cache that names a family of kept entries: their keys carry
    ``current()``, and ``advance()`` makes every entry of the family unreachable at once
    (they then expire on their own). Used for the directory's totals and the catalogue's
    rendered lists."""

    def __init__(self, name: str) -> None:
        self.name = name

    def current(self) -> int:
        from django.core.cache import cache

        value = cache.get(self.name)
        read = counters_read.get()
        if read is not None:
            read[self.name] = value
        return value or 0

    def advance(self) -> None:
        advance_counters([self.name])


def kept_html(prefix: str, identity: tuple, render: Callable[[], str], seconds: int) -> SafeString:
    """What ``render()`` draws, kept in the shared cache for ``seconds`` under ``prefix``
    and a digest of ``identity`` and the active language. ``identity`` must name
    everything the drawing depends on; only what the portal drew is kept."""
    from django.core.cache import cache

    key = prefix + hashlib.sha256(repr((get_language(), *identity)).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 - a template the portal rendered, kept as drawn
