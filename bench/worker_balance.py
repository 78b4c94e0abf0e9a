"""How evenly gunicorn's processes share keep-alive connections: requests per worker, per run.

Starts gunicorn on loopback with the project's settings (gunicorn.conf.py; an empty SQLite
database and a file cache under a temporary directory), drives the cached board ("/") with wrk
over keep-alive connections, and counts the requests each worker process answered (gunicorn's
access log, process id only). Runs each mode several times:

    shared socket   WEB_REUSE_PORT=0: every worker accepts from the master's one socket; a worker
                    that wakes first takes the connections there are, and keeps them (keep-alive)
    reuse_port      WEB_REUSE_PORT=1 (the default): each worker binds its own socket with
                    SO_REUSEPORT and the kernel hashes each new connection to one of them

Prints, per run (the two modes alternate), each worker's share of the requests and the
throughput; then the spread (busiest minus idlest share), median and worst. Needs wrk
(apt-get install wrk).

    python bench/worker_balance.py [--seconds 5] [--runs 5] [--connections 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(base: Path, reuse_port: bool, workers: int) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "DATABASE_URL": f"sqlite:///{base / 'bench.sqlite3'}",
        "VAR_DIR": str(base / "var"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(workers),
        "WEB_REUSE_PORT": "1" if reuse_port else "0",
    }


def one_run(base: Path, *, reuse_port: bool, seconds: float, connections: int, workers: int):
    port = free_port()
    access = base / f"access-{port}.log"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "config.wsgi"),
            *("--bind", f"127.0.0.1:{port}"),
            *("--access-logfile", str(access), "--access-logformat", "%(p)s"),
        ],
        cwd=ROOT,
        env=_env(base, reuse_port, workers),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        time.sleep(1)  # every worker booted and listening
        access.write_text("")
        result = subprocess.run(
            [
                *("wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s"),
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    per_pid = collections.Counter(line.strip() for line in access.read_text().splitlines() if line)
    counts = sorted(per_pid.values(), reverse=True) + [0] * (workers - len(per_pid))
    total = sum(counts) or 1
    return [count / total for count in counts], rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")
    base = Path(tempfile.mkdtemp(prefix="portcullis-balance-"))
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=_env(base, False, args.workers),
            check=True,
        )
        print(
            f"{args.workers} workers, {args.connections} keep-alive connections, "
            f"{args.seconds:g} s per run, GET / (cached board)\n"
        )
        modes = (("shared socket", False), ("reuse_port", True))
        spreads: dict[str, list[float]] = {label: [] for label, _ in modes}
        rates: dict[str, list[float]] = {label: [] for label, _ in modes}
        # Alternating runs: a machine that slows down as it warms weighs on both modes alike.
        for run in range(1, args.runs + 1):
            for label, reuse_port in modes:
                shares, rps = one_run(
                    base,
                    reuse_port=reuse_port,
                    seconds=args.seconds,
                    connections=args.connections,
                    workers=args.workers,
                )
                spreads[label].append(shares[0] - shares[-1])
                rates[label].append(rps)
                split = " / ".join(f"{share:4.0%}" for share in shares)
                print(f"{label:14} run {run}: requests per worker {split}   {rps:7.0f} req/s")
        print()
        for label, _ in modes:
            spread, rate = spreads[label], rates[label]
            print(
                f"{label:14} spread (busiest - idlest) median {statistics.median(spread):.0%}"
                f", worst {max(spread):.0%}; median {statistics.median(rate):.0f} req/s"
                f" (min {min(rate):.0f}, max {max(rate):.0f})"
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
