"""Template helpers for status pages: UTC-labelled times, audience labels, plain words."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html

from destinations.models import Audience, Status
from publishing.selectors import country_name as country_name_of

register = template.Library()


@register.filter
def utc(moment: datetime | None, style: str = "datetime"):
    """A <time> element whose visible text always names its zone: "16 Jul 2025, 09:00 UTC"."""
    if moment is None:
        return "never"
    fmt = "%d %b %Y" if style == "date" else "%d %b %Y, %H:%M"
    moment = moment.astimezone(UTC)
    iso = moment.isoformat()
    return format_html('<time datetime="{}">{} UTC</time>', iso, moment.strftime(fmt))


@register.filter
def audience_label(value: str) -> str:
    return Audience.label(value)


@register.filter
def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def get_item(mapping: dict, key):
    """Look a key up in a dict from a template (evidence by change id)."""
    return (mapping or {}).get(key)


@register.filter
def is_http(url: str) -> bool:
    """Only http(s) links are rendered: a stored URL must never become a javascript: link."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


# How sure a reading is, in words: pages say this; the API and the admin keep the figure.
HOW_SURE = ((0.8, "high"), (0.5, "medium"))


@register.filter
def how_sure(confidence: float | None) -> str:
    """A confidence between 0 and 1 as "high" (>= 0.8), "medium" (>= 0.5) or "low"."""
    if confidence is None:
        return "unknown"
    for threshold, word in HOW_SURE:
        if confidence >= threshold:
            return word
    return "low"


@register.filter
def country_name(code: str) -> str:
    """A readable country name for an ISO code ("KP" -> "North Korea")."""
    return country_name_of(code or "")
