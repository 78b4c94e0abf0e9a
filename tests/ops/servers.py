"""Throwaway servers for fault tests: a private Redis and a private PostgreSQL cluster.

Fault tests stop and start these, never the machine's shared Redis (6379) or PostgreSQL (5432),
which other test runs use at the same time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def migrate(env: dict[str, str]) -> None:
    """Migrate the database a service process under test will use, with that process's env."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released, so a connect is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port() -> int:
    return closed_port()


def use_broker(url: str) -> None:
    """Point this process's Celery app at another broker, dropping pooled connections."""
    from kombu import pools

    from config.celery import app

    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


def redis_cache(url: str, *, timeout: float = 0.5, **params) -> dict:
    """A CACHES entry for django-redis at `url`, configured as production's (settings.py)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "portcullis",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout},
        **params,
    }


def wait_until(predicate, *, timeout: float, what: str) -> None:
    """Poll `predicate` until true; a server start is the one thing worth waiting for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
    except OSError:
        return False
    return True


class PrivateRedis:
    """A redis-server on its own port, without persistence, that a test can stop and start."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _accepts(self.port), timeout=10, what=f"redis on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_until(lambda: not _accepts(self.port), timeout=10, what="redis to stop")


def _as_postgres_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb + pg_ctl) on its own port, in a temp directory.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
    """

    def __init__(self, base: Path, port: int | None = None):
        self.port = port or free_port()
        self.base = base
        self.data = base / "data"
        self.socket_dir = base / "sock"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _binary(self, name: str) -> str:
        found = shutil.which(name) or f"/usr/local/bin/{name}"
        if not os.path.exists(found):
            raise RuntimeError(f"{name} is not installed")
        return found

    def init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.socket_dir, "postgres")
            self.base.chmod(0o700)
        subprocess.run(
            _as_postgres_user(
                [
                    self._binary("initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.socket_dir} -c fsync=off"
        subprocess.run(
            _as_postgres_user(
                [
                    self._binary("pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "30",
                    "-l",
                    str(self.base / "log"),
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user(
                [self._binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            ),
            check=True,
            capture_output=True,
        )

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user(
                    [self._binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
                ),
                capture_output=True,
            )
        shutil.rmtree(self.base, ignore_errors=True)


class TcpProxy:
    """A loopback TCP forwarder whose link can be cut and restored: a network partition in a box.

    Unlike stopping the server, cutting the proxy keeps the server's data, which is what a real
    partition between an app server and Redis looks like.
    """

    def __init__(self, target_port: int):
        import threading

        self.target_port = target_port
        self.port = free_port()
        self._threading = threading
        self._listener: socket.socket | None = None
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and break every open one."""
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            links, self._links = self._links, []
        for sock in links:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.start()
