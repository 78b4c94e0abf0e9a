"""Issue 16: the changes page's orders, searches that find places with no status, breadcrumbs
and subtitles that do not repeat themselves, and plain words instead of internal figures."""

import re

import pytest
from django.urls import reverse

from destinations.models import Destination, DestinationKind, Status
from publishing.templatetags.status_tags import how_sure
from tests.destinations.story import build_story, day
from tests.factories import ClaimFactory, DestinationFactory, NoticeFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db
CHANGES = reverse("destinations:changes")
BOARD = reverse("destinations:board")


def summaries_in_order(html: str) -> list[str]:
    return re.findall(r'<p class="change__summary">([^<]*)</p>', html)


@pytest.fixture
def learned_late():
    """Three changes whose order of effect differs from the order we learned of them."""
    place = DestinationFactory(name="Lake Town")
    StatusChangeFactory(
        destination=place, effective_at=day(3, 1), recorded_at=day(9, 1), summary="March."
    )
    StatusChangeFactory(
        destination=place, effective_at=day(8, 1), recorded_at=day(8, 2), summary="August."
    )
    StatusChangeFactory(
        destination=place, effective_at=day(5, 1), recorded_at=day(5, 2), summary="May."
    )


def test_changes_page_lists_changes_by_date_of_effect_newest_first(client, learned_late):
    html = client.get(CHANGES).content.decode()
    assert summaries_in_order(html) == ["August.", "May.", "March."]


def test_changes_page_can_list_the_most_recently_learned_first(client, learned_late):
    html = client.get(CHANGES, {"order": "learned"}).content.decode()
    assert summaries_in_order(html) == ["March.", "August.", "May."]
    assert '<span aria-current="page">Recently learned</span>' in html
    assert f'href="{CHANGES}"' in html


def test_changes_page_shows_when_each_change_was_learned(client, learned_late):
    html = client.get(CHANGES).content.decode()
    assert "Learned on <time" in html and "01 Sep 2025, 00:00 UTC" in html
    assert f'href="{CHANGES}?order=learned"' in html


def test_changes_page_pages_keep_the_chosen_order(client):
    place = DestinationFactory()
    for index in range(55):
        StatusChangeFactory(destination=place, effective_at=day(1, 1), summary=f"Change {index}.")
    html = client.get(CHANGES, {"order": "learned"}).content.decode()
    assert 'href="?order=learned&amp;page=2"' in html


def test_changes_page_with_an_unknown_order_is_a_friendly_400(client):
    assert client.get(CHANGES, {"order": "sideways"}).status_code == 400


def test_search_lists_a_destination_without_a_status_as_no_status_recorded_yet(client):
    build_story()
    html = client.get(BOARD, {"q": "France"}).content.decode()
    assert "no status recorded yet" in html
    assert 'href="/destinations/france/"' in html
    assert "No destination with a known status matches" in html


def test_search_does_not_list_a_destination_with_a_status_twice(client):
    build_story()
    html = client.get(BOARD, {"q": "kalma"}).content.decode()
    assert "no status recorded yet" not in html


def test_search_for_a_status_leaves_out_places_without_one(client):
    html = client.get(BOARD, {"q": "France", "status": "open"}).content.decode()
    assert "no status recorded yet" not in html


def breadcrumbs(html: str) -> list[str]:
    nav = html[html.index('class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li.*?</li>", nav, re.S)]


def subtitle(html: str) -> str:
    head = html[html.index('<div class="page-head">') :]
    return re.sub(r"<[^>]+>", "", re.search(r'<p class="muted">(.*?)</p>', head, re.S)[1])


def test_a_country_page_names_the_country_once_in_breadcrumbs_and_subtitle(client):
    html = client.get(reverse("destinations:detail", kwargs={"slug": "france"})).content.decode()
    assert breadcrumbs(html) == ["Status board", "France"]
    assert subtitle(html).startswith("Country (FR)")
    assert "in France" not in subtitle(html)


def test_places_within_a_country_read_as_a_path_down_to_them(client):
    story = build_story()
    kalma = client.get(
        reverse("destinations:detail", kwargs={"slug": story.kalma.slug})
    ).content.decode()
    assert breadcrumbs(kalma) == [
        "Status board",
        "North Korea",
        "Kangwon Province",
        "Wonsan-Kalma Coastal Tourist Zone",
    ]
    assert subtitle(kalma).startswith("Resort in Kangwon Province, North Korea")
    rason = client.get(
        reverse("destinations:detail", kwargs={"slug": story.rason.slug})
    ).content.decode()
    assert breadcrumbs(rason) == ["Status board", "North Korea", "Rason Special Economic Zone"]
    assert subtitle(rason).startswith("Special zone in North Korea")


@pytest.mark.parametrize(
    ("confidence", "words"), [(0.95, "high"), (0.8, "high"), (0.63, "medium"), (0.2, "low")]
)
def test_confidence_reads_as_how_sure_in_words(confidence, words):
    assert how_sure(confidence) == words


def test_pages_use_plain_words_not_reconciled_or_confidence_figures(client):
    story = build_story()
    kalma = Destination.objects.get(pk=story.kalma.pk)
    notice = NoticeFactory(body="Kalma is open again.")
    ClaimFactory(notice=notice, destination=kalma, status=Status.OPEN, confidence=0.63)
    Destination.objects.filter(pk=kalma.pk).update(reconciled_at=day(7, 20))
    pages = [
        BOARD,
        reverse("destinations:detail", kwargs={"slug": kalma.slug}),
        CHANGES,
        reverse("destinations:notice", kwargs={"pk": notice.pk}),
        reverse("destinations:notice", kwargs={"pk": story.notice_id}),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", html[html.index("<main") :]).lower()
        assert "reconcil" not in text, url
        assert "confidence" not in text, url
        assert "0.63" not in text and "0.90" not in text, url
    notice_page = client.get(pages[3]).content.decode()
    assert "how sure: medium" in notice_page
    assert "Last updated:" in client.get(BOARD).content.decode()


def test_a_country_without_a_status_is_listed_under_its_own_name(client):
    DestinationFactory(name="Frankland Spa", kind=DestinationKind.RESORT, country_code="FR")
    html = client.get(BOARD, {"q": "fran"}).content.decode()
    assert html.index(">France</a>") < html.index(">Frankland Spa</a>")
    assert "in France · no status recorded yet" in html
