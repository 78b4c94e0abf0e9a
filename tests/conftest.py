"""Test-wide setup: real PostgreSQL/Redis when DATABASE_URL/REDIS_URL say so, SQLite otherwise."""

import os

import pytest
from django.conf import settings as django_settings

from config.celery import app as celery_app

USING_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
USING_REDIS = bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://...")
    for item in items:
        if "postgres" in item.keywords and not USING_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not USING_REDIS:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Plain HTTP test client, unhashed static files, and a cache no other test run shares."""
    settings.SECURE_SSL_REDIRECT = False
    settings.OPS_PROBE_MIN_INTERVAL_SECONDS = 0  # each test's probe sees that test's world
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if not USING_REDIS:
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        }
    from django.core.cache import caches

    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def _gazetteer_survives_transactional_tests(request):
    """Transactional tests flush every table, the migrated country gazetteer included; put it
    back so tests that come after them see the database a fresh install has."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from destinations.models import Destination
    from destinations.services import countries_load

    if not Destination.objects.filter(kind="country").exists():
        countries_load()
    yield


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_inline():
    """Unit tests run tasks inline; tests of real workers start their own worker processes."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
