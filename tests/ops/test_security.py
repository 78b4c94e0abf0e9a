"""Security headers on pages and API responses; admin and write API refuse anonymous callers."""

import pytest

from tests.factories import DestinationFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_security(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


def _assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_board_page_carries_every_security_header(client, production_security):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


def test_a_destination_page_carries_every_security_header(client, production_security):
    destination = DestinationFactory()
    response = client.get(f"/destinations/{destination.slug}/", secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


def test_an_api_response_carries_every_security_header(client, production_security):
    response = client.get("/api/v1/destinations/", secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


def test_hsts_is_absent_when_disabled(client, settings):
    settings.SECURE_HSTS_SECONDS = 0
    response = client.get("/", secure=True)
    assert "Strict-Transport-Security" not in response


def test_only_the_api_docs_pages_get_a_policy_allowing_inline_code(client):
    docs = client.get("/api/v1/docs/")
    board = client.get("/")
    assert "'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "'unsafe-inline'" not in board["Content-Security-Policy"]


def test_the_admin_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/admin/advisories/claim/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_posting_a_notice_without_a_token_is_refused(client):
    source = SourceFactory()
    response = client.post(
        "/api/v1/notices/",
        {
            "source": source.slug,
            "url": "https://example.org/n/1",
            "title": "Resort closed",
            "body": "The resort is closed to foreign visitors.",
            "published_at": "2025-07-16T09:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_a_curator_override_without_a_token_is_refused(client):
    destination = DestinationFactory()
    response = client.post(
        f"/api/v1/destinations/{destination.slug}/overrides/",
        {"audience": "foreign", "status": "open", "summary": "x", "reason": "y"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_a_bad_token_is_refused_not_treated_as_anonymous(client):
    response = client.post(
        "/api/v1/notices/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token not-a-real-token",
    )
    assert response.status_code == 401
