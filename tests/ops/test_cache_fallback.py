"""The Redis cache degrades to "no cache" when Redis is unreachable, and recovers cleanly."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from config.cache import ResilientRedisCache, _down_until
from destinations.status_version import VERSION_KEY
from tests.ops.servers import PrivateRedis, TcpProxy, closed_port

ROOT = Path(__file__).resolve().parents[2]


def _backend(url: str, **options) -> ResilientRedisCache:
    return ResilientRedisCache(
        url,
        {
            "KEY_PREFIX": "ops-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **options},
        },
    )


@pytest.fixture(autouse=True)
def _fresh_breaker():
    _down_until.clear()
    yield
    _down_until.clear()


def test_every_operation_behaves_as_a_miss_or_no_op_when_redis_is_unreachable():
    cache = _backend(f"redis://127.0.0.1:{closed_port()}/0")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.set("k", "v") is None
    assert cache.add("k", "v") is True  # as for an absent key: a lock never blocks all work
    assert cache.set_many({"a": 1}) == []
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.delete_many(["a"]) is None
    assert cache.get_or_set("k", "computed") == "computed"
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_after_one_failure_redis_is_not_tried_again_for_a_while():
    # A server that accepts connections and never answers: each attempt shows as a connection.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        silent.setblocking(False)
        port = silent.getsockname()[1]
        cache = _backend(f"redis://127.0.0.1:{port}/0", RETRY_AFTER_SECONDS=60)
        assert cache.get("k", "miss") == "miss"
        tried = _accept_all(silent)
        assert tried >= 1

        for _ in range(200):
            assert cache.get("k", "miss") == "miss"
        assert _accept_all(silent) == 0


def _accept_all(listener: socket.socket) -> int:
    """Accept (and close) every connection waiting on `listener`; return how many there were."""
    accepted = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return accepted
        connection.close()
        accepted += 1


needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server binary"
)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    if server.process is not None:
        server.stop()


@pytest.mark.redis
@needs_redis_server
def test_the_cache_works_again_once_redis_is_back(private_redis):
    cache = _backend(private_redis.url, RETRY_AFTER_SECONDS=0)
    cache.set("k", "before")
    private_redis.stop()
    assert cache.get("k", "miss") == "miss"
    private_redis.start()
    cache.set("k", "after")
    assert cache.get("k") == "after"


@pytest.mark.redis
@needs_redis_server
def test_a_version_key_is_dropped_when_redis_comes_back_so_no_stale_page_is_served(private_redis):
    proxy = TcpProxy(private_redis.port)
    proxy.start()
    web = _backend(proxy.url, RETRY_AFTER_SECONDS=0, INVALIDATE_ON_RECOVERY=["status-version"])
    other_reader = _backend(private_redis.url)
    web.set("status-version", "v1")
    web.set("page:v1", "board as of v1")

    proxy.cut()
    web.set("status-version", "v2")  # a status change's bump, lost in the partition
    proxy.restore()
    web.get("page:v1")  # first call after the partition

    # Had "v1" survived, every reader would keep serving the page cached before the change.
    assert other_reader.get("status-version") is None
    proxy.cut()


def test_production_settings_use_the_resilient_cache_and_drop_the_status_version_on_recovery(
    tmp_path,
):
    code = (
        "import django, json; django.setup()\n"
        "from django.conf import settings\n"
        "print(json.dumps(settings.CACHES['default']))"
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
    cache = json.loads(result.stdout.strip().splitlines()[-1])
    assert cache["BACKEND"] == "config.cache.ResilientRedisCache"
    assert VERSION_KEY in cache["OPTIONS"]["INVALIDATE_ON_RECOVERY"]
