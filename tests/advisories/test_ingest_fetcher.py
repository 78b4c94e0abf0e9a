"""The guarded fetcher's address check: IPv6 forms that carry an IPv4 address are judged by the
address inside, directly, after a redirect, and in the admin when a feed URL is saved."""

from datetime import UTC, datetime

import pytest

from advisories.ingest.feeds import feeds_poll_due
from advisories.ingest.fetcher import is_public_address
from advisories.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 20, 12, tzinfo=UTC)

# Each carries a private, loopback or link-local IPv4 address.
WRAPPED_PRIVATE = {
    "NAT64 of 10.0.0.1": "64:ff9b::a00:1",
    "NAT64 of 127.0.0.1": "64:ff9b::7f00:1",
    "local-use NAT64": "64:ff9b:1::a00:1",
    "6to4 of 169.254.169.254": "2002:a9fe:a9fe::1",
    "6to4 of 192.168.1.1": "2002:c0a8:101::1",
    "IPv4-compatible 127.0.0.1": "::7f00:1",
    "Teredo with client 10.0.0.1": "2001:0:4136:e378:8000:63bf:f5ff:fffe",
    "mapped 10.0.0.1": "::ffff:a00:1",
}


@pytest.mark.parametrize("address", WRAPPED_PRIVATE.values(), ids=WRAPPED_PRIVATE.keys())
def test_an_ipv6_address_carrying_a_private_ipv4_address_is_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "8.8.8.8", "2606:4700::1"]
)
def test_the_same_forms_carrying_a_public_address_stay_public(address):
    assert is_public_address(address)


@pytest.mark.parametrize("address", WRAPPED_PRIVATE.values(), ids=WRAPPED_PRIVATE.keys())
def test_a_feed_at_a_wrapped_private_address_is_refused_without_connecting(settings, address):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    source = SourceFactory(feed_url=f"http://[{address}]/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert source.last_error.startswith("Refused:")


def test_a_redirect_to_a_wrapped_private_address_is_refused(feed_server, settings):
    # The first hop is a feed server the deployment trusts; where it redirects to is not.
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    target = "http://[64:ff9b::a00:1]:8080/feed"
    feed_server.routes["/moved"] = lambda headers: (302, {"Location": target}, b"")
    source = SourceFactory(feed_url=feed_server.url("/moved"))

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert source.last_error.startswith("Refused:") and "64:ff9b::a00:1" in source.last_error
    assert feed_server.paths_requested() == ["/moved"]


def test_a_trusted_network_is_fetched_from_although_it_is_private(feed_server, settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    feed_server.routes["/feed"] = lambda headers: (200, {"Content-Type": "text/xml"}, b"<rss/>")
    source = SourceFactory(feed_url=feed_server.url("/feed"))

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert not source.last_error.startswith("Refused:")
    assert feed_server.paths_requested() == ["/feed"]


def _add_source(admin_client, feed_url: str):
    return admin_client.post(
        "/admin/advisories/source/add/",
        {
            "name": "Harbour Wire",
            "slug": "harbour-wire",
            "kind": "news",
            "authority": "40",
            "homepage": "",
            "feed_url": feed_url,
            "poll_interval": "00:30:00",
            "is_active": "on",
        },
    )


def test_the_admin_refuses_a_feed_url_at_a_wrapped_private_address(admin_client, settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False

    page = _add_source(admin_client, "http://[64:ff9b::7f00:1]/feed")

    assert page.status_code == 200  # the form again, with its error
    assert b"Refused:" in page.content
    assert not Source.objects.filter(slug="harbour-wire").exists()


def test_the_admin_saves_a_feed_url_at_a_public_address(admin_client, settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False

    page = _add_source(admin_client, "http://[2606:4700::1]/feed")

    assert page.status_code == 302, page.content.decode()[-2000:]
    assert Source.objects.filter(slug="harbour-wire").exists()
