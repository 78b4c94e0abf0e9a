"""The published status version: one number every public cache and ETag is keyed on.

It lives beside the status tables because every writer of them must be able to move it (a
reconciliation run's bulk writes call `status_cache_bump` on commit); the publishing layer reads
it, and bumps it on model saves. Kept in the shared cache: reading it is one round-trip.

The cache ignores its own failures (Redis down is a miss, not an error), so a bump made while
Redis is unreachable would be lost silently, and once Redis answered again every reader would be
served the pages cached before it. A process that sees the cache fail (a bump that does not read
back, or a version it cannot read) therefore owes a bump, and pays it on its next use of the
version once the cache answers: nothing cached before an outage is served after it. Every copy
is keyed on the version, so a Redis that comes back empty needs nothing: the next reader starts a
new version, under which nothing old exists.
"""

from __future__ import annotations

import secrets
import time

from django.core.cache import cache

VERSION_KEY = "portcullis:status-version"

# Per process: a bump this process could not make, or an outage it saw (see the module doc).
_bump_owed = False


def _new_version() -> str:
    # Time keeps versions ordered for a human reading them; the random tail keeps two bumps in
    # the same microsecond (two processes) distinct.
    return f"{time.time_ns():x}{secrets.token_hex(2)}"


def status_cache_version() -> str:
    """The current status cache version, creating one if the cache lost it."""
    if _bump_owed:
        status_cache_bump()
        if _bump_owed:  # still unreachable
            return _new_version()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY)
        if version is None:  # the cache is unreachable: nothing can be served from it anyway
            _owe_bump()
            return _new_version()
    return version


def status_cache_bump() -> None:
    """Invalidate every cached page and ETag. Call through `transaction.on_commit`."""
    global _bump_owed
    cache.set(VERSION_KEY, _new_version(), None)
    # Read back: a newer bump from another process is as good; nothing means the write was lost.
    if cache.get(VERSION_KEY) is None:
        _owe_bump()
    else:
        _bump_owed = False


def status_cache_settle() -> None:
    """Make good a bump this process owes, if the cache answers now (cheap when none is owed)."""
    if _bump_owed:
        status_cache_bump()


def _owe_bump() -> None:
    global _bump_owed
    _bump_owed = True
