"""Alert emails are rendered for each reader: their own address, links and Message-ID, with
notice text escaped where HTML needs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from advisories.alerts import messages, tokens
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


def test_each_reader_gets_their_own_address_and_links(change_and_readers):
    change, readers = change_and_readers
    content = messages.change_content(change)
    first, second = (
        messages.alert_message(content=content, subscription=reader, delivery_id=n)
        for n, reader in enumerate(readers[:2])
    )
    second_links = tokens.SubscriberLinks.for_subscription(readers[1])
    assert second.to == ["second@example.org"]
    assert "second@example.org" in second.body
    assert "o'brien" not in second.body
    assert second_links.unsubscribe in second.body
    assert second_links.unsubscribe not in first.body
    assert "o&#x27;brien&amp;co@example.org" in first.alternatives[0][0]
    assert first.extra_headers["Message-ID"] != second.extra_headers["Message-ID"]


def test_notice_text_is_escaped_in_the_html_part_and_kept_in_the_text_part(change_and_readers):
    change, readers = change_and_readers
    message = messages.alert_message(
        content=messages.change_content(change), subscription=readers[0], delivery_id=1
    )
    html = message.alternatives[0][0]
    assert "Tom &amp; Jerry &lt;Zone&gt;" in html
    assert "<b>until</b>" not in html
    assert "Closed <b>until</b> further notice & more." in message.body
    assert message.subject.startswith("Tom & Jerry <Zone>: suspended")


def test_subscriber_links_are_the_paths_reverse_gives(change_and_readers):
    _, readers = change_and_readers
    reader = readers[0]
    links = tokens.SubscriberLinks.for_subscription(reader)
    for name, url in (("manage", links.manage), ("unsubscribe", links.unsubscribe)):
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert url == tokens.absolute_url(reverse(f"advisories:{name}", kwargs={"token": token}))
        purpose = getattr(tokens.TokenPurpose, name.upper())
        assert tokens.read_token(token, purpose)[0] == reader.pk


def test_a_reader_whose_address_is_not_plain_ascii_gets_an_encoded_to_header(change_and_readers):
    change, _ = change_and_readers
    reader = SubscriptionFactory(email="jürgen@bücher.example")
    message = messages.alert_message(
        content=messages.change_content(change), subscription=reader, delivery_id=1
    )
    assert "jürgen@bücher.example" in message.body
    assert message.message()["To"] == "=?utf-8?q?j=C3=BCrgen?=@xn--bcher-kva.example"
