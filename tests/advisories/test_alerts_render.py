"""The batch renderer writes, for every reader, exactly the email the full rendering writes."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from advisories import alerts
from destinations.models import Destination, DestinationKind, Status
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    StatusChangeFactory,
    SubscriptionFactory,
)

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_and_readers():
    country = Destination.objects.get(kind="country", country_code="KP")
    zone = DestinationFactory(
        name="Tom & Jerry <Zone>", slug="tom-jerry", kind=DestinationKind.ZONE, parent=country
    )
    change = StatusChangeFactory(
        destination=zone,
        status=Status.SUSPENDED,
        previous_status=Status.RESTRICTED,
        effective_at=NOW - timedelta(days=1),
        recorded_at=NOW,
        alters_current=True,
        summary="Closed <b>until</b> further notice & more.",
    )
    ClaimFactory(
        notice=NoticeFactory(source=SourceFactory(name="Ministry & Co")),
        destination=zone,
        sentence='"Closed" <i>now</i>.',
    ).changes.add(change)
    readers = [
        SubscriptionFactory(email="o'brien&co@example.org"),
        SubscriptionFactory(email="second@example.org"),
        SubscriptionFactory(email="zone@example.org", scope="destination", destination=zone),
        SubscriptionFactory(
            email="country@example.org",
            scope="country",
            country_code="KP",
            frequency="daily",
        ),
    ]
    return change, readers


def test_batch_renderer_gives_each_reader_the_email_the_full_rendering_gives(change_and_readers):
    change, readers = change_and_readers
    content = alerts.change_content(change)
    renderer = alerts.AlertRenderer()
    for index, reader in enumerate(readers):
        fast = renderer.message(content=content, subscription=reader, delivery_id=index)
        full = alerts.alert_message(content=content, subscription=reader, delivery_id=index)
        assert fast.body == full.body
        assert fast.alternatives == full.alternatives
        assert fast.subject == full.subject
        assert fast.to == full.to
        assert fast.extra_headers == full.extra_headers


def test_batch_renderer_puts_each_readers_own_address_and_links_in(change_and_readers):
    change, readers = change_and_readers
    content = alerts.change_content(change)
    renderer = alerts.AlertRenderer()
    first, second = (
        renderer.message(content=content, subscription=reader, delivery_id=n)
        for n, reader in enumerate(readers[:2])
    )
    second_links = alerts.SubscriberLinks.for_subscription(readers[1])
    assert "second@example.org" in second.body
    assert "o'brien" not in second.body
    assert second_links.unsubscribe in second.body
    assert second_links.unsubscribe not in first.body
    assert "o&#x27;brien&amp;co@example.org" in first.alternatives[0][0]


def test_subscriber_links_are_the_paths_reverse_gives(change_and_readers):
    _, readers = change_and_readers
    reader = readers[0]
    links = alerts.SubscriberLinks.for_subscription(reader)
    for name, url in (("manage", links.manage), ("unsubscribe", links.unsubscribe)):
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert url == alerts.absolute_url(reverse(f"advisories:{name}", kwargs={"token": token}))
        assert alerts.read_token(token, getattr(alerts.TokenPurpose, name.upper()))[0] == reader.pk


def _comparable(data: bytes) -> bytes:
    data = re.sub(rb"={15}\d+==", b"BOUNDARY", data)
    return re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: -\r\n", data)


def _parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)
