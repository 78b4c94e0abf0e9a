"""Template helpers for status pages: UTC-labelled times and audience labels."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html

from destinations.models import Audience, Status

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
