"""notice_ingest and the HTML-to-text reduction behind it."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError

from advisories.extraction import service as extraction_service
from advisories.ingest.service import NoticeInvalid, NoticeTooLarge, notice_ingest
from advisories.ingest.text import clean_text, html_to_text
from advisories.models import Claim, Notice, NoticeState
from tests.advisories.ingest_support import SUSPENSION
from tests.factories import SourceFactory

PUBLISHED = datetime(2025, 7, 16, 1, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


# --- HTML to text ---------------------------------------------------------------------------------


def test_html_keeps_paragraph_breaks_so_sentences_never_run_together():
    text = html_to_text(
        "<h1>Zone closed</h1><p>First part<br>second line</p><ul><li>a</li><li>b</li></ul>"
    ).text

    assert text == "Zone closed\n\nFirst part\nsecond line\n\na\n\nb"


def test_html_loses_scripts_styles_comments_and_attributes_with_their_content():
    text = html_to_text(
        '<p onclick="steal()">Open <a href="javascript:x()">today</a>.</p>'
        "<script>var secret = 1;</script><style>.x{}</style><!-- draft --><template>t</template>"
    ).text

    assert text == "Open today."


def test_html_entities_are_decoded_into_plain_characters():
    assert html_to_text("<p>Rason &amp; Masikryong &lt;both&gt; &eacute;t&eacute;</p>").text == (
        "Rason & Masikryong <both> été"
    )


def test_a_page_yields_its_title_and_the_main_text_without_navigation():
    page = (
        "<html><head><title>Kalma notice | Ministry</title></head><body>"
        "<header>Ministry of Tourism</header><nav>Home | News</nav>"
        "<main><h1>Kalma notice</h1><p>The zone is closed.</p></main>"
        "<footer>Copyright</footer></body></html>"
    )

    content = html_to_text(page)

    assert content.title == "Kalma notice | Ministry"
    assert content.text == "Kalma notice\n\nThe zone is closed."


def test_a_page_without_main_drops_header_footer_and_navigation():
    page = "<header>Site</header><nav>Menu</nav><h1>Title</h1><p>Body.</p><aside>Ads</aside>"

    content = html_to_text(page)

    assert content.title == "Title" and content.text == "Title\n\nBody."


def test_clean_text_removes_control_characters_and_lone_surrogates():
    assert clean_text("Open\x00 \x07now\r\n\r\n\r\n\r\nagain \ud800") == "Open now\n\nagain ?"


# --- the service ---------------------------------------------------------------------------------


def test_ingesting_a_notice_stores_it_pending_and_extracts_it_once_committed(
    official_source, kalma_zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = notice_ingest(
            source=official_source,
            title="Zone notice",
            body=SUSPENSION,
            published_at=PUBLISHED,
            now=NOW,
        )

        assert result.created and result.pending and result.claims == []
        assert Claim.objects.count() == 0
    assert len(callbacks) == 1

    for callback in callbacks:
        callback()

    notice = Notice.objects.get(pk=result.notice.pk)
    assert notice.state == NoticeState.EXTRACTED
    assert set(notice.claims.values_list("destination__slug", "status")) >= {
        ("wonsan-kalma", "suspended")
    }


def test_ingesting_the_same_text_again_returns_the_stored_notice_and_its_claims(
    official_source, kalma_zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notice_ingest(
            source=official_source,
            title="Zone notice",
            body=SUSPENSION,
            published_at=PUBLISHED,
            now=NOW,
        )

    again = notice_ingest(
        source=official_source,
        title="Zone  notice",
        body=f"  {SUSPENSION}\n",
        published_at=PUBLISHED,
        now=NOW,
    )

    assert not again.created and again.notice.pk == first.notice.pk
    assert again.claims and set(again.claims) == set(first.notice.claims.all())
    assert Notice.objects.count() == 1


def test_an_official_notice_identical_to_an_earlier_news_item_is_the_official_sources_notice(
    official_source, kalma_zone, django_capture_on_commit_callbacks
):
    news = SourceFactory(slug="harbour-daily", kind="news", authority=40)
    with django_capture_on_commit_callbacks(execute=True):
        reported = notice_ingest(
            source=news, title="Zone notice", body=SUSPENSION, published_at=PUBLISHED, now=NOW
        )
        official = notice_ingest(
            source=official_source,
            title="Zone notice",
            body=SUSPENSION,
            published_at=PUBLISHED,
            now=NOW,
        )

    assert official.created and official.notice.source == official_source
    assert reported.notice.source == news and official.notice.pk != reported.notice.pk
    assert official.notice.claims.exists()  # read from it, as evidence of the official source


def test_text_over_the_size_limit_is_refused_before_anything_is_written(official_source, settings):
    settings.NOTICE_MAX_BYTES = 100

    with pytest.raises(NoticeTooLarge) as error:
        notice_ingest(
            source=official_source,
            title="Big",
            html="<p>" + "é" * 60 + "</p>",
            published_at=PUBLISHED,
            now=NOW,
        )

    assert error.value.field == "html"
    assert Notice.objects.count() == 0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"body": "text", "html": "<p>text</p>"}, "html"),
        ({}, "body"),
        ({"body": "text", "published_at": datetime(2025, 7, 16)}, "published_at"),
        ({"body": "text", "published_at": datetime(2025, 7, 20, tzinfo=UTC)}, "published_at"),
        ({"body": "text", "url": "file:///etc/passwd"}, "url"),
        ({"body": "text", "language": "<script>"}, "language"),
        ({"body": "text", "title": "\x00\x01"}, "title"),
    ],
)
def test_invalid_notices_are_refused_naming_the_field(official_source, arguments, field):
    arguments = {"title": "Zone notice", "published_at": PUBLISHED, **arguments}

    with pytest.raises(NoticeInvalid) as error:
        notice_ingest(source=official_source, now=NOW, **arguments)

    assert error.value.field == field
    assert Notice.objects.count() == 0


def test_an_extractor_crash_keeps_the_notice_marked_failed_with_the_error(
    official_source, kalma_zone, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_extract(**kwargs):
        raise RuntimeError("pattern table corrupt")

    monkeypatch.setattr(extraction_service, "extract", broken_extract)

    with django_capture_on_commit_callbacks(execute=True):
        result = notice_ingest(
            source=official_source,
            title="Zone notice",
            body=SUSPENSION,
            published_at=PUBLISHED,
            now=NOW,
        )

    stored = Notice.objects.get(pk=result.notice.pk)
    assert stored.body == SUSPENSION and Claim.objects.count() == 0
    assert stored.state == NoticeState.FAILED and "pattern table corrupt" in stored.error


def test_a_database_failure_while_writing_claims_leaves_the_notice_pending_without_claims(
    official_source, kalma_zone, monkeypatch, django_capture_on_commit_callbacks
):
    def failing_bulk_create(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Claim.objects, "bulk_create", failing_bulk_create)

    with django_capture_on_commit_callbacks(execute=True):
        result = notice_ingest(
            source=official_source,
            title="Zone notice",
            body=SUSPENSION,
            published_at=PUBLISHED,
            now=NOW,
        )

    # The notice is kept for the task's retry or the sweeper; no claim is half written.
    assert Notice.objects.get(pk=result.notice.pk).state == NoticeState.PENDING
    assert Claim.objects.count() == 0
