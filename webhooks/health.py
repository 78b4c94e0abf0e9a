"""An endpoint's health: a success clears its failing streak; a failure starts one, and a streak
older than WEBHOOK_DISABLE_AFTER (no success since its first failure) disables the endpoint and
mails its owner, once.

The owner's email is exactly-once in the way the alerts are: the endpoint row is claimed for it
with a lease (``disabled_notice_claimed_at``), the mail is handed to the server, then the row is
marked sent. A mail server that fails gives the claim back for the sweep to try again; a worker
killed between the server's acceptance and the mark re-sends after the lease, at most once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse

from webhooks.models import WebhookEndpoint

logger = logging.getLogger(__name__)


def endpoint_succeeded(*, endpoint_id: int, now: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(failing_since=None, last_success_at=now)


def endpoint_failed(*, endpoint_id: int, now: datetime) -> bool:
    """Record a failure; disable the endpoint when its streak is old enough. True if this call
    disabled it (each UPDATE is conditional, so two workers cannot both disable it)."""
    WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(
        failing_since=now
    )
    cutoff = now - settings.WEBHOOK_DISABLE_AFTER
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint_id, is_active=True, failing_since__lte=cutoff
    ).update(
        is_active=False,
        disabled_at=now,
        disabled_reason=(
            f"No successful delivery for {settings.WEBHOOK_DISABLE_AFTER} since the first failure."
        ),
    )
    if disabled:
        logger.warning("webhook endpoint %s disabled after failing continuously", endpoint_id)
        disabled_notices_send(now=now, endpoint_id=endpoint_id)
    return bool(disabled)


def _notice(endpoint: WebhookEndpoint) -> EmailMessage:
    admin_path = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    body = (
        f"Hello {endpoint.owner.get_username()},\n\n"
        f"Your webhook endpoint {endpoint.url} (id {endpoint.pk}) has been disabled: it has not "
        f"accepted a delivery since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC.\n\n"
        "No more status changes will be sent to it. Once the receiver answers 2xx again, turn it "
        f"back on with PATCH {settings.SITE_URL}/api/v1/webhooks/{endpoint.pk}/ "
        '{"is_active": true}, or in the admin: '
        f"{settings.SITE_URL}{admin_path}\n\n"
        "The delivery attempts and what the receiver answered are listed at "
        f"{settings.SITE_URL}/api/v1/webhooks/{endpoint.pk}/attempts/\n"
    )
    return EmailMessage(
        subject="Portcullis: your webhook endpoint was disabled",
        body=body,
        to=[endpoint.owner.email],
    )


def disabled_notices_send(*, now: datetime, endpoint_id: int | None = None) -> int:
    """Mail the owner of each disabled endpoint not yet told (or only ``endpoint_id``'s)."""
    owed = WebhookEndpoint.objects.filter(
        is_active=False, disabled_at__isnull=False, disabled_notice_sent_at__isnull=True
    )
    if endpoint_id is not None:
        owed = owed.filter(pk=endpoint_id)
    lease_end = now - settings.WEBHOOK_LEASE
    free = Q(disabled_notice_claimed_at__isnull=True) | Q(disabled_notice_claimed_at__lte=lease_end)
    sent = 0
    for endpoint in owed.filter(free).select_related("owner").order_by("id"):
        rows = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_notice_sent_at__isnull=True)
        if not rows.filter(free).update(disabled_notice_claimed_at=now):
            continue  # another worker has it
        if endpoint.owner.email:
            try:
                _notice(endpoint).send()
            except Exception:  # the mail server's trouble; the sweep tries again
                logger.exception("webhook disabled notice for endpoint %s not sent", endpoint.pk)
                rows.update(disabled_notice_claimed_at=None)
                continue
            sent += 1
        rows.update(disabled_notice_sent_at=now)
    return sent
