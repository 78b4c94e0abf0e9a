"""Geometry of the server-rendered timeline picture: one bar per audience, one coloured span per
status, month or year ticks underneath. Pure arithmetic over the selector's spans; the template
draws it, so the page needs no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from destinations.models import Audience
from publishing.selectors import DestinationOverview, Span

WIDTH = 1000
LEFT = 4
RIGHT = 4
ROW_HEIGHT = 58
BAR_Y = 22
BAR_HEIGHT = 26
AXIS_HEIGHT = 28
MIN_LABEL_WIDTH = 86
MAX_TICKS = 8


@dataclass(frozen=True)
class DrawnSpan:
    x: float
    width: float
    status: str
    label: str
    title: str
    show_label: bool


@dataclass(frozen=True)
class DrawnRow:
    y: int
    bar_y: int
    label: str
    spans: list[DrawnSpan]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    rows: list[DrawnRow]
    ticks: list[Tick]
    axis_y: int
    bar_height: int
    start: datetime
    end: datetime


def _month_starts(start: datetime, end: datetime) -> list[datetime]:
    months = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment >= end:
            return months
        months.append(moment)


def _ticks(start: datetime, end: datetime, scale) -> list[Tick]:
    months = _month_starts(start, end)
    if len(months) > MAX_TICKS * 3:
        candidates = [m for m in months if m.month == 1]
        fmt = "%Y"
    else:
        candidates = months
        fmt = "%b %Y"
    step = max(1, -(-len(candidates) // MAX_TICKS))
    ticks = [Tick(scale(m), m.strftime(fmt), "middle") for m in candidates[::step]]
    # Keep tick labels clear of the edge labels.
    ticks = [t for t in ticks if 110 < t.x < WIDTH - 110]
    return [
        Tick(LEFT, start.strftime("%d %b %Y"), "start"),
        *ticks,
        Tick(WIDTH - RIGHT, end.strftime("%d %b %Y"), "end"),
    ]


def _span_title(span: Span, audience: str, is_last: bool) -> str:
    until = "now" if is_last else f"{span.end:%d %b %Y}"
    text = (
        f"{span.status_label} for {Audience.label(audience)}, "
        f"{span.start:%d %b %Y} to {until} (UTC)"
    )
    return f"{text}: {span.summary}" if span.summary else text


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def timeline_picture(overview: DestinationOverview) -> Picture | None:
    """Lay out the overview's spans on a fixed-width canvas, or None when there is no history."""
    if overview.window_start is None or not overview.spans:
        return None
    start, end = overview.window_start, overview.window_end
    total = (end - start).total_seconds() or 1.0
    usable = WIDTH - LEFT - RIGHT

    def scale(moment: datetime) -> float:
        return round(LEFT + usable * (moment - start).total_seconds() / total, 2)

    rows = []
    for index, (audience, spans) in enumerate(overview.spans.items()):
        drawn = []
        for position, span in enumerate(spans):
            x = scale(span.start)
            width = max(round(scale(span.end) - x, 2), 1.0)
            drawn.append(
                DrawnSpan(
                    x=x,
                    width=width,
                    status=span.status,
                    label=span.status_label,
                    title=_span_title(span, audience, position == len(spans) - 1),
                    show_label=width >= MIN_LABEL_WIDTH,
                )
            )
        y = index * ROW_HEIGHT
        rows.append(
            DrawnRow(
                y=y, bar_y=y + BAR_Y, label=_sentence_case(Audience.label(audience)), spans=drawn
            )
        )
    axis_y = len(rows) * ROW_HEIGHT
    return Picture(
        width=WIDTH,
        height=axis_y + AXIS_HEIGHT,
        rows=rows,
        ticks=_ticks(start, end, scale),
        axis_y=axis_y,
        bar_height=BAR_HEIGHT,
        start=start,
        end=end,
    )
