"""POST/GET /api/v1/notices/ and GET /api/v1/sources/."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from advisories.models import Claim, Notice, NoticeState
from tests.advisories.ingest_support import SUSPENSION
from tests.factories import ClaimFactory, NoticeFactory, SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/notices/"


def notice_payload(**overrides) -> dict:
    payload = {
        "source": "tourism-admin",
        "url": "https://tourism.example.org/notices/2025-07-16",
        "title": "Notice on the Wonsan-Kalma Coastal Tourist Zone",
        "body": SUSPENSION,
        "published_at": "2025-07-16T10:00:00+09:00",
        "language": "en",
        "external_id": "notice-2025-07-16",
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def rows() -> tuple[int, int]:
    return Notice.objects.count(), Claim.objects.count()


# --- success and idempotence ----------------------------------------------------------------------


def test_posting_a_notice_answers_202_with_the_notice_pending_and_where_its_claims_appear(
    notice_writer, official_source, kalma_zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = notice_writer.post(URL, notice_payload(), format="json")

    assert response.status_code == 202
    data = response.json()
    notice = Notice.objects.get(pk=data["id"])
    assert notice.source == official_source and notice.body == SUSPENSION
    assert notice.published_at == datetime(2025, 7, 16, 1, 0, tzinfo=UTC)
    assert (data["extraction_state"], data["claims"]) == (NoticeState.PENDING, [])
    assert data["claims_url"] == f"http://testserver{URL}{notice.pk}/"
    assert response["Location"] == data["claims_url"]
    assert len(queued) == 1 and Claim.objects.count() == 0


def test_the_claims_of_a_posted_notice_appear_at_its_claims_url_once_extraction_has_run(
    notice_writer, official_source, kalma_zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = notice_writer.post(URL, notice_payload(), format="json")

    detail = notice_writer.get(response.json()["claims_url"])

    data = detail.json()
    assert data["state"] == NoticeState.EXTRACTED
    claim = next(c for c in data["claims"] if c["audience"] == "foreign")
    assert claim["destination"] == "wonsan-kalma" and claim["status"] == "suspended"
    assert claim["sentence"] == SUSPENSION
    assert Claim.objects.filter(notice_id=data["id"]).count() == len(data["claims"])


def test_posting_the_same_notice_again_returns_the_stored_one_and_writes_nothing(
    notice_writer, official_source, kalma_zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notice_writer.post(URL, notice_payload(), format="json")
    before = rows()

    with django_capture_on_commit_callbacks() as queued:
        again = notice_writer.post(URL, notice_payload(), format="json")

    assert again.status_code == 200 and queued == []
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["extraction_state"] == NoticeState.EXTRACTED
    assert again.json()["claims"] == notice_writer.get(first.json()["claims_url"]).json()["claims"]
    assert rows() == before and before[1] > 0


def test_the_same_text_sent_as_html_is_the_same_notice(notice_writer, official_source, kalma_zone):
    first = notice_writer.post(URL, notice_payload(), format="json")

    again = notice_writer.post(
        URL, notice_payload(body=None, html=f"<p>{SUSPENSION}</p>"), format="json"
    )

    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_html_is_stored_as_plain_text_without_markup_or_script(
    notice_writer, official_source, kalma_zone
):
    html = (
        "<article><h2>Zone notice</h2>"
        f"<p>{SUSPENSION.replace('temporarily', '<b>temporarily</b>')}</p>"
        "<script>alert('owned')</script><img src=x onerror=\"alert(1)\">"
        "<style>p {color: red}</style><!-- internal note --></article>"
    )

    response = notice_writer.post(URL, notice_payload(body=None, html=html), format="json")

    assert response.status_code == 202
    body = Notice.objects.get(pk=response.json()["id"]).body
    assert body == f"Zone notice\n\n{SUSPENSION}"
    assert "<" not in body and "alert" not in body and "internal note" not in body


# --- authentication and permission ---------------------------------------------------------------


def test_posting_without_a_token_is_refused_with_401_and_writes_nothing(
    official_source, kalma_zone
):
    response = APIClient().post(URL, notice_payload(), format="json")

    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert rows() == (0, 0)


def test_posting_with_an_unknown_token_is_refused_with_401(official_source, kalma_zone):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.post(URL, notice_payload(), format="json").status_code == 401


def test_posting_without_the_add_notice_permission_is_refused_with_403(
    notice_reader, official_source, kalma_zone
):
    response = notice_reader.post(URL, notice_payload(), format="json")

    assert response.status_code == 403
    assert rows() == (0, 0)


# --- bad input: a 400 naming the field, nothing written ------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": None}, "title"),
        ({"source": None}, "source"),
        ({"published_at": None}, "published_at"),
        ({"body": None}, "body"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"body": "  \n "}, "body"),
        ({"body": "A NUL \x00 in the text."}, "body"),
        ({"html": "<p>both</p>"}, "html"),
        ({"body": None, "html": "<script>only a script</script>"}, "html"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://tourism.example.org/notice"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"published_at": "yesterday"}, "published_at"),
        ({"published_at": "2025-13-45T10:00:00Z"}, "published_at"),
        ({"published_at": "2999-01-01T00:00:00Z"}, "published_at"),
        ({"published_at": "9999-12-31T23:59:59-12:00"}, "published_at"),
        ({"published_at": "0001-01-01T00:00:00+05:00"}, "published_at"),
        ({"language": "english please"}, "language"),
        ({"external_id": "x" * 501}, "external_id"),
        ({"source": "no-such-source"}, "source"),
        ({"source": "not a slug!"}, "source"),
        ({"title": 42 * [1]}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    notice_writer, official_source, kalma_zone, overrides, field
):
    response = notice_writer.post(URL, notice_payload(**overrides), format="json")

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert rows() == (0, 0)


def test_an_unknown_source_is_named_in_the_error_message(notice_writer, official_source):
    response = notice_writer.post(URL, notice_payload(source="no-such-source"), format="json")

    assert response.json()["error"]["fields"]["source"] == ["Unknown source 'no-such-source'."]


def test_a_body_that_is_not_json_is_a_400(notice_writer, official_source):
    response = notice_writer.post(URL, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_a_form_encoded_body_is_refused_as_unsupported_media(notice_writer, official_source):
    response = notice_writer.post(URL, notice_payload(), format="multipart")

    assert response.status_code == 415


def test_a_request_over_the_size_limit_is_a_413_and_writes_nothing(
    notice_writer, official_source, kalma_zone, settings
):
    settings.NOTICE_MAX_BYTES = 2_000
    response = notice_writer.post(
        URL, notice_payload(body=SUSPENSION + " x" * 1_000), format="json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["status"] == 413
    assert rows() == (0, 0)


def test_a_request_declaring_a_length_over_the_limit_is_a_413(
    notice_writer, official_source, settings
):
    settings.NOTICE_MAX_BYTES = 2_000

    response = notice_writer.post(
        URL, notice_payload(), format="json", headers={"Content-Length": "50000"}
    )

    assert response.status_code == 413


def test_an_oversized_request_without_a_token_is_a_401_not_read(official_source, settings):
    settings.NOTICE_MAX_BYTES = 2_000

    response = APIClient().post(URL, notice_payload(body="x" * 5_000), format="json")

    assert response.status_code == 401


# --- reading -------------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_claim_counts_and_no_body():
    older = NoticeFactory(published_at=datetime(2025, 7, 1, tzinfo=UTC))
    newer = NoticeFactory(published_at=datetime(2025, 7, 16, tzinfo=UTC))
    ClaimFactory(notice=newer)
    ClaimFactory(notice=newer)

    data = APIClient().get(URL).json()

    assert [n["id"] for n in data["results"]] == [newer.pk, older.pk]
    assert data["results"][0]["claim_count"] == 2
    assert data["results"][0]["source"] == newer.source.slug
    assert "body" not in data["results"][0]


def test_the_list_filters_by_source_state_and_publication_time():
    source = SourceFactory(slug="daily")
    match = NoticeFactory(
        source=source, state=NoticeState.EXTRACTED, published_at=datetime(2025, 7, 10, tzinfo=UTC)
    )
    NoticeFactory(
        source=source, state=NoticeState.EXTRACTED, published_at=datetime(2025, 6, 1, tzinfo=UTC)
    )
    NoticeFactory(
        source=source, state=NoticeState.FAILED, published_at=datetime(2025, 7, 10, tzinfo=UTC)
    )
    NoticeFactory(state=NoticeState.EXTRACTED, published_at=datetime(2025, 7, 10, tzinfo=UTC))

    data = (
        APIClient()
        .get(
            URL,
            {
                "source": "daily",
                "state": "extracted",
                "published_after": "2025-07-01T00:00:00Z",
                "published_before": "2025-08-01T00:00:00Z",
            },
        )
        .json()
    )

    assert [n["id"] for n in data["results"]] == [match.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"published_after": "not a date"},
        {"state": "sleeping"},
        {"published_before": "9999-12-31T23:59:59-12:00"},
    ],
)
def test_a_bad_list_filter_is_a_400(params):
    response = APIClient().get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_list_is_paginated_in_a_constant_number_of_queries(django_assert_max_num_queries):
    for _ in range(60):
        ClaimFactory(notice=NoticeFactory())

    with django_assert_max_num_queries(3):
        first = APIClient().get(URL).json()
    second = APIClient().get(first["next"]).json()

    assert len(first["results"]) == 50 and "cursor=" in first["next"]
    assert len(second["results"]) == 10 and second["next"] is None


def test_a_notice_reads_with_its_body_and_claims_in_a_constant_number_of_queries(
    django_assert_max_num_queries,
):
    notice = NoticeFactory(body="Plain text body.")
    for _ in range(5):
        ClaimFactory(notice=notice)

    with django_assert_max_num_queries(3):
        data = APIClient().get(f"{URL}{notice.pk}/").json()

    assert data["body"] == "Plain text body." and len(data["claims"]) == 5


@pytest.mark.parametrize("key", ["999999", "99999999999999999999999999", "null,null", "-1"])
def test_a_missing_notice_is_a_404_in_the_error_envelope(key):
    response = APIClient().get(f"{URL}{key}/")

    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_sources_list_and_detail_show_public_fields_but_no_polling_secrets():
    SourceFactory(slug="daily", name="The Daily", etag='"abc"', last_error="connection refused")

    listed = APIClient().get("/api/v1/sources/").json()
    detail = APIClient().get("/api/v1/sources/daily/").json()

    assert [s["slug"] for s in listed["results"]] == ["daily"]
    assert detail["name"] == "The Daily" and detail["kind"] == "news"
    assert "etag" not in detail and "last_error" not in detail


def test_an_unknown_source_detail_is_a_404():
    assert APIClient().get("/api/v1/sources/nope/").status_code == 404
