"""Publishing benchmark: the board, a destination page and the API list served by gunicorn.

Builds 1,000 destinations with 50,000 status changes in a database of its own under a temporary
directory (SQLite by default; PostgreSQL when BENCH_DATABASE_URL is set), starts gunicorn on
loopback with the project's own settings (gunicorn.conf.py), and drives it over keep-alive
connections. Prints requests/s and p50/p99 latency for:

    static file     the board's own bytes saved as a static file, served by WhiteNoise in the
                    same process (the floor: same size, no Django view)
    board cached    "/" from the page cache (Django's cache_page, through every middleware)
    board uncached  "/" with a query string that misses the cache every time (also measured
                    with a single client: latency without queueing behind other clients)
    destination     a destination page, uncached (a different page each request)
    api list        GET /api/v1/destinations/ (uncached; ETag only)

The load comes from wrk when it is installed (apt-get install wrk): a C client whose own CPU use
is small, so on a two-core machine the server, not the client, is what is measured. Without it,
Python client processes stand in (they share the CPUs with the server, so figures are lower and
noisier). Every scenario is warmed up at full concurrency first, so each gunicorn process holds
its cached pages before measuring; the static file and the cached board are measured in
alternating rounds and compared by their medians, so a slow moment on the machine does not land
on one side only.

Goals (issue 5): cached board >= 0.7x the static file's throughput; uncached board p50 <= 50 ms.

    python bench/publish_bench.py [--seconds 5] [--rounds 5] [--clients 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESTINATIONS = 1_000
CHANGES_PER_DESTINATION = 50

POPULATE = f"""
import random
from datetime import UTC, datetime, timedelta
from django.db import transaction
from advisories.models import Claim, Notice, Source
from destinations.models import CurrentStatus, Destination, StatusChange

random.seed(5)
countries = ["KP", "CN", "RU", "IR", "MM", "CU", "VE", "SY", "LA", "VN", "BY", "TM", "ER", "AF",
             "YE", "LY", "SD", "SO", "ML", "NE"]
statuses = ["open", "restricted", "suspended", "closed"]
start = datetime(2020, 1, 1, tzinfo=UTC)
with transaction.atomic():
    places = Destination.objects.bulk_create([
        Destination(slug=f"bench-{{i}}", name=f"Bench Place {{i:04d}}", kind="resort",
                    country_code=countries[i % len(countries)],
                    reconciled_at=start + timedelta(days=2000))
        for i in range({DESTINATIONS})
    ])
    changes = []
    for place in places:
        previous = {{"foreign": "unknown", "RU": "unknown"}}
        for step in range({CHANGES_PER_DESTINATION}):
            audience = "RU" if step % 5 == 4 else "foreign"
            status = random.choice([s for s in statuses if s != previous[audience]])
            changes.append(StatusChange(
                destination=place, audience=audience, status=status,
                previous_status=previous[audience],
                effective_at=start + timedelta(days=step * 36 + random.randint(0, 20)),
                recorded_at=start + timedelta(days=step * 36 + 25),
                summary=f"{{place.name}} became {{status}} for {{audience}} visitors.",
            ))
            previous[audience] = status
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    latest = {{}}
    for change in StatusChange.objects.order_by("effective_at", "id").iterator(chunk_size=5000):
        latest[(change.destination_id, change.audience)] = change
    CurrentStatus.objects.bulk_create([
        CurrentStatus(destination_id=d, audience=a, status=c.status, since=c.effective_at,
                      change=c, summary=c.summary, last_confirmed_at=c.recorded_at)
        for (d, a), c in latest.items()
    ], batch_size=2000)
    source = Source.objects.create(name="Bench Ministry", slug="bench", kind="official",
                                   authority=100)
    notice = Notice.objects.create(source=source, title="Bench notice", body="Many places.",
                                   published_at=start, content_hash="bench" * 12,
                                   url="https://example.org/bench")
    links = []
    for (d, a), c in latest.items():
        claim = Claim.objects.create(notice=notice, destination_id=d, audience=a,
                                     status=c.status, effective_at=c.effective_at,
                                     confidence=0.9, sentence=f"Place {{d}} is {{c.status}}.",
                                     start=0, end=10, extractor_version="bench")
        links.append(Claim.changes.through(claim_id=claim.pk, statuschange_id=c.pk))
    Claim.changes.through.objects.bulk_create(links, batch_size=5000)
print(Destination.objects.filter(slug__startswith="bench-").count(), "destinations,",
      StatusChange.objects.count(), "changes")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _drive_connection(args) -> list[float]:
    """One Python client process: keep-alive requests for `seconds`; returns latencies (s)."""
    port, paths, seconds, offset = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    headers = {"Host": "127.0.0.1"}
    deadline = time.perf_counter() + seconds
    index = offset
    while time.perf_counter() < deadline:
        path = paths[index % len(paths)].replace("{n}", f"{offset}-{index}")
        index += 1
        began = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        latencies.append(time.perf_counter() - began)
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.close()
    return latencies


def _measure_python(port: int, paths: list[str], *, seconds: float, clients: int):
    with multiprocessing.Pool(clients) as pool:
        began = time.perf_counter()
        work = [(port, paths, seconds, i * 7919) for i in range(clients)]
        results = pool.map(_drive_connection, work)
        elapsed = time.perf_counter() - began
    latencies = sorted(x for r in results for x in r)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "n": len(latencies),
    }


# Each wrk thread walks the path list from its own offset; "{n}" becomes a per-thread counter so
# uncached scenarios never repeat a URL. `done` prints the figures for the parent to read.
WRK_SCRIPT = """
local paths = %(paths)s
local counter = 0
local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  path = path:gsub("{n}", id .. "-" .. counter)
  return wrk.format("GET", path)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect, e.read, e.write,
    e.timeout))
end
"""


def _measure_wrk(port: int, paths: list[str], *, seconds: float, clients: int):
    script = WRK_SCRIPT % {"paths": "{" + ", ".join(json.dumps(p) for p in paths) + "}"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        result = subprocess.run(
            [
                "wrk",
                f"--threads={min(clients, 2)}",
                f"--connections={clients}",
                f"--duration={max(1, round(seconds))}s",
                "--timeout=30s",
                f"--script={lua.name}",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRK "))
    requests, duration_us, p50_us, p99_us, *errors = (int(x) for x in line.split()[1:])
    if any(errors):
        raise SystemExit(f"{paths[0]}: errors (status, connect, read, write, timeout) {errors}")
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50_us / 1000,
        "p99": p99_us / 1000,
        "n": requests,
    }


def measure(port: int, paths: list[str], *, seconds: float, clients: int) -> dict:
    """Warm up at full concurrency (every gunicorn process fills its caches), then measure."""
    run = _measure_wrk if shutil.which("wrk") else _measure_python
    # "{n}" URLs get a tag per run: otherwise the measured run repeats the warm-up's URLs and an
    # "uncached" scenario is partly served from the cache the warm-up filled.
    run(port, [p.replace("{n}", "w{n}") for p in paths], seconds=2, clients=clients)
    return run(port, paths, seconds=seconds, clients=clients)


def _row(name: str, figures: dict) -> str:
    return (
        f"{name:<26}{figures['rps']:>8.0f}{figures['p50']:>10.1f}"
        f"{figures['p99']:>10.1f}{figures['n']:>10}"
    )


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5, help="static/cached board rounds")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per process")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="portcullis-publish-bench-"))
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "API_ANON_RATE": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
        ),
        "STATIC_ROOT": str(workdir / "static"),
        "WEB_CONCURRENCY": str(options.workers),
        "WEB_THREADS": str(options.threads),
    }
    if _redis_available():
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
        env["CACHE_KEY_PREFIX"] = f"bench{os.getpid()}"
    else:
        env.pop("REDIS_URL", None)
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    server = None
    try:
        print(
            f"database: {env['DATABASE_URL'].split('://')[0]}, "
            f"cache: {'redis' if 'REDIS_URL' in env else 'file'}; workdir {workdir}"
        )
        began = time.perf_counter()
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True, cwd=ROOT
        )
        subprocess.run([*manage, "shell", "-c", POPULATE], env=env, check=True, cwd=ROOT)
        print(f"data built in {time.perf_counter() - began:.1f} s")

        port = free_port()
        server = start_server(env, port)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/", headers={"Host": "127.0.0.1"})
        board = conn.getresponse()
        body = board.read()
        conn.close()
        assert board.status == 200, board.status
        # The floor: the same bytes as a static file. WhiteNoise indexes STATIC_ROOT when the
        # process starts, so the server is started again to pick it up.
        static_path = "/static/bench-board.html"
        (workdir / "static" / "bench-board.html").write_bytes(body)
        stop_server(server)
        server = start_server(env, port)
        print(f"board: {len(body) / 1024:.0f} KiB; static file of the same bytes: {static_path}")
        client = "wrk" if shutil.which("wrk") else "Python client processes (no wrk installed)"
        print(
            f"\nload: {client}, {options.clients} connections; gunicorn {options.workers} "
            f"processes x {options.threads} threads; {options.seconds:.0f} s per measurement\n"
        )
        print(f"{'scenario':<26}{'req/s':>8}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}")

        def run(name: str, paths: list[str], clients: int = options.clients) -> dict:
            figures = measure(port, paths, seconds=options.seconds, clients=clients)
            print(_row(name, figures), flush=True)
            return figures

        statics, cacheds = [], []
        for round_ in range(1, options.rounds + 1):
            statics.append(run(f"static file ({round_})", [static_path]))
            cacheds.append(run(f"board cached ({round_})", ["/"]))
        run("board uncached", ["/?bench={n}"])
        run("destination", [f"/destinations/bench-{i}/?bench={{n}}" for i in range(0, 1000, 7)])
        run("destination cached", [f"/destinations/bench-{i}/" for i in range(0, 20)])
        run("api list", ["/api/v1/destinations/?bench={n}", "/api/v1/destinations/?page=3"])
        single = run("board uncached, 1 client", ["/?bench={n}"], clients=1)

        static_rps = statistics.median(f["rps"] for f in statics)
        cached_rps = statistics.median(f["rps"] for f in cacheds)
        ratio = cached_rps / static_rps
        per_round = ", ".join(
            f"{c['rps'] / s['rps']:.2f}" for s, c in zip(statics, cacheds, strict=True)
        )
        p50 = single["p50"]
        print(
            f"\ncached board / static file throughput (medians of {options.rounds} rounds): "
            f"{cached_rps:.0f} / {static_rps:.0f} req/s = {ratio:.2f}x; per round {per_round} "
            f"(goal >= 0.70x: {'met' if ratio >= 0.7 else 'NOT met'})"
        )
        print(
            f"uncached board p50, one client: {p50:.1f} ms (goal <= 50 ms: "
            f"{'met' if p50 <= 50 else 'NOT met'})"
        )
        return 0
    finally:
        if server is not None:
            stop_server(server)
        if "REDIS_URL" in env:
            subprocess.run(
                [
                    *manage,
                    "shell",
                    "-c",
                    "from django.core.cache import cache; "
                    "cache.delete('portcullis:status-version')",
                ],
                env=env,
                cwd=ROOT,
                check=False,
                capture_output=True,
            )
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
