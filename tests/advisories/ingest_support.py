"""Shared pieces of the ingestion tests: a destination the extractor knows, API clients with and
without the right to add notices, and a real HTTP server on loopback that serves test feeds."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from advisories.models import SourceKind
from tests.factories import AliasFactory, DestinationFactory, SourceFactory, UserFactory

SUSPENSION = "The Wonsan-Kalma Coastal Tourist Zone is temporarily not receiving foreign tourists."


@pytest.fixture
def kalma_zone(db):
    zone = DestinationFactory(
        name="Wonsan-Kalma Coastal Tourist Zone", slug="wonsan-kalma", kind="zone"
    )
    AliasFactory(destination=zone, name="Wonsan-Kalma")
    return zone


@pytest.fixture
def official_source(db):
    return SourceFactory(
        name="National Tourism Administration",
        slug="tourism-admin",
        kind=SourceKind.OFFICIAL,
        authority=100,
    )


def _client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def notice_writer(db) -> APIClient:
    """A client whose account may add notices."""
    user = UserFactory(username="ingest-writer")
    user.user_permissions.add(Permission.objects.get(codename="add_notice"))
    return _client_for(user)


@pytest.fixture
def notice_reader(db) -> APIClient:
    """A client with a valid token but no permission to add notices."""
    return _client_for(UserFactory(username="ingest-reader"))


# --- a feed server ------------------------------------------------------------------------------

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class FeedServer:
    """Serves `routes` (path -> function of the request headers returning a Reply) on 127.0.0.1
    and records every request it gets, headers included."""

    routes: dict[str, Callable[[dict[str, str]], Reply]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # Set at the end of each test: a route that stalls waits on it rather than on a clock.
    released: threading.Event = field(default_factory=threading.Event)

    def start(self) -> FeedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers = {key.lower(): value for key, value in self.headers.items()}
                server.requests.append((self.path, headers))
                route = server.routes.get(self.path)
                status, reply_headers, body = (
                    route(headers) if route else (404, {}, b"no such feed")
                )
                # The poller may hang up first (timeouts, size caps): what those tests want.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._reply(status, reply_headers, body)

            def _reply(self, status: int, reply_headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in reply_headers.items():
                    self.send_header(key, value)
                # "Connection: close" replies have no length: the body ends when the socket does.
                streamed = reply_headers.get("Connection") == "close"
                if "Content-Length" not in reply_headers and status != 304 and not streamed:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, format, *args) -> None:  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def paths_requested(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture(scope="session")
def _feed_server_process():
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def feed_server(_feed_server_process, settings):
    """A live feed server on loopback, which the poller may reach because tests allow it.
    One server serves the whole session; each test starts with no routes and no requests."""
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    settings.FEED_TIMEOUT_SECONDS = 5
    server = _feed_server_process
    server.routes.clear()
    server.requests.clear()
    server.released.clear()
    yield server
    server.released.set()  # let a stalled handler finish
