"""Opening hours of a line or a department: open now? when next?

Pure functions over ``routing.Hours`` (no database, no Django): the routing decision asks them on every
webhook. Hours are local wall-clock ranges in ``Hours.tz``; closures are whole local days. An aware
moment is turned into the zone's wall time first, so daylight-saving days need no special case: on the
spring-forward Sunday 02:00–03:00 does not exist, on the fall-back Sunday 02:00–03:00 happens twice and
is open (or closed) both times.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # routing imports this module: the type only, no import cycle at run time
    from frontoffice.calls.routing import Hours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Ranges are [start, end): the validator allows no "24:00", so a range ending at 23:59 runs to midnight.
_END_OF_DAY = "23:59"
_SEARCH_DAYS = 400  # next_open looks this far ahead (a year of closures and then some)


@lru_cache(maxsize=64)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone for a name; an unknown name (a typo stored before validation) is read as UTC."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def closed_on(hours: Hours, day: date) -> bool:
    """Whether ``day`` (a local date) falls in one of the closures."""
    return any(start <= day <= until for start, until in hours.closures)


def _ranges(hours: Hours, day: date):
    return hours.weekly.get(WEEKDAYS[day.weekday()]) or ()


def is_open(hours: Hours, at: datetime) -> bool:
    """Whether the place is open at the aware moment ``at``."""
    local = at.astimezone(zone(hours.tz))
    day = local.date()
    ranges = _ranges(hours, day)
    if not ranges or closed_on(hours, day):
        return False
    now = f"{local.hour:02d}:{local.minute:02d}"
    return any(start <= now < end or (end >= _END_OF_DAY and start <= now) for start, end in ranges)


def _local(day: date, hhmm: str, tz: zoneinfo.ZoneInfo) -> datetime:
    """The UTC moment of a local wall time; a time spring-forward skips is read as just after the jump."""
    if hhmm >= _END_OF_DAY:
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def next_open(hours: Hours, at: datetime) -> datetime | None:
    """The first moment at or after ``at`` when the place is open (``at`` itself when open now), in the
    hours' zone; None when it does not open within about a year (no weekly hours, or closed throughout)."""
    tz = zone(hours.tz)
    at_utc = at.astimezone(UTC)
    first = at_utc.astimezone(tz).date()
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if closed_on(hours, day):
            continue
        for start, end in sorted(_ranges(hours, day)):
            opens, closes = _local(day, start, tz), _local(day, end, tz)
            if closes <= at_utc:
                continue
            return (at_utc if opens <= at_utc else opens).astimezone(tz)
    return None
