"""The exports' column sets: one table per export, versioned, read by both ways of writing rows.

Each column says how to read it through the ORM (for the portable path, publishing/export/rows.py)
and as a PostgreSQL expression (for the COPY path, publishing/export/copy.py), and what type it
has; the type alone decides how a value is written, in Python and in SQL alike, so both paths
give the same bytes. docs/export.md describes every column; a change to a set (a column added,
removed, renamed or retyped) is a new version there and here.

Cell formats, the same in every export:
- text: as stored (UTF-8). In CSV, a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
  return gets a leading `'`, so a spreadsheet shows it rather than running it as a formula;
  an empty text is an empty cell.
- timestamp: ISO 8601 in UTC with microseconds, `2025-07-16T09:00:00.000000Z`; empty when none.
- integer: decimal; empty when none. float: shortest form that reads back the same (`0.9`, `1`).
- boolean: `true` / `false`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR, strips
# them and then may): CSV writers prefix such cells with a quote (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SQL_TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "text", "integer", "float", "boolean", "timestamp"
    orm: str  # lookup path from the exported model, for values_list()
    sql: str  # the same value in the COPY query (table aliases: see copy.py)
    meaning: str


@dataclass(frozen=True)
class ColumnSet:
    name: str  # "changes" or "current"
    version: int
    columns: tuple[Column, ...]

    @property
    def label(self) -> str:
        """What the Export-Version header and the snapshot listing say: `changes/1`."""
        return f"{self.name}/{self.version}"

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


CHANGES = ColumnSet(
    name="changes",
    version=1,
    columns=(
        Column("id", "integer", "id", "c.id", "The change's id (the API's `id`)."),
        Column("destination", "text", "destination__slug", "d.slug", "Destination slug."),
        Column("destination_name", "text", "destination__name", "d.name", "Destination name."),
        Column(
            "country_code",
            "text",
            "destination__country_code",
            "d.country_code",
            "ISO 3166-1 alpha-2 code of the destination's country; empty when none.",
        ),
        Column(
            "audience",
            "text",
            "audience",
            "c.audience",
            "`foreign`, `domestic` or an ISO 3166-1 alpha-2 nationality code.",
        ),
        Column(
            "previous_status",
            "text",
            "previous_status",
            "c.previous_status",
            "Status before the change.",
        ),
        Column("status", "text", "status", "c.status", "Status from the change on."),
        Column(
            "effective_at", "timestamp", "effective_at", "c.effective_at", "When it took effect."
        ),
        Column("recorded_at", "timestamp", "recorded_at", "c.recorded_at", "When we learnt it."),
        Column("summary", "text", "summary", "c.summary", "One-line summary."),
        Column("confidence", "float", "confidence", "c.confidence", "From 0 to 1."),
        Column(
            "decided_by",
            "text",
            "decided_by",
            "c.decided_by",
            "`reconciliation` or `curator`.",
        ),
        Column("rule", "text", "rule", "c.rule", "Policy rule that decided; may be empty."),
        Column(
            "supersedes",
            "integer",
            "supersedes_id",
            "c.supersedes_id",
            "Id of the earlier change this one corrects; empty when none.",
        ),
        Column(
            "alters_current",
            "boolean",
            "alters_current",
            "c.alters_current",
            "It became the current status when recorded (not back-filled history).",
        ),
        Column(
            "unconfirmed",
            "boolean",
            "unconfirmed",
            "c.unconfirmed",
            "It rests on one low-authority report: reported, unconfirmed.",
        ),
    ),
)

CURRENT = ColumnSet(
    name="current",
    version=1,
    columns=(
        Column("destination", "text", "destination__slug", "d.slug", "Destination slug."),
        Column("destination_name", "text", "destination__name", "d.name", "Destination name."),
        Column(
            "country_code",
            "text",
            "destination__country_code",
            "d.country_code",
            "ISO 3166-1 alpha-2 code of the destination's country; empty when none.",
        ),
        Column("audience", "text", "audience", "s.audience", "As in the changes export."),
        Column("status", "text", "status", "s.status", "The current status."),
        Column("since", "timestamp", "since", "s.since", "When it took effect."),
        Column("summary", "text", "summary", "s.summary", "One-line summary."),
        Column(
            "last_confirmed_at",
            "timestamp",
            "last_confirmed_at",
            "s.last_confirmed_at",
            "When a source last confirmed it; empty when never.",
        ),
        Column("in_review", "boolean", "in_review", "s.in_review", "Held for a curator's review."),
        Column(
            "unconfirmed",
            "boolean",
            "unconfirmed",
            "s.unconfirmed",
            "It rests on one low-authority report: reported, unconfirmed.",
        ),
        Column(
            "change_id",
            "integer",
            "change_id",
            "s.change_id",
            "The change (`id` in the changes export) that set it; empty when none.",
        ),
    ),
)


def guard_formula(text: str) -> str:
    """A CSV text cell a spreadsheet will show as text, never run."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def format_float(value: float) -> str:
    """The shortest text that reads back as the same number; PostgreSQL's float8 output."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
