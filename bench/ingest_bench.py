"""Benchmark: how fast notices come in through `notice_ingest` (validate, store, extract, in one
transaction), how fast HTML is reduced to text, and how long one poll of a 200-entry feed served
over loopback takes. Prints figures; asserts nothing.

Uses a throw-away SQLite database under a temporary VAR_DIR (or the server of DATABASE_URL if set,
in a database of its own that is created and dropped by Django's test runner machinery):

    python bench/ingest_bench.py [--notices 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="portcullis-ingest-bench-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

PARAGRAPH = (
    "The Wonsan-Kalma Coastal Tourist Zone is temporarily not receiving foreign tourists, the "
    "national tourism administration said on Wednesday. Domestic holidaymakers continue to be "
    "served. Rason reopened to foreign tourists in February and halted the programme within a "
    "month. Analysts believe the pause may be linked to a diplomatic visit. "
)


def notice_text(index: int, size: int = 3_000) -> str:
    text = f"Bulletin {index}. " + PARAGRAPH * (size // len(PARAGRAPH) + 1)
    return text[:size]


def bench_ingest(count: int) -> None:
    from advisories.ingest.recording import source_get_or_create
    from advisories.ingest.service import notice_ingest

    source, _ = source_get_or_create(slug="bench-wire", kind="news")
    now = datetime(2025, 7, 20, tzinfo=UTC)
    published = now - timedelta(days=3)
    notice_ingest(
        source=source, title="warm-up", body=notice_text(-1), published_at=published, now=now
    )
    claims = 0
    started = time.perf_counter()
    for index in range(count):
        result = notice_ingest(
            source=source,
            title=f"Bulletin {index}",
            body=notice_text(index),
            published_at=published,
            now=now,
        )
        claims += len(result.claims)
    elapsed = time.perf_counter() - started
    print(f"notice_ingest, new 3 KB notices: {count / elapsed:7.1f} notices/s ({claims} claims)")

    started = time.perf_counter()
    for index in range(count):
        notice_ingest(
            source=source,
            title=f"Bulletin {index}",
            body=notice_text(index),
            published_at=published,
            now=now,
        )
    elapsed = time.perf_counter() - started
    print(f"notice_ingest, repeats (no writes): {count / elapsed:7.1f} notices/s")


def bench_html(count: int) -> None:
    from advisories.ingest.text import html_to_text

    page = (
        "<html><head><title>Bulletin</title><script>var x = 1;</script></head><body>"
        "<nav>Home | News</nav><main>"
        + "".join(f"<p>{notice_text(i, 300)} <b>bold</b> &amp; more</p>" for i in range(10))
        + "</main><footer>(c)</footer></body></html>"
    )
    started = time.perf_counter()
    for _ in range(count):
        html_to_text(page)
    elapsed = time.perf_counter() - started
    print(f"html_to_text, {len(page) // 1000} KB page:     {count / elapsed:7.1f} pages/s")


def bench_feed(entries: int) -> None:
    from django.conf import settings

    from advisories.ingest.feeds import feeds_poll_due
    from advisories.models import Source

    items = "".join(
        f"<item><guid>tag:bench,2025:{i}</guid><title>Entry {i}</title>"
        "<pubDate>Wed, 16 Jul 2025 01:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{notice_text(10_000 + i, 1_500)}</p>]]></description></item>"
        for i in range(entries)
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}'
        "</channel></rss>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(feed)))
            self.end_headers()
            self.wfile.write(feed)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    port = server.server_address[1]
    Source.objects.create(
        name="Bench feed", slug="bench-feed", kind="news", authority=40,
        feed_url=f"http://127.0.0.1:{port}/feed",
    )  # fmt: skip
    now = datetime(2025, 7, 20, tzinfo=UTC)
    started = time.perf_counter()
    summary = feeds_poll_due(now=now).as_dict()
    first = time.perf_counter() - started
    started = time.perf_counter()
    feeds_poll_due(now=now + timedelta(hours=2))
    second = time.perf_counter() - started
    server.shutdown()
    print(
        f"feed poll, {entries} entries ({len(feed) // 1000} KB): first {first:.2f} s "
        f"({summary['notices_created']} notices), unchanged again {second:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=500)
    args = parser.parse_args()

    from django.db import connection

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_demo", verbosity=0)
        bench_ingest(args.notices)
        bench_html(args.notices)
        bench_feed(200)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
