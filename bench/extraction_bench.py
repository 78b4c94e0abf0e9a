"""Extraction throughput: notices per second for ~3 KB notices against a gazetteer of every
country plus 2,000 generated destinations, on one core. Goal: >= 200 notices/s.

    python bench/extraction_bench.py [--notices 500] [--destinations 2000] [--seed 7]

Prints figures; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisories.extraction import Gazetteer, GazetteerEntry, extract
from advisories.extraction.countries import country_entries

SYLLABLES = ["ka", "ra", "son", "won", "ma", "sik", "ryong", "pyo", "kal", "chil", "bo", "hae",
             "nam", "san", "dong", "ri", "gang", "to", "mi", "lu", "vik", "fjor", "tau",
             "pe"]  # fmt: skip
KINDS = [("resort", "Resort"), ("zone", "Tourist Zone"), ("site", "National Park"),
         ("city", ""), ("region", "Province"), ("site", "Island")]  # fmt: skip
FILLER = [
    "Officials gave no further details about the arrangements for the coming months.",
    "Hotels in the area reported steady bookings from domestic travellers over the holiday.",
    "The ministry published new guidance for tour operators on its website.",
    "Local guides said the weather had been unusually mild for the season.",
    "Prices for package tours have risen by about a tenth compared with last year.",
    "The airport nearby handled several charter flights during the week.",
]
STATUS = [
    "{a} is temporarily not receiving foreign tourists.",
    "{a} reopened to foreign tourists on {d} after months of uncertainty.",
    "Only Chinese tour groups are admitted to {a} this season.",
    "{a} hosted a party of Russian holidaymakers last weekend.",
    "Analysts believe {a} could reopen soon to foreign groups.",
    "{a} has not reopened to foreigners, agencies said on Wednesday.",
    "{a} will reopen to foreign tourists on {d}, the operator announced.",
    "{a} opened to local visitors, but foreigners are not admitted.",
]
DAYS = ["1 March", "15 July", "3 September", "20 December", "10 May"]


def generated_destinations(count: int, rng: random.Random) -> list[GazetteerEntry]:
    entries, seen = [], set()
    while len(entries) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        kind, suffix = rng.choice(KINDS)
        name = f"{stem} {suffix}".strip()
        if name in seen:
            continue
        seen.add(name)
        aliases = (stem,) if suffix and rng.random() < 0.5 else ()
        entries.append(
            GazetteerEntry(10_000 + len(entries), f"gen-{len(entries)}", name, kind, "KP", aliases)
        )
    return entries


def generated_notice(entries: list[GazetteerEntry], rng: random.Random, size: int = 3000) -> str:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < size:
        if rng.random() < 0.45:
            entry = rng.choice(entries)
            parts.append(rng.choice(STATUS).format(a=entry.name, d=rng.choice(DAYS)))
        else:
            parts.append(rng.choice(FILLER))
        if rng.random() < 0.2:
            parts.append("\n\n")
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=500)
    parser.add_argument("--destinations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    extra = generated_destinations(args.destinations, rng)
    started = time.perf_counter()
    gazetteer = Gazetteer([*country_entries(), *extra])
    build_seconds = time.perf_counter() - started
    names = sum(1 + len(e.aliases) for e in gazetteer.entries)

    notices = [generated_notice(extra, rng) for _ in range(args.notices)]
    published = datetime(2025, 7, 18, 8, 0, tzinfo=UTC)
    extract(
        title="warm-up", body=notices[0], published_at=published, gazetteer=gazetteer, authority=40
    )

    timings, claims = [], 0
    started = time.perf_counter()
    for body in notices:
        t0 = time.perf_counter()
        result = extract(
            title="Travel update",
            body=body,
            published_at=published,
            gazetteer=gazetteer,
            authority=40,
        )
        timings.append(time.perf_counter() - t0)
        claims += len(result.claims)
    total = time.perf_counter() - started

    print(
        f"gazetteer: {len(gazetteer)} destinations, {names} names, "
        f"built in {build_seconds * 1000:.0f} ms"
    )
    print(
        f"notices: {len(notices)}, mean size {statistics.mean(len(n) for n in notices):.0f} chars"
    )
    print(f"throughput: {len(notices) / total:.0f} notices/s on one core (goal >= 200)")
    print(
        f"latency: median {statistics.median(timings) * 1000:.2f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:.2f} ms"
    )
    print(f"claims: {claims} ({claims / len(notices):.1f} per notice)")


if __name__ == "__main__":
    main()
