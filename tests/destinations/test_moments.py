from datetime import UTC, datetime, timedelta, timezone

import pytest

from destinations.moments import parse_moment


def test_a_date_as_of_means_the_end_of_that_utc_day():
    assert parse_moment("2025-07-20", date_means="end") == datetime(
        2025, 7, 20, 23, 59, 59, 999999, tzinfo=UTC
    )


def test_a_date_since_or_published_means_the_start_of_that_utc_day():
    assert parse_moment("2025-07-20", date_means="start") == datetime(2025, 7, 20, tzinfo=UTC)


def test_a_date_time_without_offset_is_utc_whichever_end_is_asked():
    for end in ("start", "end"):
        assert parse_moment("2025-07-20 10:00", date_means=end) == datetime(
            2025, 7, 20, 10, tzinfo=UTC
        )


def test_an_offset_whose_plus_became_a_space_in_a_query_string_is_read_and_given_in_utc():
    moment = parse_moment("2025-07-20T09:00:00 02:00", date_means="end")
    assert moment == datetime(2025, 7, 20, 9, tzinfo=timezone(timedelta(hours=2)))
    assert moment.tzinfo == UTC


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_moment_that_falls_outside_the_calendar_in_utc_is_refused(value):
    with pytest.raises(ValueError, match="out of range"):
        parse_moment(value, date_means="end")


@pytest.mark.parametrize("value", ["", "notadate", "2025-13-01", "2025-07-20T25:00"])
def test_anything_else_is_refused_with_a_message_naming_the_value(value):
    with pytest.raises(ValueError, match="is not a date"):
        parse_moment(value, date_means="start")
