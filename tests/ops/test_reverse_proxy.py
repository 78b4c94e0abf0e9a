"""The nginx config in deploy/ in front of a real gunicorn: it caches, it refreshes, it covers.

gunicorn serves the project with its own settings from a SQLite file and a file cache of its own
(both under a temporary directory); a writer process with the same environment records a status
change the way the application does (a model save, whose commit bumps the status version), so
the web processes see it exactly as they would a reconciliation run's. nginx runs the repo's
deploy/nginx/portcullis.conf, with only its upstream, listen address and cache directory
replaced, as a child process. It shows:

- a second request for the board is a cache HIT, and gunicorn is not asked;
- a status change is served through the proxy within max-age (2 s here);
- an open-data export passes through as it is made, never stored by nginx;
- with gunicorn stopped, the proxy still serves the last copy (STALE).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.ops.servers import free_port, migrate, wait_until

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "portcullis.conf"
MAX_AGE = 2  # PUBLIC_CACHE_MAX_AGE for this gunicorn
HOST = "127.0.0.1"

pytestmark = pytest.mark.slow

RECORD_CHANGE = """
import django
django.setup()
from django.db import transaction
from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory
with transaction.atomic():
    place = DestinationFactory(name={name!r}, slug={slug!r})
    CurrentStatusFactory(change=StatusChangeFactory(destination=place, status="open"))
"""


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("nginx is missing: .ci/run installs Debian's nginx (apt-get install nginx)")
    pytest.skip("nginx is not installed (apt-get install nginx): the proxy cannot be run")


def render(conf: str, *, upstream: str, listen: str, cache_dir: Path) -> str:
    """The deploy config with the three lines marked `# test:` pointed at this test's servers."""
    replacements = {
        "server web:8000; # test: upstream": f"server {upstream};",
        "listen 80; # test: listen": f"listen {listen};",
        "/var/cache/nginx/portcullis ": f"{cache_dir} ",
    }
    for old, new in replacements.items():
        assert conf.count(old) == 1, f"{CONF.name} no longer has `{old}` exactly once"
        conf = conf.replace(old, new)
    return conf


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack():
    nginx = _nginx()
    base = Path(tempfile.mkdtemp(prefix="portcullis-proxy-"))
    base.chmod(0o755)  # nginx's workers (nobody, when run as root) reach their cache below
    web_port, proxy_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "DATABASE_URL": f"sqlite:///{base / 'portcullis.sqlite3'}",
        "VAR_DIR": str(base / "var"),
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "Zr4@Lw8^Tn6&Yb3*Hc5(Jd1)Fg0-Se2+Ua9=Ri7_",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "TRUSTED_PROXIES": "1",
        "LOG_FORMAT": "json",
        "PUBLIC_CACHE_MAX_AGE": str(MAX_AGE),
        "PUBLIC_CACHE_STALE_WHILE_REVALIDATE": str(MAX_AGE),
        "PUBLIC_CACHE_STALE_IF_ERROR": "600",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    migrate(env)
    web_log = open(base / "gunicorn.log", "w")  # noqa: SIM115 - closed at teardown
    web = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "config.wsgi"),
            *("--bind", f"{HOST}:{web_port}", "--workers", "2"),
        ],
        cwd=ROOT,
        env=env,
        stdout=web_log,
        stderr=subprocess.STDOUT,
    )
    (base / "nginx" / "logs").mkdir(parents=True)
    rendered = base / "nginx" / "nginx.conf"
    server = render(
        CONF.read_text(),
        upstream=f"{HOST}:{web_port}",
        listen=f"{HOST}:{proxy_port}",
        cache_dir=base / "nginx" / "cache",
    )
    # Debian's nginx keeps request bodies and buffered answers under /var/lib/nginx: here instead.
    temp_paths = "".join(
        f"{kind}_temp_path {base / 'nginx' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # The http block a packaged nginx.conf would wrap it in; as root, workers run as nobody.
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    rendered.write_text(
        f"{user}worker_processes 1;\nerror_log {base / 'nginx' / 'error.log'} warn;\n"
        f"pid {base / 'nginx' / 'nginx.pid'};\nevents {{ worker_connections 256; }}\n"
        f"http {{\naccess_log off;\n{temp_paths}{server}\n}}\n"
    )
    if os.geteuid() == 0:  # nobody writes the cache and nginx's temporary files
        shutil.chown(base / "nginx", "nobody", "nogroup")
    proxy = subprocess.Popen(
        [nginx, "-p", str(base / "nginx"), "-c", str(rendered), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def up(port: int) -> bool:
        try:
            return requests.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(lambda: up(web_port), timeout=60, what="gunicorn")
        wait_until(lambda: up(proxy_port) or proxy.poll() is not None, timeout=30, what="nginx")
        assert proxy.poll() is None, proxy.stderr.read().decode()
        yield {
            "proxy": f"http://{HOST}:{proxy_port}",
            "web": web,
            "env": env,
            "log": base / "gunicorn.log",
        }
    finally:
        _stop(proxy)
        _stop(web)
        web_log.close()
        shutil.rmtree(base, ignore_errors=True)


def _board_requests_seen_by_gunicorn(log: Path) -> int:
    return sum('"path": "/",' in line for line in log.read_text().splitlines())


def _record_change(env: dict, name: str, slug: str) -> None:
    subprocess.run(
        [sys.executable, "-c", RECORD_CHANGE.format(name=name, slug=slug)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_a_second_request_for_the_board_is_a_hit_that_gunicorn_never_sees(stack):
    first = requests.get(stack["proxy"] + "/", timeout=10)
    asked = _board_requests_seen_by_gunicorn(stack["log"])
    second = requests.get(stack["proxy"] + "/", timeout=10)

    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] in {"MISS", "EXPIRED", "HIT"}
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content
    assert _board_requests_seen_by_gunicorn(stack["log"]) == asked
    assert second.headers["Cache-Control"].startswith(f"public, max-age={MAX_AGE}")


def test_a_status_change_is_served_through_the_proxy_within_max_age(stack):
    assert requests.get(stack["proxy"] + "/", timeout=10).status_code == 200  # cached now

    _record_change(stack["env"], "Proxyville Resort", "proxyville")
    recorded = time.monotonic()
    seen = []

    def shown() -> bool:
        response = requests.get(stack["proxy"] + "/", timeout=10)
        seen.append(response.headers.get("X-Cache-Status"))
        return "Proxyville Resort" in response.text

    wait_until(shown, timeout=MAX_AGE + 10, what="the change through the proxy")
    elapsed = time.monotonic() - recorded
    print(f"change served through the proxy after {elapsed:.2f} s; cache statuses: {seen}")
    assert elapsed <= MAX_AGE + 1, seen


def test_an_export_streams_through_the_proxy_as_it_is_made_and_is_never_stored(stack):
    _record_change(stack["env"], "Exportville", "exportville")
    url = stack["proxy"] + "/api/v1/export/changes.csv"

    first = requests.get(url, timeout=10)
    second = requests.get(url, timeout=10)

    assert first.status_code == second.status_code == 200
    assert first.headers.get("Transfer-Encoding") == "chunked"  # no length known beforehand
    assert first.text.startswith("id,destination,") and "Exportville" in first.text
    assert "X-Cache-Status" not in second.headers  # passed through, not kept by nginx
    assert first.headers["Cache-Control"].startswith("public")


def test_with_gunicorn_stopped_the_proxy_serves_the_last_copy(stack):
    fresh = requests.get(stack["proxy"] + "/", timeout=10)
    assert fresh.status_code == 200

    _stop(stack["web"])
    expired_at = time.monotonic() + MAX_AGE + 0.5
    wait_until(lambda: time.monotonic() > expired_at, timeout=MAX_AGE + 5, what="expiry")
    stale = requests.get(stack["proxy"] + "/", timeout=10)

    assert stale.status_code == 200
    assert stale.headers["X-Cache-Status"] == "STALE"
    assert stale.content == fresh.content
    # Nothing cached: nothing to fall back on, so the reader gets the error.
    assert requests.get(stack["proxy"] + "/changes/?never=cached", timeout=10).status_code == 502
