"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

``webhook-signature`` is ``v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`` for each
active secret, space-separated; a secret is ``whsec_`` and the base64 of its key bytes. The
signing itself is the reference library's (``standardwebhooks``), so what we send is what
receivers using it verify.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook

from webhooks.models import WebhookEndpoint

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, as ``whsec_<base64>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def active_secrets(endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    """The current secret, then the previous one while its overlap lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and now < expires:
        found.append(endpoint.previous_secret)
    return found


def signature(*, secrets: Sequence[str], message_id: str, timestamp: datetime, body: bytes) -> str:
    """The ``webhook-signature`` value: one ``v1,`` signature per secret."""
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets
    )


def signed_headers(
    *, endpoint: WebhookEndpoint, message_id: str, body: bytes, now: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt; the timestamp is the attempt's."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature(
            secrets=active_secrets(endpoint, now=now),
            message_id=message_id,
            timestamp=now,
            body=body,
        ),
    }
