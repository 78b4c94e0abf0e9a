"""Read benchmark at scale (issue 17): every public list and page against a long history.

Recreates the PostgreSQL database named by BENCH_DATABASE_URL (its name must end in "_bench"),
migrates it, fills it with bench/scale_data.py (N destinations, M status changes), VACUUM
ANALYZEs it, then times each page, read API endpoint and feed through Django's test client: one
client, uncached (local-memory caches; the rendered-page cache emptied before every request, so
no page or ETag answers; no throttle), the rotating pages (a destination, its history, its feed)
on a different place each request. Prints p50 and p99 per endpoint.

What the shared cache keeps between requests is what production keeps: the status version and
what is stored under it (the board's count and filter options, publishing/selectors/board.py).
The "(cold)" rows empty every cache before each request, so they pay for those too.

With --reuse the database's rows are left as they are (an already filled one, e.g. 5M
changes): it is only migrated (so new indexes exist) and VACUUM ANALYZEd. --json writes the
figures; --compare prints two runs side by side.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis_bench \\
        python bench/read_scale_bench.py --destinations 10000 --changes 500000 [--requests 50]
    BENCH_DATABASE_URL=postgres://.../portcullis_5m_bench python bench/read_scale_bench.py \\
        --reuse --json 5m.json
    python bench/read_scale_bench.py --compare 1k.json 5m.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOUND_P50_MS = 50
BOUND_P99_MS = 150


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


def _load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def _endpoints(
    slugs: list[str], cursor_path: str, deepest: int, country: str
) -> dict[str, Callable[[int], str]]:
    def place(n: int) -> str:
        return slugs[n % len(slugs)]

    return {
        "board": lambda n: "/",
        "board (cold)": lambda n: "/",
        "board page 3": lambda n: "/?page=3",
        "board deepest page": lambda n: f"/?page={deepest}",
        "board ?status=": lambda n: "/?status=closed",
        "board ?country=": lambda n: f"/?country={country}",
        "board ?at=": lambda n: "/?at=2023-06-30",
        "board ?at=&status=": lambda n: "/?at=2023-06-30&status=open",
        "destination page": lambda n: f"/destinations/{place(n)}/",
        "changes (effect)": lambda n: "/changes/",
        "changes (learned) p4": lambda n: "/changes/?order=learned&page=4",
        "changes page 40": lambda n: "/changes/?page=40",
        "api destinations": lambda n: "/api/v1/destinations/",
        "api dest ?country=": lambda n: f"/api/v1/destinations/?country={country}",
        "api dest ?status=": lambda n: "/api/v1/destinations/?status=closed",
        "api destination": lambda n: f"/api/v1/destinations/{place(n)}/",
        "api history": lambda n: f"/api/v1/destinations/{place(n)}/history/",
        "api changes": lambda n: "/api/v1/changes/",
        "api changes cursor": lambda n: cursor_path,
        "api changes ?status=": lambda n: "/api/v1/changes/?status=closed",
        "api changes ?country=": lambda n: f"/api/v1/changes/?country={country}",
        "feed changes": lambda n: "/feeds/changes/",
        "feed destination": lambda n: f"/feeds/destinations/{place(n)}/",
        "feed country": lambda n: f"/feeds/countries/{country}/",
    }


def _compare(before_path: str, after_path: str) -> None:
    with open(before_path) as handle:
        small = json.load(handle)
    with open(after_path) as handle:
        large = json.load(handle)
    print(f"small: {small['label']} ({small['load']})")
    print(f"large: {large['label']} ({large['load']})\n")
    print(
        f"{'endpoint':<22} {'small p50':>9} {'p99':>7} {'large p50':>9} {'p99':>7} "
        f"{'p50 ratio':>9}  within bounds"
    )
    for name, (p50, p99) in large["figures"].items():
        s50, s99 = small["figures"].get(name, (float("nan"), float("nan")))
        ratio = p50 / s50 if s50 else float("nan")
        ok = p50 <= BOUND_P50_MS and p99 <= BOUND_P99_MS and ratio <= 2
        print(
            f"{name:<22} {s50:>9.1f} {s99:>7.1f} {p50:>9.1f} {p99:>7.1f} {ratio:>8.2f}x  "
            f"{'yes' if ok else 'NO'}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--destinations", type=int, default=1_000)
    parser.add_argument("--changes", type=int, default=None, help="default: 50 per destination")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep the database's rows")
    parser.add_argument(
        "--country",
        default="RU",
        help="the country of the country rows (compare sizes with one whose pages fill at both)",
    )
    parser.add_argument("--only", nargs="*", default=None, help="time only these endpoints")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    parser.add_argument("--compare", nargs=2, default=None, metavar=("SMALL", "LARGE"))
    args = parser.parse_args(argv)
    if args.compare:
        _compare(*args.compare)
        return
    changes = args.changes if args.changes is not None else 50 * args.destinations

    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("read_scale_bench: skipped; set BENCH_DATABASE_URL=postgres://.../<name>_bench")
        return
    if not args.reuse:
        _recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ["API_ANON_RATE"] = "1000000/minute"  # one client, many requests: no throttling
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
    from destinations.models import CurrentStatus, Destination, StatusChange
    from publishing.selectors import BOARD_MAX_PAGE

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    settings.DEBUG = False
    local = "django.core.cache.backends.locmem.LocMemCache"
    # Two stores (local-memory caches share one store per LOCATION): one is emptied per request.
    settings.CACHES = {
        "default": {"BACKEND": local, "LOCATION": "bench-shared"},
        "pages": {"BACKEND": local, "LOCATION": "bench-pages"},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    if args.reuse:
        # What autovacuum would have done to a database filled in bulk: visibility map (for
        # index-only scans) and planner statistics. Removes no live row.
        with connection.cursor() as cursor:
            for model in (Destination, StatusChange, CurrentStatus):
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        label = (
            f"{Destination.objects.count():,} destinations, {StatusChange.objects.count():,} "
            f"changes, {CurrentStatus.objects.count():,} current statuses (reused)"
        )
    else:
        with transaction.atomic():
            made = generate(destinations=args.destinations, changes=changes)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        label = (
            f"{made.destinations:,} destinations, {made.changes:,} changes, {made.current:,} "
            f"current statuses generated in {made.seconds:.1f} s"
        )
    print(label)
    print(f"before timing: {_load()}")

    client = Client()
    slugs = list(
        Destination.objects.exclude(kind="country")
        .order_by("?")
        .values_list("slug", flat=True)[: args.requests]
    )
    first = client.get("/api/v1/changes/").json()
    cursor_page = urlsplit(first["next"])
    known = CurrentStatus.objects.exclude(status="unknown").values("destination").distinct()
    deepest = min(BOARD_MAX_PAGE, -(-known.count() // 50))
    endpoints = _endpoints(slugs, f"{cursor_page.path}?{cursor_page.query}", deepest, args.country)
    if args.only:
        endpoints = {name: path for name, path in endpoints.items() if name in args.only}
    figures: dict[str, tuple[float, float]] = {}
    print(f"\n{'endpoint':<22} {'p50 ms':>8} {'p99 ms':>8}   ({args.requests} requests each)")
    for name, path_for in endpoints.items():
        cold = name.endswith("(cold)")
        samples = []
        for n in range(-2, args.requests):  # two warm-up requests
            for alias in ("default", "pages") if cold else ("pages",):
                caches[alias].clear()
            started = time.perf_counter()
            response = client.get(path_for(n))
            if n >= 0:
                samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path_for(n)} answered {response.status_code}")
        figures[name] = (statistics.median(samples), _percentile(samples, 0.99))
        print(f"{name:<22} {figures[name][0]:>8.1f} {figures[name][1]:>8.1f}")
    print(f"after timing: {_load()}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"label": label, "load": _load(), "figures": figures}, handle, indent=1)


if __name__ == "__main__":
    main()
