"""Page caching and conditional GET for the published status, invalidated by a version bump.

Every cached page and every ETag is derived from one value kept in the shared cache: the status
cache version (destinations/status_version.py) and the UTC day. Anything that changes what the
public sees (a status change, a current-status row, a destination, a claim linked as evidence)
bumps it once its transaction commits, so the next request renders afresh and no reader ever sees
a status older than the database's.

Both are Django's own: `condition` answers 304 for an ETag made from the version, or for an
If-Modified-Since no earlier than the version's time (`version_last_modified`), before the view
runs, and `cache_page` keeps the rendered page under a key prefix carrying the version, so a bump
leaves every older copy unreachable (they expire on their own). Cached answers pass through the
whole middleware stack like any other: host validation, security headers, metrics. Public pages
are the same for every reader (no CSRF token, no cookie), which is what makes one copy right for
all of them.

The bump is automatic for model saves (see `connect_signals`, wired in the app config). Writers
that bypass `save()` (`QuerySet.update`, `bulk_create`) must call
`transaction.on_commit(status_cache_bump)` themselves.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
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


def version_last_modified(version: str, *, now: float | None = None) -> datetime | None:
    """When what the public sees last changed, to the second; None while that cannot be said.

    A published version is `<status version>.<UTC day>`, and a status version starts with the
    time of its bump in hexadecimal nanoseconds, then four random hex digits
    (destinations/status_version.py). Pages also change at UTC midnight with nothing written
    (staleness), so the later of the bump and the start of the day. That is never earlier than the
    real change (a version made afresh after the cache lost it only moves it later), so a reader's
    If-Modified-Since is answered 304 only when nothing changed since.

    HTTP dates count whole seconds: a second bump in the same second would carry the same
    Last-Modified, and a reader who fetched between the two would be told "not modified". So
    none is given until that second is over; any later bump then falls in a later second.
    """
    status, _, day = version.rpartition(".")
    try:
        bumped = int(status[:-4], 16) // 1_000_000_000
        midnight = calendar.timegm(time.strptime(day, "%Y%m%d"))
    except ValueError:
        return None
    changed = max(bumped, midnight)
    if int(time.time() if now is None else now) <= changed:
        return None
    return datetime.fromtimestamp(changed, UTC)


def _conditional(view: Callable, version: str) -> Callable:
    return condition(
        etag_func=lambda request, *args, **kwargs: etag_for(request, version),
        last_modified_func=lambda request, *args, **kwargs: version_last_modified(version),
    )(view)


def _caching_left_to_the_policy(response: HttpResponse) -> HttpResponse:
    """Drop the max-age and Expires `cache_page` sets: those say how long our own copy lives;
    what readers and proxies may keep is publishing/http_cache.py's to say."""
    response.headers.pop("Cache-Control", None)
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
            return _caching_left_to_the_policy(response)

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
    """Wrap a read view (DRF or plain) with a version-derived ETag, Last-Modified and 304 answers.

    A matching If-None-Match (or an If-Modified-Since no earlier than the version) is answered
    before the view runs: nothing is queried or rendered.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        return _conditional(view, published_version())(request, *args, **kwargs)

    return wrapped
