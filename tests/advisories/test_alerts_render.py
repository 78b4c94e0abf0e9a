"""The batch renderer writes, for every reader, exactly the email the full rendering writes."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail.message import sanitize_address
from django.urls import reverse

from advisories.alerts import rendering
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
    content = rendering.change_content(change)
    renderer = rendering.AlertRenderer()
    # Signed links carry a timestamp: the two renderings must see the same second.
    with time_machine.travel(NOW, tick=False):
        pairs = [
            (
                renderer.message(content=content, subscription=reader, delivery_id=index),
                rendering.alert_message(content=content, subscription=reader, delivery_id=index),
            )
            for index, reader in enumerate(readers)
        ]
    for fast, full in pairs:
        assert fast.body == full.body
        assert fast.alternatives == full.alternatives
        assert fast.subject == full.subject
        assert fast.to == full.to
        assert fast.extra_headers == full.extra_headers


def test_batch_renderer_puts_each_readers_own_address_and_links_in(change_and_readers):
    change, readers = change_and_readers
    content = rendering.change_content(change)
    renderer = rendering.AlertRenderer()
    first, second = (
        renderer.message(content=content, subscription=reader, delivery_id=n)
        for n, reader in enumerate(readers[:2])
    )
    second_links = rendering.SubscriberLinks.for_subscription(readers[1])
    assert "second@example.org" in second.body
    assert "o'brien" not in second.body
    assert second_links.unsubscribe in second.body
    assert second_links.unsubscribe not in first.body
    assert "o&#x27;brien&amp;co@example.org" in first.alternatives[0][0]


def test_subscriber_links_are_the_paths_reverse_gives(change_and_readers):
    _, readers = change_and_readers
    reader = readers[0]
    links = rendering.SubscriberLinks.for_subscription(reader)
    for name, url in (("manage", links.manage), ("unsubscribe", links.unsubscribe)):
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert url == rendering.absolute_url(reverse(f"advisories:{name}", kwargs={"token": token}))
        purpose = getattr(rendering.TokenPurpose, name.upper())
        assert rendering.read_token(token, purpose)[0] == reader.pk


def _djangos_bytes_for(message, wire) -> bytes:
    """What Django's own path writes for this email, with the wire's boundary and date."""
    sent = email.message_from_bytes(wire.data)
    mime = message.message()
    mime.set_boundary(sent.get_boundary())
    mime.replace_header("Date", sent["Date"])
    return mime.as_bytes(linesep="\r\n")


def test_each_readers_ready_bytes_are_what_djangos_smtp_backend_would_send(change_and_readers):
    change, readers = change_and_readers
    content = rendering.change_content(change)
    renderer = rendering.AlertRenderer()
    for index, reader in enumerate(readers):
        message = renderer.message(content=content, subscription=reader, delivery_id=index)
        assert message.wire is not None
        assert message.wire.data == _djangos_bytes_for(message, message.wire)
        assert message.wire.recipients == [sanitize_address(reader.email, "utf-8")]
        assert message.wire.sender == sanitize_address(message.from_email, "utf-8")


def test_a_reader_whose_address_is_not_plain_ascii_gets_djangos_full_path(change_and_readers):
    change, _ = change_and_readers
    reader = SubscriptionFactory(email="jürgen@bücher.example")
    message = rendering.AlertRenderer().message(
        content=rendering.change_content(change), subscription=reader, delivery_id=1
    )
    assert message.wire is None
    assert "jürgen@bücher.example" in message.body
    assert message.message()["To"] == "=?utf-8?q?j=C3=BCrgen?=@xn--bcher-kva.example"
