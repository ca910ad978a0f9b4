"""Opening hours: local wall time in the hours' zone, whole-day closures, daylight-saving weekends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from frontoffice.calls.hours import closed_on, is_open, next_open, zone
from frontoffice.calls.routing import Hours

WEEKDAYS_8_16 = {day: (("08:00", "16:00"),) for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def office(tz: str, **kwargs) -> Hours:
    return Hours(tz=tz, weekly=kwargs.pop("weekly", WEEKDAYS_8_16), **kwargs)


# Europe/Warsaw: CET (UTC+1) until 2025-03-30 01:00 UTC, CEST (UTC+2) until 2025-10-26 01:00 UTC.
@pytest.mark.parametrize(("at", "expected"), [
    (utc(2025, 3, 24, 6, 30), False),  # Monday before spring-forward: 07:30 CET
    (utc(2025, 3, 24, 7, 30), True),  # 08:30 CET
    (utc(2025, 3, 24, 14, 59), True),  # 15:59 CET
    (utc(2025, 3, 24, 15, 0), False),  # 16:00 CET: closed (ranges end before their end time)
    (utc(2025, 3, 31, 6, 30), True),  # Monday after spring-forward: 08:30 CEST
    (utc(2025, 3, 31, 7, 30), True),  # 09:30 CEST
    (utc(2025, 3, 31, 13, 59), True),  # 15:59 CEST
    (utc(2025, 3, 31, 14, 30), False),  # 16:30 CEST
    (utc(2025, 10, 27, 6, 30), False),  # Monday after fall-back: 07:30 CET
    (utc(2025, 10, 27, 7, 0), True),  # 08:00 CET
    (utc(2025, 10, 24, 6, 0), True),  # Friday before fall-back: 08:00 CEST
    (utc(2025, 10, 24, 14, 30), False),  # 16:30 CEST
    (utc(2025, 3, 29, 10, 0), False),  # Saturday: no hours
])
def test_warsaw_office_hours_follow_local_time_across_dst(at, expected):
    assert is_open(office("Europe/Warsaw"), at) is expected


# America/New_York: EST (UTC-5) until 2025-03-09 07:00 UTC, EDT (UTC-4) until 2025-11-02 06:00 UTC.
@pytest.mark.parametrize(("at", "expected"), [
    (utc(2025, 3, 7, 12, 30), False),  # Friday before spring-forward: 07:30 EST
    (utc(2025, 3, 7, 13, 0), True),  # 08:00 EST
    (utc(2025, 3, 10, 12, 30), True),  # Monday after: 08:30 EDT
    (utc(2025, 3, 10, 20, 30), False),  # 16:30 EDT
    (utc(2025, 10, 31, 20, 30), False),  # Friday before fall-back: 16:30 EDT
    (utc(2025, 11, 3, 12, 30), False),  # Monday after fall-back: 07:30 EST
    (utc(2025, 11, 3, 13, 30), True),  # 08:30 EST
    (utc(2025, 11, 3, 20, 30), True),  # 15:30 EST
])
def test_new_york_office_hours_follow_local_time_across_dst(at, expected):
    assert is_open(office("America/New_York"), at) is expected


def test_spring_forward_night_skips_the_missing_hour():
    night = office("Europe/Warsaw", weekly={"sun": (("01:00", "04:00"),)})
    assert is_open(night, utc(2025, 3, 30, 0, 30))  # 01:30 CET
    assert is_open(night, utc(2025, 3, 30, 1, 30))  # 03:30 CEST (02:xx never happens)
    assert not is_open(night, utc(2025, 3, 30, 2, 0))  # 04:00 CEST


def test_fall_back_night_is_open_through_both_passes_of_the_repeated_hour():
    night = office("Europe/Warsaw", weekly={"sun": (("02:00", "03:00"),)})
    assert not is_open(night, utc(2025, 10, 25, 23, 30))  # 01:30 CEST
    assert is_open(night, utc(2025, 10, 26, 0, 30))  # 02:30 CEST
    assert is_open(night, utc(2025, 10, 26, 1, 30))  # 02:30 CET, the second time
    assert not is_open(night, utc(2025, 10, 26, 2, 0))  # 03:00 CET


def test_closure_is_a_whole_local_day():
    christmas = office("Europe/Warsaw", weekly={d: (("00:00", "23:59"),) for d in ("tue", "wed", "thu")},
                       closures=((date(2025, 12, 24), date(2025, 12, 25)),))
    assert is_open(christmas, utc(2025, 12, 23, 22, 59))  # Tuesday 23:59 local
    assert not is_open(christmas, utc(2025, 12, 23, 23, 0))  # Wednesday 24th 00:00 local
    assert not is_open(christmas, utc(2025, 12, 25, 22, 59))  # Thursday 25th 23:59 local
    assert closed_on(christmas, date(2025, 12, 24))
    assert not closed_on(christmas, date(2025, 12, 26))


def test_closure_days_are_read_in_the_hours_zone_not_utc():
    new_york = office("America/New_York", closures=((date(2025, 7, 4), date(2025, 7, 4)),))
    assert not is_open(new_york, utc(2025, 7, 4, 14, 0))  # Friday 4 July, 10:00 EDT
    assert is_open(new_york, utc(2025, 7, 3, 19, 30))  # Thursday 3 July 15:30 EDT (already the 4th in Warsaw)


def test_range_ending_at_2359_runs_to_midnight():
    late = office("UTC", weekly={"mon": (("20:00", "23:59"),)})
    assert is_open(late, utc(2025, 3, 24, 23, 59, 30))


def test_several_ranges_a_day():
    split = office("Europe/Warsaw", weekly={"mon": (("08:00", "12:00"), ("13:00", "17:00"))})
    assert is_open(split, utc(2025, 3, 24, 10, 0))  # 11:00
    assert not is_open(split, utc(2025, 3, 24, 11, 30))  # 12:30 lunch
    assert is_open(split, utc(2025, 3, 24, 12, 0))  # 13:00


def test_no_weekly_hours_is_never_open():
    never = office("Europe/Warsaw", weekly={})
    assert not is_open(never, utc(2025, 3, 24, 10, 0))
    assert next_open(never, utc(2025, 3, 24, 10, 0)) is None


def test_lists_from_json_work_like_tuples():
    assert is_open(office("Europe/Warsaw", weekly={"mon": [["08:00", "16:00"]]}), utc(2025, 3, 24, 10, 0))


def test_unknown_zone_is_read_as_utc():
    assert zone("Not/AZone").key == "UTC"
    assert is_open(office("Not/AZone"), utc(2025, 3, 24, 8, 0))


def test_next_open_is_now_when_open():
    at = utc(2025, 3, 24, 10, 0)
    assert next_open(office("Europe/Warsaw"), at) == at


def test_next_open_after_closing_is_tomorrow_morning_local():
    opens = next_open(office("Europe/Warsaw"), utc(2025, 3, 24, 18, 0))  # Monday 19:00 CET
    assert opens == datetime(2025, 3, 25, 8, 0, tzinfo=zone("Europe/Warsaw"))
    assert opens.tzinfo.key == "Europe/Warsaw"


def test_next_open_over_the_spring_forward_weekend():
    opens = next_open(office("Europe/Warsaw"), utc(2025, 3, 28, 16, 0))  # Friday 17:00 CET
    assert opens.astimezone(UTC) == utc(2025, 3, 31, 6, 0)  # Monday 08:00 CEST


def test_next_open_over_the_fall_back_weekend_in_new_york():
    opens = next_open(office("America/New_York"), utc(2025, 10, 31, 21, 0))  # Friday 17:00 EDT
    assert opens.astimezone(UTC) == utc(2025, 11, 3, 13, 0)  # Monday 08:00 EST


def test_next_open_skips_closures():
    hours = office("Europe/Warsaw", closures=((date(2025, 12, 24), date(2025, 12, 26)),))
    opens = next_open(hours, utc(2025, 12, 23, 16, 0))  # Tuesday 17:00
    assert opens == datetime(2025, 12, 29, 8, 0, tzinfo=zone("Europe/Warsaw"))  # Monday after Christmas


def test_next_open_before_opening_the_same_day():
    opens = next_open(office("Europe/Warsaw"), utc(2025, 3, 24, 5, 0))  # Monday 06:00
    assert opens.astimezone(UTC) == utc(2025, 3, 24, 7, 0)


def test_next_open_of_a_range_starting_in_the_skipped_hour_is_just_after_the_jump():
    hours = office("Europe/Warsaw", weekly={"sun": (("02:30", "05:00"),)})
    opens = next_open(hours, utc(2025, 3, 29, 20, 0))
    assert opens.astimezone(UTC) == utc(2025, 3, 30, 1, 30)  # 03:30 CEST


def test_closed_for_more_than_the_search_window_is_none():
    hours = office("Europe/Warsaw", closures=((date(2025, 1, 1), date(2027, 1, 1)),))
    assert next_open(hours, utc(2025, 3, 24, 10, 0)) is None
