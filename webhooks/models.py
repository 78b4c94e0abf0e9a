"""Webhook endpoints, the deliveries owed to them, and every attempt to make one.

The invariants that must hold under concurrency are constraints: one delivery per (change,
endpoint), one fan-out mark per change, a claim token only while a delivery is being sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from destinations.models import Audience, Destination, StatusChange


class EndpointScope(models.TextChoices):
    ALL = "all", "Every destination"
    DESTINATION = "destination", "One destination (optionally with the places inside it)"
    COUNTRY = "country", "One country"


class WebhookEndpoint(models.Model):
    """A URL its owner asked us to POST status changes to, signed with its secret(s).

    Secrets are stored as given out (``whsec_<base64>``): signing needs the key itself, so it
    cannot be hashed. The previous secret keeps signing until ``previous_secret_expires_at``.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    scope = models.CharField(max_length=16, choices=EndpointScope.choices)
    destination = models.ForeignKey(
        Destination,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    include_children = models.BooleanField(
        default=True, help_text="Also changes of destinations inside this one."
    )
    country_code = models.CharField(max_length=2, blank=True)
    audience = models.CharField(
        max_length=16, blank=True, help_text="Only changes for this audience; blank: every one."
    )
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    # Health: the first failure since the last success; None while the endpoint is healthy.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The owner's "your endpoint was disabled" email: claimed with a lease, then marked sent.
    disabled_notice_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

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
                name="webhook_endpoint_scope_consistent",
            ),
            models.CheckConstraint(
                condition=Q(audience="") | Q(audience__regex=Audience.PATTERN),
                name="webhook_endpoint_audience_valid",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-id"], name="webhook_endpoint_owner_idx")]

    def __str__(self) -> str:
        return self.url


class WebhookFanOut(models.Model):
    """Marks a status change as fanned out to webhooks (StatusChange is append-only)."""

    change = models.OneToOneField(
        StatusChange, on_delete=models.PROTECT, related_name="webhook_fan_out"
    )
    deliveries = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"webhook fan-out of change {self.change_id}: {self.deliveries} deliveries"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Claimed by a sender"
    DELIVERED = "delivered", "Answered 2xx by the endpoint"
    FAILED = "failed", "Failed permanently"
    SKIPPED = "skipped", "Skipped (endpoint disabled or deleted)"


class WebhookDelivery(models.Model):
    """One change owed to one endpoint. Its primary key is the ``webhook-id`` (``msg_<pk>``),
    the same on every attempt, so a receiver can drop a copy it already has."""

    change = models.ForeignKey(
        StatusChange, on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(
        max_length=9, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "endpoint"], name="one_webhook_delivery_per_change_and_endpoint"
            ),
            models.CheckConstraint(
                condition=Q(state="sending") | Q(claim_token=""),
                name="webhook_delivery_claim_only_while_sending",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["state", "claimed_at"], name="webhook_delivery_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} change {self.change_id} -> endpoint {self.endpoint_id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.pk}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came of it; what the endpoint's owner sees."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(help_text="1 for the first attempt of the delivery.")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True, help_text="At most 1 KB, escaped.")
    outcome = models.CharField(max_length=16)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhook_attempt_endpoint_idx")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"
