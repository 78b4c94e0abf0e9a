"""Fixtures of the ops tests: a whole private stack of real processes for fault tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from tests.advisories.ingest_support import notice_writer  # noqa: F401  (a fixture)
from tests.ops.servers import PrivateRedis, redis_cache, use_broker
from tests.ops.smtp import SmtpSink
from tests.ops.workers import Beat, Worker, service_env

ALERTS_LEASE_SECONDS = 2


@dataclass
class Stack:
    redis: PrivateRedis
    smtp: SmtpSink
    env: dict[str, str]
    dir: Path
    processes: list

    def worker(self, *, concurrency: int = 1, log: str = "worker.log") -> Worker:
        worker = Worker(self.env, self.dir / log, concurrency=concurrency)
        self.processes.append(worker)
        worker.start()
        return worker

    def beat(self, name: str, **intervals) -> Beat:
        env = {**self.env, **{k: str(v) for k, v in intervals.items()}}
        beat = Beat(env, self.dir / f"{name}.log", self.dir / f"{name}-schedule")
        self.processes.append(beat)
        beat.start()
        return beat


def database_url() -> str:
    db = connection.settings_dict  # inside a test: the test database's real name
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def stack(tmp_path, settings):
    """Private Redis (broker and cache), SMTP sink, and a way to start workers and beats on them.

    Use with `django_db(transaction=True)` on PostgreSQL: the workers must see committed rows.
    """
    redis = PrivateRedis()
    redis.start()
    smtp = SmtpSink().start()
    env = service_env(
        database_url=database_url(),
        redis_url=redis.url,
        smtp_port=smtp.port,
        var_dir=tmp_path,
        ALERTS_LEASE_SECONDS=ALERTS_LEASE_SECONDS,
    )
    # This process enqueues through the same broker and shares the cache, like a web process.
    settings.CACHES = {**settings.CACHES, "default": redis_cache(redis.url)}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    original_broker = celery_app.conf.broker_url
    use_broker(redis.url)
    celery_app.conf.task_always_eager = False
    running = Stack(redis, smtp, env, tmp_path, [])
    yield running
    for process in running.processes:
        process.stop()
    celery_app.conf.task_always_eager = True
    use_broker(original_broker)
    smtp.stop()
    redis.stop()
