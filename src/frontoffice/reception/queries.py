"""Reads of reception that several pages and the API share. Every query starts from the organisation.

``desk_board`` and ``on_site`` answer with a ``Board``: a dict whose keys also read as attributes, so
templates (``board.waiting``) and Python (``board["waiting"]`` or ``board.waiting``) use the same object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
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
    """Visits with the rows their lists and JSON show. Not the client: only its id is shown there, and
    joining the client table too made PostgreSQL spend ~2 ms planning every single-visit lookup."""
    return (Visit.objects.filter(organization=organization)
            .select_related("site", "host_member__user", "host_department", "greeted_by__user"))


def wait_target_minutes(organization: Organization) -> int:
    try:
        return max(1, int((organization.settings or {}).get("wait_target_minutes", DEFAULT_WAIT_TARGET_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_WAIT_TARGET_MINUTES


def _elapsed_label(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _desk_lists(start: datetime, end: datetime) -> dict[str, Q]:
    """Which visits each list of the desk holds on the local day [start, end)."""
    return {
        "held": Q(status=Visit.EXPECTED, held_at__isnull=False),
        "waiting": Q(status=Visit.ARRIVED),
        "expected": Q(status=Visit.EXPECTED, held_at__isnull=True, expected_at__gte=start, expected_at__lt=end),
        "with_host": Q(status=Visit.WITH_HOST),
        "left": Q(status=Visit.LEFT, left_at__gte=start, left_at__lt=end),
    }


def desk_board(organization: Organization, site: Site | None = None, now: datetime | None = None) -> Board:
    """Today at the desk (the site's local day; the organisation's for every site): who is expected,
    waiting (with the seconds waited and ``overdue`` past the organisation's ``wait_target_minutes``),
    with their host, gone, or held for a manager; and the parcels waiting. Two queries in all.
    Every row of the day: the desk screen itself reads ``desk_screen`` (capped lists)."""
    now = now or timezone.now()
    start, end = day_bounds(site.tz if site else organization.tz, now)
    lists = _desk_lists(start, end)
    rows = visits_of(organization).filter(lists["held"] | lists["waiting"] | lists["expected"] | lists["with_host"]
                                          | lists["left"])
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


# How many rows of each list the desk screen shows: what a receptionist can act on at a glance. The
# rest is counted (exactly) and listed on the "today's visits" page.
DESK_SHOWN = {"waiting": 50, "late": 30, "upcoming": 30, "with_host": 30, "left": 15}
# The columns a desk row shows (``host_*``: the host's name, a member's or a department's).
DESK_COLUMNS = ("pk", "status", "visitor_name", "visitor_company", "visit_type", "client_id", "purpose",
                "badge_number", "greeted_at", "host_notified_at", "expected_at", "arrived_at", "host_met_at",
                "left_at", "held_at", "check_out_via", "host_member__user__full_name", "host_member__user__email",
                "host_department__name")
# The order of each list: (SQL order of the rows shown, when the screen caps the list).
_DESK_ORDER = {
    "held": ("held_at", "pk"),
    "waiting": ("arrived_at", "pk"),
    "expected": ("expected_at", "pk"),
    "late": ("-expected_at", "-pk"),  # the latest of the late first: the likeliest still to come
    "upcoming": ("expected_at", "pk"),
    "with_host": (F("host_met_at").desc(nulls_last=True), "-pk"),
    "left": ("-left_at", "-pk"),
}


def _day_of(organization: Organization, site: Site | None, now: datetime) -> tuple[datetime, datetime]:
    return day_bounds(site.tz if site else organization.tz, now)


def _visits_at(organization: Organization, site: Site | None) -> QuerySet[Visit]:
    rows = Visit.objects.filter(organization=organization)
    return rows.filter(site=site) if site is not None else rows


def desk_counts(organization: Organization, site: Site | None = None, now: datetime | None = None) -> Board:
    """The exact size of each list of the desk today, in one query: ``held``, ``waiting``, ``overdue``
    (waiting past the target), ``expected``, ``late`` (expected and past their time), ``with_host``, ``left``
    and ``on_site``."""
    now = now or timezone.now()
    lists = _desk_lists(*_day_of(organization, site, now))
    overdue_since = now - timedelta(seconds=wait_target_minutes(organization) * 60 + 1)  # as desk_board rounds
    counts = _visits_at(organization, site).aggregate(
        **{name: Count("pk", filter=q) for name, q in lists.items()},
        overdue=Count("pk", filter=lists["waiting"] & Q(arrived_at__lte=overdue_since)),
        late=Count("pk", filter=lists["expected"] & Q(expected_at__lt=now)))
    return Board(counts, on_site=counts["waiting"] + counts["with_host"])


def _desk_rows(organization: Organization, site: Site | None, q: Q, order: tuple) -> QuerySet:
    rows = _visits_at(organization, site).filter(q).values(*DESK_COLUMNS)
    return rows.order_by(*order)


def with_waiting(rows: Iterable[dict], now: datetime, target_minutes: int) -> None:
    """Give each waiting row (status arrived) ``waiting_seconds``, ``waiting_label`` and ``overdue``, as
    ``desk_board`` gives its visits."""
    for row in rows:
        if row["status"] == Visit.ARRIVED:
            row["waiting_seconds"] = max(0, int((now - row["arrived_at"]).total_seconds()))
            row["waiting_label"] = _elapsed_label(row["waiting_seconds"])
            row["overdue"] = row["waiting_seconds"] > target_minutes * 60


def desk_screen(organization: Organization, site: Site | None = None, now: datetime | None = None) -> Board:
    """What the desk screen shows: ``desk_board``'s lists as plain rows (``DESK_COLUMNS``), each capped
    (``DESK_SHOWN``), with the exact ``counts`` and how many rows each list leaves out (``more``). Held
    visitors are all shown; ``expected`` is the late ones (the latest 30) then the next 30. Eight small
    queries whatever the day: the counts, one per list (``late`` and ``upcoming`` make ``expected``) and the
    parcels."""
    now = now or timezone.now()
    counts = desk_counts(organization, site, now)
    lists = _desk_lists(*_day_of(organization, site, now))
    parts = {"held": lists["held"], "waiting": lists["waiting"], "late": lists["expected"] & Q(expected_at__lt=now),
             "upcoming": lists["expected"] & Q(expected_at__gte=now), "with_host": lists["with_host"],
             "left": lists["left"]}
    base = _visits_at(organization, site).values(*DESK_COLUMNS)  # the columns resolved once, for every list
    found = {}
    for name, q in parts.items():
        rows = base.filter(q).order_by(*_DESK_ORDER[name])
        found[name] = list(rows[:DESK_SHOWN[name]] if name in DESK_SHOWN else rows)
    target = wait_target_minutes(organization)
    with_waiting(found["waiting"], now, target)
    board = Board(
        site=site, now=now, wait_target_minutes=target, wait_target_seconds=target * 60, counts=counts,
        held=sorted(found["held"], key=lambda r: (r["held_at"], r["pk"])),
        waiting=sorted(found["waiting"], key=lambda r: (r["arrived_at"], r["pk"])),
        expected=sorted(found["late"] + found["upcoming"], key=lambda r: (r["expected_at"], r["pk"])),
        with_host=sorted(found["with_host"], key=lambda r: (r["host_met_at"] or r["arrived_at"], r["pk"]),
                         reverse=True),
        left=sorted(found["left"], key=lambda r: (r["left_at"], r["pk"]), reverse=True),
        deliveries_waiting=list(deliveries_waiting(organization, site)))
    counts["deliveries"] = len(board.deliveries_waiting)
    board["more"] = Board(
        waiting=counts.waiting - len(board.waiting), late=counts.late - len(found["late"]),
        upcoming=counts.expected - counts.late - len(found["upcoming"]),
        with_host=counts.with_host - len(board.with_host), left=counts.left - len(board.left))
    return board


# The lists of the "today's visits" page, by their name in ``?status=``; "" is every one of them.
TODAY_LISTS = ("waiting", "expected", "held", "with_host", "left")


def visits_today(organization: Organization, site: Site | None = None, now: datetime | None = None,
                 status: str = "") -> QuerySet:
    """Today's visits at the desk as plain rows (``DESK_COLUMNS``): one list of the desk in its order
    (``status``, one of ``TODAY_LISTS``), or all of them by time."""
    lists = _desk_lists(*_day_of(organization, site, now or timezone.now()))
    if status:
        return _desk_rows(organization, site, lists[status], _DESK_ORDER[status])
    every = lists["held"] | lists["waiting"] | lists["expected"] | lists["with_host"] | lists["left"]
    when = Coalesce("arrived_at", "held_at", "expected_at")
    return _desk_rows(organization, site, every, ()).order_by(when.asc(nulls_last=True), "pk")


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
