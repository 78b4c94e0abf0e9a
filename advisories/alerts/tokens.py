"""Signed links for subscribers: confirm, manage, one-click unsubscribe.

A token names a subscription and its current key, signed with one salt per purpose. Nothing here
writes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from advisories.models import Subscription


class TokenPurpose:
    """One salt per purpose, so a link made for one action never authorises another."""

    CONFIRM = "portcullis.alerts.confirm"
    MANAGE = "portcullis.alerts.manage"
    UNSUBSCRIBE = "portcullis.alerts.unsubscribe"


class BadToken(Exception):
    """The link was altered, forged, made for another purpose, or its subscription is gone."""


class ExpiredToken(BadToken):
    """The link was genuine but is older than its purpose allows."""


def make_token(subscription: Subscription, purpose: str) -> str:
    """A signed, timestamped token naming the subscription and its current key.

    The key is random per subscription and never shown on its own: it lets a re-subscription
    revoke every earlier link, and keeps ids from being guessable even with the secret leaked.
    """
    return signing.dumps([subscription.pk, subscription.key], salt=purpose, compress=False)


def read_token(token: str, purpose: str, *, max_age: float | None = None) -> tuple[int, str]:
    """The (subscription id, key) a token names, or BadToken/ExpiredToken."""
    try:
        value = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ExpiredToken("This link has expired.") from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise BadToken("This link is not valid.") from exc
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        raise BadToken("This link is not valid.")
    return value[0], value[1]


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def token_url(route: str, subscription: Subscription, purpose: str) -> str:
    """The absolute link to ``route`` (an ``advisories:`` URL name) carrying a fresh token."""
    token = make_token(subscription, purpose)
    return absolute_url(reverse(route, kwargs={"token": token}))


@dataclass(frozen=True)
class SubscriberLinks:
    manage: str
    unsubscribe: str

    @classmethod
    def for_subscription(cls, subscription: Subscription) -> SubscriberLinks:
        return cls(
            manage=token_url("advisories:manage", subscription, TokenPurpose.MANAGE),
            unsubscribe=token_url("advisories:unsubscribe", subscription, TokenPurpose.UNSUBSCRIBE),
        )
