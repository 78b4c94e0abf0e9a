"""Alerts domain logic: who a change concerns, signed links, and what the email says.

Nothing here writes to the database or talks to a mail server; ``alerts_service`` does that.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import escape

from advisories.email_format import AlertEmail, WireTemplate
from advisories.models import Claim, Subscription, SubscriptionScope
from destinations.models import Audience, Destination, Status, StatusChange

# --- scope -------------------------------------------------------------------------------------

_MAX_DEPTH = 12  # resort < zone < region < country: far deeper means a cycle in bad data


def destination_ancestor_ids(destination: Destination) -> list[int]:
    """Ids of the destinations containing this one, nearest first (one query per level)."""
    ids: list[int] = []
    parent_id = destination.parent_id
    while parent_id is not None and parent_id not in ids and len(ids) < _MAX_DEPTH:
        ids.append(parent_id)
        parent_id = (
            Destination.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return ids


def subscriptions_for_destination(
    *, destination: Destination, frequency: str, ancestor_ids: list[int] | None = None
) -> QuerySet[Subscription]:
    """Active subscriptions of this frequency whose scope covers a change at ``destination``.

    Scopes: everything; the destination itself; a destination containing it when the subscriber
    asked for the places inside; the destination's country.
    """
    if ancestor_ids is None:
        ancestor_ids = destination_ancestor_ids(destination)
    covers = Q(scope=SubscriptionScope.ALL) | Q(
        scope=SubscriptionScope.DESTINATION, destination_id=destination.pk
    )
    if ancestor_ids:
        covers |= Q(
            scope=SubscriptionScope.DESTINATION,
            include_children=True,
            destination_id__in=ancestor_ids,
        )
    if destination.country_code:
        covers |= Q(scope=SubscriptionScope.COUNTRY, country_code=destination.country_code)
    return Subscription.objects.active().filter(covers, frequency=frequency)


def scope_covers(
    subscription: Subscription, *, destination: Destination, ancestor_ids: list[int]
) -> bool:
    """The same rule as ``subscriptions_for_destination``, for one subscription in memory."""
    if subscription.scope == SubscriptionScope.ALL:
        return True
    if subscription.scope == SubscriptionScope.DESTINATION:
        return subscription.destination_id == destination.pk or (
            subscription.include_children and subscription.destination_id in ancestor_ids
        )
    if subscription.scope == SubscriptionScope.COUNTRY:
        return bool(destination.country_code) and (
            subscription.country_code == destination.country_code
        )
    return False


# --- signed links ------------------------------------------------------------------------------


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


# --- links -------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def destination_path(slug: str) -> str:
    """The public page of a destination (the publishing pages own the route)."""
    try:
        return reverse("destinations:detail", kwargs={"slug": slug})
    except NoReverseMatch:  # pages not mounted (an API-only deployment): the conventional path
        return f"/destinations/{slug}/"


@dataclass(frozen=True)
class SubscriberLinks:
    manage: str
    unsubscribe: str

    @classmethod
    def for_subscription(cls, subscription: Subscription) -> SubscriberLinks:
        manage = make_token(subscription, TokenPurpose.MANAGE)
        unsubscribe = make_token(subscription, TokenPurpose.UNSUBSCRIBE)
        return cls(
            manage=absolute_url(_token_path("advisories:manage", manage)),
            unsubscribe=absolute_url(_token_path("advisories:unsubscribe", unsubscribe)),
        )


_ROUTE_MARK = "portcullis-route-mark"
_token_routes: dict[tuple[str, str | None, str], tuple[str, str]] = {}


def _token_path(name: str, token: str) -> str:
    """``reverse(name, kwargs={"token": token})`` for a signed token, resolved once per route.

    Signed tokens are URL-safe base64 and ":", which reverse() leaves unquoted, so putting the
    token between the cached halves of the path gives what reverse() gives (twice per email
    otherwise, a good part of an alert's cost).
    """
    key = (name, get_urlconf(), get_script_prefix())
    if key not in _token_routes:
        before, _, after = reverse(name, kwargs={"token": _ROUTE_MARK}).partition(_ROUTE_MARK)
        _token_routes[key] = (before, after)
    before, after = _token_routes[key]
    return f"{before}{token}{after}"


# --- content -----------------------------------------------------------------------------------


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


def _audience_order(audience: str) -> tuple[int, str]:
    """All foreign visitors first, then domestic visitors, then nationalities by code."""
    return ({Audience.FOREIGN: 0, Audience.DOMESTIC: 1}.get(audience, 2), audience)


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
    shown = sorted(current or members, key=lambda m: _audience_order(m.audience))
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


def _one_line(text: str) -> str:
    """Headers must not carry line breaks (Django refuses them); notices may contain any."""
    return " ".join(text.split())[:200]


def _message_id(kind: str, ident: str) -> str:
    """Stable per delivery: a rare re-send after a crash carries the same Message-ID, which lets
    receiving systems that deduplicate on it drop the copy."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{kind}.{ident}@{domain}>"


def _list_unsubscribe_fixed() -> dict[str, str]:
    return {
        # RFC 8058: a POST of this body to the https link unsubscribes, no login, no page.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _list_unsubscribe(links: SubscriberLinks, subscription: Subscription) -> dict[str, str]:
    targets = [f"<{links.unsubscribe}>"]
    mailto = getattr(settings, "ALERTS_UNSUBSCRIBE_MAILTO", "")
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe%20{subscription.pk}>")
    return {"List-Unsubscribe": ", ".join(targets), **_list_unsubscribe_fixed()}


@dataclass
class _Email:
    subject: str
    text: str
    html: str
    to: str
    headers: dict[str, str] = field(default_factory=dict)

    def build(self) -> EmailMultiAlternatives:
        message = AlertEmail(
            subject=_one_line(self.subject),
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.to],
            headers=self.headers,
        )
        message.attach_alternative(self.html, "text/html")
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
    context = {"c": content, "links": links, "subscription": subscription}
    return _Email(
        subject=content.subject_line,
        text=render_to_string("advisories/email/alert.txt", context),
        html=render_to_string("advisories/email/alert.html", context),
        to=subscription.email,
        headers={
            **_list_unsubscribe(links, subscription),
            "Message-ID": _message_id("alert", str(delivery_id)),
        },
    ).build()


# The per-subscriber values of an alert, as stand-ins the templates render like any other text:
# lower-case hex and hyphens, which HTML escaping and |lower leave alone. Random per process, so
# no notice text can contain one by accident.
_SLOT = f"portcullis-slot-{secrets.token_hex(12)}"
_SLOTS = {name: f"{_SLOT}-{name}-" for name in ("email", "manage", "unsubscribe")}
_HTML_SLOTS = {name: f"{_SLOT}-html-{name}-" for name in _SLOTS}
# The headers that differ per reader, as whole-value stand-ins (the To one must parse as an
# address: Django sanitises it). Date comes first among the extra headers, where Django itself
# puts a Date it adds, so the template's header order is the one Django gives each reader.
_HEADER_SLOTS = {
    name: f"{_SLOT}-{name.lower()}@slot.invalid"
    for name in ("To", "Date", "List-Unsubscribe", "Message-ID")
}


@dataclass
class _Prepared:
    text: str
    html: str
    wire: WireTemplate | None


class AlertRenderer:
    """Alert emails of one batch, rendering the templates once per change and kind of reader.

    Every subscriber of a change reads the same text except for their own address and links, so
    the templates run once per (change, scope label, frequency) with stand-ins for those three,
    and each message only has its values put in (HTML-escaped in the HTML part). The result is
    the text ``alert_message`` renders; if a template ever transforms a stand-in so that it can no
    longer be found, that message is rendered in full instead.

    The same goes one step further for SMTP: each group's message is also serialised once
    (``WireTemplate``) and every reader's email carries its ready bytes in ``wire``.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple[int, str, str], _Prepared] = {}

    def _prepared(self, content: ChangeContent, subscription: Subscription) -> _Prepared:
        key = (content.change_id, subscription.scope_label, subscription.get_frequency_display())
        if key not in self._groups:
            text = self._render(content, subscription, _SLOTS, "txt")
            html = self._render(content, subscription, _HTML_SLOTS, "html")
            self._groups[key] = _Prepared(text, html, self._wire_template(content, text, html))
        return self._groups[key]

    @staticmethod
    def _render(content: ChangeContent, subscription: Subscription, slots, kind: str) -> str:
        stand_in = copy.copy(subscription)
        stand_in.email = slots["email"]
        links = SubscriberLinks(manage=slots["manage"], unsubscribe=slots["unsubscribe"])
        context = {"c": content, "links": links, "subscription": stand_in}
        return render_to_string(f"advisories/email/alert.{kind}", context)

    @staticmethod
    def _wire_template(content: ChangeContent, text: str, html: str) -> WireTemplate | None:
        slots = _HEADER_SLOTS
        headers = {
            "Date": slots["Date"],
            "List-Unsubscribe": slots["List-Unsubscribe"],
            **_list_unsubscribe_fixed(),
            "Message-ID": slots["Message-ID"],
        }
        skeleton = _Email(
            subject=content.subject_line, text=text, html=html, to=slots["To"], headers=headers
        ).build()
        body = {**_SLOTS, **{f"html-{name}": slot for name, slot in _HTML_SLOTS.items()}}
        return WireTemplate.build(skeleton, header_slots=_HEADER_SLOTS, body_slots=body)

    def message(
        self, *, content: ChangeContent, subscription: Subscription, delivery_id: int
    ) -> EmailMultiAlternatives:
        """The same email as ``alert_message``, without running the templates again."""
        links = SubscriberLinks.for_subscription(subscription)
        values = {
            "email": subscription.email,
            "manage": links.manage,
            "unsubscribe": links.unsubscribe,
        }
        prepared = self._prepared(content, subscription)
        text, html = prepared.text, prepared.html
        html_values = {name: escape(value) for name, value in values.items()}
        for name, value in values.items():
            text = text.replace(_SLOTS[name], value)
            html = html.replace(_HTML_SLOTS[name], html_values[name])
        if _SLOT in text or _SLOT in html:  # a stand-in the templates changed: render in full
            return alert_message(
                content=content, subscription=subscription, delivery_id=delivery_id, links=links
            )
        headers = {
            **_list_unsubscribe(links, subscription),
            "Message-ID": _message_id("alert", str(delivery_id)),
        }
        email = _Email(
            subject=content.subject_line,
            text=text,
            html=html,
            to=subscription.email,
            headers=headers,
        ).build()
        if prepared.wire is not None:
            email.wire = prepared.wire.wire(
                headers={
                    "To": subscription.email,
                    "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
                    "List-Unsubscribe": headers["List-Unsubscribe"],
                    "Message-ID": headers["Message-ID"],
                },
                body={
                    **values,
                    **{f"html-{name}": value for name, value in html_values.items()},
                },
            )
        return email


def digest_message(
    *, contents: list[ChangeContent], subscription: Subscription, day: date, delivery_id: int
) -> EmailMultiAlternatives:
    """One email listing a day's changes in the subscriber's scope."""
    links = SubscriberLinks.for_subscription(subscription)
    context = {"changes": contents, "day": day, "links": links, "subscription": subscription}
    count = len(contents)
    return _Email(
        subject=f"Portcullis daily digest, {day:%d %B %Y}: {count} status "
        f"change{'s' if count != 1 else ''}",
        text=render_to_string("advisories/email/digest.txt", context),
        html=render_to_string("advisories/email/digest.html", context),
        to=subscription.email,
        headers={
            **_list_unsubscribe(links, subscription),
            "Message-ID": _message_id("digest", str(delivery_id)),
        },
    ).build()


def confirmation_message(*, subscription: Subscription) -> EmailMultiAlternatives:
    """The only email an unconfirmed address ever receives: a signed, expiring link."""
    token = make_token(subscription, TokenPurpose.CONFIRM)
    max_age = settings.ALERTS_CONFIRM_MAX_AGE
    context = {
        "subscription": subscription,
        "confirm_url": absolute_url(reverse("advisories:confirm", kwargs={"token": token})),
        "valid_hours": int(max_age.total_seconds() // 3600),
    }
    return _Email(
        subject="Confirm your Portcullis alerts",
        text=render_to_string("advisories/email/confirm.txt", context),
        html=render_to_string("advisories/email/confirm.html", context),
        to=subscription.email,
    ).build()


def already_subscribed_message(*, subscription: Subscription) -> EmailMultiAlternatives:
    """Sent instead of a confirmation when the address is already subscribed to that scope, so
    the page's answer never tells a stranger whether an address is known."""
    links = SubscriberLinks.for_subscription(subscription)
    context = {"subscription": subscription, "links": links}
    return _Email(
        subject="You are already subscribed to Portcullis alerts",
        text=render_to_string("advisories/email/already_subscribed.txt", context),
        html=render_to_string("advisories/email/already_subscribed.html", context),
        to=subscription.email,
        headers=_list_unsubscribe(links, subscription),
    ).build()
