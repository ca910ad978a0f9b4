"""The routing snapshot of a line, read from the database on every webhook: ``plan_for_line``.

Two queries beyond the line itself (load it with ``select_related("site", "organization")``): the
organisation's ring groups joined with their departments, sites and phones in one row set, and the
organisation's closures not over yet. This runs on every webhook request, so the two queries are written
with the ORM but compiled to SQL once per process and database (building a query costs more than running
it here), and their rows are read as tuples (no model instances). There is no cache of the plan itself:
closures, site hours, departments and members' phones carry no version to invalidate it by, and a stale
plan would ring the wrong phones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache

from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone

from frontoffice.calls.models import Line, RingGroup
from frontoffice.calls.routing import DepartmentPlan, Flow, Hours, Plan, Target
from frontoffice.core import phones
from frontoffice.core.hours import weekly_from
from frontoffice.core.models import Closure

MENU_DIGITS = frozenset("0123456789*#")
_DIALABLE = re.compile(r"^(\+\d{6,15}|sip:.+|\d{2,6})$")  # E.164, a SIP address or an extension as they are

_GROUP_FIELDS = (
    "department_id", "department__name", "department__site_id", "department__site__time_zone",
    "department__site__opening_hours", "strategy", "ring_seconds", "overflow", "overflow_department_id",
    "opening_hours", "is_desk",
    "targets__target", "targets__ring_seconds", "targets__member_id", "targets__member__phone",
    "targets__member__active",
)
# Stand-ins compiled into the SQL once, replaced by each call's values (see _run).
_ORG, _DAY = -7_734_091, date(1900, 1, 2)


def _groups_query(organization_id: int, day: date) -> QuerySet:
    return (RingGroup.objects.filter(organization_id=organization_id, department__active=True)
            .order_by("department_id", "targets__position", "targets__id").values_list(*_GROUP_FIELDS))


def _closures_query(organization_id: int, day: date) -> QuerySet:
    return (Closure.objects.filter(organization_id=organization_id, ends_on__gte=day)
            .order_by().values_list("site_id", "starts_on", "ends_on"))


@lru_cache(maxsize=8)
def _compiled(query: Callable[[int, date], QuerySet], alias: str) -> tuple[str, tuple, int, int | None]:
    """The query's SQL and parameters, with the places of the organisation and the day among them."""
    queryset = query(_ORG, _DAY)
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    day = connections[alias].ops.adapt_datefield_value(_DAY)
    return sql, tuple(params), params.index(_ORG), params.index(day) if day in params else None


def _run(query: Callable[[int, date], QuerySet], organization_id: int, day: date) -> list[tuple]:
    alias = router.db_for_read(RingGroup)
    sql, params, org_at, day_at = _compiled(query, alias)
    values = list(params)
    values[org_at] = organization_id
    if day_at is not None:
        values[day_at] = connections[alias].ops.adapt_datefield_value(day)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def plan_for_line(line: Line) -> Plan:
    """The line's routing snapshot: its site's hours, its flow, every active department with a ring group."""
    organization, site = line.organization, line.site
    default_tz = organization.time_zone
    line_tz = site.time_zone or default_tz
    groups: dict[int, dict] = {}
    since = timezone.now().date() - timedelta(days=1)  # a day of slack for the zones west of UTC
    rows = _run(_groups_query, line.organization_id, since)
    for (dept_id, name, dept_site_id, dept_tz, dept_site_hours, strategy, ring_seconds, overflow, overflow_to,
         own_hours, is_desk, target, target_seconds, member_id, member_phone, member_active) in rows:
        group = groups.get(dept_id)
        if group is None:
            own = weekly_from(_json(own_hours))
            group = groups[dept_id] = {
                "name": name, "strategy": strategy, "ring_seconds": ring_seconds, "overflow": overflow,
                "overflow_to": overflow_to, "is_desk": bool(is_desk), "targets": [],
                # Own hours, else the department's site's, else the line's site's; closures from that site.
                "weekly": own if _has_hours(own) else (
                    weekly_from(_json(dept_site_hours)) if dept_site_id is not None else None),
                "site_id": dept_site_id if dept_site_id is not None else site.pk,
                "tz": (dept_tz or default_tz) if dept_site_id is not None else line_tz,
            }
        address = _address(target, member_id, member_phone, member_active, organization.country)
        if address:
            group["targets"].append(Target(address=address, seconds=target_seconds, member_id=member_id))
    closures = _closures(_run(_closures_query, line.organization_id, since))
    line_weekly = weekly_from(site.opening_hours)
    departments = {
        dept_id: DepartmentPlan(
            id=dept_id, name=group["name"], strategy=group["strategy"], ring_seconds=group["ring_seconds"],
            targets=tuple(group["targets"]), overflow=group["overflow"],
            overflow_department_id=group["overflow_to"], is_desk=group["is_desk"],
            hours=Hours(tz=group["tz"], weekly=line_weekly if group["weekly"] is None else group["weekly"],
                        closures=closures.get(group["site_id"], ())),
        )
        for dept_id, group in groups.items()
    }
    flow = line.flow if isinstance(line.flow, Mapping) else {}
    if "department_id" not in flow and line.department_id is not None:
        flow = {**flow, "department_id": line.department_id}  # a direct line whose flow never said otherwise
    return Plan(
        line_id=line.pk, organization_id=line.organization_id, language=organization.language,
        hours=Hours(tz=line_tz, weekly=line_weekly, closures=closures.get(site.pk, ())),
        flow=flow_from_dict(flow), departments=departments,
        desk_id=next((dept_id for dept_id, group in groups.items() if group["is_desk"]), None),
    )


def _address(target: str | None, member_id: int | None, member_phone: str | None, member_active: bool | None,
             country: str) -> str:
    """The phone a ring group row rings; "" when none (a row of a member who left, or without a phone)."""
    if target is None and member_id is None:  # the ring group has no rows (the outer join's empty side)
        return ""
    if member_id is not None and not member_active:
        return ""
    address = (target or member_phone or "").strip()
    if not address or _DIALABLE.match(address):
        return address
    return phones.try_normalize(address, country) or address  # "600 100 200" typed on a member's profile


def _closures(rows: list[tuple]) -> dict[int, tuple[tuple[date, date], ...]]:
    by_site: dict[int, list] = {}
    for site_id, starts_on, ends_on in rows:
        by_site.setdefault(site_id, []).append((_date(starts_on), _date(ends_on)))
    return {site_id: tuple(sorted(rows)) for site_id, rows in by_site.items()}


def _json(value):
    """A JSON column as the raw cursor gives it: text (both engines, as Django reads it) or decoded."""
    return json.loads(value) if isinstance(value, str) else value


def _date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite gives text


def _has_hours(weekly: Mapping) -> bool:
    # A ring group's hours saved with every day empty mean "no own hours", not "never open".
    return any(weekly.values())


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def flow_from_dict(data) -> Flow:
    """A stored flow as ``routing.Flow``. Never fails: a field of the wrong type takes its default, a menu row
    with a bad digit or department is left out — so a damaged flow still routes (to the desk, at worst)."""
    if not isinstance(data, Mapping):
        return Flow()
    menu = data.get("menu")
    menu = {str(digit): _id(dept) for digit, dept in menu.items()} if isinstance(menu, Mapping) else {}
    queue = data.get("queue_max_seconds")
    voicemail = data.get("after_hours_voicemail")
    return Flow(
        greeting_text=_text(data, "greeting_text"),
        greeting_url=_text(data, "greeting_url"),
        menu_prompt=_text(data, "menu_prompt"),
        menu={digit: dept for digit, dept in menu.items() if digit in MENU_DIGITS and dept is not None},
        department_id=_id(data.get("department_id")),
        after_hours_text=_text(data, "after_hours_text"),
        after_hours_voicemail=voicemail if isinstance(voicemail, bool) else True,
        queue_max_seconds=queue if type(queue) is int and queue > 0 else Flow.queue_max_seconds,
        voicemail_text=_text(data, "voicemail_text"),
    )
