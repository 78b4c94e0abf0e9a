"""The published status version: one number every public cache and ETag is keyed on.

It lives beside the status tables because every writer of them must be able to move it (a
reconciliation run's bulk writes call `status_cache_bump` on commit); the publishing layer reads
it, and bumps it on model saves. Kept in the shared cache: reading it is one round-trip.
"""

from __future__ import annotations

import secrets
import time

from django.core.cache import cache

VERSION_KEY = "portcullis:status-version"


def _new_version() -> str:
    # Time keeps versions ordered for a human reading them; the random tail keeps two bumps in
    # the same microsecond (two processes) distinct.
    return f"{time.time_ns():x}{secrets.token_hex(2)}"


def status_cache_version() -> str:
    """The current status cache version, creating one if the cache lost it."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY) or _new_version()
    return version


def status_cache_bump() -> None:
    """Invalidate every cached page and ETag. Call through `transaction.on_commit`."""
    cache.set(VERSION_KEY, _new_version(), None)
