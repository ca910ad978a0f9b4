"""What the kiosk reads: a visit by its code, today's expected visitors by name, the hosts to pick.

Everything starts from the kiosk's organisation and stays at its site. A code the kiosk cannot use
comes back with the reason (a key of ``views.NOTICES``), so the visitor reads a kind sentence and the
kiosk returns to its welcome screen; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from frontoffice.core.text import fold, terms
from frontoffice.reception import queries
from frontoffice.reception.models import Visit

MAX_CODE_LENGTH = 200  # what a scanner may type; longer is not ours
MIN_NAME_LENGTH = 2
MAX_MATCHES = 8

# Why a code cannot be used at this kiosk now (keys of views.NOTICES).
UNKNOWN = "unknown"
OTHER_SITE = "other_site"
CANCELLED = "cancelled"
ALREADY_IN = "already_in"
ALREADY_LEFT = "already_left"
NOT_TODAY = "not_today"
NEVER_ARRIVED = "never_arrived"
SEE_DESK = "see_desk"


@dataclass(frozen=True)
class Found:
    visit: Visit | None
    problem: str | None = None


def clean_code(text: str) -> str:
    """The code in what was scanned or typed; a scanned link keeps only its last path segment."""
    text = (text or "").strip()[:MAX_CODE_LENGTH]
    if "/" in text:
        text = [part for part in text.split("?")[0].split("/") if part][-1:] or [""]
        text = text[0]
    return text


def today_bounds(site) -> tuple[datetime, datetime]:
    today = timezone.localdate(timezone=site.tz)
    start = datetime.combine(today, time.min, tzinfo=site.tz)
    return start, start + timedelta(days=1)


def _is_today(moment: datetime | None, site) -> bool:
    if moment is None:
        return True  # expected "some time": the kiosk does not argue
    start, end = today_bounds(site)
    return start <= moment < end


def visit_for_code(kiosk, code: str) -> Visit | None:
    code = clean_code(code)
    if not code:
        return None
    return queries.visit_by_code(kiosk.organization, code)


def for_check_in(kiosk, code: str) -> Found:
    """The visit ``code`` names, if this kiosk may check it in now."""
    visit = visit_for_code(kiosk, code)
    if visit is None:
        return Found(None, UNKNOWN)
    if visit.site_id != kiosk.site_id:
        return Found(visit, OTHER_SITE)
    if visit.held_at is not None:
        return Found(visit, SEE_DESK)
    problem = {
        Visit.CANCELLED: CANCELLED,
        Visit.ARRIVED: ALREADY_IN,
        Visit.WITH_HOST: ALREADY_IN,
        Visit.LEFT: ALREADY_LEFT,
    }.get(visit.status)
    if problem:
        return Found(visit, problem)
    if not _is_today(visit.expected_at, kiosk.site):
        return Found(visit, NOT_TODAY)
    return Found(visit)


def for_check_out(kiosk, code: str) -> Found:
    """The visit ``code`` names, if this kiosk may check it out now."""
    visit = visit_for_code(kiosk, code)
    if visit is None:
        return Found(None, UNKNOWN)
    if visit.site_id != kiosk.site_id:
        return Found(visit, OTHER_SITE)
    problem = {
        Visit.EXPECTED: NEVER_ARRIVED,
        Visit.NO_SHOW: NEVER_ARRIVED,
        Visit.CANCELLED: CANCELLED,
        Visit.LEFT: ALREADY_LEFT,
    }.get(visit.status)
    return Found(visit, problem)


def expected_today(kiosk, name: str) -> list[Visit]:
    """Today's expected visitors at the kiosk's site whose name matches every word typed (as the start
    of a word of the name, without diacritics): "ann kow" finds "Anna Kowalska"."""
    wanted = terms(name)
    if sum(len(term) for term in wanted) < MIN_NAME_LENGTH:
        return []
    start, end = today_bounds(kiosk.site)
    visits = (kiosk.organization.visits
              .filter(site=kiosk.site, status=Visit.EXPECTED, expected_at__gte=start, expected_at__lt=end)
              .select_related("host_member__user", "host_department")
              .order_by("expected_at", "id"))
    found = []
    for visit in visits:
        words = fold(visit.visitor_name).split()
        if all(any(word.startswith(term) for word in words) for term in wanted):
            found.append(visit)
            if len(found) == MAX_MATCHES:
                break
    return found


def short_name(full_name: str) -> str:
    """The first name and the initial of the surname: "Anna K." for "Anna Maria Kowalska"."""
    words = full_name.split()
    if len(words) < 2:
        return full_name
    return f"{words[0]} {words[-1][0]}."


def departments(kiosk):
    return (kiosk.organization.departments.filter(active=True)
            .filter(Q(site__isnull=True) | Q(site=kiosk.site)).order_by("name"))


def host_members(kiosk):
    # A member tied to no site works at all of them.
    return (kiosk.organization.members.filter(active=True)
            .filter(Q(sites=kiosk.site) | Q(sites__isnull=True)).distinct()
            .select_related("user").order_by("user__full_name"))
