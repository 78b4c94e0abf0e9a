"""The nightly snapshots: gzip files with their size and sha256, listed by the API, written
once per day whatever the number of task messages, never listed half-written, and dropped
after EXPORT_KEEP_DAYS."""

import gzip
import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from publishing.export import snapshots
from publishing.export.tasks import export_snapshots
from publishing.models import ExportSnapshot
from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory
from tests.publishing.exports import body, exports_on_disk

pytestmark = pytest.mark.django_db

KINDS = ["changes.csv", "changes.jsonl", "current.csv"]
NIGHT = datetime(2026, 12, 6, 0, 20, tzinfo=UTC)


@pytest.fixture
def folder(settings, tmp_path):
    return exports_on_disk(settings, tmp_path / "exports")


@pytest.fixture
def history():
    place = DestinationFactory(slug="rason", name="Rason")
    CurrentStatusFactory(change=StatusChangeFactory(destination=place))


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _run_at(moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return export_snapshots.delay().get()


def test_the_task_writes_a_gzip_of_each_export_with_its_size_and_sha256(client, folder, history):
    _run_at(NIGHT)

    for kind in KINDS:
        snapshot = ExportSnapshot.objects.get(kind=kind, day=NIGHT.date())
        data = (folder / snapshot.name).read_bytes()
        assert snapshot.size == len(data)
        assert snapshot.sha256 == hashlib.sha256(data).hexdigest()
        live = body(client.get(f"/api/v1/export/{kind}"))
        assert gzip.decompress(data) == live
    assert snapshot.name == "2026/12/portcullis-current-2026-12-06.csv.gz"


def test_the_listing_gives_each_snapshot_with_its_link_and_the_live_exports(
    client, folder, history
):
    _run_at(NIGHT)

    listing = client.get("/api/v1/export/").json()

    assert listing["versions"] == {"changes": "changes/1", "current": "current/1"}
    assert [(e["kind"], e["version"]) for e in listing["live"]] == [
        ("changes.csv", "changes/1"),
        ("changes.jsonl", "changes/1"),
        ("current.csv", "current/1"),
    ]
    assert listing["live"][0]["url"] == "http://testserver/api/v1/export/changes.csv"
    first = listing["snapshots"][0]
    stored = ExportSnapshot.objects.get(kind=first["kind"], day=NIGHT.date())
    assert first == {
        "kind": "changes.csv",
        "day": "2026-12-06",
        "size": stored.size,
        "sha256": stored.sha256,
        "version": "changes/1",
        "url": "http://testserver/api/v1/export/snapshots/2026-12-06/changes.csv.gz",
    }
    assert [s["kind"] for s in listing["snapshots"]] == KINDS


def test_a_listed_snapshot_downloads_as_the_stored_gzip(client, folder, history):
    _run_at(NIGHT)
    snapshot = ExportSnapshot.objects.get(kind="changes.jsonl")

    response = client.get("/api/v1/export/snapshots/2026-12-06/changes.jsonl.gz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert "portcullis-changes-2026-12-06.jsonl.gz" in response["Content-Disposition"]
    assert hashlib.sha256(body(response)).hexdigest() == snapshot.sha256


def test_a_snapshot_revalidated_with_its_sha256_is_not_modified(client, folder, history):
    _run_at(NIGHT)
    url = "/api/v1/export/snapshots/2026-12-06/current.csv.gz"
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"if-none-match": etag})

    assert etag == f'"{ExportSnapshot.objects.get(kind="current.csv").sha256}"'
    assert response.status_code == 304
    assert response["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    "path", ["2026-12-05/changes.csv.gz", "2026-12-06/other.csv.gz", "yesterday/changes.csv.gz"]
)
def test_a_snapshot_not_listed_is_a_404(client, folder, history, path):
    _run_at(NIGHT)

    response = client.get(f"/api/v1/export/snapshots/{path}")

    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_a_duplicated_task_message_writes_nothing_the_second_time(folder, history):
    first = _run_at(NIGHT)
    files = {p: p.stat().st_mtime_ns for p in folder.rglob("*.gz")}

    second = _run_at(NIGHT + timedelta(hours=1))

    assert first["written"] == KINDS and second["written"] == []
    assert ExportSnapshot.objects.count() == 3
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*.gz")} == files


def test_a_worker_already_writing_the_day_makes_a_second_one_write_nothing(folder, history):
    from django.core.cache import cache

    export = snapshots.EXPORTS["changes.csv"]
    cache.add(snapshots.snapshot_lock_key(export, NIGHT.date()), "writing")

    assert snapshots.snapshot_write(export=export, day=NIGHT.date()) is None
    assert _files(folder) == []


def test_a_write_that_fails_half_way_lists_nothing_and_leaves_no_file(
    client, folder, history, monkeypatch
):
    def broken(export):
        yield b"id,destination\n"
        raise ConnectionError("database went away")

    monkeypatch.setattr(snapshots, "export_chunks", broken)

    with pytest.raises(ConnectionError):
        _run_at(NIGHT)

    assert ExportSnapshot.objects.count() == 0
    assert client.get("/api/v1/export/").json()["snapshots"] == []
    assert _files(folder) == []


def test_the_next_run_after_a_failed_one_writes_the_day(folder, history, monkeypatch):
    def broken(export):
        raise ConnectionError("database went away")
        yield b""

    with monkeypatch.context() as patched:
        patched.setattr(snapshots, "export_chunks", broken)
        with pytest.raises(ConnectionError):
            _run_at(NIGHT)

    assert _run_at(NIGHT + timedelta(hours=1))["written"] == KINDS


def test_a_file_left_by_a_run_that_died_before_listing_it_is_replaced(folder, history):
    stale = folder / "2026/12/portcullis-changes-2026-12-06.csv.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a file")

    _run_at(NIGHT)

    snapshot = ExportSnapshot.objects.get(kind="changes.csv")
    assert snapshot.name == "2026/12/portcullis-changes-2026-12-06.csv.gz"
    assert hashlib.sha256(stale.read_bytes()).hexdigest() == snapshot.sha256


def test_snapshots_older_than_the_kept_days_are_deleted_with_their_files(folder, history, settings):
    settings.EXPORT_KEEP_DAYS = 3
    for day in range(1, 6):
        _run_at(datetime(2026, 12, day, 1, 0, tzinfo=UTC))

    days = sorted(set(ExportSnapshot.objects.values_list("day", flat=True)))
    assert days == [date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 5)]
    assert len(_files(folder)) == 9
    assert not any("2026-12-01" in name or "2026-12-02" in name for name in _files(folder))


def test_the_snapshot_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["export-snapshots"]
    assert entry["task"] == export_snapshots.name
    assert entry["schedule"] <= timedelta(hours=1)
