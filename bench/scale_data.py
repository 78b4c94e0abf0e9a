"""Bulk status history for scale tests and benchmarks: N destinations, M status changes.

Writes rows the application's invariants accept: destinations are regions, cities and resorts
under the migrated countries; each (destination, audience) history has sequence 1..k; about one
change in ten is a correction that supersedes the entry before it (same effective date, learnt
later; `supersedes` is unique, so each entry is corrected at most once); and every history has
its current-status row pointing at its latest not-superseded entry. Most histories hold 1 to 5
changes; what is left of M goes to a tenth of the destinations (busy places have long
histories).

On PostgreSQL rows go in with COPY (psycopg 3's `cursor.copy`); elsewhere with executemany.
Ids are assigned here, and the id sequences moved past them afterwards.

    python bench/scale_data.py --destinations 10000 --changes 500000   # into DATABASE_URL
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

STATUSES = ("open", "restricted", "suspended", "closed")
KINDS = ("region", "city", "resort")
NATIONALITIES = ("RU", "CN", "US", "DE", "JP")
START = datetime(2020, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 6 * 365 * 86400
CORRECTION_RATE = 0.1

DESTINATION_COLUMNS = [
    "id",
    "slug",
    "name",
    "kind",
    "parent_id",
    "country_code",
    "description",
    "created_at",
    "updated_at",
    "claims_version",
    "reconciled_version",
    "reconciled_at",
]
CHANGE_COLUMNS = [
    "id",
    "destination_id",
    "audience",
    "status",
    "previous_status",
    "effective_at",
    "recorded_at",
    "summary",
    "confidence",
    "decided_by",
    "reason",
    "rule",
    "supersedes_id",
    "alters_current",
    "sequence",
    "unconfirmed",
    "country_code",  # the destination's, as StatusChange's writers copy it
]
CURRENT_COLUMNS = [
    "destination_id",
    "audience",
    "status",
    "since",
    "change_id",
    "summary",
    "last_confirmed_at",
    "in_review",
    "unconfirmed",
    "conflicting_claim_ids",
    "updated_at",
]


@dataclass(frozen=True)
class Generated:
    destinations: int
    changes: int
    current: int
    seconds: float


def _audiences(rng: random.Random) -> list[str]:
    audiences = ["foreign"]
    if rng.random() < 0.3:
        audiences.append("domestic")
    if rng.random() < 0.05:
        audiences.append(rng.choice(NATIONALITIES))
    return audiences


def _history_lengths(rng: random.Random, keys: list[tuple[int, str]], total: int) -> list[int]:
    """1 to 5 changes per history, then the rest of `total` spread over a tenth of them."""
    lengths = [rng.randint(1, 5) for _ in keys]
    left = total - sum(lengths)
    if left < 0:
        # Fewer changes than histories want: trim from the end, keeping at least one each.
        for index in range(len(lengths) - 1, -1, -1):
            while lengths[index] > 1 and left < 0:
                lengths[index] -= 1
                left += 1
        del lengths[max(0, len(lengths) + left) :]
        return lengths
    busy = list(range(0, len(lengths), 10)) or [0]
    share, extra = divmod(left, len(busy))
    for position, index in enumerate(busy):
        lengths[index] += share + (1 if position < extra else 0)
    return lengths


def _rows(
    rng: random.Random,
    histories: list[tuple[int, str]],
    lengths: list[int],
    first_id: int,
    countries: dict[int, str],
) -> tuple[list[tuple], list[tuple]]:
    changes: list[tuple] = []
    current: list[tuple] = []
    next_id = first_id
    for (destination_id, audience), length in zip(histories, lengths, strict=False):
        step = SPAN_SECONDS // (length + 1)
        moment = START + timedelta(seconds=rng.randrange(step or 1))
        shown_status, previous, latest = "unknown", None, None
        for sequence in range(1, length + 1):
            correcting = previous is not None and rng.random() < CORRECTION_RATE
            if correcting:
                effective = previous[5]
                recorded = previous[6] + timedelta(seconds=rng.randrange(3600, 5 * 86400))
                before = previous[4]
            else:
                moment += timedelta(seconds=step // 2 + rng.randrange(step or 1))
                effective = moment
                recorded = effective + timedelta(seconds=rng.randrange(2 * 86400))
                before = shown_status
            status = rng.choice([s for s in STATUSES if s != before])
            row = (
                next_id,
                destination_id,
                audience,
                status,
                before,
                effective,
                recorded,
                f"Status {status} for {audience}.",
                1.0,
                "reconciliation",
                "",
                "correction" if correcting else "single_authoritative",
                previous[0] if correcting else None,
                True,
                sequence,
                False,
                countries[destination_id],
            )
            changes.append(row)
            shown_status, previous, latest = status, row, row
            next_id += 1
        current.append(
            (
                destination_id,
                audience,
                latest[3],
                latest[5],
                latest[0],
                latest[7],
                latest[6],
                False,
                False,
                "[]",
                latest[6],
            )
        )
    return changes, current


def _write(cursor, table: str, columns: list[str], rows: Iterable[tuple], vendor: str) -> None:
    names = ", ".join(columns)
    if vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (our own names)
    cursor.executemany(sql, list(rows))


def _chunks(rows: list[tuple], size: int = 200_000) -> Iterator[list[tuple]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def generate(
    *, destinations: int, changes: int, seed: int = 17, using: str = "default"
) -> Generated:
    """Add `destinations` places under the existing countries and `changes` status changes."""
    from django.db import connections

    from destinations.models import CurrentStatus, Destination, StatusChange

    started = time.perf_counter()
    rng = random.Random(seed)
    connection = connections[using]
    vendor = connection.vendor
    countries = list(
        Destination.objects.using(using)
        .filter(kind="country")
        .order_by("id")
        .values_list("id", "country_code")
    )
    if not countries:
        raise RuntimeError("No countries: run the migrations first.")
    first_destination = (
        Destination.objects.using(using).order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    first_change = (
        StatusChange.objects.using(using).order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    tag = f"{seed}-{first_destination}"
    now = datetime.now(UTC)
    places = []
    for offset in range(destinations):
        parent_id, code = countries[rng.randrange(len(countries))]
        places.append(
            (
                first_destination + offset,
                f"scale-{tag}-{offset}",
                f"{code} place {offset:07d}",
                KINDS[offset % len(KINDS)],
                parent_id,
                code,
                "",
                now,
                now,
                0,
                0,
                now - timedelta(seconds=rng.randrange(86400)),
            )
        )
    histories = [(place[0], audience) for place in places for audience in _audiences(rng)]
    lengths = _history_lengths(rng, histories, changes)
    codes = {place[0]: place[5] for place in places}
    change_rows, current_rows = _rows(rng, histories, lengths, first_change, codes)

    with connection.cursor() as cursor:
        _write(cursor, Destination._meta.db_table, DESTINATION_COLUMNS, places, vendor)
        for chunk in _chunks(change_rows):
            _write(cursor, StatusChange._meta.db_table, CHANGE_COLUMNS, chunk, vendor)
        _write(cursor, CurrentStatus._meta.db_table, CURRENT_COLUMNS, current_rows, vendor)
        if vendor == "postgresql":
            for model in (Destination, StatusChange, CurrentStatus):
                table = model._meta.db_table
                highest = f"SELECT max(id) FROM {table}"  # noqa: S608 (a model's table name)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({highest}))", [table]
                )
    return Generated(
        destinations=len(places),
        changes=len(change_rows),
        current=len(current_rows),
        seconds=time.perf_counter() - started,
    )


def analyze(using: str = "default") -> None:
    """Fresh planner statistics for the three tables (PostgreSQL only)."""
    from django.db import connections

    from destinations.models import CurrentStatus, Destination, StatusChange

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Destination, StatusChange, CurrentStatus):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--destinations", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction

    with transaction.atomic():
        made = generate(destinations=args.destinations, changes=args.changes, seed=args.seed)
    analyze()
    print(
        f"{made.destinations:,} destinations, {made.changes:,} changes, {made.current:,} "
        f"current statuses in {made.seconds:.1f} s "
        f"({made.changes / max(made.seconds, 1e-9):,.0f} changes/s)"
    )


if __name__ == "__main__":
    main()
