"""The destination page: status per audience, evidence, SVG timeline, changes, children, as-of."""

import pytest
from django.urls import reverse

from destinations.models import Status
from tests.destinations.story import build_story, day
from tests.factories import ClaimFactory, DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return build_story()


def page(client, slug="wonsan-kalma", **params):
    return client.get(reverse("destinations:detail", kwargs={"slug": slug}), params)


def test_destination_page_shows_current_status_for_each_audience(client, story):
    html = page(client).content.decode()
    foreign = html.index('id="status-foreign"')
    domestic = html.index('id="status-domestic"')
    russian = html.index('id="status-RU"')
    assert foreign < domestic < russian
    assert "for all foreign visitors" in html
    assert "for domestic visitors" in html


def test_destination_page_quotes_the_evidence_with_source_date_and_links(client, story):
    html = page(client).content.decode()
    assert "“The Wonsan-Kalma zone is temporarily not receiving foreign tourists.”" in html
    assert "National Tourism Administration" in html
    assert f'href="/notices/{story.notice_id}/"' in html
    assert 'href="https://tourism.example.org/notices/kalma"' in html


def test_destination_page_draws_a_timeline_with_a_span_per_status_and_text_titles(client, story):
    html = page(client).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert "span--closed" in svg and "span--suspended" in svg and "span--restricted" in svg
    assert "Suspended for all foreign visitors, 16 Jul 2025 to now (UTC)" in svg


def test_destination_page_lists_every_change_newest_first(client, story):
    html = page(client).content.decode()
    newest = html.index(f'id="change-{story.kalma_suspended.pk}"')
    oldest = html.index(f'id="change-{story.kalma_closed.pk}"')
    assert newest < oldest


def test_destination_page_leaves_superseded_entries_out_of_the_public_timeline(client, story):
    StatusChangeFactory(
        destination=story.kalma,
        status=Status.SUSPENDED,
        previous_status=Status.CLOSED,
        effective_at=day(7, 15),
        supersedes=story.kalma_suspended,
        summary="Corrected date of the suspension.",
    )
    html = page(client).content.decode()
    assert f'id="change-{story.kalma_suspended.pk}"' not in html
    assert "Corrected date of the suspension." in html


def test_destination_page_lists_child_destinations_with_their_status(client, story):
    html = page(client, slug="kangwon").content.decode()
    children = html[html.index('id="children-heading"') :]
    assert "Wonsan-Kalma Coastal Tourist Zone" in children
    assert "badge--suspended" in children


def test_destination_page_as_of_shows_the_status_then(client, story):
    html = page(client, at="2025-07-10").content.decode()
    status = html[html.index('id="status-heading"') : html.index('id="timeline-heading"')]
    assert "Status on <time" in status
    assert "badge--closed" in status and "badge--suspended" not in status
    assert f'id="change-{story.kalma_suspended.pk}"' not in html


def test_destination_page_as_of_before_anything_was_known_says_so(client, story):
    html = page(client, at="2024-01-01").content.decode()
    assert "Nothing was known about this destination on that date." in html


def test_destination_page_labels_every_time_as_utc(client, story):
    html = page(client).content.decode()
    assert html.count("<time") == html.count(" UTC</time>")
    assert html.count("<time") > 5


def test_unknown_destination_is_a_clear_404(client):
    response = page(client, slug="atlantis")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_bad_as_of_date_on_destination_page_is_a_friendly_400(client, story):
    response = page(client, at="31/07/2025")
    assert response.status_code == 400
    assert "As of (UTC date)" in response.content.decode()


def test_destination_page_links_to_subscribing_to_this_destination(client, story):
    html = page(client).content.decode()
    link = f"{reverse('advisories:subscribe')}?scope=destination&amp;destination=wonsan-kalma"
    assert f'href="{link}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_evidence_link_to_a_non_http_url_is_not_rendered(client, story):
    notice_claim = ClaimFactory(
        destination=story.kalma,
        notice__url="javascript:alert(1)",
        sentence="Kalma is suspended for foreigners.",
    )
    notice_claim.changes.add(story.kalma_suspended)
    html = page(client).content.decode()
    assert "javascript:alert(1)" not in html


def _grow_history(story, size):
    for index in range(size):
        change = StatusChangeFactory(
            destination=story.kalma,
            status=[Status.OPEN, Status.CLOSED][index % 2],
            effective_at=day(1 + index % 6, 1 + index % 28, year=2024),
        )
        ClaimFactory(destination=story.kalma, sentence=f"Claim {index}.").changes.add(change)
        DestinationFactory(parent=story.kalma)


@pytest.mark.parametrize("size", [3, 30])
def test_destination_page_runs_a_constant_number_of_queries(
    client, story, size, django_assert_max_num_queries
):
    _grow_history(story, size)
    with django_assert_max_num_queries(7):
        response = page(client)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_destination_page_as_of_runs_a_constant_number_of_queries(
    client, story, size, django_assert_max_num_queries
):
    _grow_history(story, size)
    with django_assert_max_num_queries(7):
        response = page(client, at="2025-07-10")
    assert response.status_code == 200
