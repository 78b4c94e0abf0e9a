"""Who may keep a copy of an answer, and for how long: one policy, applied to every response.

Public answers (the pages, the read API's GETs and the Atom feeds, asked for without credentials)
are the same for every reader, so any cache may keep them:

    Cache-Control: public, max-age=30, stale-while-revalidate=60, stale-if-error=86400

(settings.PUBLIC_CACHE_*), with an ETag and a Last-Modified to revalidate against, no cookie and
no `Vary: Cookie`. A reverse proxy in front (deploy/nginx/portcullis.conf) then answers most
readers itself, refreshes its copy in the background and keeps serving the last good copy while
the site is down. A change reaches every reader within max-age (the reader whose request starts
a background refresh may get the previous copy once more, up to stale-while-revalidate later).

Everything else is `private, no-store` unless its view said otherwise (the admin, probes and
metrics set their own): forms, confirmation and manage pages, writes, and any answer to a request
that carries credentials (an Authorization header or a session cookie), even on a public route:
an authenticated answer may differ and must never be kept for others.

Validators come in two kinds:
- Versioned answers (`status_page` and `with_etag`, publishing/caching.py) get an ETag and a
  Last-Modified from the status version before the view runs, so a 304 costs no query.
- The others (notices, sources, explain, the API index, feeds, the changes and notice pages) show
  rows the version does not follow (a notice's state and a source's last poll are written with
  `QuerySet.update`), so their ETag is a hash of the body and their Last-Modified the moment it
  was rendered. If-None-Match answers 304 whenever the body is unchanged; If-Modified-Since alone
  never answers 304 for them, since a second's resolution cannot prove nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date

PUBLIC_VIEWS = frozenset(
    {
        # pages
        "destinations:board",
        "destinations:detail",
        "destinations:changes",
        "destinations:map",
        "destinations:notice",
        # feeds
        "destinations:feed-changes",
        "destinations:feed-destination",
        "destinations:feed-country",
        # read API
        "api-index",
        "destinations_api:destination-list",
        "destinations_api:destination-detail",
        "destinations_api:destination-history",
        "destinations_api:change-list",
        "advisories_api:notice-list",
        "advisories_api:notice-detail",
        "advisories_api:source-list",
        "advisories_api:source-detail",
        "advisories_api:destination-explain",
        # open-data export (the live files stream: validators from `with_etag`, no body hash)
        "export:index",
        "export:changes-csv",
        "export:changes-jsonl",
        "export:current-csv",
        "export:snapshot",
    }
)
PER_READER = "private, no-store"


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
        f", stale-while-revalidate={settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE}"
        f", stale-if-error={settings.PUBLIC_CACHE_STALE_IF_ERROR}"
    )


def _public_route(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in PUBLIC_VIEWS


def _anonymous(request: HttpRequest) -> bool:
    return (
        "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class SharedCacheMiddleware:
    """Mark public answers cacheable by anyone, everything else private (see the module doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not _public_route(request):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = PER_READER
            return response
        if (
            request.method in ("GET", "HEAD")
            and response.status_code in (200, 304)
            and _anonymous(request)
            and not response.cookies
        ):
            return _public(request, response)
        response["Cache-Control"] = PER_READER
        response.headers.pop("Expires", None)
        return response


def _public(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    # Only a response whose body is there (not streamed) can be hashed.
    if (
        response.status_code == 200
        and not response.has_header("ETag")
        and isinstance(response, HttpResponse)
    ):
        set_response_etag(response)
        response.headers.setdefault("Last-Modified", http_date())
        # No last_modified: see the module doc on If-Modified-Since.
        response = get_conditional_response(request, etag=response["ETag"], response=response)
    del response["Cache-Control"]
    response.headers.pop("Expires", None)  # cache_page's, for our own copy
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_CACHE_MAX_AGE,
        stale_while_revalidate=settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE,
        stale_if_error=settings.PUBLIC_CACHE_STALE_IF_ERROR,
    )
    _drop_vary_cookie(response)
    return response


def _drop_vary_cookie(response: HttpResponseBase) -> None:
    """The session middleware varies on Cookie whenever a view looked at the user (DRF always
    does); an anonymous answer on a public route is the same whatever cookies came with it."""
    if not response.has_header("Vary"):
        return
    kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]
