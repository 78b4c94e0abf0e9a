"""The admin: endpoints with the secret shown once, attempts filtered by endpoint, escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import StatusChangeFactory, WebhookEndpointFactory, WebhookUserFactory
from tests.webhooks.receiver import Reply
from webhooks.fanout import change_fan_out
from webhooks.models import WebhookEndpoint
from webhooks.sending import deliveries_send

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


def test_an_endpoint_added_in_the_admin_gets_a_secret_shown_once(admin_client, receiver):
    owner = WebhookUserFactory()

    response = admin_client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "owner": owner.pk,
            "url": receiver.url(),
            "scope": "all",
            "include_children": "on",
            "is_active": "on",
            "description": "",
            "country_code": "",
            "audience": "",
        },
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    page = admin_client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in page.content.decode()


def test_the_admin_refuses_an_endpoint_at_a_private_address(admin_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    owner = WebhookUserFactory()

    response = admin_client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "owner": owner.pk,
            "url": "http://192.168.1.10/hook",
            "scope": "all",
            "include_children": "on",
            "is_active": "on",
        },
    )

    assert response.status_code == 200 and "Refused" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_lists_an_endpoints_attempts_with_the_reply_escaped(
    admin_client, receiver, places
):
    endpoint = WebhookEndpointFactory(url=receiver.url())
    other = WebhookEndpointFactory(url=receiver.url("/other"))
    receiver.answer(Reply(502, body=b"<script>alert(1)</script>"), Reply(200, body=b"fine"))
    change = StatusChangeFactory(destination=places["zone"], recorded_at=NOW, alters_current=True)
    change_fan_out(change_id=change.pk, now=NOW)
    deliveries_send(now=NOW)

    page = admin_client.get(
        f"/admin/webhooks/webhookattempt/?endpoint__id__exact={endpoint.pk}"
    ).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "502" in page and "fine" not in page
    assert other.pk != endpoint.pk
