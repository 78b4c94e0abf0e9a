"""Date expressions in a sentence, and how each resolves against the notice's publication date.

Absolute forms ("on 1 July", "July 1, 2025", "in February 2025", "2025-07-16"), weekday and
weekend forms ("on Wednesday", "last weekend"), seasons ("in the spring") and spans relative to an
earlier event in the same notice ("within a month", "weeks later"). Vague spans resolve by fixed
conventions (documented in tests/corpus/README.md) so the same text always gives the same date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
# "weeks later" with no number: a couple of weeks; "days later": a few days; "months later": two.
VAGUE_COUNT = {"day": 3, "week": 2, "month": 2}
PART_OF_MONTH = {"early": 5, "the beginning of": 1, "the start of": 1, "mid": 15, "late": 25,
                 "the end of": 25}  # fmt: skip
SEASON_MONTH = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}

_M = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"  # noqa: E501
_YEAR = r"(?:,?\s+(\d{4}))?"
_NUM = r"(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("range", re.compile(r"\b(\d{1,2})\s*(?:-|\u2013|to|and)\s*\d{1,2}\s+" + _M + r"\b" + _YEAR)),
    ("dm", re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _M + r"\b" + _YEAR)),
    ("md", re.compile(r"\b" + _M + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!\d)" + _YEAR)),
    (
        "month",
        re.compile(
            r"\b(?:(early|mid|late|the end of|the beginning of|the start of)[-\s]+)?"
            + _M
            + r"\b(?:\s+(?:of\s+)?(\d{4}))?"
        ),
    ),
    ("weekend", re.compile(r"\b(?:last|over the|this past|at the)\s+weekend\b", re.I)),
    (
        "weekday",
        re.compile(
            r"\b(?:(last|this|next)\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
    ),
    (
        "today",
        re.compile(
            r"\b(?:today|this morning|this afternoon|this evening|tonight|overnight)\b", re.I
        ),
    ),
    ("tomorrow", re.compile(r"\btomorrow\b", re.I)),
    ("next_month", re.compile(r"\bnext month\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("last_week", re.compile(r"\blast week\b", re.I)),
    (
        "season",
        re.compile(
            r"\bin\s+(?:the\s+)?(spring|summer|autumn|fall|winter)\b(?:\s+(?:of\s+)?(\d{4}))?", re.I
        ),
    ),
    ("within", re.compile(r"\bwithin\s+" + _NUM + r"\s+(day|week|month)s?\b", re.I)),
    (
        "later",
        re.compile(
            r"\b(?:" + _NUM + r"\s+|a few\s+|several\s+)?(day|week|month)(s?)\s+later\b", re.I
        ),
    ),
    ("next_day", re.compile(r"\bthe\s+(?:next|following)\s+day\b", re.I)),
]

# A date right after these words bounds a period ("until 1 January") rather than dating an event.
_BOUNDING = re.compile(
    r"\b(?:until|till|through|to|before|by)(?:\s+at\s+least)?\s+(?:the\s+|next\s+)?$"
    r"|\bfirst\b[^,;.]{0,40}\bsince\s+(?:early\s+|mid-?|late\s+)?$",
    re.I,
)
_MAY_CONTEXT = re.compile(r"\b(?:in|on|of|since|from|until|early|mid|late|by|during)\s+$", re.I)


@dataclass(frozen=True, slots=True)
class DateExpression:
    """A date phrase at ``start``..``end`` (notice offsets) and how to resolve it."""

    start: int
    end: int
    form: str
    values: tuple
    bounding: bool
    relative: bool

    @property
    def explicit(self) -> bool:
        """Precise enough to date a schedule: a calendar day, a month, a weekday, or the day of
        publication or the next ("starting today", "from tomorrow")."""
        return self.form in {
            "iso",
            "range",
            "dm",
            "md",
            "month",
            "weekday",
            "today",
            "tomorrow",
            "next_month",
        }

    def resolve(self, *, published: date, future: bool, anchor: date | None) -> date | None:
        """The calendar date meant, seen from ``published``; ``future`` for schedules ("will")."""
        form, v = self.form, self.values
        if form == "iso":
            return _safe_date(int(v[0]), int(v[1]), int(v[2]))
        if form in {"range", "dm", "md"}:
            day, month, year = v
            return _pick_year(published, month, day, year, future)
        if form == "month":
            part, month, year = v
            return _pick_year(published, month, PART_OF_MONTH.get(part or "", 1), year, future)
        if form == "weekday":
            which, weekday = v
            if future or which == "next":
                return published + timedelta(days=(weekday - published.weekday()) % 7)
            delta = (published.weekday() - weekday) % 7
            if which == "last" and delta == 0:
                delta = 7
            return published - timedelta(days=delta)
        if form == "weekend":
            delta = (published.weekday() - 5) % 7 or 7
            return published - timedelta(days=delta)
        if form == "today":
            return published
        if form == "yesterday":
            return published - timedelta(days=1)
        if form == "tomorrow":
            return published + timedelta(days=1)
        if form == "next_month":
            first = published.replace(day=1)
            return (first + timedelta(days=32)).replace(day=1)
        if form == "last_week":
            return published - timedelta(days=7)
        if form == "season":
            season, year = v
            month = SEASON_MONTH[season]
            return _pick_year(published, month, 1, year, future)
        if form in {"within", "later", "next_day"}:
            if anchor is None:
                return None
            resolved = anchor + timedelta(days=v[0])
            return resolved if future or resolved <= published else published
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _pick_year(
    published: date, month: int, day: int, year: int | None, future: bool
) -> date | None:
    if year:
        return _safe_date(year, month, day)
    candidate = _safe_date(published.year, month, day)
    if candidate is None:
        return None
    if future and candidate < published:
        return _safe_date(published.year + 1, month, day)
    if not future and candidate > published:
        return _safe_date(published.year - 1, month, day)
    return candidate


def _count(word: str | None, unit: str) -> int:
    if not word:
        return VAGUE_COUNT[unit]
    word = word.lower()
    return int(word) if word.isdigit() else NUMBERS.get(word, VAGUE_COUNT[unit])


def find_dates(text: str, offset: int = 0) -> list[DateExpression]:
    """Date expressions in ``text`` (a sentence), with offsets shifted by ``offset``."""
    found: list[DateExpression] = []
    taken: list[tuple[int, int]] = []
    for form, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            values = _values(form, match, text)
            if values is None:
                continue
            taken.append((start, end))
            found.append(
                DateExpression(
                    start=offset + start,
                    end=offset + end,
                    form=form,
                    values=values,
                    bounding=bool(_BOUNDING.search(text[max(0, start - 60) : start])),
                    relative=form in {"within", "later", "next_day"},
                )
            )
    # "Wednesday 15 February": the weekday only names the day already given.
    days = [d for d in found if d.form in {"dm", "md", "range", "iso"}]
    found = [
        d
        for d in found
        if not (d.form == "weekday" and any(0 <= x.start - d.end <= 2 for x in days))
    ]
    return sorted(found, key=lambda d: d.start)


def _values(form: str, match: re.Match[str], text: str) -> tuple | None:
    g = match.groups()
    if form == "iso":
        return g
    if form == "range" or form == "dm":
        return int(g[0]), MONTHS[g[1].lower()], int(g[2]) if g[2] else None
    if form == "md":
        return int(g[1]), MONTHS[g[0].lower()], int(g[2]) if g[2] else None
    if form == "month":
        part, name, year = g
        # "May" is usually the verb unless a date-ish word precedes it.
        if (
            name == "May"
            and not year
            and not part
            and not _MAY_CONTEXT.search(text[: match.start()])
        ):
            return None
        if name.lower() in {"mar", "jun", "jan"} and not year:
            return None
        return (part.lower() if part else None), MONTHS[name.lower()], int(year) if year else None
    if form == "weekday":
        return (g[0].lower() if g[0] else None), WEEKDAYS.index(g[1].lower())
    if form == "season":
        return g[0].lower(), int(g[1]) if g[1] else None
    if form == "within":
        unit = g[1].lower()
        return (_count(g[0], unit) * UNIT_DAYS[unit],)
    if form == "later":
        unit = g[1].lower()
        return (_count(g[0], unit) * UNIT_DAYS[unit],)
    if form == "next_day":
        return (1,)
    return ()
