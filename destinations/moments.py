"""How the project reads a moment written as text (a query parameter, a file's date, a command's
option): ISO 8601, UTC unless it says otherwise.

A date alone names a whole UTC day, so the caller says which end of it is meant: "as things
stood on 20 July" is its end (what took effect that day counts); "since 20 July" and "published
on 20 July" are its start. One reader, one error message, whatever the caller.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Literal

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OFFSET_AFTER_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def end_of_day(day: date) -> datetime:
    """The last moment of a UTC day: `?at=2025-07-20` includes what took effect that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def parse_moment(value: str, *, date_means: Literal["start", "end"]) -> datetime:
    """An aware datetime from an ISO 8601 date or date-time; a date is the ``date_means`` end of
    that UTC day. Raises ValueError with a message a reader can act on."""
    text = (value or "").strip()
    try:
        if _DATE_ONLY.match(text):
            day = date.fromisoformat(text)
            return end_of_day(day) if date_means == "end" else datetime.combine(day, time.min, UTC)
        # An unencoded "+" in a query string arrives as a space: "2025-07-20T09:00:00 02:00".
        moment = datetime.fromisoformat(
            _OFFSET_AFTER_SPACE.sub(r"\1+\2", text.replace("Z", "+00:00"))
        )
    except (ValueError, OverflowError):
        raise ValueError(
            f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time."
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the first moment a datetime holds
        raise ValueError(
            f"{value!r} is out of range: in UTC it falls outside years 1-9999."
        ) from None
