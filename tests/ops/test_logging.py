"""Structured logs: JSON lines carrying the request id or the Celery task id."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.celery import app as celery_app
from config.logs import ContextFilter, PortcullisJsonFormatter

ROOT = Path(__file__).resolve().parents[2]


@celery_app.task(name="tests.ops.log_something")
def log_something():
    logging.getLogger("tests.ops").info("inside the task")
    return {"counted": 3}


@pytest.fixture
def json_lines():
    """Capture records through the production formatter and filter; yields parsed lines."""
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = ListHandler()
    handler.setFormatter(PortcullisJsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def _parsed(lines):
    return [json.loads(line) for line in lines]


@pytest.mark.django_db
def test_each_response_carries_a_generated_request_id(client):
    first = client.get("/api/v1/sources/")["X-Request-ID"]
    second = client.get("/api/v1/sources/")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


@pytest.mark.django_db
def test_a_sane_client_request_id_is_kept(client):
    response = client.get("/api/v1/sources/", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert response["X-Request-ID"] == "lb-1234.abc"


@pytest.mark.django_db
def test_a_hostile_client_request_id_is_replaced(client):
    response = client.get("/api/v1/sources/", HTTP_X_REQUEST_ID='x"\n{"level":"CRITICAL"}')
    assert response["X-Request-ID"] != 'x"\n{"level":"CRITICAL"}'
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_its_id_status_and_duration(client, json_lines):
    lines = json_lines
    client.get("/api/v1/schema/", HTTP_X_REQUEST_ID="trace-me-too")
    records = [r for r in _parsed(lines) if r["logger"] == "portcullis.request"]
    schema_line = next(r for r in records if r["path"] == "/api/v1/schema/")
    assert schema_line["request_id"] == "trace-me-too"
    assert schema_line["status"] == 200
    assert schema_line["method"] == "GET"
    assert schema_line["duration_ms"] >= 0
    assert schema_line["level"] == "INFO"
    assert schema_line["time"].endswith("Z")


def test_a_task_logs_its_own_lines_and_its_outcome_with_the_task_id(json_lines):
    lines = json_lines
    result = log_something.apply(task_id="task-42")
    assert result.successful()
    records = _parsed(lines)
    inside = next(r for r in records if r["message"] == "inside the task")
    finished = next(r for r in records if r["message"] == "task finished")
    assert inside["task_id"] == "task-42"
    assert inside["task_name"] == "tests.ops.log_something"
    assert finished["task_id"] == "task-42"
    assert finished["outcome"] == "success"
    assert finished["result"] == {"counted": 3}
    assert finished["duration_ms"] >= 0


def _log_format_with(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "DEBUG"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import django; django.setup()\nfrom django.conf import settings\n"
        "print(settings.LOGGING['handlers']['console']['formatter'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_logs_are_json_by_default_and_plain_for_a_developer_with_debug():
    assert _log_format_with({"DEBUG": "0"}) == "json"
    assert _log_format_with({"DEBUG": "1"}) == "plain"
    assert _log_format_with({"DEBUG": "0", "LOG_FORMAT": "plain"}) == "plain"
