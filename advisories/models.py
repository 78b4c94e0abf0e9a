"""Who says so: sources, the notices they publish and the status claims read from them."""

from __future__ import annotations

import secrets

import pycountry
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from destinations.models import AUDIENCE_CHECK, Audience, Destination, Status, StatusChange


class SourceKind(models.TextChoices):
    OFFICIAL = "official", "Official"
    OPERATOR = "operator", "Tour operator"
    NEWS = "news", "News outlet"
    OTHER = "other", "Other"


# An official source outranks a tour operator, who outranks the news.
DEFAULT_AUTHORITY = {
    SourceKind.OFFICIAL: 100,
    SourceKind.OPERATOR: 60,
    SourceKind.NEWS: 40,
    SourceKind.OTHER: 20,
}
# A source nobody has rated yet (created implicitly, kind unknown) weighs least of all.
UNRATED_AUTHORITY = min(DEFAULT_AUTHORITY.values())


class Source(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.NEWS)
    authority = models.PositiveSmallIntegerField(
        help_text="Weight of this source's word: official 100, operator 60, news 40, other 20."
    )
    homepage = models.URLField(blank=True)
    feed_url = models.URLField(blank=True, max_length=500)
    poll_interval = models.DurationField(
        default=timezone.timedelta(hours=1), help_text="How often the feed is polled."
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    needs_rating = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Created implicitly (by ingesting under a new slug): a curator should check its "
        "kind and authority. Cleared when a curator sets the authority.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authority__lte=1000), name="source_authority_bounded"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.authority is None:
            self.authority = DEFAULT_AUTHORITY[SourceKind(self.kind)]
        super().save(*args, **kwargs)


class NoticeState(models.TextChoices):
    PENDING = "pending", "Pending extraction"
    EXTRACTED = "extracted", "Extracted"
    FAILED = "failed", "Extraction failed"


class Notice(models.Model):
    """One published text. Body is plain text: any HTML was reduced to text before storing."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="notices")
    url = models.URLField(max_length=1000, blank=True)
    external_id = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=500)
    body = models.TextField()
    language = models.CharField(max_length=16, default="en")
    published_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(
        max_length=64,
        db_index=True,
        help_text="SHA-256 of the normalised title and body. One notice per text and source: "
        "the same text from another source is that source's notice too (its evidence), though "
        "reconciliation counts a verbatim copy as the same report.",
    )
    state = models.CharField(
        max_length=16, choices=NoticeState.choices, default=NoticeState.PENDING, db_index=True
    )
    extractor_version = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(
        default=timezone.now,
        help_text="When its extraction was last enqueued; a notice still pending long after is "
        "enqueued again by the extraction sweeper.",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="notice_published_idx"),
            models.Index(fields=["source", "external_id"], name="notice_external_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_hash"], name="one_notice_per_text_and_source"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """The text claims' offsets point into: title, a blank line, then the body."""
        return f"{self.title}\n\n{self.body}"


class ReviewState(models.TextChoices):
    AUTO = "auto", "Automatic"
    NEEDS_REVIEW = "needs_review", "Needs review"
    ACCEPTED = "accepted", "Accepted by a curator"
    REJECTED = "rejected", "Rejected by a curator"


class Claim(models.Model):
    """One assertion read from a notice: this destination has this status for this audience."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="claims")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="claims")
    audience = models.CharField(max_length=16, default=Audience.FOREIGN)
    status = models.CharField(max_length=16, choices=Status.choices)
    effective_at = models.DateTimeField()
    confidence = models.FloatField()
    sentence = models.TextField(help_text="The evidence, quoted from the notice.")
    start = models.PositiveIntegerField(help_text="Offset of the sentence in the notice text.")
    end = models.PositiveIntegerField()
    extractor_version = models.CharField(max_length=32)
    category = models.CharField(max_length=32, blank=True)
    review_state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.AUTO, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    changes = models.ManyToManyField(StatusChange, blank=True, related_name="claims")

    class Meta:
        ordering = ["-effective_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=AUDIENCE_CHECK, name="claim_audience_valid"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="claim_confidence_range"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="claim_span"),
            models.UniqueConstraint(
                fields=["notice", "destination", "audience", "status", "effective_at", "start"],
                name="claim_unique_per_notice",
            ),
        ]
        indexes = [
            models.Index(
                fields=["destination", "audience", "effective_at"], name="claim_timeline_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination}: {self.status} ({self.audience}) from {self.notice}"


class UnmatchedPlace(models.Model):
    """A place-like name seen in a status sentence that matches no destination yet."""

    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, unique=True)
    first_notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sentence = models.TextField(blank=True)
    seen_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_destination = models.ForeignKey(
        Destination, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-seen_count", "name"]

    def __str__(self) -> str:
        return self.name


class CuratorOverride(models.Model):
    """A curator's decision that wins over automatic reconciliation until it ends or is revoked."""

    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="overrides")
    audience = models.CharField(max_length=16, default=Audience.FOREIGN)
    status = models.CharField(max_length=16, choices=Status.choices)
    summary = models.CharField(
        max_length=300, help_text="Public note: shown to readers with the status it sets."
    )
    reason = models.TextField(
        help_text="Why the curator decided this: private, kept in the admin's audit trail."
    )
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=AUDIENCE_CHECK, name="override_audience_valid"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="override_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination} ({self.audience}) → {self.status} by {self.curator}"


# --- Alerts: who is told ------------------------------------------------------------------------


def new_subscription_key() -> str:
    """A random per-subscription secret signed into its links; rotating it revokes old links."""

    return secrets.token_urlsafe(18)


class SubscriptionScope(models.TextChoices):
    ALL = "all", "Every destination"
    DESTINATION = "destination", "One destination"
    COUNTRY = "country", "One country"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "As soon as a status changes"
    DAILY = "daily", "Daily digest"


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> SubscriptionQuerySet:
        """Confirmed and not unsubscribed: the only subscriptions anything is sent to."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """One address asking to be told about one scope. Nothing but a confirmation request is sent
    until ``confirmed_at`` is set (double opt-in)."""

    email = models.EmailField(max_length=254, help_text="Stored lower-cased.")
    scope = models.CharField(max_length=16, choices=SubscriptionScope.choices)
    destination = models.ForeignKey(
        Destination, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    include_children = models.BooleanField(
        default=True, help_text="Also tell about destinations inside this one."
    )
    country_code = models.CharField(max_length=2, blank=True)
    frequency = models.CharField(
        max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    key = models.CharField(max_length=32, default=new_subscription_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="all", destination__isnull=True, country_code="")
                    | Q(scope="destination", destination__isnull=False, country_code="")
                    | Q(
                        scope="country", destination__isnull=True, country_code__regex=r"^[A-Z]{2}$"
                    )
                ),
                name="subscription_scope_consistent",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(scope="all"), name="one_all_subscription_per_email"
            ),
            models.UniqueConstraint(
                fields=["email", "destination"],
                condition=Q(scope="destination"),
                name="one_destination_subscription_per_email",
            ),
            models.UniqueConstraint(
                fields=["email", "country_code"],
                condition=Q(scope="country"),
                name="one_country_subscription_per_email",
            ),
        ]
        indexes = [
            models.Index(
                fields=["scope", "frequency"],
                condition=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True),
                name="subscription_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.scope_label}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    @property
    def scope_label(self) -> str:
        if self.scope == SubscriptionScope.DESTINATION and self.destination is not None:
            suffix = " and places inside it" if self.include_children else ""
            return f"{self.destination.name}{suffix}"
        if self.scope == SubscriptionScope.COUNTRY:
            country = pycountry.countries.get(alpha_2=self.country_code)
            return f"anywhere in {country.name if country else self.country_code}"
        return "every destination"


class FanOut(models.Model):
    """Marks a status change as fanned out. StatusChange is append-only, so the mark lives here."""

    change = models.OneToOneField(StatusChange, on_delete=models.PROTECT, related_name="fan_out")
    deliveries = models.PositiveIntegerField(default=0, help_text="Delivery rows created.")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"fan-out of change {self.change_id}: {self.deliveries} deliveries"


class DeliveryKind(models.TextChoices):
    ALERT = "alert", "Alert for one change"
    DIGEST = "digest", "Daily digest"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Claimed by a sender"
    SENT = "sent", "Accepted by the mail server"
    FAILED = "failed", "Failed permanently"
    SKIPPED = "skipped", "Skipped (unsubscribed or nothing to say)"


class Delivery(models.Model):
    """One email owed to one subscription: an alert for one change, or one day's digest.

    The unique constraints are what make delivery exactly-once under duplicated task messages;
    ``state`` moves pending -> sending (claimed, with a lease) -> sent only once the mail server
    accepted the message.
    """

    kind = models.CharField(max_length=8, choices=DeliveryKind.choices, default=DeliveryKind.ALERT)
    change = models.ForeignKey(
        StatusChange, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    digest_day = models.DateField(null=True, blank=True)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "subscription"], name="one_delivery_per_change_and_subscription"
            ),
            models.UniqueConstraint(
                fields=["subscription", "digest_day"],
                condition=Q(digest_day__isnull=False),
                name="one_digest_per_subscription_and_day",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="alert", change__isnull=False, digest_day__isnull=True)
                    | Q(kind="digest", change__isnull=True, digest_day__isnull=False)
                ),
                name="delivery_kind_consistent",
            ),
            # A claim token names the sender holding a "sending" row's lease and nothing else:
            # every mark clears it. The senders' guarded writes rely on this.
            models.CheckConstraint(
                condition=Q(claim_token="") | Q(state="sending"),
                name="delivery_claim_only_while_sending",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="delivery_due_idx",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(state="sending"), name="delivery_leased_idx"
            ),
            models.Index(fields=["state", "-created_at"], name="delivery_state_idx"),
        ]

    def __str__(self) -> str:
        what = f"change {self.change_id}" if self.kind == DeliveryKind.ALERT else self.digest_day
        return f"{self.kind} {what} to {self.subscription_id}: {self.state}"
