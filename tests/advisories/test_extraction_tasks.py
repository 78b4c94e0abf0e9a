"""Extraction in the worker: the task, the sweeper that re-enqueues lost work, and the web
process that never loads the language model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.signals import worker_process_init

from advisories.extraction import service as extraction_service
from advisories.extraction.nlp import model_loaded
from advisories.extraction.service import notices_reextract, notices_requeue_stale
from advisories.extraction.tasks import extract_notice
from advisories.models import Claim, Notice, NoticeState
from tests.advisories.ingest_support import SUSPENSION
from tests.factories import NoticeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pending_notice(official_source, kalma_zone):
    return NoticeFactory(source=official_source, body=SUSPENSION, queued_at=NOW)


def test_extract_notice_reads_a_pending_notice_and_writes_its_claims(pending_notice):
    outcome = extract_notice.delay(pending_notice.pk).get()

    pending_notice.refresh_from_db()
    assert pending_notice.state == NoticeState.EXTRACTED
    assert outcome == {"notice": pending_notice.pk, "state": "extracted", "claims": 1}
    assert set(pending_notice.claims.values_list("destination__slug", "status")) == {
        ("wonsan-kalma", "suspended")
    }


def test_a_redelivered_extraction_message_writes_nothing_twice(pending_notice, kalma_zone):
    extract_notice.delay(pending_notice.pk)
    claims = list(Claim.objects.values_list("pk", "review_state", "confidence"))

    again = extract_notice.delay(pending_notice.pk).get()

    assert again == {"notice": pending_notice.pk, "skipped": True}
    assert list(Claim.objects.values_list("pk", "review_state", "confidence")) == claims
    kalma_zone.refresh_from_db()
    assert kalma_zone.claims_version == 1  # reconciliation is told once, not twice


def test_a_message_for_a_notice_that_is_gone_is_dropped(db):
    assert extract_notice.delay(987654).get() == {"notice": 987654, "skipped": True}


def test_the_sweeper_enqueues_again_a_notice_whose_message_was_lost(
    official_source, kalma_zone, django_capture_on_commit_callbacks
):
    lost = NoticeFactory(
        source=official_source, body=SUSPENSION, queued_at=NOW - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        requeued = notices_requeue_stale(now=NOW)

    assert (requeued, len(enqueued)) == (1, 1)
    lost.refresh_from_db()
    assert (lost.state, lost.queued_at) == (NoticeState.EXTRACTED, NOW)
    assert lost.claims.filter(destination=kalma_zone, status="suspended").exists()


def test_the_sweeper_leaves_a_recently_queued_notice_to_its_own_message(
    official_source, django_capture_on_commit_callbacks, settings
):
    recent = NoticeFactory(
        source=official_source,
        queued_at=NOW - settings.EXTRACTION_REQUEUE_AFTER + timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        requeued = notices_requeue_stale(now=NOW)

    assert (requeued, enqueued) == (0, [])
    recent.refresh_from_db()
    assert recent.state == NoticeState.PENDING


def test_the_sweeper_enqueues_a_backlog_once_per_period_not_at_every_sweep(
    official_source, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(extract_notice, "delay", lambda notice_id: None)  # the worker is busy
    NoticeFactory(source=official_source, queued_at=NOW - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        first = notices_requeue_stale(now=NOW)
        next_minute = notices_requeue_stale(now=NOW + timedelta(minutes=1))
        after_the_period = notices_requeue_stale(now=NOW + timedelta(hours=1))

    assert (first, next_minute, after_the_period) == (1, 0, 1)


def test_an_extractor_exception_marks_the_notice_failed_and_loses_nothing(
    pending_notice, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("frame table corrupt")

    monkeypatch.setattr(extraction_service, "extract", broken)
    outcome = extract_notice.delay(pending_notice.pk).get()

    stored = Notice.objects.get(pk=pending_notice.pk)
    assert outcome == {"notice": pending_notice.pk, "state": "failed", "claims": 0}
    assert (stored.state, stored.error) == (NoticeState.FAILED, "RuntimeError: frame table corrupt")
    assert stored.body == SUSPENSION and Claim.objects.count() == 0

    monkeypatch.undo()  # the extractor is fixed; `manage.py reextract` reads it again
    assert notices_reextract().extracted == 1
    assert Notice.objects.get(pk=pending_notice.pk).claims.count() == 1


def test_a_worker_process_loads_the_language_model_as_it_starts():
    worker_process_init.send(sender=None)

    assert model_loaded()


# --- the web process -----------------------------------------------------------------------------

WEB_PROCESS = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import setup_test_environment
from rest_framework.authtoken.models import Token
from advisories.models import Source
setup_test_environment()
Source.objects.create(slug="ministry", name="Ministry", kind="official", authority=100)
token = Token.objects.create(user=User.objects.create_superuser("admin", "a@example.org", "pw"))
client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
posted = client.post(
    "/api/v1/notices/",
    {"source": "ministry", "title": "Notice", "body": sys.argv[1],
     "published_at": "2025-07-16T10:00:00+00:00"},
    content_type="application/json",
)
pages = [client.get(path).status_code for path in
         ("/", "/changes/", posted.json()["claims_url"], "/api/v1/destinations/")]
client.force_login(User.objects.get(username="admin"))
pages.append(client.get("/admin/advisories/notice/").status_code)
from advisories.extraction.nlp import model_loaded
print(json.dumps({
    "posted": posted.status_code,
    "state": posted.json()["extraction_state"],
    "pages": pages,
    "spacy_imported": "spacy" in sys.modules,
    "model_loaded": model_loaded(),
}))
"""


@pytest.mark.django_db(False)
def test_the_web_process_stores_and_serves_notices_without_loading_the_language_model(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path}/web.sqlite3",
        VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="memory://",  # a broker is there, a worker is not: nothing runs
        CELERY_TASK_ALWAYS_EAGER="0",
        SECURE_SSL_REDIRECT="0",
        DEBUG="1",
    )
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS, SUSPENSION],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])

    assert (report["posted"], report["state"]) == (202, "pending")
    assert report["pages"] == [200, 200, 200, 200, 200]
    assert report["spacy_imported"] is False
    assert report["model_loaded"] is False
