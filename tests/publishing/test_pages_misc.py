"""The changes page and the notice page."""

import pytest
from django.urls import reverse

from advisories.models import Notice
from destinations.models import Status
from tests.destinations.story import build_story, day
from tests.factories import DestinationFactory, NoticeFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


def test_changes_page_lists_latest_changes_across_destinations(client):
    story = build_story()
    html = client.get(reverse("destinations:changes")).content.decode()
    assert html.index("Temporarily not receiving foreign tourists.") < html.index(
        "Foreign tourism halted without explanation."
    )
    assert f"/destinations/rason/#change-{story.rason_suspended.pk}" in html


def test_changes_page_is_paginated(client):
    place = DestinationFactory()
    for index in range(55):
        StatusChangeFactory(destination=place, effective_at=day(1, 1), summary=f"Change {index}.")
    first = client.get(reverse("destinations:changes")).content.decode()
    second = client.get(reverse("destinations:changes"), {"page": 2}).content.decode()
    assert first.count('class="change"') == 50 and second.count('class="change"') == 5
    assert "Page 2 of 2" in second


def test_changes_page_with_a_bad_page_number_is_a_friendly_400(client):
    assert client.get(reverse("destinations:changes"), {"page": "two"}).status_code == 400


def test_changes_page_past_the_last_page_is_a_404(client):
    assert client.get(reverse("destinations:changes"), {"page": 9}).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_changes_page_runs_a_constant_number_of_queries(
    client, size, django_assert_max_num_queries
):
    for _ in range(size):
        StatusChangeFactory(status=Status.OPEN)
    with django_assert_max_num_queries(2):
        client.get(reverse("destinations:changes"))


def test_notice_page_shows_the_text_source_and_claims(client):
    story = build_story()
    html = client.get(
        reverse("destinations:notice", kwargs={"pk": story.notice_id})
    ).content.decode()
    assert "The Wonsan-Kalma zone is temporarily not receiving foreign tourists." in html
    assert "National Tourism Administration" in html
    assert 'href="/destinations/wonsan-kalma/"' in html
    assert "badge--suspended" in html


def test_notice_page_escapes_the_notice_text(client):
    notice = NoticeFactory(title="<img src=x onerror=alert(1)>", body="<script>alert(2)</script>")
    html = client.get(reverse("destinations:notice", kwargs={"pk": notice.pk})).content.decode()
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_unknown_notice_is_a_404(client):
    assert not Notice.objects.filter(pk=999).exists()
    response = client.get("/notices/999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
