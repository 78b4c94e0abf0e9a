"""Page caching and conditional GET for the published status, invalidated by a version bump.

Every cached page and every ETag is derived from one value kept in the shared cache: the status
cache version (destinations/status_version.py) and the UTC day. Anything that changes what the
public sees (a status change, a current-status row, a destination, a claim linked as evidence)
bumps it once its transaction commits, so the next request renders afresh and no reader ever sees
a status older than the database's.

Both are Django's own: `condition` answers 304 for an ETag made from the version (before the view
runs), and `cache_page` keeps the rendered page under a key prefix carrying the version, so a bump
leaves every older copy unreachable (they expire on their own). Cached answers pass through the
whole middleware stack like any other: host validation, security headers, metrics. Public pages
are the same for every reader (no CSRF token, no cookie), which is what makes one copy right for
all of them.

The bump is automatic for model saves (see `connect_signals`, wired in the app config). Writers
that bypass `save()` (`QuerySet.update`, `bulk_create`) must call
`transaction.on_commit(status_cache_bump)` themselves.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from celery.signals import task_prerun
from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.cache import cache_page
from django.views.decorators.http import condition

from destinations.status_version import (
    status_cache_bump,
    status_cache_settle,
    status_cache_version,
)

PAGE_TTL_SECONDS = 15 * 60
PAGE_CACHE = "pages"  # settings.CACHES: rendered pages, per process; the version is shared


def published_version() -> str:
    """The version pages and ETags are keyed on: the status cache version and the UTC day.

    Staleness ("not confirmed since ...") changes with the date alone, with nothing written, so
    a copy rendered yesterday is never served today.
    """
    return f"{status_cache_version()}.{time.strftime('%Y%m%d', time.gmtime())}"


def bump_on_commit(**_kwargs) -> None:
    """Signal receiver: bump after the surrounding transaction commits (now, in autocommit)."""
    transaction.on_commit(status_cache_bump)


def settle_before_task(**_kwargs) -> None:
    """Celery receiver: a worker pays a bump it lost to a cache outage before its next task."""
    status_cache_settle()


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
    task_prerun.connect(settle_before_task, dispatch_uid="status-cache-settle")


def etag_for(request: HttpRequest, version: str) -> str:
    """A validator for this URL (path, query and negotiated format) at this version."""
    variant = "|".join((request.get_full_path(), request.META.get("HTTP_ACCEPT", ""), version))
    return f"{version}-{hashlib.blake2b(variant.encode(), digest_size=8).hexdigest()}"


def _conditional(view: Callable, version: str) -> Callable:
    return condition(etag_func=lambda request, *args, **kwargs: etag_for(request, version))(view)


def _revalidate_every_time(response: HttpResponse) -> HttpResponse:
    """Browsers may keep a copy but must ask (If-None-Match) before each use of it.

    Replaces the max-age and Expires `cache_page` sets: those say how long our server-side copy
    lives, not how long a reader's copy stays right (only until the next bump).
    """
    response.headers["Cache-Control"] = "no-cache"
    response.headers.pop("Expires", None)
    return response


def status_page(params: type[Form]) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """Serve a public page from Django's page cache at the current version, with ETag and 304.

    `cache_page` takes its key prefix when it decorates, and the prefix must change with every
    bump, so the decorator is built per request (a few objects; the version is read once and
    serves both the prefix and the ETag). Only 200 answers are stored: a 400 for bad parameters
    is rendered each time.

    The page is keyed on the parameters its ``params`` form reads, in one order: a query string
    padded with anything else (tracking tags, junk meant to fill the cache) is the same page, so
    it is the same cached copy and the same ETag, and the view never sees the rest.
    """
    known = sorted(params.base_fields)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            _keep_only(request, known)
            version = published_version()
            cached = cache_page(
                PAGE_TTL_SECONDS, cache=PAGE_CACHE, key_prefix=f"status-page.{version}"
            )(view)
            response = _conditional(cached, version)(request, *args, **kwargs)
            return _revalidate_every_time(response)

        return wrapped

    return decorate


def _keep_only(request: HttpRequest, names: list[str]) -> None:
    """Rewrite the request's query to ``names`` (those present), in that order."""
    query = QueryDict(mutable=True)
    for name in names:
        if name in request.GET:
            query.setlist(name, request.GET.getlist(name))
    canonical = query.urlencode()
    if canonical != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = canonical
        request.GET = QueryDict(canonical)


def with_etag(view: Callable) -> Callable:
    """Wrap a read view (DRF or plain) with a version-derived ETag and 304 answers.

    A matching If-None-Match is answered before the view runs: nothing is queried or rendered.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        return _revalidate_every_time(
            _conditional(view, published_version())(request, *args, **kwargs)
        )

    return wrapped
