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
EXPECTED_SERVICES = {"web", "worker", "beat", "postgres", "redis"}


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


def test_compose_runs_web_worker_beat_postgres_and_redis_each_with_a_healthcheck():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == EXPECTED_SERVICES
    assert all("healthcheck" in service for service in services.values())
    assert "gunicorn" in services["web"]["command"]


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


def test_gunicorn_settings_keep_connections_alive_with_threaded_workers():
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
