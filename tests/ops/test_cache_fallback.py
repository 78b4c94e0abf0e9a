"""Redis unreachable means "no cache": pages answer, and none cached before is served after."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction

from advisories.reconciliation.tasks import reconcile
from destinations.models import Status
from destinations.status_version import VERSION_KEY, status_cache_bump
from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory
from tests.ops.servers import PrivateRedis, TcpProxy, closed_port, redis_cache

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server binary"
)


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": redis_cache(f"redis://127.0.0.1:{closed_port()}/0"),
    }


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    if server.process is not None:
        server.stop()


@pytest.fixture
def partitioned(private_redis, settings):
    """The cache reached through a link the test can cut: a partition that keeps Redis's data."""
    proxy = TcpProxy(private_redis.port)
    proxy.start()
    settings.CACHES = {**settings.CACHES, "default": redis_cache(proxy.url)}
    yield proxy
    proxy.cut()


@pytest.fixture
def kalma():
    place = DestinationFactory(name="Wonsan-Kalma", slug="wonsan-kalma")
    CurrentStatusFactory(
        change=StatusChangeFactory(
            destination=place, status=Status.SUSPENDED, summary="Closed to foreigners."
        )
    )
    return place


def reopen(place, on_commit) -> None:
    """A status change, committed: its bump goes to the cache on commit."""
    with on_commit(execute=True), transaction.atomic():
        place.current_statuses.all().delete()
        CurrentStatusFactory(
            change=StatusChangeFactory(
                destination=place, status=Status.OPEN, summary="Receiving foreign tourists again."
            )
        )


PAGES = [
    "/",
    "/destinations/wonsan-kalma/",
    "/api/v1/destinations/wonsan-kalma/",
    "/api/v1/changes/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_and_the_api_answer_from_the_database_when_redis_is_unreachable(
    client, unreachable_cache, kalma, url
):
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert "Closed to foreigners" in second.content.decode()


def test_every_cache_operation_is_a_miss_or_a_no_op_when_redis_is_unreachable(unreachable_cache):
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert not cache.has_key("k")
    cache.set("k", "v")
    cache.set_many({"a": 1})
    cache.delete("k")
    assert cache.get_or_set("k", "computed") == "computed"
    # An add-lock is not taken: a reconciliation run waits for the cache (the next beat runs it).
    assert not cache.add("k", "v")
    assert reconcile.apply().get() == {"skipped_overlapping_run": 1}


@pytest.mark.redis
@needs_redis_server
def test_the_cache_works_again_once_redis_is_back(private_redis, settings):
    settings.CACHES = {**settings.CACHES, "default": redis_cache(private_redis.url)}
    cache.set("k", "before")
    private_redis.stop()
    assert cache.get("k", "miss") == "miss"
    private_redis.start()
    cache.set("k", "after")
    assert cache.get("k") == "after"


@pytest.mark.redis
@needs_redis_server
@pytest.mark.parametrize("url", ["/", "/destinations/wonsan-kalma/"])
def test_a_change_made_during_a_partition_is_shown_once_redis_answers_again(
    client, partitioned, kalma, url, django_capture_on_commit_callbacks
):
    before = client.get(url)
    assert "Closed to foreigners" in client.get(url).content.decode()  # cached, Redis kept it

    partitioned.cut()
    reopen(kalma, django_capture_on_commit_callbacks)  # its bump is lost in the partition
    assert "Receiving foreign tourists again" in client.get(url).content.decode()
    partitioned.restore()

    # Redis still holds the old version and the page cached under it; neither may come back.
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "Receiving foreign tourists again" in after.content.decode()


@pytest.mark.redis
@needs_redis_server
def test_a_bump_a_worker_lost_in_a_partition_is_made_before_its_next_task(
    client, partitioned, kalma
):
    client.get("/")
    before = cache.get(VERSION_KEY)
    partitioned.cut()
    status_cache_bump()  # a worker's on-commit bump, lost
    partitioned.restore()
    assert cache.get(VERSION_KEY) == before  # what every web process would go on serving...
    reconcile.apply()  # ...until the next task the beat hands this worker
    assert cache.get(VERSION_KEY) not in (None, before)


@pytest.mark.redis
@needs_redis_server
def test_a_redis_restarted_empty_serves_no_page_cached_before_it(
    client, private_redis, settings, kalma, django_capture_on_commit_callbacks
):
    settings.CACHES = {**settings.CACHES, "default": redis_cache(private_redis.url)}
    etag = client.get("/")["ETag"]
    private_redis.stop()
    reopen(kalma, django_capture_on_commit_callbacks)
    private_redis.start()
    after = client.get("/", headers={"if-none-match": etag})
    assert after.status_code == 200
    assert "Receiving foreign tourists again" in after.content.decode()


def test_production_settings_use_django_redis_ignoring_and_logging_its_errors(tmp_path):
    code = (
        "import django, json; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps([s.CACHES['default'], s.DJANGO_REDIS_IGNORE_EXCEPTIONS,"
        " s.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        REDIS_URL="redis://cache.internal:6379/2",
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
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
    backend, ignore, log = json.loads(result.stdout.strip().splitlines()[-1])
    assert backend["BACKEND"] == "django_redis.cache.RedisCache"
    assert backend["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 1
    assert backend["OPTIONS"]["SOCKET_TIMEOUT"] <= 1
    assert ignore is True and log is True
