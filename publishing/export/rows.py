"""The portable way to write an export: rows read through the ORM a chunk at a time, written
with Python's csv and json. Used on SQLite, and as the reference the COPY path must match
byte for byte (tests/publishing/test_export_copy.py).

Memory stays flat: `.iterator(chunk_size=...)` reads through a server-side cursor on
PostgreSQL (and SQLite's lazy cursor elsewhere), and the text is handed on every CHUNK_BYTES.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from publishing import selectors
from publishing.export.columns import (
    CHANGES,
    CURRENT,
    ColumnSet,
    format_float,
    format_timestamp,
    guard_formula,
)

CHUNK_BYTES = 64 * 1024


def changes_queryset() -> QuerySet:
    """The public history (the changes API's rule: nothing superseded, no withdrawal markers),
    in the order changes were stored."""
    return selectors.recent_changes().order_by("id")


def current_queryset() -> QuerySet:
    """Known current statuses, as the API lists them, in the order their rows were made."""
    return selectors.current_status_rows(now=timezone.now()).order_by("id")


QUERYSETS: dict[str, Callable[[], QuerySet]] = {
    CHANGES.name: changes_queryset,
    CURRENT.name: current_queryset,
}


def _rows(columns: ColumnSet) -> Iterator[tuple]:
    queryset = QUERYSETS[columns.name]().values_list(*(c.orm for c in columns.columns))
    return queryset.iterator(chunk_size=settings.EXPORT_CHUNK_ROWS)


def _csv_cell(kind: str) -> Callable[[Any], str]:
    def text(value):
        return quote(guard_formula(value)) if value else ""

    def number(value):
        return "" if value is None else str(value)

    def real(value):
        return "" if value is None else format_float(value)

    def moment(value):
        return "" if value is None else format_timestamp(value)

    def boolean(value):
        return "true" if value else "false"

    return {
        "text": text,
        "integer": number,
        "float": real,
        "timestamp": moment,
        "boolean": boolean,
    }[kind]


def _json_value(kind: str) -> Callable[[Any], str]:
    def text(value):
        return json.dumps(value, ensure_ascii=False)

    def number(value):
        return "null" if value is None else str(value)

    def real(value):
        return "null" if value is None else format_float(value)

    def moment(value):
        return "null" if value is None else f'"{format_timestamp(value)}"'

    def boolean(value):
        return "true" if value else "false"

    return {
        "text": text,
        "integer": number,
        "float": real,
        "timestamp": moment,
        "boolean": boolean,
    }[kind]


def quote(text: str) -> str:
    """RFC 4180 quoting, as PostgreSQL's COPY writes CSV: a cell holding a comma, a quote, a
    CR or an LF is quoted, its quotes doubled. (Python's csv module leaves a lone CR unquoted
    when lines end in LF.)"""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_header(columns: ColumnSet) -> bytes:
    return (",".join(columns.names) + "\n").encode()


def csv_chunks(columns: ColumnSet, rows: Iterable[tuple] | None = None) -> Iterator[bytes]:
    """The CSV export, header first, in chunks of about CHUNK_BYTES."""
    yield csv_header(columns)
    cells = [_csv_cell(c.type) for c in columns.columns]
    pending: list[str] = []
    size = 0
    for row in _rows(columns) if rows is None else rows:
        line = ",".join([cell(value) for cell, value in zip(cells, row, strict=True)]) + "\n"
        pending.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(pending).encode()
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode()


def jsonl_chunks(columns: ColumnSet, rows: Iterable[tuple] | None = None) -> Iterator[bytes]:
    """The JSON Lines export: one object per row, keys in column order, no spaces."""
    keys = [json.dumps(c.name) + ":" for c in columns.columns]
    values = [_json_value(c.type) for c in columns.columns]
    pending: list[str] = []
    size = 0
    for row in _rows(columns) if rows is None else rows:
        parts = [k + v(x) for k, v, x in zip(keys, values, row, strict=True)]
        line = "{" + ",".join(parts) + "}\n"
        pending.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(pending).encode()
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode()
