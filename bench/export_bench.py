"""Export benchmark (issue 18): stream the live exports through the real view and WSGI stack.

Reads an existing PostgreSQL database (it writes nothing and migrates nothing: the live exports
read only the destinations tables), for example one filled by bench/scale_data.py. Each export
is requested through Django's WSGI application, as a server would, and its body consumed chunk
by chunk and dropped; prints MB/s, rows/s, the process's resident memory (RSS) before, at 10%,
50% and 100% of the bytes, and its peak, to show memory flat whatever the size.

    python bench/export_bench.py --database-url postgres://postgres@127.0.0.1:5432/portcullis_bench
    python bench/export_bench.py --database-url ... --export changes.csv --method python
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from wsgiref.util import setup_testing_defaults

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPORTS = ("changes.csv", "changes.jsonl", "current.csv")
SAMPLE_EVERY = 4 * 1024 * 1024  # bytes between two RSS samples
MB = 1024 * 1024


def _rss() -> int:
    """Resident set size now, in bytes (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _stream(application, path: str) -> tuple[int, int, float, list[tuple[int, int]], dict]:
    """Bytes, lines, seconds, (bytes, RSS) samples and headers of one GET through WSGI."""
    environ: dict = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "localhost"}
    setup_testing_defaults(environ)
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        seen["headers"] = dict(headers)

    size = lines = 0
    samples = [(0, _rss())]
    started = time.perf_counter()
    result = application(environ, start_response)
    try:
        for chunk in result:
            size += len(chunk)
            lines += chunk.count(b"\n")
            if size - samples[-1][0] >= SAMPLE_EVERY:
                samples.append((size, _rss()))
    finally:
        if hasattr(result, "close"):
            result.close()
    seconds = time.perf_counter() - started
    samples.append((size, _rss()))
    return size, lines, seconds, samples, seen


def _at(samples: list[tuple[int, int]], share: float) -> int:
    """RSS of the sample nearest to `share` of the bytes."""
    target = share * samples[-1][0]
    return min(samples, key=lambda sample: abs(sample[0] - target))[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="PostgreSQL database to read (default: $BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--export",
        action="append",
        choices=EXPORTS,
        help="which export (repeatable; default: changes.csv and changes.jsonl)",
    )
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="also time writing each export's gzip snapshot (to a temporary file, not listed)",
    )
    parser.add_argument(
        "--method",
        choices=("auto", "copy", "python"),
        default="auto",
        help="the writer: COPY (PostgreSQL's default) or the portable Python one",
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        # `make bench` runs every bench without arguments: say why this one did nothing.
        print("export_bench: skipped; give --database-url postgres://... or BENCH_DATABASE_URL")
        return

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from publishing.export import streaming

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": local, "pages": local}
    if args.method != "auto":
        streaming.default_method = lambda: args.method  # the view picks the writer through it
    application = get_wsgi_application()

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(",")[0]
    connection.close()
    # One small export first: what the first request loads (URL conf, DRF, the export modules)
    # is the process's, not any export's.
    _stream(application, "/api/v1/export/current.csv")
    print(f"{server}; writer: {args.method}; RSS after a warm-up request {_rss() / MB:.0f} MB")
    print(
        f"\n{'export':<14} {'MB':>8} {'rows':>11} {'s':>7} {'MB/s':>7} {'rows/s':>10}"
        f" {'RSS MB: before':>15} {'10%':>6} {'50%':>6} {'100%':>6} {'peak':>6}"
    )
    for kind in args.export or ["changes.csv", "changes.jsonl"]:
        size, lines, seconds, samples, seen = _stream(application, f"/api/v1/export/{kind}")
        if not seen["status"].startswith("200"):
            raise SystemExit(f"{kind}: answered {seen['status']}")
        rows = lines - (1 if kind.endswith(".csv") else 0)  # the generated text has no newlines
        print(
            f"{kind:<14} {size / MB:>8.1f} {rows:>11,} {seconds:>7.1f} {size / MB / seconds:>7.1f}"
            f" {rows / seconds:>10,.0f} {samples[0][1] / MB:>15.1f} {_at(samples, 0.1) / MB:>6.1f}"
            f" {_at(samples, 0.5) / MB:>6.1f} {samples[-1][1] / MB:>6.1f}"
            f" {max(rss for _, rss in samples) / MB:>6.1f}"
        )
    if args.snapshot:
        _snapshots(args.export or ["changes.csv", "changes.jsonl"])
    print(f"\nprocess peak RSS (getrusage): {_peak_rss() / MB:.1f} MB")


def _snapshots(kinds: list[str]) -> None:
    """The nightly task's work per export, short of saving and listing: gzip while streaming."""
    import tempfile

    from publishing.export.snapshots import gzip_into
    from publishing.export.streaming import EXPORTS, export_chunks

    print(f"\n{'snapshot':<17} {'gzip MB':>8} {'s':>7} {'MB/s in':>8} {'RSS MB':>7}")
    for kind in kinds:
        raw = 0

        def counted(chunks):
            nonlocal raw
            for chunk in chunks:
                raw += len(chunk)
                yield chunk

        with tempfile.TemporaryFile() as file:
            started = time.perf_counter()
            written = gzip_into(counted(export_chunks(EXPORTS[kind])), file)
            seconds = time.perf_counter() - started
        print(
            f"{kind + '.gz':<17} {written.size / MB:>8.1f} {seconds:>7.1f}"
            f" {raw / MB / seconds:>8.1f} {_rss() / MB:>7.1f}"
        )


if __name__ == "__main__":
    main()
