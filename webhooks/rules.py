"""Where webhooks may be sent: the guarded fetcher's address rules plus the https requirement."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from advisories.ingest.fetcher import AddressRules, url_refusal


def address_rules() -> AddressRules:
    """Public addresses only, and the networks WEBHOOK_ALLOWED_NETWORKS trusts (read live)."""
    return AddressRules(allowed_networks=tuple(settings.WEBHOOK_ALLOWED_NETWORKS))


def https_refusal(url: str) -> str | None:
    """Why ``url`` may not be used while WEBHOOKS_REQUIRE_HTTPS is on, or None."""
    if settings.WEBHOOKS_REQUIRE_HTTPS and urlsplit(url).scheme != "https":
        return "Webhook URLs must use https (a certificate that verifies for the host name)."
    return None


def endpoint_url_problem(url: str) -> str | None:
    """Why an endpoint may not be registered at ``url`` now (scheme, https, the addresses its
    host resolves to), or None. Checked again before every delivery: DNS can change."""
    return https_refusal(url) or url_refusal(url, rules=address_rules())
