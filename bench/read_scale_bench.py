"""Read benchmark at scale (issue 17): every public list and page against a long history.

Recreates the PostgreSQL database named by BENCH_DATABASE_URL (its name must end in "_bench"),
migrates it, fills it with bench/scale_data.py (N destinations, M status changes), VACUUM
ANALYZEs it, then times each page, read API endpoint and feed through Django's test client: one
client, uncached (local-memory caches, emptied before every request: no page cache, ETag or
throttle history answers), the rotating pages (a destination, its history, its feed) on a
different place each request. Prints p50 and p99 per endpoint.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis_bench \\
        python bench/read_scale_bench.py --destinations 10000 --changes 500000 [--requests 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(f"Refusing to recreate {name!r}: a bench database's name ends in _bench.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--destinations", type=int, default=1_000)
    parser.add_argument("--changes", type=int, default=None, help="default: 50 per destination")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    changes = args.changes if args.changes is not None else 50 * args.destinations

    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set BENCH_DATABASE_URL=postgres://.../<name>_bench")
    _recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from bench.scale_data import generate
    from destinations.models import Destination

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    settings.DEBUG = False
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": local, "pages": local}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        made = generate(destinations=args.destinations, changes=changes)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"{made.destinations:,} destinations, {made.changes:,} changes, {made.current:,} current "
        f"statuses generated in {made.seconds:.1f} s"
    )

    client = Client()
    slugs = list(
        Destination.objects.exclude(kind="country")
        .order_by("?")
        .values_list("slug", flat=True)[: args.requests]
    )
    first = client.get("/api/v1/changes/").json()
    cursor_page = urlsplit(first["next"])
    endpoints = {
        "board": lambda n: "/",
        "board page 3": lambda n: "/?page=3",
        "destination page": lambda n: f"/destinations/{slugs[n % len(slugs)]}/",
        "changes (effect)": lambda n: "/changes/",
        "changes (learned) p4": lambda n: "/changes/?order=learned&page=4",
        "api destinations": lambda n: "/api/v1/destinations/",
        "api destination": lambda n: f"/api/v1/destinations/{slugs[n % len(slugs)]}/",
        "api history": lambda n: f"/api/v1/destinations/{slugs[n % len(slugs)]}/history/",
        "api changes": lambda n: "/api/v1/changes/",
        "api changes cursor": lambda n: f"{cursor_page.path}?{cursor_page.query}",
        "feed changes": lambda n: "/feeds/changes/",
        "feed destination": lambda n: f"/feeds/destinations/{slugs[n % len(slugs)]}/",
        "feed country": lambda n: "/feeds/countries/RU/",
    }
    print(f"\n{'endpoint':<22} {'p50 ms':>8} {'p99 ms':>8}   ({args.requests} requests each)")
    for name, path_for in endpoints.items():
        samples = []
        for n in range(-2, args.requests):  # two warm-up requests
            for each in caches.all():
                each.clear()
            started = time.perf_counter()
            response = client.get(path_for(n))
            if n >= 0:
                samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path_for(n)} answered {response.status_code}")
        print(f"{name:<22} {statistics.median(samples):>8.1f} {_percentile(samples, 0.99):>8.1f}")


if __name__ == "__main__":
    main()
