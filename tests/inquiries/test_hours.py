"""Business hours for response targets: N open hours after a moment, closures skipped, DST-correct."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontoffice.calls import hours as calls_hours
from frontoffice.calls import routing
from frontoffice.core import hours as core_hours
from frontoffice.core.hours import Hours, add_business_hours, business_hours_between, next_open, site_hours
from tests.core.factories import ClosureFactory, OrganizationFactory, SiteFactory

WARSAW = "Europe/Warsaw"
WEEKDAYS_8_18 = {day: (("08:00", "18:00"),) for day in ("mon", "tue", "wed", "thu", "fri")}


def office(tz: str = WARSAW, **kwargs) -> Hours:
    return Hours(tz=tz, weekly=kwargs.pop("weekly", WEEKDAYS_8_18), **kwargs)


def local(*args, tz: str = WARSAW) -> datetime:
    return datetime(*args, tzinfo=core_hours.zone(tz))


# 2025-06-06 is a Friday (CEST, UTC+2).
def test_a_question_at_1755_on_friday_with_a_1_hour_target_is_due_monday_0855():
    due = add_business_hours(office(), local(2025, 6, 6, 17, 55), Decimal("1"))
    assert due == local(2025, 6, 9, 8, 55)


def test_a_question_at_1755_on_friday_is_not_late_on_saturday():
    due = add_business_hours(office(), local(2025, 6, 6, 17, 55), 1)
    assert due > local(2025, 6, 8, 23, 59)


@pytest.mark.parametrize(("start", "amount", "expected"), [
    (local(2025, 6, 9, 9, 0), 4, local(2025, 6, 9, 13, 0)),  # inside one day
    (local(2025, 6, 9, 6, 0), 1, local(2025, 6, 9, 9, 0)),  # before opening: counted from 08:00
    (local(2025, 6, 7, 11, 0), 2, local(2025, 6, 9, 10, 0)),  # Saturday: counted from Monday
    (local(2025, 6, 9, 9, 0), 16, local(2025, 6, 10, 15, 0)),  # Monday 9 h, Tuesday 7 h
    (local(2025, 6, 9, 17, 0), 1, local(2025, 6, 9, 18, 0)),  # ends exactly at closing time
    (local(2025, 6, 9, 9, 0), Decimal("0.25"), local(2025, 6, 9, 9, 15)),
    (local(2025, 6, 9, 9, 0), 50, local(2025, 6, 16, 9, 0)),  # a whole week of open time later
])
def test_business_hours_are_counted_in_open_time(start, amount, expected):
    assert add_business_hours(office(), start, amount) == expected


def test_zero_hours_is_the_next_open_moment():
    assert add_business_hours(office(), local(2025, 6, 7, 11, 0), 0) == local(2025, 6, 9, 8, 0)
    assert add_business_hours(office(), local(2025, 6, 9, 11, 0), 0) == local(2025, 6, 9, 11, 0)


def test_a_lunch_break_is_not_counted():
    split = office(weekly={"mon": (("08:00", "12:00"), ("13:00", "17:00"))})
    assert add_business_hours(split, local(2025, 6, 9, 11, 30), 1) == local(2025, 6, 9, 13, 30)


def test_closures_are_skipped():
    closed_monday = office(closures=((date(2025, 6, 9), date(2025, 6, 9)),))
    assert add_business_hours(closed_monday, local(2025, 6, 6, 17, 55), 1) == local(2025, 6, 10, 8, 55)


def test_a_closure_over_the_start_day_counts_from_the_next_open_day():
    closed_week = office(closures=((date(2025, 6, 9), date(2025, 6, 13)),))
    assert add_business_hours(closed_week, local(2025, 6, 10, 10, 0), 2) == local(2025, 6, 16, 10, 0)


def test_never_open_hours_give_none():
    assert add_business_hours(office(weekly={}), local(2025, 6, 9, 9, 0), 1) is None
    assert add_business_hours(office(weekly={"mon": ()}), local(2025, 6, 9, 9, 0), 1) is None


def test_hours_closed_for_years_give_none():
    closed = office(closures=((date(2025, 1, 1), date(2030, 12, 31)),))
    assert add_business_hours(closed, local(2025, 6, 9, 9, 0), 1) is None
    assert next_open(closed, local(2025, 6, 9, 9, 0)) is None


def test_negative_hours_are_refused():
    with pytest.raises(ValueError):
        add_business_hours(office(), local(2025, 6, 9, 9, 0), -1)


def test_spring_forward_weekend_counts_local_opening_hours():
    # Friday 2025-03-28 17:00 CET + 2 h: 1 h on Friday, 1 h on Monday 31 March from 08:00 CEST.
    due = add_business_hours(office(), local(2025, 3, 28, 17, 0), 2)
    assert due == local(2025, 3, 31, 9, 0)
    assert due.astimezone(UTC) == datetime(2025, 3, 31, 7, 0, tzinfo=UTC)


def test_fall_back_day_of_a_place_open_round_the_clock_has_25_hours():
    always = office(weekly={day: (("00:00", "23:59"),) for day in core_hours.WEEKDAYS})
    sunday = local(2025, 10, 26, 0, 0)
    assert add_business_hours(always, sunday, 24) == local(2025, 10, 26, 23, 0)
    assert business_hours_between(always, sunday, local(2025, 10, 27, 0, 0)) == timedelta(hours=25)


def test_spring_forward_day_of_a_place_open_round_the_clock_has_23_hours():
    always = office(weekly={day: (("00:00", "23:59"),) for day in core_hours.WEEKDAYS})
    sunday = local(2025, 3, 30, 0, 0)
    assert business_hours_between(always, sunday, local(2025, 3, 31, 0, 0)) == timedelta(hours=23)


def test_new_york_hours_follow_their_own_zone():
    ny = office(tz="America/New_York")
    due = add_business_hours(ny, local(2025, 6, 6, 17, 30, tz="America/New_York"), 1)
    assert due == local(2025, 6, 9, 8, 30, tz="America/New_York")


def test_business_hours_between_counts_open_time_and_is_signed():
    friday, monday = local(2025, 6, 6, 17, 55), local(2025, 6, 9, 8, 55)
    assert business_hours_between(office(), friday, monday) == timedelta(hours=1)
    assert business_hours_between(office(), monday, friday) == -timedelta(hours=1)
    assert business_hours_between(office(), friday, friday) == timedelta(0)
    assert business_hours_between(office(weekly={}), friday, monday) == timedelta(0)


def test_between_is_the_inverse_of_add():
    rng = random.Random(6)
    hours = office(weekly=WEEKDAYS_8_18 | {"sat": (("09:00", "13:00"),)},
                   closures=((date(2025, 12, 24), date(2025, 12, 26)),))
    for _i in range(200):
        start = local(2025, 1, 1) + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        amount = Decimal(rng.randrange(1, 400)) / 4
        due = add_business_hours(hours, start, amount)
        assert business_hours_between(hours, start, due) == timedelta(hours=float(amount))


def test_results_are_in_the_hours_zone():
    due = add_business_hours(office(), datetime(2025, 6, 9, 7, 0, tzinfo=UTC), 1)
    assert due.utcoffset() == timedelta(hours=2)
    assert due == local(2025, 6, 9, 10, 0)


# -- the site's hours from its rows


@pytest.mark.django_db
def test_site_hours_reads_opening_hours_and_closures_in_one_query():
    site = SiteFactory(time_zone="", opening_hours={"mon": [["08:00", "18:00"]], "tue": [], "bad": [["x"]]})
    ClosureFactory(site=site, starts_on=date(2025, 6, 16), ends_on=date(2025, 6, 17))
    ClosureFactory(site=site, starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 2))
    ClosureFactory(starts_on=date(2025, 6, 23), ends_on=date(2025, 6, 23))  # another site's
    site = type(site).objects.select_related("organization").get(pk=site.pk)
    with CaptureQueriesContext(connection) as queries:
        hours = site_hours(site)
    assert len(queries) == 1
    assert hours.tz == WARSAW  # the organisation's, the site having none of its own
    assert hours.weekly == {"mon": (("08:00", "18:00"),), "tue": ()}
    assert hours.closures == ((date(2024, 1, 1), date(2024, 1, 2)), (date(2025, 6, 16), date(2025, 6, 17)))
    assert site_hours(site, since=date(2025, 1, 1)).closures == ((date(2025, 6, 16), date(2025, 6, 17)),)
    # Monday 16 June is closed: a Monday-only office answers a week later.
    assert add_business_hours(hours, local(2025, 6, 9, 17, 30), 1) == local(2025, 6, 23, 8, 30)


@pytest.mark.django_db
def test_site_hours_use_the_sites_own_zone():
    site = SiteFactory(organization=OrganizationFactory(time_zone="UTC"), time_zone="America/New_York")
    assert site_hours(site).tz == "America/New_York"


def test_calls_keep_their_names_for_the_same_code():
    assert calls_hours.is_open is core_hours.is_open
    assert calls_hours.next_open is core_hours.next_open
    assert routing.Hours is core_hours.Hours
