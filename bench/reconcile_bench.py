"""Benchmark: reconcile 100,000 claims over 10,000 destinations, then a pass with nothing new.

Goals (issue 4, PostgreSQL, 2 cores): from scratch <= 20 s, second pass <= 1 s.

Runs against a throw-away database (``test_<name>`` of DATABASE_URL, created and migrated here,
dropped at the end), so it never touches real data:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis python bench/reconcile_bench.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

STATUSES = ["open", "restricted", "suspended", "closed"]
NOW = datetime(2025, 12, 1, tzinfo=UTC)


def seed(destinations: int, claims_per: int, rng: random.Random) -> int:
    from advisories.models import Claim, Notice, Source
    from destinations.models import Destination

    sources = Source.objects.bulk_create(
        [
            Source(name=f"Bench {kind}", slug=f"bench-{kind}", kind=kind, authority=authority)
            for kind, authority in [("official", 100), ("operator", 60), ("news", 40)]
        ]
    )
    notices = Notice.objects.bulk_create(
        [
            Notice(
                source=sources[i % len(sources)],
                title=f"Bench notice {i}",
                body="Bench body.",
                published_at=NOW - timedelta(days=400 - i % 400),
                content_hash=f"{i:064d}",
                state="extracted",
            )
            for i in range(2000)
        ],
        batch_size=2000,
    )
    places = Destination.objects.bulk_create(
        [
            Destination(
                slug=f"bench-{i}", name=f"Bench place {i}", kind="resort", country_code="KP"
            )
            for i in range(destinations)
        ],
        batch_size=5000,
    )
    claims = []
    for place in places:
        # A realistic history: a few events, each reported by one to three notices.
        day = rng.randint(0, 60)
        status = rng.choice(STATUSES)
        made = 0
        while made < claims_per:
            reports = min(rng.randint(1, 3), claims_per - made)
            for _ in range(reports):
                notice = rng.choice(notices)
                claims.append(
                    Claim(
                        notice=notice,
                        destination=place,
                        audience="foreign",
                        status=status,
                        effective_at=NOW - timedelta(days=400 - day - rng.random() * 2),
                        confidence=0.8,
                        sentence=f"{place.name} is {status}.",
                        start=0,
                        end=20,
                        extractor_version="bench",
                    )
                )
            made += reports
            day += rng.randint(10, 60)
            status = rng.choice([s for s in STATUSES if s != status])
    Claim.objects.bulk_create(claims, batch_size=10000, ignore_conflicts=True)
    Destination.objects.filter(slug__startswith="bench-").update(claims_version=1)
    return Claim.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--destinations", type=int, default=10_000)
    parser.add_argument("--claims-per-destination", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("note: DATABASE_URL is not PostgreSQL; figures are not comparable to the goals")

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from advisories.reconciliation.service import reconcile_pending
        from destinations.models import StatusChange

        started = time.perf_counter()
        claims = seed(args.destinations, args.claims_per_destination, random.Random(4))
        print(
            f"seeded {claims:,} claims over {args.destinations:,} destinations "
            f"in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        first = reconcile_pending(now=NOW, batch_size=args.batch_size)
        scratch = time.perf_counter() - started
        print(
            f"from scratch: {scratch:.2f} s for {first.destinations:,} destinations, "
            f"{first.changes:,} changes, {first.links:,} claim links, "
            f"{first.in_review:,} pairs in review (goal <= 20 s)"
        )
        started = time.perf_counter()
        second = reconcile_pending(now=NOW, batch_size=args.batch_size)
        again = time.perf_counter() - started
        print(
            f"second pass, nothing new: {again:.3f} s, {second.destinations} destinations, "
            f"{second.changes} changes (goal <= 1 s)"
        )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work slows figures)")
        assert second.changes == 0
        assert StatusChange.objects.count() == first.changes
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
