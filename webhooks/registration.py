"""Registering, changing and re-keying endpoints. The secret leaves this module only in the
return value of ``endpoint_register`` and ``endpoint_rotate_secret``: the API shows it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from destinations.models import Destination
from webhooks.models import EndpointScope, WebhookEndpoint
from webhooks.rules import endpoint_url_problem
from webhooks.signing import new_secret


@dataclass(frozen=True)
class EndpointScopeSpec:
    """What an endpoint hears about: everything, a destination (and what is inside it), or a
    country; optionally one audience."""

    scope: str
    destination: Destination | None = None
    include_children: bool = True
    country_code: str = ""
    audience: str = ""

    def fields(self) -> dict[str, object]:
        destination = self.destination if self.scope == EndpointScope.DESTINATION else None
        country = self.country_code.upper() if self.scope == EndpointScope.COUNTRY else ""
        return {
            "scope": self.scope,
            "destination": destination,
            "include_children": self.include_children,
            "country_code": country,
            "audience": self.audience,
        }


def _check_url(url: str) -> None:
    if problem := endpoint_url_problem(url):
        raise ValidationError({"url": [problem]})


def endpoint_register(
    *,
    owner: AbstractBaseUser,
    url: str,
    scope: EndpointScopeSpec,
    description: str = "",
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint for ``owner``; return it and its secret (shown to the owner once).

    Raises ValidationError (on ``url``) when the URL is refused: not https where required, or a
    host resolving to a private, loopback or reserved address outside WEBHOOK_ALLOWED_NETWORKS.
    """
    _check_url(url)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        owner=owner,
        url=url,
        description=description,
        secret=secret,
        created_at=now or timezone.now(),
        **scope.fields(),
    )
    return endpoint, secret


def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    scope: EndpointScopeSpec | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what the owner may change. A new URL is checked like a registration; turning a
    disabled endpoint back on starts its health afresh (and a later disable mails again)."""
    if url is not None and url != endpoint.url:
        _check_url(url)
        endpoint.url = url
    if scope is not None:
        for name, value in scope.fields().items():
            setattr(endpoint, name, value)
    if description is not None:
        endpoint.description = description
    if is_active is True and not endpoint.is_active:
        endpoint.is_active = True
        endpoint.failing_since = None
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.disabled_notice_claimed_at = None
        endpoint.disabled_notice_sent_at = None
    elif is_active is False:
        endpoint.is_active = False
    endpoint.save()
    return endpoint


@dataclass(frozen=True)
class RotatedSecret:
    secret: str
    previous_secret_expires_at: datetime


def endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, now: datetime | None = None
) -> RotatedSecret:
    """Give the endpoint a new secret; the current one keeps signing beside it for
    WEBHOOK_SECRET_OVERLAP, so the receiver can switch without losing a message. Two secrets
    at most: rotating again within the overlap retires the oldest at once."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        secret = new_secret()
        expires = now + settings.WEBHOOK_SECRET_OVERLAP
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = expires
        locked.secret = secret
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    endpoint.refresh_from_db()
    return RotatedSecret(secret=secret, previous_secret_expires_at=expires)
