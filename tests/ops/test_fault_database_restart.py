"""Fault: the database restarts under a running web server.

A private PostgreSQL cluster (its own port and data directory; the machine's server is never
touched) serves a real gunicorn. While the database is down every request ends quickly with a
clean error (or a page still cached); once it is back every request succeeds again, on the same
worker processes.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests

from tests.ops.servers import PrivatePostgres, free_port, migrate, wait_until

ROOT = Path(__file__).resolve().parents[2]
REQUEST_TIMEOUT = 15  # seconds: far above a clean failure, far below a hang

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("initdb") or os.path.exists("/usr/local/bin/initdb")),
        reason="needs PostgreSQL's initdb and pg_ctl to run a throwaway cluster",
    ),
]


@pytest.fixture(scope="module")
def cluster():
    base = Path(tempfile.mkdtemp(prefix="portcullis-pg-", dir="/tmp"))
    base.chmod(0o755)  # the cluster below belongs to the postgres user, who must reach it
    server = PrivatePostgres(base / "cluster")
    server.init()
    server.start()
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE portcullis")
    yield server
    server.destroy()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def web(cluster):
    """gunicorn with two workers and persistent connections, as in production."""
    var_dir = Path(tempfile.mkdtemp(prefix="portcullis-var-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/portcullis",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "Zr4@Lw8^Tn6&Yb3*Hc5(Jd1)Fg0-Se2+Ua9=Ri7_",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CONN_MAX_AGE": "60",
        "DB_CONNECT_TIMEOUT": "3",
        "VAR_DIR": str(var_dir),
        "LOG_FORMAT": "json",
        # Every /readyz here must probe afresh: the outage starts between two requests.
        "OPS_PROBE_MIN_INTERVAL_SECONDS": "0",
    }
    migrate(env)
    log = open(var_dir / "gunicorn.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_until(answers, timeout=60, what="gunicorn")
    yield base, process, var_dir
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    log.close()
    shutil.rmtree(var_dir, ignore_errors=True)


def _workers(master_pid: int) -> set[int]:
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    return {int(pid) for pid in children}


PATHS = ["/readyz", "/api/v1/sources/", "/api/v1/notices/", "/changes/"]


def _hit(base: str, path: str) -> tuple[str, int, float]:
    started = time.monotonic()
    response = requests.get(base + path, timeout=REQUEST_TIMEOUT)
    return path, response.status_code, time.monotonic() - started


def _hit_all(base: str, rounds: int = 3) -> list[tuple[str, int, float]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda p: _hit(base, p), PATHS * rounds))


def test_requests_fail_cleanly_while_the_database_is_down_and_succeed_after(cluster, web):
    base, master, _ = web
    before = _hit_all(base)
    assert {status for _, status, _ in before} == {200}, before
    workers = _workers(master.pid)

    cluster.stop()
    during = _hit_all(base)
    ready = requests.get(f"{base}/readyz", timeout=REQUEST_TIMEOUT)

    cluster.start()
    after = _hit_all(base)

    # During: every request answered, in good time, with an error page or 503, never a hang.
    assert all(status >= 500 for path, status, _ in during if path != "/changes/"), during
    assert all(seconds < 10 for _, _, seconds in during), during
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["database"]
    # After: everything answers 200 straight away, served by the same, unstuck workers.
    assert {status for _, status, _ in after} == {200}, after
    assert _workers(master.pid) == workers
    assert master.poll() is None


def test_api_errors_during_the_outage_are_json_not_an_html_page(cluster, web):
    base, _, _ = web
    cluster.stop()
    try:
        response = requests.get(f"{base}/api/v1/notices/", timeout=REQUEST_TIMEOUT)
    finally:
        cluster.start()
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
