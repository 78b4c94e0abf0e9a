"""Issue 17: every public page and list runs the same number of queries on a small history and
on a long one (bench/scale_data.py builds both, in the test's transaction)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.scale_data import analyze, generate
from destinations.models import Destination

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/?page=2",
    "/changes/",
    "/changes/?order=learned&page=2",
    "/api/v1/destinations/",
    "/api/v1/changes/",
    "/feeds/changes/",
]


def _query_counts(client) -> dict[str, int]:
    place = Destination.objects.filter(slug__startswith="scale-").order_by("id").first()
    first = client.get("/api/v1/changes/").json()
    cursor = urlsplit(first["next"])
    urls = [
        *PAGES,
        f"/destinations/{place.slug}/",
        f"/api/v1/destinations/{place.slug}/history/",
        f"/feeds/destinations/{place.slug}/",
        f"/feeds/countries/{place.country_code}/",
        f"{cursor.path}?{cursor.query}",
    ]
    counts = {}
    for url in urls:
        for each in caches.all():
            each.clear()  # the generator writes in bulk: no status version bump
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        name = url.replace(place.slug, "<place>").replace(place.country_code, "<code>")
        counts[name.split("cursor=")[0]] = len(queries)
    return counts


def test_every_public_list_runs_as_many_queries_on_a_long_history_as_on_a_short_one(
    client, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    generate(destinations=120, changes=600)
    analyze()
    small = _query_counts(client)
    generate(destinations=1_500, changes=40_000, seed=18)
    analyze()
    assert _query_counts(client) == small
