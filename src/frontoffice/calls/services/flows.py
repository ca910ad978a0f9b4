"""A line's call flow: validated and stored as a plain dict (the fields of ``routing.Flow``).

A flow that could send a caller round in a circle is refused here; what happens to a department deleted
after the flow was saved is ``routing.decide``'s business (the call goes to the desk).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from frontoffice.calls.models import Line, RingGroup
from frontoffice.calls.plans import MENU_DIGITS
from frontoffice.calls.routing import Flow
from frontoffice.core.models import Department, Member, Organization
from frontoffice.core.services import activity_record

FLOW_FIELDS = tuple(f.name for f in dataclasses.fields(Flow))
TEXT_FIELDS = ("greeting_text", "menu_prompt", "after_hours_text", "voicemail_text")
TEXT_MAX = 1000  # what a caller will sit through, with room; the provider reads it aloud
URL_MAX = 500
QUEUE_SECONDS = (30, 1800)
MENU_MAX = len(MENU_DIGITS)


@transaction.atomic
def flow_save(*, actor: Member, line: Line, flow: dict) -> Line:
    """Validate ``flow`` and store it on the line (every field, defaults for those left out).

    A left-out ``department_id`` keeps a direct line ringing its department. Refused (ValidationError naming
    the field): unknown fields, wrong types, over-long texts, menu keys other than 0-9 * #, departments that
    are not active departments of the organisation with a ring group, a queue wait outside 30–1800 seconds,
    and a menu choice or department whose overflow chain comes back round.
    """
    if line.organization_id != actor.organization_id:
        raise ValidationError({"line": _("Choose one of your organisation's lines.")})
    if not isinstance(flow, dict):
        raise ValidationError({"flow": _("The call flow must be a set of fields.")})
    unknown = sorted(set(flow) - set(FLOW_FIELDS))
    if unknown:
        raise ValidationError({name: _("This is not a field of the call flow.") for name in unknown})
    clean = _clean(line, flow)
    departments = _departments(line.organization, clean, department_given="department_id" in flow)
    _check_loops(line.organization, clean, departments)
    before = line.flow if isinstance(line.flow, dict) else {}
    if clean != before:
        line.flow = clean
        line.save(update_fields=["flow", "updated_at"])
        activity_record(organization=line.organization, actor=actor, verb="flow.saved", subject=line,
                        site=line.site, data={"before": before, "after": clean})
    return line


def _clean(line: Line, flow: dict) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = dataclasses.asdict(Flow())
    clean["department_id"] = line.department_id
    for name in TEXT_FIELDS:
        value = flow.get(name, "")
        if not isinstance(value, str):
            errors[name] = _("Give a text.")
        elif len(value.strip()) > TEXT_MAX:
            errors[name] = _("Keep it under %(max)d characters.") % {"max": TEXT_MAX}
        else:
            clean[name] = value.strip()
    _clean_url(flow, clean, errors)
    _clean_menu(flow, clean, errors)
    if "department_id" in flow:
        value = flow["department_id"]
        if value is not None and _as_id(value) is None:
            errors["department_id"] = _("Choose a department.")
        else:
            clean["department_id"] = _as_id(value)
    voicemail = flow.get("after_hours_voicemail", True)
    if not isinstance(voicemail, bool):
        errors["after_hours_voicemail"] = _("Say yes or no.")
    clean["after_hours_voicemail"] = voicemail
    queue = flow.get("queue_max_seconds", clean["queue_max_seconds"])
    low, high = QUEUE_SECONDS
    if isinstance(queue, bool) or not isinstance(queue, int) or not low <= queue <= high:
        errors["queue_max_seconds"] = _("Give a wait between %(low)d and %(high)d seconds.") % {
            "low": low, "high": high}
    clean["queue_max_seconds"] = queue
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_url(flow: dict, clean: dict, errors: dict) -> None:
    url = flow.get("greeting_url", "")
    if not isinstance(url, str) or len(url) > URL_MAX:
        errors["greeting_url"] = _("Give the address of the recording.")
        return
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["greeting_url"] = _("Give the address of the recording.")
            return
    clean["greeting_url"] = url


def _clean_menu(flow: dict, clean: dict, errors: dict) -> None:
    menu = flow.get("menu", {})
    if not isinstance(menu, dict):
        errors["menu"] = _("The menu must map keys to departments.")
        return
    rows = {}
    for digit, dept in menu.items():
        if not isinstance(digit, str) or digit not in MENU_DIGITS:
            errors["menu"] = _("Menu choices are single keys: 0-9, * or #.")
            return
        if _as_id(dept) is None:
            errors["menu"] = _("Choose a department for key %(digit)s.") % {"digit": digit}
            return
        rows[digit] = _as_id(dept)
    clean["menu"] = dict(sorted(rows.items()))


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


def _departments(organization: Organization, clean: dict, *, department_given: bool) -> dict[int, Department]:
    """The departments the flow names, each an active department of the organisation with a ring group.

    A department taken over from the line (not given) that does not qualify becomes "the desk" rather than
    an error about a field the owner never filled in."""
    wanted = set(clean["menu"].values())
    if clean["department_id"] is not None:
        wanted.add(clean["department_id"])
    found = {d.pk: d for d in Department.objects.filter(organization=organization, pk__in=wanted, active=True,
                                                          ring_group__isnull=False)}
    for digit, dept_id in clean["menu"].items():
        if dept_id not in found:
            raise ValidationError({"menu": _(
                "Key %(digit)s: choose an active department that has a ring group.") % {"digit": digit}})
    if clean["department_id"] is not None and clean["department_id"] not in found:
        if department_given:
            raise ValidationError({"department_id": _("Choose an active department that has a ring group.")})
        clean["department_id"] = None
    return found


def _check_loops(organization: Organization, clean: dict, departments: dict[int, Department]) -> None:
    overflow = _overflow_map(organization)
    choices = [("menu", dept_id) for dept_id in clean["menu"].values()]
    if clean["department_id"] is not None:
        choices.append(("department_id", clean["department_id"]))
    for field, dept_id in choices:
        circle = _circle(overflow, dept_id)
        if circle:
            names = dict(Department.objects.filter(organization=organization, pk__in=circle)
                         .values_list("pk", "name"))
            chain = " → ".join(names.get(d, "?") for d in circle)
            raise ValidationError({field: _(
                "Unanswered calls to %(name)s would go round in a circle (%(chain)s). Change the overflow of "
                "one of these ring groups first.") % {"name": departments[dept_id].name, "chain": chain}})


def _overflow_map(organization: Organization) -> dict[int, int]:
    """department -> the department its ring group overflows to (only "another department" overflows)."""
    return dict(RingGroup.objects.filter(organization=organization, overflow=RingGroup.Overflow.DEPARTMENT,
                                         overflow_department__isnull=False)
                .values_list("department_id", "overflow_department_id"))


def _circle(overflow: dict[int, int], start: int) -> list[int]:
    """The chain from ``start`` up to the first department seen twice, or [] when the chain ends."""
    chain, seen = [start], {start}
    while chain[-1] in overflow:
        following = overflow[chain[-1]]
        chain.append(following)
        if following in seen:
            return chain
        seen.add(following)
    return []


def overflow_loop(organization: Organization, department: Department,
                  overflow_department: Department) -> bool:
    """Whether sending ``department``'s unanswered calls to ``overflow_department`` would make a circle."""
    overflow = _overflow_map(organization)
    overflow[department.pk] = overflow_department.pk
    return bool(_circle(overflow, department.pk))
