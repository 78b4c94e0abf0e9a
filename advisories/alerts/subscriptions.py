"""Subscriptions: subscribe (double opt-in), confirm, manage, unsubscribe, and their emails.

Every answer to a subscribe request is the same whether the address is new, pending or already
subscribed; the only way to learn more is to read the mailbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from advisories import handoffs
from advisories.alerts import messages, tokens
from advisories.models import (
    Delivery,
    DeliveryState,
    Frequency,
    Subscription,
    SubscriptionScope,
    new_subscription_key,
)
from destinations.models import Destination


class MailKind:
    CONFIRM = "confirm"
    ALREADY_SUBSCRIBED = "already_subscribed"


class ScopeTaken(Exception):
    """The address already has a subscription for the scope asked for."""


def _scope_lookup(
    *, scope: str, destination: Destination | None, country_code: str
) -> dict[str, object]:
    if scope == SubscriptionScope.DESTINATION:
        if destination is None:
            raise ValueError("A destination subscription needs a destination.")
        return {"scope": scope, "destination": destination, "country_code": ""}
    if scope == SubscriptionScope.COUNTRY:
        if not country_code:
            raise ValueError("A country subscription needs a country code.")
        return {"scope": scope, "destination": None, "country_code": country_code.upper()}
    return {"scope": SubscriptionScope.ALL, "destination": None, "country_code": ""}


def subscription_request(
    *,
    email: str,
    scope: str,
    frequency: str = Frequency.IMMEDIATE,
    destination: Destination | None = None,
    include_children: bool = True,
    country_code: str = "",
    now: datetime | None = None,
) -> None:
    """Record a request to subscribe and queue the one email it may cause.

    Returns nothing on purpose: the caller answers the same whether the address was new, pending
    or already subscribed. A new or lapsed subscription gets a confirmation link and nothing else
    until it is confirmed; an active one gets a note with its manage link, and its settings are
    not changed by a request anyone could have made. Whoever asks, and for whichever scopes, an
    address gets at most one such email per ALERTS_CONFIRM_RESEND_AFTER and
    ALERTS_CONFIRM_DAILY_PER_ADDRESS a day, so the form cannot be used to flood a mailbox; past
    that the request is recorded and nothing is sent, with the same answer.
    """
    now = now or timezone.now()
    address = email.strip().lower()
    lookup = {
        "email": address,
        **_scope_lookup(scope=scope, destination=destination, country_code=country_code),
    }
    with transaction.atomic():
        # One request per address at a time: its mail budget is shared by all its scopes.
        list(Subscription.objects.select_for_update().filter(email=address).values_list("pk"))
        subscription = Subscription.objects.select_for_update().filter(**lookup).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        **lookup,
                        include_children=include_children,
                        frequency=frequency,
                        created_at=now,
                    )
            except IntegrityError:  # a concurrent identical request won the insert
                subscription = Subscription.objects.select_for_update().get(**lookup)
        if subscription.is_active:
            kind = MailKind.ALREADY_SUBSCRIBED
        else:
            kind = MailKind.CONFIRM
            if subscription.unsubscribed_at is not None:
                # Subscribing again after leaving: start over, and revoke every older link.
                subscription.unsubscribed_at = None
                subscription.confirmed_at = None
                subscription.key = new_subscription_key()
            subscription.frequency = frequency
            subscription.include_children = include_children
        if _address_may_be_mailed(address, now=now):
            subscription.confirmation_sent_at = now
            handoffs.subscription_mail_due.open_after_commit(subscription.pk, kind)
        subscription.save()


def _address_may_be_mailed(address: str, *, now: datetime) -> bool:
    """Whether a confirmation (or "already subscribed") mail to ``address`` stays within its
    budget, counted across every scope it asked for."""
    mailed = Subscription.objects.filter(email=address, confirmation_sent_at__isnull=False)
    last = mailed.aggregate(last=Max("confirmation_sent_at"))["last"]
    if last is not None and now - last < settings.ALERTS_CONFIRM_RESEND_AFTER:
        return False
    today = mailed.filter(confirmation_sent_at__gt=now - timedelta(days=1)).count()
    return today < settings.ALERTS_CONFIRM_DAILY_PER_ADDRESS


def subscription_mail_send(*, subscription_id: int, kind: str) -> bool:
    """Send the confirmation (or "already subscribed") email; False when it no longer applies.

    SMTP errors propagate so the task can retry them; confirmation mail is not a Delivery because
    a lost one costs nothing that asking again does not fix.
    """
    subscription = (
        Subscription.objects.select_related("destination").filter(pk=subscription_id).first()
    )
    if subscription is None:
        return False
    if kind == MailKind.CONFIRM:
        if subscription.is_active or subscription.unsubscribed_at is not None:
            return False
        message = messages.confirmation_message(subscription=subscription)
    elif kind == MailKind.ALREADY_SUBSCRIBED:
        if not subscription.is_active:
            return False
        message = messages.already_subscribed_message(subscription=subscription)
    else:
        raise ValueError(f"Unknown subscription mail {kind!r}.")
    return get_connection().send_messages([message]) == 1


def _subscription_for(token: str, purpose: str, max_age: timedelta | None) -> Subscription:
    pk, key = tokens.read_token(
        token, purpose, max_age=max_age.total_seconds() if max_age else None
    )
    subscription = Subscription.objects.select_related("destination").filter(pk=pk, key=key).first()
    if subscription is None:  # deleted, or its links were revoked by a re-subscription
        raise tokens.BadToken("This link is no longer valid.")
    return subscription


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    CANCELLED = "cancelled"


def subscription_confirm(*, token: str, now: datetime | None = None) -> tuple[Subscription, str]:
    """Confirm the subscription a confirmation link names. Raises BadToken / ExpiredToken.

    An unsubscribed subscription stays unsubscribed: an old confirmation link must not bring
    back alerts someone turned off.
    """
    now = now or timezone.now()
    subscription = _subscription_for(
        token, tokens.TokenPurpose.CONFIRM, settings.ALERTS_CONFIRM_MAX_AGE
    )
    if subscription.unsubscribed_at is not None:
        return subscription, ConfirmOutcome.CANCELLED
    updated = Subscription.objects.filter(
        pk=subscription.pk, confirmed_at__isnull=True, unsubscribed_at__isnull=True
    ).update(confirmed_at=now)
    if not updated:
        return subscription, ConfirmOutcome.ALREADY_CONFIRMED
    subscription.confirmed_at = now
    return subscription, ConfirmOutcome.CONFIRMED


def subscription_for_confirm_token(*, token: str) -> Subscription:
    """The subscription a confirmation link names, to show what confirming it would turn on."""
    return _subscription_for(token, tokens.TokenPurpose.CONFIRM, settings.ALERTS_CONFIRM_MAX_AGE)


def subscription_for_manage_token(*, token: str) -> Subscription:
    """The subscription a manage link names. Manage links do not expire: every alert has one."""
    return _subscription_for(token, tokens.TokenPurpose.MANAGE, None)


def subscription_for_unsubscribe_token(*, token: str) -> Subscription:
    """The subscription a one-click unsubscribe link names (RFC 8058: it must keep working)."""
    return _subscription_for(token, tokens.TokenPurpose.UNSUBSCRIBE, None)


def subscription_update(
    *,
    subscription: Subscription,
    scope: str,
    frequency: str,
    destination: Destination | None = None,
    include_children: bool = True,
    country_code: str = "",
) -> Subscription:
    """Change what a (token-holding) subscriber is told about and how often."""
    lookup = _scope_lookup(scope=scope, destination=destination, country_code=country_code)
    for name, value in lookup.items():
        setattr(subscription, name, value)
    subscription.frequency = frequency
    subscription.include_children = include_children
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError as exc:
        raise ScopeTaken("This address already has a subscription for that scope.") from exc
    return subscription


def subscription_unsubscribe(*, subscription: Subscription, now: datetime | None = None) -> bool:
    """Stop every email to this subscription, including ones already queued. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Subscription.objects.filter(
            pk=subscription.pk, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)
        Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
            state=DeliveryState.SKIPPED, last_error="unsubscribed"
        )
    subscription.unsubscribed_at = subscription.unsubscribed_at or now
    return bool(changed)
