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
import re
import secrets
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.utils.http import parse_etags, quote_etag

from destinations.status_version import status_cache_bump, status_cache_version

PAGE_TTL_SECONDS = 15 * 60
# Stands in for the reader's CSRF token in cached pages (the subscribe form's only per-reader
# part); replaced on every response. Letters and digits only, so escaping never alters it.
CSRF_MARKER = "PORTCULLISCSRFTOKENMARKER"
_CSRF_MARKER_BYTES = CSRF_MARKER.encode()


def published_version() -> str:
    """The version pages and ETags are keyed on: the status cache version and the UTC day.

    Staleness ("not confirmed since ...") changes with the date alone, with nothing written, so
    a copy rendered yesterday is never served today.
    """
    return f"{status_cache_version()}.{time.strftime('%Y%m%d', time.gmtime())}"


def bump_on_commit(**_kwargs) -> None:
    """Signal receiver: bump after the surrounding transaction commits (now, in autocommit)."""
    transaction.on_commit(status_cache_bump)


def connect_signals() -> None:
    """Bump on every save of the rows public pages show. Called from the app config."""

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


def etag_for(request: HttpRequest, version: str, full_path: str | None = None) -> str:
    """A strong validator for this URL (path, query and negotiated format) at this version."""
    # META, not `request.headers`: building that mapping costs more than the hash, per hit.
    path = request.get_full_path() if full_path is None else full_path
    variant = "|".join((path, request.META.get("HTTP_ACCEPT", ""), version)).encode()
    return quote_etag(f"{version}-{hashlib.blake2b(variant, digest_size=8).hexdigest()}")


def not_modified(request: HttpRequest, etag: str) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    etags = parse_etags(header)
    return "*" in etags or etag in etags or etag.strip('"') in {e.strip('"') for e in etags}


def _not_modified_response(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


# Per-process copies of rendered pages, checked against the shared version on every request:
# (version, html, the UTF-8 body split at CSRF_MARKER). The split body lets a hit build its
# bytes in one join instead of a replace over the whole page and then an encode of it.
_local_pages: dict[str, tuple[str, str, tuple[bytes, ...]]] = {}
LOCAL_PAGES_MAX = 256


def _page_key(full_path: str) -> str:
    """The cache key of the page at this path and query string."""
    return f"portcullis:page:{hashlib.blake2b(full_path.encode(), digest_size=16).hexdigest()}"


def _remember(key: str, entry: tuple[str, str]) -> None:
    version, html = entry
    _local_pages.pop(key, None)
    _local_pages[key] = (version, html, tuple(html.encode().split(_CSRF_MARKER_BYTES)))
    while len(_local_pages) > LOCAL_PAGES_MAX:
        try:
            _local_pages.pop(next(iter(_local_pages)))
        except (StopIteration, KeyError, RuntimeError):
            break


def cached_page(
    request: HttpRequest,
    *,
    render: Callable[[], str | HttpResponse],
) -> HttpResponse:
    """Serve a page from the cache, answering 304 when the reader already has this version.

    Each copy records the version it was rendered at and is used only while that is still the
    shared cache's current version, which is read on every request (one small cache GET). Copies
    live in the shared cache and, to spare moving the HTML over the network each time, in a
    small per-process table too. The version is read *before* rendering, so a bump during a
    render makes that copy stale at once.

    `render` runs only on a miss. It returns the page's HTML, or a response (a 400 for bad
    parameters) that is passed through and never cached: only pages rendered from valid
    parameters are ever stored, so a hit needs no parameter parsing. The one per-reader part of a
    page, the CSRF token of its subscribe form, is written as `CSRF_MARKER` and filled in here.
    """
    full_path = request.get_full_path()
    key = _page_key(full_path)
    version = published_version()
    etag = etag_for(request, version, full_path)
    if not_modified(request, etag):
        return _not_modified_response(etag)
    local = _local_pages.get(key)
    if local is None or local[0] != version:
        entry = cache.get(key)
        if entry is None or entry[0] != version:
            rendered = render()
            if isinstance(rendered, HttpResponse):
                return rendered
            entry = (version, rendered)
            cache.set(key, entry, PAGE_TTL_SECONDS)
        _remember(key, entry)
        local = _local_pages[key]
    parts = local[2]
    body = get_token(request).encode().join(parts) if len(parts) > 1 else parts[0]
    response = HttpResponse(body)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def with_etag(view: Callable) -> Callable:
    """Wrap a read view (DRF or plain) with a version-derived ETag and 304 answers.

    A matching If-None-Match is answered before the view runs: nothing is queried or rendered.
    """

    def wrapped(request: HttpRequest, *args, **kwargs):
        version = published_version()
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


_CSRF_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_CSRF_BASE = len(CSRF_ALLOWED_CHARS)
# Largest multiple of the alphabet's size that fits in a byte: bytes at or above it are dropped
# so every mask character is equally likely (rejection sampling, no modulo bias).
_UNBIASED_BYTE_LIMIT = 256 - 256 % _CSRF_BASE


def _mask_csrf_secret(secret: str) -> str:
    """The reader's CSRF secret masked with a fresh random mask, in Django's token format.

    Same result as Django's `_mask_cipher_secret` (mask, then each secret character shifted by
    the mask's), a few times cheaper: the mask comes from one `token_bytes` call instead of 32
    `secrets.choice` calls. `secret` must be 32 characters from CSRF_ALLOWED_CHARS.
    """
    mask: list[int] = []
    while len(mask) < len(secret):
        mask.extend(
            byte % _CSRF_BASE for byte in secrets.token_bytes(48) if byte < _UNBIASED_BYTE_LIMIT
        )
    chars = CSRF_ALLOWED_CHARS
    index = _CSRF_CHAR_INDEX
    return "".join([chars[m] for m in mask[: len(secret)]]) + "".join(
        [chars[(index[s] + m) % _CSRF_BASE] for s, m in zip(secret, mask, strict=False)]
    )


_CACHED_PATHS = re.compile(r"^/(?:destinations/[-a-zA-Z0-9_]+/)?$")


class CachedStatusPageMiddleware:
    """Answer a repeat reader of the board or a destination page before the rest of the stack.

    Placed right after WhiteNoise: for a GET whose page this process already holds at the
    current status version, and whose reader already has a CSRF cookie (so no cookie needs
    setting), the page is answered here with the reader's masked token, at the cost of one small
    cache GET, like a static file. Anything else (first visit, cache miss, bad parameters, other
    paths) goes down the normal stack unchanged. Security and CSP headers still apply: their
    middleware wraps this one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and _CACHED_PATHS.match(request.path_info):
            response = self._from_cache(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _from_cache(self, request: HttpRequest) -> HttpResponse | None:

        secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
        # ASCII letters and digits are exactly CSRF_ALLOWED_CHARS; anything else (even a
        # non-ASCII letter) goes down the stack, where CsrfViewMiddleware replaces the cookie.
        if (
            len(secret) != 32
            or not secret.isascii()
            or not secret.isalnum()
            or settings.CSRF_USE_SESSIONS
        ):
            return None
        full_path = request.get_full_path()
        entry = _local_pages.get(_page_key(full_path))
        if entry is None:
            return None
        version = published_version()
        if entry[0] != version:
            return None
        etag = etag_for(request, version, full_path)
        if not_modified(request, etag):
            response = _not_modified_response(etag)
        else:
            parts = entry[2]
            token = _mask_csrf_secret(secret).encode() if len(parts) > 1 else b""
            response = HttpResponse(token.join(parts))
            response["ETag"] = etag
            response["Cache-Control"] = "no-cache"
        response["Vary"] = "Cookie"
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        return response
