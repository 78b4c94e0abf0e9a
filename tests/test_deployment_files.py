"""docker-compose.yml must be a valid Compose file that runs the whole stack with healthchecks.

No Docker engine runs here, so validity is checked with `docker-compose config`, which parses and
validates the file against the Compose schema without talking to an engine.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
EXPECTED_SERVICES = {"proxy", "web", "worker", "beat", "postgres", "redis"}


def _compose_cli() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if os.environ.get("CI"):
        pytest.fail("docker-compose is missing: .ci/run installs Debian's docker-compose")
    pytest.skip("docker-compose not installed (apt-get install docker-compose)")


def test_compose_file_passes_docker_compose_validation(tmp_path):
    result = subprocess.run(
        [*_compose_cli(), "-f", str(COMPOSE), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "validation-only"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_validation_catches_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("healthcheck:", "healthchek:", 1))
    result = subprocess.run(
        [*_compose_cli(), "-f", str(broken), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "validation-only"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode != 0


def test_compose_runs_proxy_web_worker_beat_postgres_and_redis_each_with_a_healthcheck():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == EXPECTED_SERVICES
    assert all("healthcheck" in service for service in services.values())
    assert "gunicorn" in services["web"]["command"]


def test_readers_reach_web_only_through_the_caching_proxy():
    compose = yaml.safe_load(COMPOSE.read_text())
    proxy, web = compose["services"]["proxy"], compose["services"]["web"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx/portcullis.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in web
    # The proxy appends the reader to X-Forwarded-For: web believes exactly that one entry.
    assert compose["x-app"]["environment"]["TRUSTED_PROXIES"].startswith("${TRUSTED_PROXIES:-1}")


def test_the_worker_writes_export_snapshots_where_web_serves_them():
    """Snapshots are written by the worker and downloaded through web: one named volume at
    MEDIA_ROOT (VAR_DIR/media in the image) for both, owned by the image's user."""
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        volumes = {**compose["x-app"], **services[name]}.get("volumes", [])
        assert "media:/app/var/media" in volumes, name
    assert "media" in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "VAR_DIR=/app/var" in dockerfile and "mkdir -p /app/var/media" in dockerfile


def test_the_proxy_config_forwards_the_reader_and_keeps_per_reader_answers_out_of_the_cache():
    conf = (ROOT / "deploy" / "nginx" / "portcullis.conf").read_text()
    directives = "\n".join(line.split("#")[0] for line in conf.splitlines())
    for directive in (
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;",
        "proxy_cache_background_update on;",
        "proxy_cache_lock on;",
        "proxy_cache_bypass $portcullis_per_reader;",
        "proxy_no_cache $portcullis_per_reader;",
    ):
        assert directive in directives
    # The application's Cache-Control decides lifetimes: nothing here overrides it.
    assert "proxy_ignore_headers" not in directives
    assert "proxy_cache_valid" not in directives


def test_the_proxy_config_is_valid_nginx(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not nginx:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx")
        pytest.skip("nginx not installed (apt-get install nginx)")
    conf = (ROOT / "deploy" / "nginx" / "portcullis.conf").read_text()
    conf = conf.replace("server web:8000;", "server 127.0.0.1:8000;")
    conf = conf.replace("/var/cache/nginx/portcullis ", f"{tmp_path / 'cache'} ")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{\n{conf}\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_every_web_command_serves_with_the_shared_gunicorn_settings():
    compose_web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]["command"]
    procfile_web = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    dockerfile_cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    for command in (compose_web, procfile_web, dockerfile_cmd.replace('", "', " ")):
        assert "--config gunicorn.conf.py" in command


def test_gunicorn_settings_keep_connections_alive_with_threaded_workers_on_their_own_sockets():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--print-config",
            "config.wsgi",
        ],
        cwd=ROOT,
        env={**os.environ, "WEB_CONCURRENCY": "3"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    settings = dict(
        (name.strip(), value.strip())
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )
    assert settings["worker_class"] == "gthread"
    assert settings["workers"] == "3"
    assert int(settings["threads"]) > 1
    assert int(settings["keepalive"]) > 0
    # A socket per worker: the kernel spreads connections (bench/worker_balance.py).
    assert settings["reuse_port"] == "True"
