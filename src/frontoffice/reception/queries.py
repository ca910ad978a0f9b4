"""Reads of reception that several pages and the API share. Every query starts from the organisation.

``desk_board`` and ``on_site`` answer with a ``Board``: a dict whose keys also read as attributes, so
templates (``board.waiting``) and Python (``board["waiting"]`` or ``board.waiting``) use the same object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from frontoffice.core.models import Organization, Site
from frontoffice.reception import presets
from frontoffice.reception.models import Delivery, Evacuation, EvacuationMark, Visit, VisitDocument
from frontoffice.reception.presets import VisitType
from frontoffice.reception.services._common import day_bounds

DEFAULT_WAIT_TARGET_MINUTES = 10
# What people type for a Crockford code: any case, with spaces or dashes, O for 0 and I or L for 1.
_CODE_NOISE = re.compile(r"[\s\-]+")
_CODE_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class Board(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def visits_of(organization: Organization) -> QuerySet[Visit]:
    return (Visit.objects.filter(organization=organization)
            .select_related("site", "client", "host_member__user", "host_department", "greeted_by__user"))


def wait_target_minutes(organization: Organization) -> int:
    try:
        return max(1, int((organization.settings or {}).get("wait_target_minutes", DEFAULT_WAIT_TARGET_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_WAIT_TARGET_MINUTES


def _elapsed_label(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def desk_board(organization: Organization, site: Site | None = None, now: datetime | None = None) -> Board:
    """Today at the desk (the site's local day; the organisation's for every site): who is expected,
    waiting (with the seconds waited and ``overdue`` past the organisation's ``wait_target_minutes``),
    with their host, gone, or held for a manager; and the parcels waiting. Two queries in all."""
    now = now or timezone.now()
    start, end = day_bounds(site.tz if site else organization.tz, now)
    rows = visits_of(organization).filter(
        Q(status__in=Visit.ON_SITE)
        | Q(status=Visit.EXPECTED, held_at__isnull=False)
        | Q(status=Visit.EXPECTED, expected_at__gte=start, expected_at__lt=end)
        | Q(status=Visit.LEFT, left_at__gte=start, left_at__lt=end))
    if site is not None:
        rows = rows.filter(site=site)
    target = wait_target_minutes(organization)
    board = Board(site=site, now=now, day=start.date(), wait_target_minutes=target, wait_target_seconds=target * 60,
                  expected=[], waiting=[], with_host=[], left=[], held=[])
    for visit in rows.order_by("pk"):
        if visit.status == Visit.EXPECTED:
            board["held" if visit.held_at else "expected"].append(visit)
        elif visit.status == Visit.ARRIVED:
            visit.waiting_seconds = max(0, int((now - visit.arrived_at).total_seconds()))
            visit.waiting_label = _elapsed_label(visit.waiting_seconds)
            visit.overdue = visit.waiting_seconds > target * 60
            board["waiting"].append(visit)
        else:
            board["with_host" if visit.status == Visit.WITH_HOST else "left"].append(visit)
    board["expected"].sort(key=lambda v: (v.expected_at, v.pk))
    board["waiting"].sort(key=lambda v: (v.arrived_at, v.pk))
    board["with_host"].sort(key=lambda v: (v.host_met_at or v.arrived_at, v.pk))
    board["left"].sort(key=lambda v: (v.left_at, v.pk), reverse=True)
    board["held"].sort(key=lambda v: (v.held_at, v.pk))
    board["deliveries_waiting"] = list(deliveries_waiting(organization, site))
    board["counts"] = Board(
        expected=len(board["expected"]), waiting=len(board["waiting"]), with_host=len(board["with_host"]),
        left=len(board["left"]), held=len(board["held"]), on_site=len(board["waiting"]) + len(board["with_host"]),
        overdue=sum(1 for v in board["waiting"] if v.overdue), deliveries=len(board["deliveries_waiting"]))
    return board


def deliveries_waiting(organization: Organization, site: Site | None = None) -> QuerySet[Delivery]:
    rows = (Delivery.objects.filter(organization=organization, picked_up_at__isnull=True)
            .select_related("site", "recipient__user").order_by("received_at", "pk"))
    return rows.filter(site=site) if site is not None else rows


def on_site_by_site(organization: Organization, sites: Iterable[Site]) -> list[tuple[Site, Board]]:
    """``on_site`` for several sites at once, in three queries whatever their number."""
    sites = list(sites)
    visits = list(visits_of(organization).filter(status__in=Visit.ON_SITE, site__in=sites)
                  .order_by("arrived_at", "pk"))
    evacuations = {e.site_id: e for e in Evacuation.objects.filter(organization=organization, site__in=sites,
                                                                   ended_at__isnull=True)
                   .select_related("site", "started_by__user")}
    marks = {m.visit_id: m for m in EvacuationMark.objects.filter(evacuation__in=list(evacuations.values()))
             .select_related("marked_by__user")}
    boards = []
    for site in sites:
        evacuation = evacuations.get(site.pk)
        here = [v for v in visits if v.site_id == site.pk]
        for visit in here:
            mark = marks.get(visit.pk) if evacuation is not None else None
            visit.safe_mark = mark if mark is not None and mark.evacuation_id == evacuation.pk else None
        safe_ids = {v.pk for v in here if v.safe_mark is not None}
        boards.append((site, Board(site=site, visits=here, evacuation=evacuation, safe_ids=safe_ids,
                                   counts=Board(on_site=len(here), safe=len(safe_ids),
                                                missing=len(here) - len(safe_ids)))))
    return boards


def on_site(organization: Organization, site: Site | None = None) -> Board:
    """Who is on site now (the roll call): ``visits`` (arrived or with their host, by arrival), the
    open roll call (``evacuation``, None when none is running; with several sites, the first running),
    ``safe_ids`` (visits marked safe in it; each visit also carries ``safe_mark``) and ``counts``."""
    sites = [site] if site is not None else list(organization.sites.order_by("name", "pk"))
    boards = [board for _site, board in on_site_by_site(organization, sites)]
    if site is not None:
        return boards[0]
    visits = sorted((v for board in boards for v in board.visits), key=lambda v: (v.arrived_at, v.pk))
    safe_ids = set().union(*(board.safe_ids for board in boards)) if boards else set()
    running = [board.evacuation for board in boards if board.evacuation is not None]
    return Board(site=None, visits=visits, evacuation=running[0] if running else None, evacuations=running,
                 safe_ids=safe_ids, counts=Board(on_site=len(visits), safe=len(safe_ids),
                                                 missing=len(visits) - len(safe_ids)))


def normalize_code(code: str) -> str:
    return _CODE_NOISE.sub("", (code or "").upper()).translate(_CODE_ALIASES)


def visit_by_code(organization: Organization, code: str) -> Visit | None:
    """The visit with this code, as a person types or a scanner reads it (case, spaces and dashes do
    not matter; O reads as 0, I and L as 1)."""
    code = normalize_code(code)
    if not code or len(code) > 16 or not code.isalnum():
        return None
    return visits_of(organization).filter(code=code).first()


def visit_types(organization: Organization) -> list[VisitType]:
    return list(presets.visit_types(organization.vertical))


def documents_for(organization: Organization, visit_type: str) -> list[VisitDocument]:
    """The active documents a visitor of ``visit_type`` accepts at the kiosk."""
    rows = VisitDocument.objects.filter(organization=organization, active=True).order_by("kind", "pk")
    return [d for d in rows if d.applies_to(visit_type)]


def dashboard_panel(request) -> dict:
    """The dashboard card "Visitors": today's figures at the member's first site (or all sites)."""
    board = desk_board(request.org)
    return {"counts": board.counts, "waiting": board.waiting[:5], "expected_next": board.expected[:5],
            "can_desk": request.member.can("reception.desk")}
