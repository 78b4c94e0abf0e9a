from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from advisories.ingest.recording import notice_record, source_get_or_create
from advisories.models import Delivery, DeliveryState, Notice, Source
from tests.factories import (
    NoticeFactory,
    SourceFactory,
    StatusChangeFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db
PUBLISHED = datetime(2025, 7, 16, tzinfo=UTC)


def test_the_same_text_from_one_source_is_one_notice_at_the_database_level():
    notice = NoticeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeFactory(source=notice.source, title="other", content_hash=notice.content_hash)


def test_the_same_text_from_another_source_is_that_sources_notice():
    news = SourceFactory(kind="news", authority=40)
    official = SourceFactory(kind="official", authority=100)
    first, _ = notice_record(source=news, title="Zone closed", body="Text.", published_at=PUBLISHED)

    copy, created = notice_record(
        source=official, title="Zone closed", body="Text.", published_at=PUBLISHED
    )

    assert created and copy.pk != first.pk
    assert copy.source == official and first.source == news


def test_recording_the_same_text_again_returns_the_existing_notice():
    source = SourceFactory()
    first, created = notice_record(
        source=source, title="Zone closed", body="Text.", published_at=PUBLISHED
    )
    again, created_again = notice_record(
        source=source, title="Zone  closed", body="text.", published_at=PUBLISHED
    )
    assert created and not created_again
    assert again.pk == first.pk and Notice.objects.count() == 1


def test_a_new_source_gets_the_default_authority_of_its_kind():
    official, _ = source_get_or_create(slug="ministry", kind="official")
    news, _ = source_get_or_create(slug="daily", kind="news")
    assert official.authority > news.authority


def test_source_authority_is_bounded_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(name="x", slug="x", kind="news", authority=5000)


def test_a_delivery_holds_a_claim_token_only_while_it_is_being_sent():
    change, subscription = StatusChangeFactory(), SubscriptionFactory()
    Delivery.objects.create(
        change=change, subscription=subscription, state=DeliveryState.SENDING, claim_token="b"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(subscription=subscription).update(state=DeliveryState.SENT)
