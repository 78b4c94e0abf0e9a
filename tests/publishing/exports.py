"""Helpers shared by the export tests (tests/publishing/test_export_*.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def body(response) -> bytes:
    """A streamed answer's bytes, consumed as a WSGI server would."""
    assert response.streaming, "the export should stream"
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def exports_on_disk(settings, folder: Path) -> Path:
    """Point the `exports` storage at `folder` for this test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/media/exports/"},
        },
    }
    return folder
