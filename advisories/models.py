"""Who says so: sources, the notices they publish and the status claims read from them."""

from __future__ import annotations

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
        max_length=64, unique=True, help_text="SHA-256 of the normalised title and body."
    )
    state = models.CharField(
        max_length=16, choices=NoticeState.choices, default=NoticeState.PENDING, db_index=True
    )
    extractor_version = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="notice_published_idx"),
            models.Index(fields=["source", "external_id"], name="notice_external_idx"),
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
    summary = models.CharField(max_length=300)
    reason = models.TextField(help_text="Why the curator decided this; kept in the audit trail.")
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
