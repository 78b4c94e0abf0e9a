"""Geometry of the server-rendered timeline picture: one bar per audience, one coloured span per
status, the date of every change underneath. Pure arithmetic over the selector's spans; the
template draws it, so the page needs no JavaScript.

A linear time scale turned a few weeks of events into unlabelled slivers next to years of calm,
and a viewBox scaled to the page shrank the text to a few pixels on a phone. So the picture is laid
out by segment, not by time: every stretch between two changes (of any audience) gets at least the
room its start date and status need, grows with the logarithm of its length, and is capped; a long
quiet stretch is drawn with a break mark and its length in words ("… 3 years …"). The picture is
drawn at one user unit per CSS pixel and scrolls sideways when wider than the page, so its text is
never scaled below its 12 px.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime

from destinations.models import Audience
from publishing.selectors import DestinationOverview, Span

LEFT = 4
RIGHT = 4
ROW_HEIGHT = 58
BAR_Y = 22
BAR_HEIGHT = 26
AXIS_HEIGHT = 52
DATE_Y = 20  # below the axis line
BREAK_Y = 40
FONT_SIZE = 12  # px, the axis and span text; the stylesheet sets the same
CHAR_WIDTH = 0.62 * FONT_SIZE  # a generous average advance for the sans-serif stack
LABEL_GAP = 10
SPAN_TEXT_DX = 8
MIN_WIDTH = 100
MAX_WIDTH = 220
GROWTH = 28  # px per doubling of a segment's length in weeks
QUIET_DAYS = 180  # a stretch at least this long is compressed and marked
MIN_TOTAL = 340  # a short history still fills a phone's width


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
class Break:
    """A compressed quiet stretch: a mark across the bars at `x` and its length in words."""

    x: float
    label: str


@dataclass(frozen=True)
class Box:
    """A label's estimated extent in picture units, for checking that none overlap."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    rows: list[DrawnRow]
    ticks: list[Tick]
    breaks: list[Break]
    axis_y: int
    bar_height: int
    start: datetime
    end: datetime

    def label_boxes(self) -> list[Box]:
        """Every text the picture draws, as boxes: row labels, span labels, dates, breaks."""
        boxes = []
        for row in self.rows:
            boxes.append(Box(LEFT, row.y, text_width(row.label, 14), 16))
            for span in row.spans:
                if span.show_label:
                    x = span.x + SPAN_TEXT_DX
                    boxes.append(Box(x, row.bar_y + 5, text_width(span.label), FONT_SIZE + 2))
        for tick in self.ticks:
            boxes.append(_anchored(tick.x, tick.label, tick.anchor, self.axis_y + DATE_Y))
        for mark in self.breaks:
            boxes.append(_anchored(mark.x, mark.label, "middle", self.axis_y + BREAK_Y))
        return boxes


def text_width(text: str, size: int = FONT_SIZE) -> float:
    return len(text) * 0.62 * size


def _anchored(x: float, text: str, anchor: str, baseline: int) -> Box:
    width = text_width(text)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, baseline - FONT_SIZE, width, FONT_SIZE + 2)


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def quiet_label(days: float) -> str:
    years = round(days / 365.25)
    if years >= 1 and days >= 330:
        return f"… {years} year{'s' if years > 1 else ''} …"
    months = max(1, round(days / 30.44))
    return f"… {months} month{'s' if months > 1 else ''} …"


def segment_widths(bounds: list[datetime]) -> list[float]:
    """Widths of the stretches between consecutive bounds: the last one also holds the end date."""
    widths = []
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        days = (end - start).total_seconds() / 86400
        need = text_width(_date(start)) + LABEL_GAP
        need = max(need, text_width("Restricted") + 2 * SPAN_TEXT_DX)
        if days >= QUIET_DAYS:
            need = max(need, text_width(quiet_label(days)) + 2 * LABEL_GAP)
        if index == len(bounds) - 2:
            need += text_width(_date(end)) + LABEL_GAP
        grown = MIN_WIDTH + GROWTH * math.log2(1 + days / 7)
        widths.append(round(max(need, min(grown, MAX_WIDTH)), 2))
    shortfall = MIN_TOTAL - LEFT - RIGHT - sum(widths)
    if shortfall > 0:
        widths[-1] = round(widths[-1] + shortfall, 2)
    return widths


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
    """Lay out the overview's spans segment by segment, or None when there is no history."""
    if overview.window_start is None or not overview.spans:
        return None
    start, end = overview.window_start, overview.window_end
    bounds = sorted(
        {start, end}
        | {s.start for spans in overview.spans.values() for s in spans if start < s.start < end}
    )
    widths = segment_widths(bounds)
    xs = [float(LEFT)]
    for width in widths:
        xs.append(round(xs[-1] + width, 2))
    where = dict(zip(bounds, xs, strict=True))

    def scale(moment: datetime) -> float:
        return where[min(max(moment, start), end)]

    rows = []
    for index, (audience, spans) in enumerate(overview.spans.items()):
        drawn = []
        for position, span in enumerate(spans):
            x = scale(span.start)
            width = round(scale(span.end) - x, 2)
            drawn.append(
                DrawnSpan(
                    x=x,
                    width=width,
                    status=span.status,
                    label=span.status_label,
                    title=_span_title(span, audience, position == len(spans) - 1),
                    show_label=width >= text_width(span.status_label) + 2 * SPAN_TEXT_DX,
                )
            )
        y = index * ROW_HEIGHT
        rows.append(
            DrawnRow(
                y=y, bar_y=y + BAR_Y, label=_sentence_case(Audience.label(audience)), spans=drawn
            )
        )
    ticks = [Tick(where[b], _date(b), "start") for b in bounds[:-1]]
    ticks.append(Tick(where[end], _date(end), "end"))
    breaks = [
        Break(round((where[a] + where[b]) / 2, 2), quiet_label((b - a).total_seconds() / 86400))
        for a, b in itertools.pairwise(bounds)
        if (b - a).days >= QUIET_DAYS
    ]
    axis_y = len(rows) * ROW_HEIGHT
    return Picture(
        width=math.ceil(xs[-1] + RIGHT),
        height=axis_y + AXIS_HEIGHT,
        rows=rows,
        ticks=ticks,
        breaks=breaks,
        axis_y=axis_y,
        bar_height=BAR_HEIGHT,
        start=start,
        end=end,
    )
