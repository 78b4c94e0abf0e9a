"""The explain endpoint and the curator override endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from advisories.models import CuratorOverride
from advisories.reconciliation.service import reconcile_pending
from destinations.models import CurrentStatus, StatusChange
from destinations.services import claims_changed
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def resort():
    return DestinationFactory(slug="wonsan-kalma", name="Wonsan-Kalma")


def add_claim(destination, status, days_ago, *, authority=40, **extra):
    notice = NoticeFactory(
        source=SourceFactory(authority=authority),
        published_at=NOW - timedelta(days=days_ago),
        url="https://example.org/n",
    )
    claim = ClaimFactory(
        notice=notice,
        destination=destination,
        status=status,
        effective_at=NOW - timedelta(days=days_ago),
        **extra,
    )
    claims_changed(destination_ids=[destination.pk])
    return claim


@pytest.fixture
def curator_client():
    user = UserFactory(username="ana")
    user.user_permissions.add(Permission.objects.get(codename="add_curatoroverride"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_explain_shows_status_event_claims_and_deciding_rule_per_audience(resort):
    official = add_claim(resort, "suspended", 4, authority=100)
    news = add_claim(resort, "open", 2)
    reconcile_pending(now=NOW)
    response = APIClient().get("/api/v1/destinations/wonsan-kalma/explain/")
    assert response.status_code == 200
    [foreign] = response.json()["audiences"]
    assert (foreign["audience"], foreign["status"], foreign["in_review"]) == (
        "foreign",
        "suspended",
        True,
    )
    assert foreign["change"]["id"] == StatusChange.objects.get().pk
    assert foreign["rule"] == "status_change"
    fates = {c["id"]: c["rule"] for c in foreign["claims"]}
    assert fates == {official.pk: "status_change", news.pk: "awaiting_review"}
    assert foreign["pending_changes"] == 0


def test_explain_of_an_unknown_destination_is_a_404():
    response = APIClient().get("/api/v1/destinations/atlantis/explain/")
    assert response.status_code == 404


def test_curator_override_through_the_api_wins_and_is_recorded(resort, curator_client):
    add_claim(resort, "open", 10)
    reconcile_pending(now=NOW)
    response = curator_client.post(
        "/api/v1/destinations/wonsan-kalma/overrides/",
        {"status": "suspended", "reason": "Tourism administration website says so"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["curator"] == "ana"
    current = CurrentStatus.objects.get(destination=resort, audience="foreign")
    assert (current.status, current.change.decided_by, current.change.curator.username) == (
        "suspended",
        "curator",
        "ana",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"status": "sunny", "reason": "x"}, "status", id="unknown status"),
        pytest.param({"status": "closed"}, "reason", id="missing reason"),
        pytest.param(
            {"status": "closed", "reason": "x", "audience": "Mars"}, "audience", id="bad audience"
        ),
        pytest.param(
            {
                "status": "closed",
                "reason": "x",
                "starts_at": "2025-07-20T00:00:00Z",
                "ends_at": "2025-07-19T00:00:00Z",
            },
            "ends_at",
            id="end before start",
        ),
    ],
)
def test_invalid_override_is_a_400_and_writes_nothing(resort, curator_client, payload, field):
    response = curator_client.post(
        "/api/v1/destinations/wonsan-kalma/overrides/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not CuratorOverride.objects.exists()


@pytest.mark.parametrize(
    ("make_client", "expected"),
    [
        pytest.param(lambda: APIClient(), 401, id="anonymous"),
        pytest.param(
            lambda: _token_client(UserFactory(username="bob")), 403, id="without permission"
        ),
    ],
)
def test_override_needs_a_curator_with_permission(resort, make_client, expected):
    response = make_client().post(
        "/api/v1/destinations/wonsan-kalma/overrides/",
        {"status": "closed", "reason": "x"},
        format="json",
    )
    assert response.status_code == expected
    assert not CuratorOverride.objects.exists()


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_public_explanation_names_the_curators_role_and_public_note_never_account_or_reason(
    resort, curator_client
):
    add_claim(resort, "open", 10)
    reconcile_pending(now=NOW)
    curator_client.post(
        "/api/v1/destinations/wonsan-kalma/overrides/",
        {
            "status": "suspended",
            "reason": "Phoned the ministry's duty officer, Mr Kim, on his mobile",
            "summary": "Suspended: the tourism administration confirmed it by telephone.",
        },
        format="json",
    )

    response = APIClient().get("/api/v1/destinations/wonsan-kalma/explain/")

    [foreign] = response.json()["audiences"]
    assert foreign["change"]["decided_by"] == "curator"
    assert foreign["change"]["note"] == (
        "Suspended: the tourism administration confirmed it by telephone."
    )
    assert '"ana"' not in response.content.decode()  # the curator's account name
    assert "Mr Kim" not in response.content.decode()  # their private reason
    assert "reason" not in foreign["change"] and "curator" not in foreign["change"]
