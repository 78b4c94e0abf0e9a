"""docker-compose.yml must be a valid Compose file that runs the whole stack with healthchecks.

No Docker engine runs here, so validity is checked with `docker-compose config`, which parses and
validates the file against the Compose schema without talking to an engine.
"""

import os
import shutil
import subprocess
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
