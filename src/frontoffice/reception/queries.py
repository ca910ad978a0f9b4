"""Reads of reception that several pages and the API share. Every query starts from the organisation.

``desk_board`` and ``on_site`` answer with a ``Board``: a dict whose keys also read as attributes, so
templates (``board.waiting``) and Python (``board["waiting"]`` or ``board.waiting``) use the same object.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from frontoffice.core.models import Member, Organization, Site
from frontoffice.core.prepared import Prepared
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
# What the desk's rows of each list read (``views.desk_rows``): fewer columns, fewer values to convert.
_SHOWN = ("pk", "status", "visitor_name", "visitor_company", "visit_type", "client_id",
          "host_member__user__full_name", "host_member__user__email", "host_department__name")
_LIST_COLUMNS = {
    "held": (*_SHOWN, "held_at"),
    "waiting": (*_SHOWN, "badge_number", "greeted_at", "host_notified_at", "arrived_at"),
    "late": (*_SHOWN, "expected_at", "purpose"),
    "upcoming": (*_SHOWN, "expected_at", "purpose"),
    "with_host": (*_SHOWN, "host_met_at", "arrived_at"),
    "left": (*_SHOWN, "left_at", "check_out_via"),
}
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
_COUNTS = ("held", "waiting", "expected", "with_host", "left", "overdue", "late")


def _day_of(organization: Organization, site: Site | None, now: datetime) -> tuple[datetime, datetime]:
    return day_bounds(site.tz if site else organization.tz, now)


def _visits_at(organization: Organization, site: Site | None) -> QuerySet[Visit]:
    rows = Visit.objects.filter(organization=organization)
    return rows.filter(site=site) if site is not None else rows


# --- the desk's queries, compiled once per process ---------------------------------------------
# The desk re-reads its lists every 3 seconds, and building and compiling its querysets cost more CPU
# than the database's answers (~1.5 ms a query). Each query of the desk has a fixed shape, so it is a
# ``Prepared``: one for the desk of one site and one for every site. Its arguments (in this order) are
# the organisation's id, the site's id (with a site), then the times its filter names (``_TIMES``).

_ORG, _SITE = 2_000_000_001, 2_000_000_002  # stand-ins for the ids while the SQL is compiled
_SAMPLE_TIMES = {name: datetime(1901, 2, 3, 4, 5, n, tzinfo=UTC)  # and for the times
                 for n, name in enumerate(("start", "end", "now", "overdue_since"), 1)}
_TIMES = {"held": (), "waiting": (), "with_host": (), "late": ("start", "end", "now"),
          "upcoming": ("start", "end", "now"), "left": ("start", "end"),
          "counts": ("start", "end", "now", "overdue_since"), "deliveries": ()}


def _desk_parts(start: datetime, end: datetime, now: datetime) -> dict[str, Q]:
    """The queries of the desk's lists: ``expected`` is read in two parts, the late ones and the next."""
    lists = _desk_lists(start, end)
    return {"held": lists["held"], "waiting": lists["waiting"], "late": lists["expected"] & Q(expected_at__lt=now),
            "upcoming": lists["expected"] & Q(expected_at__gte=now), "with_host": lists["with_host"],
            "left": lists["left"]}


def _desk_list(name: str, org_id: int, site_id: int | None, when: dict) -> QuerySet:
    """The rows of one desk list, in its order, capped at ``DESK_SHOWN``."""
    times = {**_SAMPLE_TIMES, **when}  # a list that filters on no time leaves these out of its SQL
    q = _desk_parts(times["start"], times["end"], times["now"])[name]
    rows = _desk_visits(org_id, site_id).filter(q).values_list(*_LIST_COLUMNS[name]).order_by(*_DESK_ORDER[name])
    return rows[:DESK_SHOWN[name]] if name in DESK_SHOWN else rows


def _desk_count(org_id: int, site_id: int | None, when: dict) -> QuerySet:
    """One row: the size of each list (``_COUNTS``); no row when there is nobody."""
    lists = _desk_lists(when["start"], when["end"])
    every = lists["held"] | lists["waiting"] | lists["expected"] | lists["with_host"] | lists["left"]
    counts = {name: Count("pk", filter=q) for name, q in lists.items()}
    counts["overdue"] = Count("pk", filter=lists["waiting"] & Q(arrived_at__lte=when["overdue_since"]))
    counts["late"] = Count("pk", filter=lists["expected"] & Q(expected_at__lt=when["now"]))
    # Grouped by the organisation (one group) so that it is a queryset: ``aggregate`` runs at once.
    return (_desk_visits(org_id, site_id).filter(every).values("organization_id").annotate(**counts)
            .values_list(*_COUNTS))


def _desk_deliveries(org_id: int, site_id: int | None, when: dict) -> QuerySet[Delivery]:
    return deliveries_waiting(org_id, site_id)  # ids filter as the objects do


def _desk_visits(org_id: int, site_id: int | None) -> QuerySet[Visit]:
    rows = Visit.objects.filter(organization_id=org_id)
    return rows.filter(site_id=site_id) if site_id is not None else rows


def _prepare(name: str, build, with_site: bool) -> Prepared:
    times = _TIMES[name]

    def queryset(org_id, *values):
        site_id, values = (values[0], values[1:]) if with_site else (None, values)
        return build(org_id, site_id, dict(zip(times, values, strict=True)))

    return Prepared(queryset, _ORG, *((_SITE,) if with_site else ()), *(_SAMPLE_TIMES[t] for t in times))


_BUILDS = {**{part: functools.partial(_desk_list, part) for part in _LIST_COLUMNS},
           "counts": _desk_count, "deliveries": _desk_deliveries}
_DESK_QUERIES = {(name, with_site): _prepare(name, build, with_site)
                 for name, build in _BUILDS.items() for with_site in (True, False)}


_MEMBER = 2_000_000_003
_MEMBER_SITES = Prepared(lambda org_id, member_id: Site.objects.filter(organization_id=org_id, active=True,
                                                                      members=member_id), _ORG, _MEMBER)
_ACTIVE_SITES = Prepared(lambda org_id: Site.objects.filter(organization_id=org_id, active=True), _ORG)


def desk_sites(organization: Organization, member: Member) -> list[Site]:
    """The active sites the member works at (every active site of the organisation when none is set), by
    name; the desk asks on every refresh."""
    sites = _MEMBER_SITES(organization.pk, member.pk) or _ACTIVE_SITES(organization.pk)
    for site in sites:
        site.organization = organization  # what ``site.tz`` reads, without a query
    return sites


def _run(name: str, organization: Organization, site: Site | None, when: dict) -> list:
    ids = (organization.pk, site.pk) if site is not None else (organization.pk,)
    return _DESK_QUERIES[name, site is not None](*ids, *(when[t] for t in _TIMES[name]))


def _desk_times(organization: Organization, site: Site | None, now: datetime) -> dict[str, datetime]:
    start, end = _day_of(organization, site, now)
    overdue_since = now - timedelta(seconds=wait_target_minutes(organization) * 60 + 1)  # as desk_board rounds
    return {"start": start, "end": end, "now": now, "overdue_since": overdue_since}


def _counts(organization: Organization, site: Site | None, when: dict) -> Board:
    found = _run("counts", organization, site, when)
    counts = Board(zip(_COUNTS, found[0] if found else (0,) * len(_COUNTS), strict=True))
    counts["on_site"] = counts["waiting"] + counts["with_host"]
    return counts


def desk_counts(organization: Organization, site: Site | None = None, now: datetime | None = None) -> Board:
    """The exact size of each list of the desk today, in one query: ``held``, ``waiting``, ``overdue``
    (waiting past the target), ``expected``, ``late`` (expected and past their time), ``with_host``, ``left``
    and ``on_site``."""
    return _counts(organization, site, _desk_times(organization, site, now or timezone.now()))


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
    """What the desk screen shows: ``desk_board``'s lists as plain rows (the columns its rows read,
    ``_LIST_COLUMNS``), each capped (``DESK_SHOWN``), with the exact ``counts`` and how many rows each list
    leaves out (``more``). Held visitors are all shown; ``expected`` is the late ones (the latest 30) then
    the next 30. At most eight small prepared queries whatever the day: the counts, one per list that is
    not empty (``late`` and ``upcoming`` make ``expected``) and the parcels."""
    now = now or timezone.now()
    when = _desk_times(organization, site, now)
    counts = _counts(organization, site, when)
    sizes = {"held": counts.held, "waiting": counts.waiting, "late": counts.late,
             "upcoming": counts.expected - counts.late, "with_host": counts.with_host, "left": counts.left}
    # A list the counts found empty is not read (a visitor who came in between shows at the next refresh).
    found = {name: [dict(zip(_LIST_COLUMNS[name], row)) for row in _run(name, organization, site, when)] if size
             else [] for name, size in sizes.items()}
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
        deliveries_waiting=_run("deliveries", organization, site, when))
    counts["deliveries"] = len(board.deliveries_waiting)
    board["more"] = Board(
        waiting=max(0, counts.waiting - len(board.waiting)), late=max(0, counts.late - len(found["late"])),
        upcoming=max(0, sizes["upcoming"] - len(found["upcoming"])),
        with_host=max(0, counts.with_host - len(board.with_host)), left=max(0, counts.left - len(board.left)))
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
