"""What a webhook says: the changes API's change object, with links, in the Standard Webhooks
envelope ``{"type": "status.changed", "timestamp": ..., "data": {...}}``.

The body is built from the change alone, so every attempt of a delivery sends the same bytes.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from advisories.alerts.messages import destination_path
from destinations.models import StatusChange
from publishing.api.serializers import ChangeSerializer

EVENT_TYPE = "status.changed"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def change_links(change: StatusChange) -> dict[str, str]:
    """Where the receiver can read more: the destination in the API, its history, its page."""
    slug = change.destination.slug
    return {
        "destination_api": _absolute(
            reverse("destinations_api:destination-detail", kwargs={"slug": slug})
        ),
        "history_api": _absolute(
            reverse("destinations_api:destination-history", kwargs={"slug": slug})
        ),
        "destination_page": _absolute(destination_path(slug)),
    }


def change_event(change: StatusChange) -> dict[str, object]:
    """The envelope as a dict; ``timestamp`` is when the change was recorded (published)."""
    data = dict(ChangeSerializer(change).data)
    data["links"] = change_links(change)
    return {
        "type": EVENT_TYPE,
        "timestamp": serializers.DateTimeField().to_representation(change.recorded_at),
        "data": data,
    }


def change_body(change: StatusChange) -> bytes:
    """The request body: compact UTF-8 JSON of ``change_event``."""
    return json.dumps(change_event(change), separators=(",", ":"), ensure_ascii=False).encode()
