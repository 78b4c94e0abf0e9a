"""`/api/v1/webhooks/`: who may use it, what each owner sees, the secret shown once, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    StatusChangeFactory,
    UserFactory,
    WebhookEndpointFactory,
    WebhookUserFactory,
)
from tests.webhooks.receiver import Reply
from webhooks.fanout import change_fan_out
from webhooks.models import WebhookEndpoint
from webhooks.sending import deliveries_send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/"
NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def register(client, url, **fields):
    return client.post(LIST, {"url": url, "scope": "all", **fields}, format="json")


# --- who may --------------------------------------------------------------------------------------


def test_without_a_token_the_webhooks_api_answers_401():
    response = APIClient().get(LIST)

    assert response.status_code == 401


def test_a_token_without_the_webhook_permission_is_refused():
    client = token_client(UserFactory())

    assert client.get(LIST).status_code == 403
    assert register(client, "https://hooks.example.org/").status_code == 403


def test_another_accounts_endpoint_is_not_found_whatever_the_operation(owner_client):
    theirs = WebhookEndpointFactory()
    base = f"{LIST}{theirs.pk}/"

    answers = [
        owner_client.get(base).status_code,
        owner_client.patch(base, {"description": "mine now"}, format="json").status_code,
        owner_client.delete(base).status_code,
        owner_client.post(f"{base}rotate-secret/").status_code,
        owner_client.get(f"{base}attempts/").status_code,
    ]

    assert answers == [404] * 5
    assert WebhookEndpoint.objects.filter(pk=theirs.pk, description="").exists()


def test_the_list_shows_only_the_accounts_own_endpoints(owner, owner_client):
    mine = WebhookEndpointFactory(owner=owner)
    WebhookEndpointFactory()

    response = owner_client.get(LIST)

    assert [e["id"] for e in response.json()["results"]] == [mine.pk]


# --- registering ---------------------------------------------------------------------------------


def test_the_secret_is_in_the_registration_answer_and_nowhere_after(owner_client, receiver):
    created = register(owner_client, receiver.url())
    secret = created.json()["secret"]
    detail = owner_client.get(f"{LIST}{created.json()['id']}/")
    listing = owner_client.get(LIST)

    assert created.status_code == 201 and secret.startswith("whsec_")
    assert "secret" not in detail.json() and secret not in detail.content.decode()
    assert secret not in listing.content.decode()


def test_the_registering_account_owns_the_endpoint_with_its_scope(
    owner, owner_client, receiver, places
):
    response = register(
        owner_client,
        receiver.url(),
        scope="destination",
        destination="kangwon",
        include_children=False,
        audience="foreign",
    )

    endpoint = WebhookEndpoint.objects.get(pk=response.json()["id"])
    assert endpoint.owner == owner
    assert (endpoint.destination, endpoint.include_children, endpoint.audience) == (
        places["region"],
        False,
        "foreign",
    )


def test_a_loopback_url_is_refused_at_registration_with_the_reason(owner_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    response = register(owner_client, "http://127.0.0.1:9/hook")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["url"][0].startswith("Refused: 127.0.0.1 resolves")
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_at_registration(owner_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = False

    response = register(owner_client, "http://10.1.2.3/hook")

    assert response.status_code == 400
    assert "private, loopback" in response.json()["error"]["fields"]["url"][0]


def test_a_plain_http_url_is_refused_where_https_is_required(owner_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True

    response = register(owner_client, "http://hooks.example.org/hook")

    assert response.status_code == 400
    assert "must use https" in response.json()["error"]["fields"]["url"][0]


def test_https_is_required_by_default_outside_debug(settings):
    assert settings.WEBHOOKS_REQUIRE_HTTPS is (not settings.DEBUG)


def test_a_destination_scope_needs_a_destination(owner_client, receiver):
    response = register(owner_client, receiver.url(), scope="destination")

    assert response.status_code == 400
    assert "destination" in response.json()["error"]["fields"]


def test_an_unknown_audience_is_refused(owner_client, receiver):
    response = register(owner_client, receiver.url(), audience="martians")

    assert response.status_code == 400
    assert "audience" in response.json()["error"]["fields"]


# --- changing ------------------------------------------------------------------------------------


def test_the_owner_changes_the_url_and_scope_and_deletes_the_endpoint(
    owner, owner_client, receiver
):
    endpoint = WebhookEndpointFactory(owner=owner, url=receiver.url())
    base = f"{LIST}{endpoint.pk}/"

    changed = owner_client.patch(
        base, {"url": receiver.url("/v2"), "scope": "country", "country": "KP"}, format="json"
    )
    deleted = owner_client.delete(base)

    assert changed.status_code == 200
    assert (changed.json()["url"], changed.json()["country"]) == (receiver.url("/v2"), "KP")
    assert deleted.status_code == 204 and not WebhookEndpoint.objects.exists()


def test_a_changed_url_is_checked_like_a_new_one(owner, owner_client, receiver, settings):
    endpoint = WebhookEndpointFactory(owner=owner, url=receiver.url())
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    response = owner_client.patch(
        f"{LIST}{endpoint.pk}/", {"url": "http://127.0.0.1:8/x"}, format="json"
    )

    assert response.status_code == 400
    assert WebhookEndpoint.objects.get().url == receiver.url()


def test_turning_a_disabled_endpoint_back_on_starts_its_health_afresh(owner, owner_client):
    endpoint = WebhookEndpointFactory(
        owner=owner, is_active=False, disabled_at=NOW, failing_since=NOW - timedelta(days=3)
    )

    response = owner_client.patch(f"{LIST}{endpoint.pk}/", {"is_active": True}, format="json")

    assert response.json()["is_active"] is True
    assert response.json()["failing_since"] is None and response.json()["disabled_at"] is None


def test_rotating_returns_a_new_secret_once_and_keeps_the_old_one_for_the_overlap(
    owner, owner_client, settings
):
    endpoint = WebhookEndpointFactory(owner=owner)
    old = endpoint.secret

    response = owner_client.post(f"{LIST}{endpoint.pk}/rotate-secret/")

    endpoint.refresh_from_db()
    new = response.json()["secret"]
    assert response.status_code == 200 and new.startswith("whsec_") and new != old
    assert (endpoint.secret, endpoint.previous_secret) == (new, old)
    assert new not in owner_client.get(f"{LIST}{endpoint.pk}/").content.decode()


# --- attempts ------------------------------------------------------------------------------


def test_the_attempts_list_shows_status_latency_and_excerpt_page_by_page(
    owner, owner_client, receiver, places
):
    endpoint = WebhookEndpointFactory(owner=owner, url=receiver.url())
    receiver.answer(Reply(500, body=b"<h1>oops</h1>"))
    change = StatusChangeFactory(destination=places["zone"], recorded_at=NOW, alters_current=True)
    change_fan_out(change_id=change.pk, now=NOW)
    deliveries_send(now=NOW)
    deliveries_send(now=NOW + timedelta(hours=1))

    first = owner_client.get(f"{LIST}{endpoint.pk}/attempts/?page_size=1").json()
    second = owner_client.get(first["next"]).json()

    newest, oldest = first["results"][0], second["results"][0]
    assert (oldest["number"], oldest["status_code"], oldest["outcome"]) == (1, 500, "retry")
    assert oldest["response_excerpt"] == "<h1>oops</h1>"
    assert isinstance(oldest["latency_ms"], int)
    assert oldest["webhook_id"] == newest["webhook_id"]
    assert (newest["number"], newest["status_code"], newest["outcome"]) == (2, 200, "delivered")


def test_the_webhooks_api_is_in_the_schema_and_the_index():
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    index = APIClient().get("/api/v1/").json()

    assert {"/api/v1/webhooks/", "/api/v1/webhooks/{id}/attempts/"} <= set(schema["paths"])
    assert index["resources"]["webhooks"].endswith("/api/v1/webhooks/")


def test_a_session_without_the_permission_cannot_list_endpoints(client):
    client.force_login(UserFactory())

    assert client.get(LIST).status_code == 403


def test_a_user_with_the_permission_in_a_session_can(client):
    client.force_login(WebhookUserFactory())

    assert client.get(LIST).status_code == 200


def test_the_attempts_list_runs_a_constant_number_of_queries(
    owner, owner_client, receiver, places, django_assert_max_num_queries
):
    endpoint = WebhookEndpointFactory(owner=owner, url=receiver.url())
    receiver.default = Reply(500)
    for n in range(6):
        change = StatusChangeFactory(
            destination=places["zone"], recorded_at=NOW + timedelta(minutes=n), alters_current=True
        )
        change_fan_out(change_id=change.pk, now=NOW)
    deliveries_send(now=NOW)

    with django_assert_max_num_queries(6):
        response = owner_client.get(f"{LIST}{endpoint.pk}/attempts/")

    assert len(response.json()["results"]) == 6
