"""A Redis cache that degrades to "no cache" instead of failing the request when Redis is down.

The cache only ever holds copies of what the database knows, so losing it costs speed, never
correctness: a read becomes a miss, a write is skipped, and the page is rendered from the
database. After a connection failure the backend stops trying for a few seconds (a small circuit
breaker), so an outage costs each process one quick failed connect now and then, not one per
cache call.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Per process and per server: every thread's cache object shares what one of them learnt.
_down_until: dict[str, float] = {}
_state_lock = threading.Lock()


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, but one `redis.Redis` object per connection pool instead of per call.

    Django builds a new `redis.Redis` for every cache operation, and its constructor fills a
    table of ~170 response callbacks: on a cached page hit that cost more than the round trip
    itself. A `redis.Redis` is safe to share between threads (each command takes a connection
    from the pool), so one per pool is enough.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_reused_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose every operation turns "Redis unreachable" into a miss or no-op.

    OPTIONS may hold `RETRY_AFTER_SECONDS` (how long to stop trying after a failure) and
    `INVALIDATE_ON_RECOVERY` (keys deleted when Redis answers again after a failure).

    `add` answers True while Redis is down, as it would for an absent key: a lock taken with
    `add` only saves overlapping work (row locks and unique constraints keep the data right), so
    during an outage work goes ahead rather than stopping altogether. `incr` raises ValueError,
    as it does for a missing key.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._retry_after = float(options.pop("RETRY_AFTER_SECONDS", 5.0))
        self._invalidate_on_recovery = tuple(options.pop("INVALIDATE_ON_RECOVERY", ()))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusedClientRedisCacheClient
        self._breaker_key = str(server)

    # -- circuit breaker -------------------------------------------------------------------
    def _is_open(self) -> bool:
        until = _down_until.get(self._breaker_key)
        return until is not None and time.monotonic() < until

    def _failed(self, operation: str, error: Exception) -> None:
        with _state_lock:
            first = self._breaker_key not in _down_until
            _down_until[self._breaker_key] = time.monotonic() + self._retry_after
        log = logger.warning if first else logger.debug
        log(
            "cache unreachable, serving without it",
            extra={"operation": operation, "error": repr(error)[:300]},
        )

    def _succeeded(self) -> None:
        if self._breaker_key in _down_until:
            with _state_lock:
                recovered = _down_until.pop(self._breaker_key, None) is not None
            if recovered:
                logger.warning("cache reachable again")
                self._forget_stale_keys()

    def _forget_stale_keys(self) -> None:
        """Drop keys whose updates may have been lost while Redis was unreachable.

        A cache version bumped during the outage never reached Redis; pages cached under the old
        version would be served again once it is back. Deleting the version key makes the next
        reader start a new one, so nothing cached before the outage is served after it.
        """
        for key in self._invalidate_on_recovery:
            try:
                super().delete(key)
            except UNREACHABLE as error:
                self._failed("invalidate", error)
                return

    def _guard(self, operation: str, call, fallback):
        if self._is_open():
            return fallback
        try:
            result = call()
        except UNREACHABLE as error:
            self._failed(operation, error)
            return fallback
        self._succeeded()
        return result

    def ping(self) -> None:
        """Raise unless Redis answers now (used by readiness checks; ignores the breaker)."""
        self._cache.get_client(write=False).ping()
        self._succeeded()

    # -- the cache API ---------------------------------------------------------------------
    def get(self, key, default=None, version=None):
        return self._guard(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None) -> dict[str, Any]:
        return self._guard(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None) -> bool:
        return self._guard(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), True
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            [],
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._guard(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys, version=None):
        return self._guard(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self):
        return self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), False)

    def incr(self, key, delta=1, version=None):
        result = self._guard(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), _MISSING
        )
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result


_MISSING = object()
