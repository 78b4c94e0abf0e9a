"""Fixtures for advisories tests: a real SMTP server on loopback for the alerts tests."""

import pytest

from tests.advisories.ingest_support import (  # noqa: F401 - ingestion tests' fixtures
    _feed_server_process,
    feed_server,
    kalma_zone,
    notice_reader,
    notice_writer,
    official_source,
)
from tests.advisories.smtp_sink import SmtpSink


@pytest.fixture(scope="session")
def _smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(_smtp_sink, settings):
    """Django's SMTP backend pointed at the loopback server; its record starts empty."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    _smtp_sink.handler.reset()
    yield _smtp_sink.handler
    _smtp_sink.handler.reset()
