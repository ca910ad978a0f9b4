"""Lists of inquiries: filtered (the desk's filters, the API), the desk's two lists, what is overdue, and
satisfaction per member or category.

A list of open inquiries is ordered by urgency: the next due time (the first answer's while unanswered, else
the resolution's), earliest first — so what is overdue comes first — then the oldest. The open statuses and
the department narrow through the (organisation, department, status, resolution due) index, so the sort
reads only the open inquiries, never the closed history. A list with closed ones in it is newest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, BooleanField, Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from frontoffice.clients.models import Client
from frontoffice.core.models import Department, Member, Organization
from frontoffice.inquiries.models import Category, Inquiry

DESK_LIMIT = 25
UNASSIGNED = "none"  # ``assigned=`` / ``department=`` value: the inquiries with none


def overdue_q(now: datetime) -> Q:
    """Open and past a due time: the first answer's while there is none yet, or the resolution's."""
    return Q(status__in=Inquiry.OPEN_STATUSES) & (
        Q(first_answered_at__isnull=True, first_answer_due__lt=now) | Q(resolution_due__lt=now))


def next_due():
    """The inquiry's next due time: the first answer's while unanswered, else the resolution's."""
    return Case(When(first_answered_at__isnull=True, then=Coalesce("first_answer_due", "resolution_due")),
                default=F("resolution_due"))


def annotate_due(queryset: QuerySet, now: datetime, *, urgent_first: bool = True) -> QuerySet:
    """Annotated with ``due_at`` (the next due time) and ``overdue``; most urgent first (no due time: last),
    or with ``urgent_first`` False newest first (a list with closed inquiries in it: urgency means nothing
    for them, and sorting a department's whole history by it would cost a sort of every row)."""
    queryset = queryset.annotate(due_at=next_due(), overdue=Case(When(overdue_q(now), then=True), default=False,
                                                                 output_field=BooleanField()))
    if urgent_first:
        return queryset.order_by(F("due_at").asc(nulls_last=True), "opened_at", "id")
    return queryset.order_by("-opened_at", "-id")


def by_urgency(queryset: QuerySet, now: datetime) -> QuerySet:
    return annotate_due(queryset, now, urgent_first=True)


def _pk(value) -> int | None:
    return value.pk if hasattr(value, "pk") else int(value)


def _assigned(value) -> Q:
    if value == UNASSIGNED:
        return Q(assigned_to__isnull=True)
    return Q(assigned_to_id=_pk(value))


def inquiries_of(organization: Organization, *, status: str | Iterable[str] | None = None,
                 category: Category | int | None = None, assigned: Member | int | str | None = None,
                 client: Client | int | None = None, department: Department | int | str | None = None,
                 overdue: bool | None = None, q: str = "", now: datetime | None = None) -> QuerySet:
    """The organisation's inquiries, filtered, most urgent first, with what a list row shows loaded.

    ``status``: a status or several; ``assigned`` / ``department``: a row, an id, or "none" (nobody / no
    department); ``overdue``: True only overdue, False none of them; ``q``: a reference ("Q-7F3K9M") or
    words of the subject."""
    now = now or timezone.now()
    queryset = Inquiry.objects.filter(organization=organization)
    statuses = [status] if isinstance(status, str) else list(status or ())
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if category is not None:
        queryset = queryset.filter(category_id=_pk(category))
    if assigned is not None:
        queryset = queryset.filter(_assigned(assigned))
    if client is not None:
        queryset = queryset.filter(client_id=_pk(client))
    if department is not None:
        queryset = queryset.filter(department__isnull=True) if department == UNASSIGNED else \
            queryset.filter(department_id=_pk(department))
    if overdue is True:
        queryset = queryset.filter(overdue_q(now))
    elif overdue is False:
        queryset = queryset.exclude(overdue_q(now))
    text = " ".join((q or "").split())
    if text:
        reference = text.upper().lstrip("#").removeprefix("Q-")
        queryset = queryset.filter(Q(reference=reference) | Q(subject__icontains=text))
    urgent_first = overdue is True or (bool(statuses) and set(statuses) <= set(Inquiry.OPEN_STATUSES))
    return annotate_due(queryset, now, urgent_first=urgent_first).select_related(*LIST_RELATED)


LIST_RELATED = ("client", "category", "department", "assigned_to__user")


@dataclass
class DeskLists:
    """The desk: my open inquiries and my departments' queue (the rest of them, and those not routed to a
    department), each capped, with exact counts."""

    mine: list[Inquiry]
    mine_count: int
    queue: list[Inquiry]
    queue_count: int
    overdue_count: int


def desk_lists(member: Member, *, now: datetime, limit: int = DESK_LIMIT) -> DeskLists:
    """At most six queries, each through an index: the member's departments; the rows of each list (the
    queue's in two parts); and per list its counts (all, and overdue) in one aggregate."""
    organization = member.organization
    open_ = Inquiry.objects.filter(organization=organization, status__in=Inquiry.OPEN_STATUSES)
    mine = open_.filter(assigned_to=member)
    departments = list(member.departments.filter(organization=organization).values_list("pk", flat=True))
    unrouted = open_.filter(department__isnull=True).exclude(assigned_to=member)
    routed = open_.filter(department_id__in=departments).exclude(assigned_to=member)
    counts = [part.aggregate(all=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))
              for part in (mine, open_.filter(Q(department_id__in=departments) | Q(department__isnull=True))
                           .exclude(assigned_to=member))]
    # Read apart and merged here: as one OR the planner walks every open inquiry of the organisation.
    queue = [row for part in ((routed, unrouted) if departments else (unrouted,))
             for row in by_urgency(part, now).select_related(*LIST_RELATED)[:limit]]
    queue.sort(key=_urgency)
    return DeskLists(
        mine=list(by_urgency(mine, now).select_related(*LIST_RELATED)[:limit]), mine_count=counts[0]["all"],
        queue=queue[:limit], queue_count=counts[1]["all"], overdue_count=counts[0]["overdue"] + counts[1]["overdue"])


def _urgency(row: Inquiry) -> tuple:
    """``by_urgency``'s order, for rows merged in Python."""
    return (row.due_at is None, row.due_at or row.opened_at, row.opened_at, row.pk)


# --- satisfaction ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SatisfactionRow:
    id: int | None  # the member's or category's id; None: answered by nobody still here
    label: str
    average: float
    count: int


def satisfaction(organization: Organization, *, by: str = "member", since: datetime | None = None,
                 until: datetime | None = None) -> list[SatisfactionRow]:
    """The clients' average rating (1–5) and how many ratings, per member who answered or per category,
    best first; ``since``/``until`` bound when the ratings were given."""
    if by not in ("member", "category"):
        raise ValueError("by is 'member' or 'category'")
    key = "answered_by" if by == "member" else "category"
    rated = Inquiry.objects.filter(organization=organization, rating__isnull=False)
    if since is not None:
        rated = rated.filter(rated_at__gte=since)
    if until is not None:
        rated = rated.filter(rated_at__lt=until)
    groups = list(rated.order_by().values(key).annotate(average=Avg("rating"), count=Count("pk")))
    ids = [row[key] for row in groups if row[key] is not None]
    if by == "member":
        labels = {m.pk: str(m.user) for m in Member.objects.filter(pk__in=ids).select_related("user")}
    else:
        labels = dict(Category.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = [SatisfactionRow(row[key], labels.get(row[key], ""), round(float(row["average"]), 2), row["count"])
            for row in groups]
    return sorted(rows, key=lambda row: (-row.average, -row.count, row.label))
