"""The Redis cache degrades to "no cache" when Redis is unreachable, and recovers cleanly."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
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
            assert cache.get_hot("k", "miss") == "miss"
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


@pytest.mark.redis
@needs_redis_server
def test_a_hot_read_sees_what_another_client_wrote(private_redis):
    reader = _backend(private_redis.url)
    writer = _backend(private_redis.url)
    assert reader.get_hot("version", "none") == "none"
    writer.set("version", "v1")
    assert reader.get_hot("version") == "v1"
    writer.set("version", "v2")
    assert reader.get_hot("version") == "v2"


@pytest.mark.redis
@needs_redis_server
def test_a_hot_read_over_a_broken_link_is_a_miss_and_the_next_one_reconnects(private_redis):
    proxy = TcpProxy(private_redis.port)
    proxy.start()
    cache = _backend(proxy.url, RETRY_AFTER_SECONDS=0)
    cache.set("version", "v1")
    assert cache.get_hot("version") == "v1"

    proxy.cut()
    assert cache.get_hot("version", "miss") == "miss"
    proxy.restore()
    assert cache.get_hot("version") == "v1"
    proxy.cut()


@pytest.mark.redis
@needs_redis_server
def test_a_reply_left_unread_by_a_timeout_is_never_taken_for_the_next_answer(private_redis):
    cache = _backend(private_redis.url, RETRY_AFTER_SECONDS=0)
    cache.set("first", "one")
    cache.set("second", "two")
    assert cache.get_hot("first") == "one"  # this thread now holds a connection

    # A script that keeps the server busy for a second: the next read times out (0.5 s) and its
    # reply ("one") arrives later, on that connection.
    busy = threading.Thread(
        target=_backend(private_redis.url, socket_timeout=5)._cache.get_client(write=True).eval,
        args=(
            "local t0 = redis.call('TIME') repeat local t = redis.call('TIME') "
            "until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1000000",
            0,
        ),
    )
    busy.start()
    time.sleep(0.1)
    assert cache.get_hot("first", "miss") == "miss"
    busy.join()

    assert cache.get_hot("second") == "two"


@pytest.mark.redis
@needs_redis_server
def test_threads_reading_hot_keys_at_once_each_get_their_own_answer(private_redis):
    cache = _backend(private_redis.url)
    for n in range(8):
        cache.set(f"key-{n}", f"value-{n}")
    wrong: list[tuple[int, object]] = []

    def read(n: int) -> None:
        for _ in range(300):
            value = cache.get_hot(f"key-{n}")
            if value != f"value-{n}":
                wrong.append((n, value))

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
