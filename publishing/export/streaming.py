"""The three exports, and which writer makes their bytes: COPY on PostgreSQL, Python elsewhere.

Both writers give the same bytes (tests/publishing/test_export_copy.py); COPY is the one that
keeps up with a history of millions of rows (bench/export_bench.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection

from publishing.export import copy, rows
from publishing.export.columns import CHANGES, CURRENT, ColumnSet


@dataclass(frozen=True)
class Export:
    kind: str  # "changes.csv": the name in URLs, snapshot file names and the listing
    columns: ColumnSet
    form: str  # "csv" or "jsonl"
    content_type: str

    def filename(self, day: date) -> str:
        stem, _, extension = self.kind.partition(".")
        return f"portcullis-{stem}-{day.isoformat()}.{extension}"


CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"

EXPORTS = {
    export.kind: export
    for export in (
        Export("changes.csv", CHANGES, "csv", CSV_TYPE),
        Export("changes.jsonl", CHANGES, "jsonl", JSONL_TYPE),
        Export("current.csv", CURRENT, "csv", CSV_TYPE),
    )
}

_WRITERS: dict[tuple[str, str], Callable[[ColumnSet], Iterator[bytes]]] = {
    ("copy", "csv"): copy.csv_chunks,
    ("copy", "jsonl"): copy.jsonl_chunks,
    ("python", "csv"): rows.csv_chunks,
    ("python", "jsonl"): rows.jsonl_chunks,
}


def default_method() -> str:
    return "copy" if connection.vendor == "postgresql" else "python"


def export_chunks(export: Export, *, method: str | None = None) -> Iterator[bytes]:
    """The export's bytes, a chunk at a time; nothing is read until the first chunk is asked."""
    return _WRITERS[(method or default_method(), export.form)](export.columns)
