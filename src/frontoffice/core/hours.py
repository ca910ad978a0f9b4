"""Business hours of a place: open now? when next? what moment is N business hours later?

``Hours`` is a snapshot (no database): local wall-clock ranges per weekday in ``Hours.tz`` and whole-day
closures. The calls routing asks ``is_open``/``next_open`` on every webhook; the inquiries count their
response targets with ``add_business_hours``. ``site_hours`` builds the snapshot of a site from its rows.

An aware moment is turned into the zone's wall time first, so daylight-saving days need no special case:
on the spring-forward Sunday 02:00–03:00 does not exist, on the fall-back Sunday 02:00–03:00 happens twice
and is open (or closed) both times. Business time is real elapsed time inside the open ranges, so an
08:00–18:00 day is 9 hours long on the spring-forward day of a place open through the night's jump, and
10 hours on any ordinary day.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontoffice.core.models import Site

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Ranges are [start, end): the validator allows no "24:00", so a range ending at 23:59 runs to midnight.
_END_OF_DAY = "23:59"
_SEARCH_DAYS = 400  # how far ahead an open moment is looked for (a year of closures and then some)


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours in a time zone, with whole-day closures. Empty ``weekly``: never open."""

    tz: str
    weekly: Mapping[str, tuple[tuple[str, str], ...]]  # "mon" -> (("08:00", "16:00"), ...)
    closures: tuple[tuple[date, date], ...] = ()  # inclusive (from, until), local dates


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


def _open_spans(hours: Hours, at_utc: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The open spans (UTC, [opens, closes)) that end after ``at_utc``, in order, the first one clipped to
    start at ``at_utc``. Ends when about a year of local days goes by without one (never open)."""
    tz = zone(hours.tz)
    day = at_utc.astimezone(tz).date()
    quiet_days = 0
    while quiet_days < _SEARCH_DAYS:
        quiet_days += 1
        if not closed_on(hours, day):
            for start, end in sorted(_ranges(hours, day)):
                opens, closes = max(_local(day, start, tz), at_utc), _local(day, end, tz)
                if closes > opens:
                    at_utc = closes  # overlapping ranges are not counted twice
                    quiet_days = 0
                    yield opens, closes
        day += timedelta(days=1)


def next_open(hours: Hours, at: datetime) -> datetime | None:
    """The first moment at or after ``at`` when the place is open (``at`` itself when open now), in the
    hours' zone; None when it does not open within about a year (no weekly hours, or closed throughout)."""
    span = next(_open_spans(hours, at.astimezone(UTC)), None)
    return span[0].astimezone(zone(hours.tz)) if span else None


def _duration(amount: Decimal | float | int | timedelta) -> timedelta:
    if isinstance(amount, timedelta):
        duration = amount
    else:
        duration = timedelta(seconds=round(Decimal(str(amount)) * 3600))
    if duration < timedelta(0):
        raise ValueError("A number of business hours cannot be negative.")
    return duration


def add_business_hours(hours: Hours, start: datetime,
                       amount: Decimal | float | int | timedelta) -> datetime | None:
    """The moment ``amount`` business hours (open time, closures skipped) after the aware ``start``, in the
    hours' zone. A question at 17:55 on Friday with a 1-hour target at a place open Mon–Fri 08:00–18:00 is
    due on Monday at 08:55. Zero hours: the next open moment. None when the place never opens (no weekly
    hours, or a stretch of about a year without an open day)."""
    remaining = _duration(amount)
    for opens, closes in _open_spans(hours, start.astimezone(UTC)):
        if remaining <= closes - opens:
            return (opens + remaining).astimezone(zone(hours.tz))
        remaining -= closes - opens
    return None


def business_hours_between(hours: Hours, start: datetime, end: datetime) -> timedelta:
    """The open time between two aware moments; negative when ``end`` is before ``start`` (how long
    overdue a due time is, counted the same way as the target was)."""
    if end < start:
        return -business_hours_between(hours, end, start)
    end_utc, total = end.astimezone(UTC), timedelta(0)
    for opens, closes in _open_spans(hours, start.astimezone(UTC)):
        if opens >= end_utc:
            break
        total += min(closes, end_utc) - opens
    return total


def weekly_from(data) -> dict[str, tuple[tuple[str, str], ...]]:
    """Stored opening hours ({"mon": [["08:00", "16:00"]], …}) as the snapshot's tuples; junk is skipped."""
    if not isinstance(data, Mapping):
        return {}
    return {
        day: tuple((pair[0], pair[1]) for pair in ranges if _is_range(pair))
        for day, ranges in data.items() if day in WEEKDAYS and isinstance(ranges, (list, tuple))
    }


def _is_range(pair) -> bool:
    return isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(t, str) for t in pair)


def site_hours(site: Site, *, since: date | None = None) -> Hours:
    """The business hours of a site: its weekly opening hours and its closures (one query; the
    organisation's zone is read from ``site.organization`` only when the site has no zone of its own, so
    load it with ``select_related("organization")``). ``since``: leave out closures over before that day."""
    from frontoffice.core.models import Closure  # models import nothing from here; keep this module pure

    closures = Closure.objects.filter(site=site).order_by("starts_on", "ends_on")
    if since is not None:
        closures = closures.filter(ends_on__gte=since)
    return Hours(tz=site.time_zone or site.organization.time_zone, weekly=weekly_from(site.opening_hours),
                 closures=tuple(closures.values_list("starts_on", "ends_on")))
