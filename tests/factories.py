"""factory_boy factories for every model tests build."""

from datetime import UTC, datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from advisories.models import Claim, Notice, ReviewState, Source, SourceKind
from destinations.models import Audience, Destination, DestinationAlias, DestinationKind, Status
from webhooks.signing import new_secret


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"curator{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Destination

    name = factory.Sequence(lambda n: f"Test Resort {n}")
    slug = factory.Sequence(lambda n: f"test-resort-{n}")
    kind = DestinationKind.RESORT
    country_code = "KP"


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DestinationAlias

    destination = factory.SubFactory(DestinationFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = SourceKind.NEWS
    authority = 40


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Notice {n}")
    body = factory.Sequence(lambda n: f"Body of notice {n}.")
    published_at = datetime(2025, 7, 16, 9, 0, tzinfo=UTC)
    content_hash = factory.LazyAttribute(
        lambda o: __import__("advisories.ingest.recording", fromlist=["x"]).notice_content_hash(
            title=o.title, body=o.body
        )
    )


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    notice = factory.SubFactory(NoticeFactory)
    destination = factory.SubFactory(DestinationFactory)
    audience = Audience.FOREIGN
    status = Status.SUSPENDED
    effective_at = datetime(2025, 7, 16, tzinfo=UTC)
    confidence = 0.9
    sentence = "The resort is temporarily not receiving foreign tourists."
    start = 0
    end = factory.LazyAttribute(lambda o: len(o.sentence))
    extractor_version = "test"
    review_state = ReviewState.AUTO


class StatusChangeFactory(factory.django.DjangoModelFactory):
    """A history entry written directly, as reconciliation would (publishing tests use it)."""

    class Meta:
        model = "destinations.StatusChange"

    destination = factory.SubFactory(DestinationFactory)
    audience = Audience.FOREIGN
    status = Status.SUSPENDED
    previous_status = Status.UNKNOWN
    effective_at = datetime(2025, 7, 16, tzinfo=UTC)
    recorded_at = factory.LazyAttribute(lambda o: o.effective_at)
    summary = factory.LazyAttribute(lambda o: f"{o.destination.name} is {o.status}.")


class CurrentStatusFactory(factory.django.DjangoModelFactory):
    """The board's projection row; by default mirrors the change it points at."""

    class Meta:
        model = "destinations.CurrentStatus"

    change = factory.SubFactory(StatusChangeFactory)
    destination = factory.LazyAttribute(lambda o: o.change.destination)
    audience = factory.LazyAttribute(lambda o: o.change.audience)
    status = factory.LazyAttribute(lambda o: o.change.status)
    since = factory.LazyAttribute(lambda o: o.change.effective_at)
    summary = factory.LazyAttribute(lambda o: o.change.summary)
    last_confirmed_at = factory.LazyAttribute(lambda o: o.change.effective_at)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed subscription to everything, sent at once (alerts tests narrow it)."""

    class Meta:
        model = "advisories.Subscription"

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    scope = "all"
    frequency = "immediate"
    confirmed_at = datetime(2025, 7, 1, tzinfo=UTC)


class WebhookUserFactory(UserFactory):
    """An account that may register webhooks (`webhooks.add_webhookendpoint`)."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"integrator{n}")

    @factory.post_generation
    def webhook_permission(user, create, extracted, **kwargs):
        if create:
            user.user_permissions.add(
                Permission.objects.get(
                    content_type__app_label="webhooks", codename="add_webhookendpoint"
                )
            )


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An endpoint as registration leaves it; ``url`` is usually the loopback receiver's."""

    class Meta:
        model = "webhooks.WebhookEndpoint"

    owner = factory.SubFactory(WebhookUserFactory)
    url = "https://hooks.example.org/portcullis"
    scope = "all"
    secret = factory.LazyFunction(new_secret)
