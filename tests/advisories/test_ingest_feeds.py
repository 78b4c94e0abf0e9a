"""Feed polling against real feeds served over HTTP by a server in the test process."""

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from advisories.ingest.feeds import feeds_poll_due
from advisories.ingest.tasks import poll_feeds
from advisories.models import Claim, Notice, Source
from tests.advisories.ingest_support import SUSPENSION
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 7, 17, 6, 0, tzinfo=UTC)
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 feed of (guid, title, HTML description) items."""
    entries = "".join(
        f"<item><guid>tag:tourism.example.org,2025:{guid}</guid><title>{title}</title>"
        f"<link>https://tourism.example.org/{guid}</link>"
        "<pubDate>Wed, 16 Jul 2025 01:00:00 GMT</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for guid, title, html in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Tourism notices</title><language>en</language>{entries}</channel></rss>"
    ).encode()


SUSPENSION_FEED = rss(("n-1", "Zone notice", f"<p>{SUSPENSION}</p>"))


def feed_source(server, path: str, **fields) -> Source:
    return SourceFactory(feed_url=server.url(path), **fields)


def ok(body: bytes, **headers: str):
    return lambda request_headers: (200, {**RSS_TYPE, **headers}, body)


# --- 200 and 304 --------------------------------------------------------------------------------


def test_a_due_feed_is_fetched_and_each_entry_becomes_a_notice_with_claims(
    feed_server, kalma_zone, django_capture_on_commit_callbacks
):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED, ETag='"v1"')
    source = feed_source(feed_server, "/feed")

    with django_capture_on_commit_callbacks(execute=True):
        summary = feeds_poll_due(now=NOW)

    notice = Notice.objects.get(source=source)
    assert notice.title == "Zone notice" and notice.body == SUSPENSION
    assert (
        notice.url == "https://tourism.example.org/n-1"
        and notice.external_id == "tag:tourism.example.org,2025:n-1"
    )
    assert notice.published_at == datetime(2025, 7, 16, 1, 0, tzinfo=UTC)
    assert Claim.objects.filter(notice=notice, destination=kalma_zone, status="suspended").exists()
    assert summary.as_dict()["notices_created"] == 1
    source.refresh_from_db()
    assert source.etag == '"v1"' and source.last_polled_at == NOW
    assert source.last_success_at == NOW and source.last_error == ""


def test_an_atom_feed_is_read_as_well(feed_server, kalma_zone):
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Ministry</title><id>urn:ministry</id><updated>2025-07-16T01:00:00Z</updated>"
        "<entry><id>urn:ministry:1</id><title>Zone notice</title>"
        "<updated>2025-07-16T01:00:00Z</updated>"
        f'<content type="html">&lt;p&gt;{SUSPENSION}&lt;/p&gt;</content></entry></feed>'
    ).encode()
    feed_server.routes["/atom"] = ok(atom, **{"Content-Type": "application/atom+xml"})
    source = feed_source(feed_server, "/atom")

    feeds_poll_due(now=NOW)

    notice = Notice.objects.get(source=source)
    assert notice.body == SUSPENSION and notice.external_id == "urn:ministry:1"


def test_the_next_poll_sends_the_stored_validators_and_a_304_writes_nothing(
    feed_server, kalma_zone
):
    modified = "Wed, 16 Jul 2025 02:00:00 GMT"

    def conditional(headers):
        if headers.get("if-none-match") == '"v1"':
            return 304, {}, b""
        return 200, {**RSS_TYPE, "ETag": '"v1"', "Last-Modified": modified}, SUSPENSION_FEED

    feed_server.routes["/feed"] = conditional
    source = feed_source(feed_server, "/feed", poll_interval=timedelta(minutes=30))
    feeds_poll_due(now=NOW)
    counts = Notice.objects.count(), Claim.objects.count()

    summary = feeds_poll_due(now=NOW + timedelta(minutes=31))

    _, second_request = feed_server.requests[1]
    assert second_request["if-none-match"] == '"v1"'
    assert second_request["if-modified-since"] == modified
    assert summary.as_dict()["not_modified"] == 1
    assert (Notice.objects.count(), Claim.objects.count()) == counts
    source.refresh_from_db()
    assert source.last_success_at == NOW + timedelta(minutes=31)


def test_an_unchanged_feed_served_in_full_again_adds_no_notices(feed_server, kalma_zone):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    feed_source(feed_server, "/feed", poll_interval=timedelta(minutes=30))
    feeds_poll_due(now=NOW)

    summary = feeds_poll_due(now=NOW + timedelta(hours=1))

    assert summary.as_dict()["notices_existing"] == 1
    assert Notice.objects.count() == 1


def test_a_feed_is_not_fetched_again_before_its_interval_has_passed(feed_server, kalma_zone):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    feed_source(feed_server, "/feed", poll_interval=timedelta(hours=1))
    feeds_poll_due(now=NOW)

    feeds_poll_due(now=NOW + timedelta(minutes=59))
    assert len(feed_server.requests) == 1

    feeds_poll_due(now=NOW + timedelta(minutes=60))
    assert len(feed_server.requests) == 2


def test_inactive_sources_and_sources_without_a_feed_are_not_polled(feed_server):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    feed_source(feed_server, "/feed", is_active=False)
    SourceFactory(feed_url="")

    assert feeds_poll_due(now=NOW).results == []
    assert feed_server.requests == []


def test_running_the_poll_twice_at_the_same_moment_fetches_each_feed_once(feed_server, kalma_zone):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)
    feeds_poll_due(now=NOW)

    assert len(feed_server.requests) == 1


def test_the_celery_task_polls_the_due_feeds(feed_server, kalma_zone):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    feed_source(feed_server, "/feed")

    result = poll_feeds.delay().get()

    assert result["sources"] == 1 and result["notices_created"] == 1


def test_entry_html_is_stored_as_plain_text(feed_server, kalma_zone):
    html = f"<p>{SUSPENSION}</p><script>alert(1)</script><iframe src=x></iframe>"
    feed_server.routes["/feed"] = ok(rss(("n-2", "Zone <b>notice</b>", html)))
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    notice = Notice.objects.get(source=source)
    assert notice.body == SUSPENSION and "<" not in notice.title


# --- broken feeds ---------------------------------------------------------------------------------


def test_a_broken_feed_records_its_error_while_the_other_feeds_still_ingest(
    feed_server, kalma_zone
):
    feed_server.routes["/broken"] = lambda h: (500, {}, b"upstream exploded")
    feed_server.routes["/garbage"] = lambda h: (200, {"Content-Type": "text/plain"}, b"\x00\xff??")
    feed_server.routes["/good"] = ok(SUSPENSION_FEED)
    broken = feed_source(feed_server, "/broken", name="A broken")
    garbage = feed_source(feed_server, "/garbage", name="B garbage")
    good = feed_source(feed_server, "/good", name="C good")

    summary = feeds_poll_due(now=NOW)

    broken.refresh_from_db()
    garbage.refresh_from_db()
    assert "HTTP 500" in broken.last_error and broken.last_error_at == NOW
    assert "Not an RSS or Atom feed" in garbage.last_error and garbage.last_error_at == NOW
    assert Notice.objects.filter(source=good).count() == 1
    assert summary.as_dict()["failed"] == 2
    assert broken.last_success_at is None and broken.etag == ""


def test_a_feed_that_answers_with_a_file_path_is_not_read_from_disk(feed_server):
    feed_server.routes["/feed"] = lambda h: (200, {"Content-Type": "text/plain"}, b"/etc/passwd")
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "Not an RSS or Atom feed" in source.last_error
    assert Notice.objects.count() == 0


def test_a_feed_that_later_recovers_clears_its_error(feed_server, kalma_zone):
    replies = iter([(500, {}, b"down"), (200, RSS_TYPE, SUSPENSION_FEED)])
    feed_server.routes["/feed"] = lambda h: next(replies)
    source = feed_source(feed_server, "/feed", poll_interval=timedelta(minutes=5))
    feeds_poll_due(now=NOW)

    feeds_poll_due(now=NOW + timedelta(minutes=5))

    source.refresh_from_db()
    assert source.last_error == "" and source.last_success_at == NOW + timedelta(minutes=5)
    assert Notice.objects.filter(source=source).count() == 1


@pytest.mark.parametrize("streamed", [False, True], ids=["declared-length", "streamed"])
def test_an_oversized_feed_is_refused(feed_server, settings, streamed):
    settings.FEED_MAX_BYTES = 10_000
    huge = rss(*[(f"n-{i}", "Filler", "x" * 500) for i in range(50)])
    headers = {"Connection": "close"} if streamed else {}
    feed_server.routes["/feed"] = ok(huge, **headers)
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "larger than the limit of 10000 bytes" in source.last_error
    assert Notice.objects.count() == 0


def test_a_compressed_feed_that_inflates_past_the_limit_is_refused(feed_server, settings):
    settings.FEED_MAX_BYTES = 10_000
    bomb = gzip.compress(SUSPENSION_FEED + b" " * 1_000_000)
    feed_server.routes["/feed"] = ok(bomb, **{"Content-Encoding": "gzip"})
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert len(bomb) < 10_000 and "larger than the limit" in source.last_error


def test_a_gzip_compressed_feed_within_the_limit_is_read(feed_server, kalma_zone):
    feed_server.routes["/feed"] = ok(gzip.compress(SUSPENSION_FEED), **{"Content-Encoding": "gzip"})
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    assert Notice.objects.filter(source=source).count() == 1


def test_a_feed_that_stalls_times_out_and_is_recorded(feed_server, settings):
    settings.FEED_TIMEOUT_SECONDS = 0.3

    def stall(headers):
        feed_server.released.wait(10)
        return 200, RSS_TYPE, SUSPENSION_FEED

    feed_server.routes["/feed"] = stall
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "Timed out" in source.last_error


def test_redirects_are_followed(feed_server, kalma_zone):
    feed_server.routes["/old"] = lambda h: (301, {"Location": "/feed"}, b"")
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    source = feed_source(feed_server, "/old")

    feeds_poll_due(now=NOW)

    assert feed_server.paths_requested() == ["/old", "/feed"]
    assert Notice.objects.filter(source=source).count() == 1


def test_endless_redirects_are_given_up_on(feed_server):
    feed_server.routes["/loop"] = lambda h: (302, {"Location": "/loop"}, b"")
    source = feed_source(feed_server, "/loop")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "redirects" in source.last_error and len(feed_server.requests) == 6


# --- refused addresses and XML attacks -----------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_private_address_is_refused_without_connecting_when_not_allowed(
    feed_server, settings, host
):
    feed_server.routes["/feed"] = ok(SUSPENSION_FEED)
    source = SourceFactory(feed_url=feed_server.url("/feed").replace("127.0.0.1", host))
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert source.last_error.startswith("Refused:") and "loopback" in source.last_error
    assert feed_server.requests == [] and Notice.objects.count() == 0


@pytest.mark.parametrize(
    "host",
    ["169.254.169.254", "10.1.2.3", "192.168.0.1", "[::ffff:10.0.0.1]", "[::1]", "0.0.0.0"],  # noqa: S104
)
def test_link_local_private_and_disguised_addresses_are_refused(settings, host):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    source = SourceFactory(feed_url=f"http://{host}/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert source.last_error.startswith("Refused:")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml"])
def test_feed_urls_other_than_http_and_https_are_refused(url):
    source = SourceFactory(feed_url=url)

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "Only http and https" in source.last_error


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Zone</title><description>&lol9;</description></item></channel></rss>"""


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, BILLION_LAUGHS.replace(b"</channel>", b"<unclosed></channel>")],
    ids=["well-formed", "malformed"],
)
def test_a_billion_laughs_feed_is_refused(feed_server, body):
    feed_server.routes["/feed"] = ok(body)
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "declares XML entities" in source.last_error
    assert Notice.objects.count() == 0


def test_an_external_entity_feed_is_refused(feed_server):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
        b"<description>&xxe;</description></item></channel></rss>"
    )
    feed_server.routes["/feed"] = ok(xxe)
    source = feed_source(feed_server, "/feed")

    feeds_poll_due(now=NOW)

    source.refresh_from_db()
    assert "declares XML entities" in source.last_error
    assert not Notice.objects.filter(body__contains="root:").exists()
