"""What an alert, digest or subscription email says, built as Django email messages.

Nothing here writes to the database or talks to a mail server: ``sending`` and
``subscriptions`` do. Every email is an ``EmailMultiAlternatives`` whose text and HTML parts
are the templates rendered for its one reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from advisories.alerts.tokens import SubscriberLinks, TokenPurpose, absolute_url, token_url
from advisories.models import Claim, Subscription
from destinations.models import Audience, Status, StatusChange

# --- content -----------------------------------------------------------------------------------


def destination_path(slug: str) -> str:
    """The public page of a destination (the publishing pages own the route)."""
    try:
        return reverse("destinations:detail", kwargs={"slug": slug})
    except NoReverseMatch:  # pages not mounted (an API-only deployment): the conventional path
        return f"/destinations/{slug}/"


@dataclass(frozen=True)
class AudienceLine:
    """One audience's part of an alert: what it was told before, what it is now."""

    audience: str
    old_status: str
    new_status: str
    effective_at: datetime
    unconfirmed: bool = False


@dataclass(frozen=True)
class ChangeContent:
    """What an alert says about one event at one destination; the same for every subscriber.

    An event is every change to the destination's published status that one reconciliation run
    recorded (one line per audience it affects, in ``lines``); the evidence is quoted once. A
    digest entry is a single change, whose one line is the fields below.
    """

    change_id: int
    destination_name: str
    destination_url: str
    audience: str
    old_status: str
    new_status: str
    effective_at: datetime
    summary: str
    evidence: str = ""
    # When we learnt it, shown beside when it took effect: a change learnt late says so.
    recorded_at: datetime | None = None
    # It rests on one low-authority report: the email calls it reported, unconfirmed.
    unconfirmed: bool = False
    source_name: str = ""
    source_url: str = ""
    notice_title: str = ""
    extra_sources: int = 0
    lines: tuple[AudienceLine, ...] = ()

    @property
    def audience_lines(self) -> tuple[AudienceLine, ...]:
        if self.lines:
            return self.lines
        return (
            AudienceLine(
                self.audience, self.old_status, self.new_status, self.effective_at, self.unconfirmed
            ),
        )

    @property
    def subject_line(self) -> str:
        by_status: dict[str, list[str]] = {}
        for line in self.audience_lines:
            by_status.setdefault(line.new_status.lower(), []).append(line.audience)
        parts = [f"{status} for {', '.join(audiences)}" for status, audiences in by_status.items()]
        return f"{self.destination_name}: {'; '.join(parts)}"


def _status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def event_changes(change: StatusChange) -> list[StatusChange]:
    """The changes of the event ``change`` belongs to: every change to the same destination's
    published status recorded by the same reconciliation run (same ``recorded_at``), one per
    audience, foreign visitors first. The first by id leads: its deliveries carry the alert."""
    if not change.alters_current:
        return [change]
    members = list(
        StatusChange.objects.filter(
            destination_id=change.destination_id,
            recorded_at=change.recorded_at,
            alters_current=True,
        ).select_related("destination")
    )
    return sorted(members, key=lambda c: c.pk)


def previous_told_status(change: StatusChange) -> str:
    """What subscribers were last told of this (destination, audience) before ``change``: the
    status of the latest earlier change to the published status. A change learnt late reads
    "suspended -> open", not "restricted -> open" from history filled in behind it."""
    earlier = (
        StatusChange.objects.filter(
            destination_id=change.destination_id, audience=change.audience, alters_current=True
        )
        .filter(
            Q(recorded_at__lt=change.recorded_at)
            | Q(recorded_at=change.recorded_at, pk__lt=change.pk)
        )
        .order_by("-recorded_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return earlier or change.previous_status


def change_content(
    change: StatusChange, *, members: list[StatusChange] | None = None
) -> ChangeContent:
    """Build the content of an alert from a change (or an event's ``members``, led by
    ``change``), its destination and its best evidence.

    The evidence shown is the claim from the most authoritative source (then the most confident)
    among all the members' claims: the reader sees the strongest reason we believe the change,
    once, and a count of the others. Changes corrected since are left out of an event's lines.
    """
    members = members or [change]
    current = [m for m in members if not StatusChange.objects.filter(supersedes_id=m.pk).exists()]
    shown = sorted(current or members, key=lambda m: Audience.sort_key(m.audience))
    claims = list(
        Claim.objects.filter(changes__in=[m.pk for m in shown])
        .distinct()
        .select_related("notice__source")
        .order_by("-notice__source__authority", "-confidence", "id")
    )
    best = claims[0] if claims else None
    destination = change.destination
    lines = tuple(
        AudienceLine(
            audience=Audience.label(m.audience),
            old_status=_status_label(
                previous_told_status(m) if m.alters_current else m.previous_status
            ),
            new_status=_status_label(m.status),
            effective_at=m.effective_at,
            unconfirmed=m.unconfirmed,
        )
        for m in shown
    )
    first = shown[0]
    return ChangeContent(
        change_id=change.pk,
        destination_name=destination.name,
        destination_url=absolute_url(destination_path(destination.slug)),
        audience=lines[0].audience,
        old_status=lines[0].old_status,
        new_status=lines[0].new_status,
        effective_at=first.effective_at,
        recorded_at=first.recorded_at,
        unconfirmed=first.unconfirmed,
        summary=first.summary,
        evidence=best.sentence if best else "",
        source_name=best.notice.source.name if best else "",
        source_url=(best.notice.url or best.notice.source.homepage) if best else "",
        notice_title=best.notice.title if best else "",
        extra_sources=len({c.notice.source_id for c in claims}) - 1 if claims else 0,
        lines=lines if len(lines) > 1 else (),
    )


# --- emails ------------------------------------------------------------------------------------


def _message_id(kind: str, ident: str) -> str:
    """Stable per delivery: a rare re-send after a crash carries the same Message-ID, which lets
    receiving systems that deduplicate on it drop the copy."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{kind}.{ident}@{domain}>"


def _list_unsubscribe(links: SubscriberLinks, subscription: Subscription) -> dict[str, str]:
    targets = [f"<{links.unsubscribe}>"]
    if settings.ALERTS_UNSUBSCRIBE_MAILTO:
        mailto = settings.ALERTS_UNSUBSCRIBE_MAILTO
        targets.append(f"<mailto:{mailto}?subject=unsubscribe%20{subscription.pk}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        # RFC 8058: a POST of this body to the https link unsubscribes, no login, no page.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _email(
    *,
    subject: str,
    template: str,
    context: dict[str, object],
    to: str,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """``template``'s .txt and .html renderings for one reader, as one two-part email."""
    message = EmailMultiAlternatives(
        # Headers must not carry line breaks (Django refuses them); notices may contain any.
        subject=" ".join(subject.split())[:200],
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def alert_message(
    *,
    content: ChangeContent,
    subscription: Subscription,
    delivery_id: int,
    links: SubscriberLinks | None = None,
) -> EmailMultiAlternatives:
    """The email telling one subscriber about one change."""
    links = links or SubscriberLinks.for_subscription(subscription)
    return _email(
        subject=content.subject_line,
        template="advisories/email/alert",
        context={"c": content, "links": links, "subscription": subscription},
        to=subscription.email,
        headers={
            **_list_unsubscribe(links, subscription),
            "Message-ID": _message_id("alert", str(delivery_id)),
        },
    )


def digest_message(
    *, contents: list[ChangeContent], subscription: Subscription, day: date, delivery_id: int
) -> EmailMultiAlternatives:
    """One email listing a day's changes in the subscriber's scope."""
    links = SubscriberLinks.for_subscription(subscription)
    count = len(contents)
    return _email(
        subject=f"Portcullis daily digest, {day:%d %B %Y}: {count} status "
        f"change{'s' if count != 1 else ''}",
        template="advisories/email/digest",
        context={"changes": contents, "day": day, "links": links, "subscription": subscription},
        to=subscription.email,
        headers={
            **_list_unsubscribe(links, subscription),
            "Message-ID": _message_id("digest", str(delivery_id)),
        },
    )


def confirmation_message(*, subscription: Subscription) -> EmailMultiAlternatives:
    """The only email an unconfirmed address ever receives: a signed, expiring link."""
    max_age = settings.ALERTS_CONFIRM_MAX_AGE
    return _email(
        subject="Confirm your Portcullis alerts",
        template="advisories/email/confirm",
        context={
            "subscription": subscription,
            "confirm_url": token_url("advisories:confirm", subscription, TokenPurpose.CONFIRM),
            "valid_hours": int(max_age.total_seconds() // 3600),
        },
        to=subscription.email,
    )


def already_subscribed_message(*, subscription: Subscription) -> EmailMultiAlternatives:
    """Sent instead of a confirmation when the address is already subscribed to that scope, so
    the page's answer never tells a stranger whether an address is known."""
    links = SubscriberLinks.for_subscription(subscription)
    return _email(
        subject="You are already subscribed to Portcullis alerts",
        template="advisories/email/already_subscribed",
        context={"subscription": subscription, "links": links},
        to=subscription.email,
        headers=_list_unsubscribe(links, subscription),
    )
