"""The live exports: what they hold, in which order, and that they stream in constant memory."""

import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from django.http import StreamingHttpResponse

from destinations.models import Status, StatusChange
from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory
from tests.publishing.exports import body, csv_rows

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/export/changes.csv", "/api/v1/export/changes.jsonl", "/api/v1/export/current.csv"]
WHEN = datetime(2025, 7, 16, 9, 30, tzinfo=UTC)


def test_the_changes_csv_leaves_out_superseded_changes_and_withdrawal_markers(client):
    place = DestinationFactory(slug="rason")
    wrong = StatusChangeFactory(destination=place, status=Status.CLOSED, effective_at=WHEN)
    fix = StatusChangeFactory(
        destination=place, status=Status.OPEN, effective_at=WHEN, supersedes=wrong
    )
    marker = StatusChangeFactory(
        destination=place, effective_at=WHEN + timedelta(days=1), rule="retraction"
    )
    kept = StatusChangeFactory(destination=place, effective_at=WHEN + timedelta(days=2))

    ids = [int(row["id"]) for row in csv_rows(body(client.get(URLS[0])))]

    assert ids == [fix.pk, kept.pk]
    assert wrong.pk not in ids and marker.pk not in ids


def test_the_changes_jsonl_holds_the_same_changes_as_the_csv_one_object_a_line(client):
    place = DestinationFactory(slug="wonsan")
    first = StatusChangeFactory(destination=place, effective_at=WHEN, confidence=0.9)
    second = StatusChangeFactory(destination=place, effective_at=WHEN, supersedes=first)

    lines = body(client.get(URLS[1])).decode().splitlines()

    objects = [json.loads(line) for line in lines]
    assert [o["id"] for o in objects] == [second.pk]
    assert objects[0]["supersedes"] == first.pk
    assert objects[0]["destination"] == "wonsan"
    assert objects[0]["effective_at"] == "2025-07-16T09:30:00.000000Z"
    assert objects[0]["alters_current"] is False


def test_changes_come_in_the_order_they_were_stored_whatever_they_say(client):
    place = DestinationFactory()
    late = StatusChangeFactory(destination=place, effective_at=WHEN + timedelta(days=30))
    early = StatusChangeFactory(destination=place, effective_at=WHEN)

    ids = [int(row["id"]) for row in csv_rows(body(client.get(URLS[0])))]

    assert ids == sorted([late.pk, early.pk])


def test_the_current_csv_has_one_row_per_known_status_of_a_destination_and_audience(client):
    place = DestinationFactory(slug="kalma", name="Wonsan-Kalma")
    CurrentStatusFactory(change=StatusChangeFactory(destination=place, audience="foreign"))
    CurrentStatusFactory(change=StatusChangeFactory(destination=place, audience="RU"))
    CurrentStatusFactory(
        change=StatusChangeFactory(destination=DestinationFactory(), status=Status.UNKNOWN)
    )

    rows = csv_rows(body(client.get(URLS[2])))

    assert [(r["destination"], r["audience"]) for r in rows] == [
        ("kalma", "foreign"),
        ("kalma", "RU"),
    ]
    assert rows[0]["destination_name"] == "Wonsan-Kalma"
    assert rows[0]["since"] == "2025-07-16T00:00:00.000000Z"


@pytest.mark.parametrize("url", URLS)
def test_each_export_is_a_streamed_attachment_named_for_the_day(client, url):
    StatusChangeFactory()

    response = client.get(url)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    stem, extension = url.rsplit("/", 1)[1].split(".")
    today = datetime.now(UTC).date().isoformat()
    assert response["Content-Disposition"] == (
        f"attachment; filename=portcullis-{stem}-{today}.{extension}"
    )
    assert "charset=utf-8" in response["Content-Type"]


def test_an_accept_header_asking_for_json_still_gets_the_file(client):
    response = client.get(URLS[0], headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def _peak_while_streaming(client, url: str) -> tuple[int, int]:
    """Peak Python memory while the export is read and dropped chunk by chunk, and its size."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        size = sum(len(chunk) for chunk in client.get(url).streaming_content)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def _add_changes(count: int) -> None:
    places = [DestinationFactory() for _ in range(10)]
    StatusChange.objects.bulk_create(
        StatusChange(
            destination=places[n % 10],
            status=Status.OPEN,
            effective_at=WHEN + timedelta(minutes=n),
            recorded_at=WHEN + timedelta(minutes=n),
            summary=f"A summary long enough to weigh something in memory, number {n}.",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("url", URLS[:2])
def test_streaming_five_times_the_rows_takes_no_more_memory(client, settings, url):
    settings.EXPORT_CHUNK_ROWS = 200
    body(client.get(url))  # first-request costs (imports, URL resolver) are not the export's
    _add_changes(2_000)
    small_peak, small_size = _peak_while_streaming(client, url)
    _add_changes(8_000)
    large_peak, large_size = _peak_while_streaming(client, url)

    assert large_size > 4.5 * small_size
    # Materialised, the rows alone would be several times the body; streamed, the peak is a
    # chunk's worth, whatever the number of rows.
    assert large_peak < 1.5 * small_peak + 256 * 1024
    assert large_peak < large_size / 3


@pytest.mark.parametrize("url", URLS)
def test_a_head_request_reads_no_rows(client, url, django_assert_num_queries):
    StatusChangeFactory()

    with django_assert_num_queries(0):
        response = client.head(url)
        assert b"".join(response.streaming_content) == b""

    assert response.status_code == 200
    assert response["Export-Version"]
