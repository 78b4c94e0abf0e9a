"""The fast way to write an export, on PostgreSQL: the database writes the text itself.

`COPY (SELECT ...) TO STDOUT` through psycopg 3's `cursor.copy()` hands over the finished bytes;
Python only gathers them into chunks. Every cell is formatted in SQL exactly as the portable path
formats it in Python (publishing/export/rows.py), formula guard included, and a test holds the
two byte for byte identical on the same data (tests/publishing/test_export_copy.py).

JSON Lines go through COPY's CSV mode with a delimiter and a quote character that JSON text can
never hold raw (it escapes every control character), so each line comes out exactly as built,
with no quoting or backslash doubling (which COPY's text mode would add).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from destinations.models import CurrentStatus, Destination, Status, StatusChange
from publishing.export.columns import (
    CHANGES,
    CURRENT,
    FORMULA_STARTS,
    SQL_TIMESTAMP_FORMAT,
    Column,
    ColumnSet,
)
from publishing.export.rows import CHUNK_BYTES, csv_header

# The formula guard tests the first character's code point (`ascii()`, 0 for an empty text):
# integer comparisons rather than one-character texts compared under the database's collation,
# which took a third off the time of the 5M-change changes export (bench/export_bench.py).
_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)


def _timestamp(expression: str) -> str:
    return f"to_char({expression} AT TIME ZONE 'UTC', '{SQL_TIMESTAMP_FORMAT}')"


def _boolean(expression: str) -> str:
    return f"CASE WHEN {expression} THEN 'true' ELSE 'false' END"


def csv_cell(column: Column) -> str:
    """The column's CSV cell; NULL is COPY's empty unquoted cell."""
    x = column.sql
    if column.type == "text":
        # An empty text is NULL here: COPY would write a non-null empty string as "".
        return (
            f"CASE WHEN ascii({x}) IN ({_FORMULA_CODES}) THEN '''' || {x} "
            f"WHEN ascii({x}) = 0 THEN NULL ELSE {x} END"
        )
    if column.type == "timestamp":
        return _timestamp(x)
    if column.type == "boolean":
        return _boolean(x)
    return x  # integer, float: PostgreSQL's own output (shortest exact float)


def json_value(column: Column) -> str:
    """The column's JSON value as text; never NULL."""
    x = column.sql
    if column.type == "text":
        return f"to_json({x})::text"
    if column.type == "timestamp":
        return f"COALESCE('\"' || {_timestamp(x)} || '\"', 'null')"
    if column.type == "boolean":
        return _boolean(x)
    return f"COALESCE({x}::text, 'null')"


def _source(columns: ColumnSet) -> str:
    """FROM, WHERE and ORDER BY: the visibility rules of rows.changes_queryset and
    rows.current_queryset, written out. Only our own table names and constants go in."""
    destination = Destination._meta.db_table
    if columns is CHANGES:
        changes = StatusChange._meta.db_table
        superseded = f"SELECT 1 FROM {changes} later WHERE later.supersedes_id = c.id"  # noqa: S608
        return (
            f"FROM {changes} c JOIN {destination} d ON d.id = c.destination_id "
            f"WHERE NOT EXISTS ({superseded}) AND c.rule <> 'retraction' ORDER BY c.id"
        )
    if columns is CURRENT:
        current = CurrentStatus._meta.db_table
        return (
            f"FROM {current} s JOIN {destination} d ON d.id = s.destination_id "
            f"WHERE s.status <> '{Status.UNKNOWN.value}' ORDER BY s.id"
        )
    raise ValueError(f"No export of {columns.name!r}")


def csv_query(columns: ColumnSet) -> str:
    cells = ", ".join(f"{csv_cell(c)} AS {c.name}" for c in columns.columns)
    return f"COPY (SELECT {cells} {_source(columns)}) TO STDOUT (FORMAT csv)"


def jsonl_query(columns: ColumnSet) -> str:
    members = " || ',' || ".join(f"'\"{c.name}\":' || {json_value(c)}" for c in columns.columns)
    return (
        f"COPY (SELECT '{{' || {members} || '}}' {_source(columns)}) "
        "TO STDOUT (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"
    )


def _copied(query: str) -> Iterator[bytes]:
    with connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
        pending = bytearray()
        for data in copy:
            pending += data
            if len(pending) >= CHUNK_BYTES:
                yield bytes(pending)
                pending.clear()
        if pending:
            yield bytes(pending)


def csv_chunks(columns: ColumnSet) -> Iterator[bytes]:
    yield csv_header(columns)
    yield from _copied(csv_query(columns))


def jsonl_chunks(columns: ColumnSet) -> Iterator[bytes]:
    yield from _copied(jsonl_query(columns))
