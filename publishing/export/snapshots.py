"""Dated gzip snapshots of the exports, in the `exports` storage (settings.STORAGES), kept for
EXPORT_KEEP_DAYS days.

A snapshot is gzipped while its export streams into a temporary file, hashed (sha256 of the
gzip file, as downloaded) on the way, then saved to the storage in one call, and listed (its
ExportSnapshot row made) only after that: a write that fails half-way leaves nothing listed and,
since the temporary file goes with it, nothing behind.

Idempotent per (kind, UTC day): the row is unique on them, a run finds a listed snapshot and
writes nothing, and a cache lock keeps two workers (a duplicated task message) from writing the
same snapshot at once. With the cache unreachable no lock can be had and nothing is written:
the next run, an hour later, makes up for it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from publishing.export.streaming import EXPORTS, Export, export_chunks
from publishing.models import ExportSnapshot

logger = logging.getLogger(__name__)

STORAGE = "exports"


def exports_storage() -> Storage:
    return storages[STORAGE]


def snapshot_name(*, export: Export, day: date) -> str:
    """Where a snapshot lives in the storage: `2026/12/portcullis-changes-2026-12-06.csv.gz`."""
    return f"{day:%Y/%m}/{export.filename(day)}.gz"


class _Counted:
    """A binary file wrapper that hashes and counts what goes through it (gzip writes here)."""

    def __init__(self, file: IO[bytes]):
        self.file = file
        self.size = 0
        self.hash = hashlib.sha256()

    def write(self, data) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


@dataclass(frozen=True)
class Written:
    size: int
    sha256: str


# zlib's default level: most of level 9's size at several times its speed.
COMPRESS_LEVEL = 6


def gzip_into(chunks: Iterable[bytes], file: IO[bytes]) -> Written:
    """Gzip `chunks` into `file` as they come; the gzip file's size and sha256.

    No name or time in the gzip header: the same export gives the same file.
    """
    counted = _Counted(file)
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=counted, mtime=0, compresslevel=COMPRESS_LEVEL
    ) as packed:
        for chunk in chunks:
            packed.write(chunk)
    return Written(size=counted.size, sha256=counted.hash.hexdigest())


def snapshot_lock_key(export: Export, day: date) -> str:
    return f"portcullis:export-snapshot:{export.kind}:{day.isoformat()}"


def snapshot_write(*, export: Export, day: date) -> ExportSnapshot | None:
    """Write and list `export`'s snapshot for `day`, unless it is listed or being written."""
    if ExportSnapshot.objects.filter(kind=export.kind, day=day).exists():
        return None
    key = snapshot_lock_key(export, day)
    # Held at most as long as a task may run: a worker killed mid-write frees it by then.
    if not cache.add(key, "writing", timeout=settings.CELERY_TASK_TIME_LIMIT + 60):
        logger.info("export snapshot %s of %s: written elsewhere now", export.kind, day)
        return None
    try:
        if ExportSnapshot.objects.filter(kind=export.kind, day=day).exists():
            return None  # listed between the first look and the lock
        return _write(export=export, day=day)
    finally:
        cache.delete(key)


def _write(*, export: Export, day: date) -> ExportSnapshot | None:
    storage = exports_storage()
    name = snapshot_name(export=export, day=day)
    with tempfile.TemporaryFile() as temporary:
        written = gzip_into(export_chunks(export), temporary)
        temporary.seek(0)
        # A file under this name and no row: left by a run that died between saving and
        # listing. Under the lock nobody else is writing it.
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(temporary, name=name))
    try:
        with transaction.atomic():
            snapshot = ExportSnapshot.objects.create(
                kind=export.kind,
                day=day,
                name=saved,
                size=written.size,
                sha256=written.sha256,
                version=export.columns.label,
            )
    except IntegrityError:
        # Listed by a writer that did not see our lock (the cache lost it): theirs stands.
        storage.delete(saved)
        return None
    logger.info("export snapshot %s of %s: %d bytes", export.kind, day, written.size)
    return snapshot


def snapshots_write(*, day: date) -> list[ExportSnapshot]:
    """Every export's snapshot for `day` not yet listed; those written now."""
    made = [snapshot_write(export=export, day=day) for export in EXPORTS.values()]
    return [snapshot for snapshot in made if snapshot is not None]


def snapshots_prune(*, today: date, keep_days: int) -> int:
    """Drop the snapshots older than `keep_days` days (today's counts as the first); how many.

    The row goes first, then the file: a failure in between leaves an unlisted file, never a
    listed snapshot whose file is gone.
    """
    storage = exports_storage()
    expired = ExportSnapshot.objects.filter(day__lte=today - timedelta(days=keep_days))
    dropped = 0
    for snapshot in expired.order_by("day", "kind"):
        snapshot.delete()
        storage.delete(snapshot.name)
        dropped += 1
    return dropped


def snapshots_listed() -> QuerySet[ExportSnapshot]:
    return ExportSnapshot.objects.order_by("-day", "kind")


def snapshot_get(*, kind: str, day: date) -> ExportSnapshot | None:
    return ExportSnapshot.objects.filter(kind=kind, day=day).first()
