"""The timeline's layout: readable periods, compressed quiet stretches, no colliding labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest

from publishing.selectors import DestinationOverview, Span
from publishing.timeline_svg import (
    MAX_WIDTH,
    MIN_WIDTH,
    quiet_label,
    segment_widths,
    timeline_picture,
)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def overview(spans: dict[str, list[Span]]) -> DestinationOverview:
    every = [s for row in spans.values() for s in row]
    return DestinationOverview(
        destination=None,
        at=None,
        statuses=[],
        changes=[],
        evidence={},
        spans=spans,
        children=[],
        aliases=[],
        window_start=min(s.start for s in every),
        window_end=max(s.end for s in every),
    )


def chain(*points: tuple[str, datetime], end: datetime) -> list[Span]:
    moments = [m for _, m in points] + [end]
    return [Span(status, moments[i], moments[i + 1]) for i, (status, _) in enumerate(points)]


# A few weeks of events in 2022, three quiet years, then a burst of changes a day apart.
BURSTY = {
    "foreign": chain(
        ("unknown", at(2022, 6, 1)),
        ("closed", at(2022, 6, 3)),
        ("restricted", at(2022, 6, 20)),
        ("open", at(2022, 7, 1)),
        ("suspended", at(2025, 7, 16)),
        ("closed", at(2025, 7, 17)),
        end=at(2025, 8, 1),
    ),
    "RU": chain(("unknown", at(2022, 6, 1)), ("restricted", at(2025, 7, 7)), end=at(2025, 8, 1)),
}


@pytest.fixture
def picture():
    return timeline_picture(overview(BURSTY))


def test_every_period_is_at_least_the_minimum_width_and_shows_its_label(picture):
    for row in picture.rows:
        for span in row.spans:
            assert span.width >= MIN_WIDTH - 0.01
            assert span.show_label


def test_every_change_has_its_date_on_the_axis(picture):
    labels = [tick.label for tick in picture.ticks]
    for date in ["3 Jun 2022", "20 Jun 2022", "1 Jul 2022", "7 Jul 2025", "16 Jul 2025"]:
        assert date in labels
    assert labels[-1] == "1 Aug 2025"


def test_no_two_labels_overlap(picture):
    boxes = picture.label_boxes()
    assert len(boxes) > 10
    for one, other in combinations(boxes, 2):
        assert not one.overlaps(other), (one, other)


def test_labels_stay_inside_the_picture(picture):
    for box in picture.label_boxes():
        assert box.x >= 0 and box.x + box.width <= picture.width


def test_a_long_quiet_stretch_is_compressed_and_marked(picture):
    assert [mark.label for mark in picture.breaks] == ["… 3 years …"]
    xs = {tick.label: tick.x for tick in picture.ticks}
    three_years = xs["7 Jul 2025"] - xs["1 Jul 2022"]
    one_day = xs["17 Jul 2025"] - xs["16 Jul 2025"]
    assert three_years < 3 * one_day  # a linear scale would make it a thousand times wider
    assert xs["1 Jul 2022"] < picture.breaks[0].x < xs["7 Jul 2025"]


def test_longer_stretches_are_never_drawn_narrower_than_shorter_ones():
    bounds = [at(2022, 6, 1) + timedelta(days=d) for d in (0, 1, 3, 10, 40, 200, 1300, 1301)]
    widths = segment_widths(bounds)[:-1]  # the last one also holds the end date
    assert widths == sorted(widths)
    assert widths[-1] == MAX_WIDTH  # 1100 days: capped


def test_a_single_short_history_still_fills_a_phone_width():
    start = at(2025, 7, 1)
    pic = timeline_picture(
        overview(
            {
                "foreign": chain(
                    ("unknown", start),
                    ("open", start + timedelta(days=1)),
                    end=start + timedelta(days=20),
                )
            }
        )
    )
    assert 330 <= pic.width <= 400
    assert pic.breaks == []


@pytest.mark.parametrize(
    ("days", "label"),
    [(200, "… 7 months …"), (365, "… 1 year …"), (1100, "… 3 years …")],
)
def test_quiet_stretches_are_named_in_months_or_years(days, label):
    assert quiet_label(days) == label
