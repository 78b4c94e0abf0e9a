"""What a new user sees from `make run`: links that follow the port served, log lines that say
something, no warnings they cannot act on."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_points_links_at_the_port_it_serves():
    assert "SITE_URL=http://127.0.0.1:8101" in _dry_run("PORT=8101")


def test_an_explicit_site_url_wins_over_the_derived_one():
    assert "SITE_URL=https://portcullis.example.org" in _dry_run(
        "PORT=8101", "SITE_URL=https://portcullis.example.org"
    )


def test_the_embedded_broker_opens_without_kombus_missing_hostname_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "django.setup(); from config.celery import app\n"
        "with app.connection_for_write() as c: c.ensure_connection(max_retries=1)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "No hostname" not in result.stderr + result.stdout


def test_the_worker_of_make_run_has_no_child_processes_to_kill_on_ctrl_c():
    # A prefork pool's children get honcho's SIGTERM too and log ERROR lines on every Ctrl-C.
    worker = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:")
    )
    assert "--pool solo" in worker


@pytest.mark.django_db
def test_the_request_log_line_reads_on_its_own_in_a_terminal(client, caplog):
    with caplog.at_level(logging.INFO, logger="portcullis.request"):
        client.get("/api/v1/sources/")
    line = next(r for r in caplog.records if r.name == "portcullis.request")
    message = line.getMessage()
    assert message.startswith("GET /api/v1/sources/ 200 ") and message.endswith(" ms")
