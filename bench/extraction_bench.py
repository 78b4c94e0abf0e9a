"""Extraction with the parser, on one core, against issue 12's targets: throughput for ~3 KB
notices (>= 40 notices/s), the language model's load time (<= 3 s) and the worker's resident
memory after loading and extracting (<= 400 MB). The gazetteer holds every country plus 2,000
generated destinations; the time is split between spaCy's parse and the extractor's own code.

    python bench/extraction_bench.py [--notices 300] [--destinations 2000] [--seed 7] [--cpu N]
    python bench/extraction_bench.py --real   # also the real notices of ../shared/corpus-real/

Run it in a fresh process: the load time is only a cold load's the first time. Prints figures;
it is not a test and asserts nothing.
"""

from __future__ import annotations

import os

# One core means one thread in the numerical libraries too; set before numpy is first imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_NOTICES_PER_SECOND = 40
TARGET_LOAD_SECONDS = 3.0
TARGET_RSS_MB = 400
NOTICE_SIZE = 3000

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


def generated_destinations(count: int, rng: random.Random):
    from advisories.extraction import GazetteerEntry

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


def generated_notice(entries, rng: random.Random, size: int = NOTICE_SIZE) -> str:
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


def memory_mb() -> tuple[float, float]:
    """Resident memory now and at its peak, in MB (from /proc, else the peak from getrusage)."""
    fields = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = value.split()[0]
    except OSError:
        pass
    peak_kb = float(fields.get("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    return float(fields.get("VmRSS", peak_kb)) / 1024, peak_kb / 1024


class ParseTimer:
    """Wraps the loaded pipeline's ``pipe`` to time the parse apart from the extractor's code."""

    def __init__(self, nlp):
        self.seconds = 0.0
        self.docs = 0
        self.chars = 0
        self._pipe = nlp.pipe
        nlp.pipe = self.pipe

    def pipe(self, texts, **kwargs):
        docs = self._pipe(texts, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                doc = next(docs)
            except StopIteration:
                self.seconds += time.perf_counter() - started
                return
            self.seconds += time.perf_counter() - started
            self.docs += 1
            self.chars += len(doc.text)
            yield doc

    def reset(self) -> None:
        self.seconds, self.docs, self.chars = 0.0, 0, 0


def run(label: str, notices, gazetteer, timer: ParseTimer) -> None:
    """Extract every (title, body, published_at, authority) and print the figures."""
    from advisories.extraction import extract
    from advisories.extraction.sentences import split_sentences

    sentences = sum(len(split_sentences(f"{t}\n\n{b}")) for t, b, _, _ in notices)
    chars = sum(len(t) + 2 + len(b) for t, b, _, _ in notices)
    timer.reset()
    timings, claims = [], 0
    started = time.perf_counter()
    for title, body, published_at, authority in notices:
        t0 = time.perf_counter()
        result = extract(
            title=title,
            body=body,
            published_at=published_at,
            gazetteer=gazetteer,
            authority=authority,
        )
        timings.append(time.perf_counter() - t0)
        claims += len(result.claims)
    total = time.perf_counter() - started
    per_second = len(notices) / total
    at_size = chars / total / NOTICE_SIZE
    verdict = "meets" if at_size >= TARGET_NOTICES_PER_SECOND else "BELOW"
    print(f"== {label}: {len(notices)} notices, mean {chars / len(notices):.0f} chars")
    print(
        f"throughput: {per_second:.1f} notices/s, {chars / total:,.0f} chars/s = "
        f"{at_size:.1f} notices/s of {NOTICE_SIZE // 1000} KB on one core "
        f"(target >= {TARGET_NOTICES_PER_SECOND}: {verdict})"
    )
    print(
        f"latency: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:.1f} ms"
    )
    print(
        f"time: parse {timer.seconds:.2f} s ({timer.seconds / total:.0%}), extractor's own code "
        f"{total - timer.seconds:.2f} s ({1 - timer.seconds / total:.0%}); parsed "
        f"{timer.docs}/{sentences} sentences ({timer.docs / max(sentences, 1):.0%}), "
        f"{timer.chars / max(chars, 1):.0%} of the text, at "
        f"{timer.chars / max(timer.seconds, 1e-9):,.0f} chars/s"
    )
    print(f"claims: {claims} ({claims / len(notices):.1f} per notice)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--destinations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: one)")
    parser.add_argument("--real", action="store_true", help="also time the real set's notices")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {args.cpu if args.cpu is not None else cpus[0]})
        pinned = f"pinned to CPU {sorted(os.sched_getaffinity(0))[0]}"
    else:
        pinned = "not pinned (no sched_setaffinity here)"

    rss_start, _ = memory_mb()
    started = time.perf_counter()
    from advisories.extraction.nlp import MODEL_PACKAGE, language_model

    nlp = language_model()
    load_seconds = time.perf_counter() - started
    rss_loaded, _ = memory_mb()
    verdict = "meets" if load_seconds <= TARGET_LOAD_SECONDS else "ABOVE"
    print(f"one core: {pinned}, {os.environ['OMP_NUM_THREADS']} BLAS/OpenMP thread")
    print(
        f"model: {MODEL_PACKAGE} ({', '.join(nlp.pipe_names)}), import and load "
        f"{load_seconds:.2f} s (target <= {TARGET_LOAD_SECONDS:.0f} s: {verdict}); "
        f"resident memory {rss_start:.0f} MB before, {rss_loaded:.0f} MB after"
    )
    timer = ParseTimer(nlp)

    from advisories.extraction import Gazetteer
    from advisories.extraction.countries import country_entries

    rng = random.Random(args.seed)
    extra = generated_destinations(args.destinations, rng)
    started = time.perf_counter()
    gazetteer = Gazetteer([*country_entries(), *extra])
    build_seconds = time.perf_counter() - started
    names = sum(1 + len(e.aliases) for e in gazetteer.entries)
    print(
        f"gazetteer: {len(gazetteer)} destinations, {names} names, "
        f"built in {build_seconds * 1000:.0f} ms"
    )

    published = datetime(2025, 7, 18, 8, 0, tzinfo=UTC)
    notices = [
        ("Travel update", generated_notice(extra, rng), published, 40) for _ in range(args.notices)
    ]
    from advisories.extraction import extract

    extract(
        title="warm-up",
        body=notices[0][1],
        published_at=published,
        gazetteer=gazetteer,
        authority=40,
    )
    run("generated notices", notices, gazetteer, timer)

    if args.real:
        from advisories.extraction.evaluation import REAL_SET_DIR, SOURCE_AUTHORITY, load_real_set

        if (REAL_SET_DIR / "expected.json").is_file():
            real, real_gazetteer = load_real_set(REAL_SET_DIR)
            items = [
                (n.title, n.body, n.published_at, SOURCE_AUTHORITY.get(n.source_kind, 20))
                for n in real
            ]
            run(f"real notices of {REAL_SET_DIR}", items * 5, real_gazetteer, timer)
        else:
            print(f"== real notices: none in {REAL_SET_DIR}")

    rss_now, rss_peak = memory_mb()
    verdict = "meets" if rss_peak <= TARGET_RSS_MB else "ABOVE"
    print(
        f"worker resident memory: {rss_now:.0f} MB now, peak {rss_peak:.0f} MB "
        f"(target <= {TARGET_RSS_MB} MB: {verdict})"
    )


if __name__ == "__main__":
    main()
