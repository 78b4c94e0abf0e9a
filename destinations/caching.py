"""Page caching and conditional GET for the published status, invalidated by a version bump.

Every cached page and every ETag is derived from one number kept in the shared cache: the status
cache version. Anything that changes what the public sees (a status change, a current-status
row, a destination, a claim linked as evidence) bumps it once its transaction commits, so the
next request renders afresh and no reader ever sees a status older than the database's.

Reading the version is one cache round-trip, which is what lets a cached board or a 304 answer
without touching the database.

The bump is automatic for model saves (see `connect_signals`, wired in the app config). Writers
that bypass `save()` (`QuerySet.update`, `bulk_create`) must call
`transaction.on_commit(status_cache_bump)` themselves.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags, quote_etag

VERSION_KEY = "portcullis:status-version"
PAGE_TTL_SECONDS = 15 * 60
# Replaced per request after a cached page is read: the only part of a page that is per reader
# (the subscribe form carries the reader's CSRF token).
PER_REQUEST_MARKER = "<!--portcullis:per-request-->"


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


def bump_on_commit(**_kwargs) -> None:
    """Signal receiver: bump after the surrounding transaction commits (now, in autocommit)."""
    transaction.on_commit(status_cache_bump)


def connect_signals() -> None:
    """Bump on every save of the rows public pages show. Called from the app config."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in (
        "destinations.StatusChange",
        "destinations.CurrentStatus",
        "destinations.Destination",
        "destinations.DestinationAlias",
    ):
        model = apps.get_model(label)
        post_save.connect(bump_on_commit, sender=model, dispatch_uid=f"status-cache-{label}")
        post_delete.connect(bump_on_commit, sender=model, dispatch_uid=f"status-cache-d-{label}")
    claim = apps.get_model("advisories", "Claim")
    m2m_changed.connect(
        bump_on_commit, sender=claim.changes.through, dispatch_uid="status-cache-evidence"
    )
    post_save.connect(bump_on_commit, sender=claim, dispatch_uid="status-cache-claim")


def etag_for(request: HttpRequest, version: str) -> str:
    """A strong validator for this URL (path, query and negotiated format) at this version."""
    variant = "|".join(
        (request.get_full_path(), request.headers.get("Accept", ""), version)
    ).encode()
    return quote_etag(f"{version}-{hashlib.blake2b(variant, digest_size=8).hexdigest()}")


def not_modified(request: HttpRequest, etag: str) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    etags = parse_etags(header)
    return "*" in etags or etag in etags or etag.strip('"') in {e.strip('"') for e in etags}


def _not_modified_response(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def cached_page(
    request: HttpRequest,
    *,
    render: Callable[[], tuple[str, dict]],
    per_request: Callable[[HttpRequest, dict], str] | None = None,
) -> HttpResponse:
    """Serve a page from the cache, answering 304 when the reader already has this version.

    `render` returns (html, per-request context); it runs only on a cache miss. The per-request
    part, built from that context, is spliced in at `PER_REQUEST_MARKER` on every response.
    """
    version = status_cache_version()
    etag = etag_for(request, version)
    if not_modified(request, etag):
        return _not_modified_response(etag)
    path_hash = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    key = f"portcullis:page:{version}:{path_hash}"
    entry = cache.get(key)
    if entry is None:
        entry = render()
        cache.set(key, entry, PAGE_TTL_SECONDS)
    html, per_request_context = entry
    if per_request is not None and PER_REQUEST_MARKER in html:
        html = html.replace(PER_REQUEST_MARKER, per_request(request, per_request_context), 1)
    response = HttpResponse(html)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def with_etag(view: Callable) -> Callable:
    """Wrap a read view (DRF or plain) with a version-derived ETag and 304 answers.

    A matching If-None-Match is answered before the view runs: nothing is queried or rendered.
    """

    def wrapped(request: HttpRequest, *args, **kwargs):
        version = status_cache_version()
        etag = etag_for(request, version)
        if not_modified(request, etag):
            return _not_modified_response(etag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("ETag"):
            response["ETag"] = etag
            response["Cache-Control"] = "no-cache"
        return response

    wrapped.__name__ = getattr(view, "__name__", "view")
    wrapped.__doc__ = view.__doc__
    for attribute in ("cls", "initkwargs", "view_class", "view_initkwargs", "csrf_exempt"):
        if hasattr(view, attribute):
            setattr(wrapped, attribute, getattr(view, attribute))
    return wrapped
