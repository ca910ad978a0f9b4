"""The reception API: visits from invitation to check-out, who is on site, badges and deliveries.

Handlers parse, check the capability, look rows up in the member's organisation and call the same
services and queries as the desk pages. Ids in a body that are not of the organisation are refused
with 400 naming the field; ids in the path, with 404.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from frontoffice.clients.queries import clients_of
from frontoffice.core.apiutils import aware, fields_as_sent, require
from frontoffice.core.models import Department, Member, Organization, Site
from frontoffice.core.pagination import paginate_desc
from frontoffice.core.prepared import Prepared
from frontoffice.core.schemas import ErrorOut
from frontoffice.reception import badges, queries, services
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.models import Visit
from frontoffice.reception.schemas import (
    BadgeQuery,
    CancelIn,
    CheckInIn,
    ConflictOut,
    DeliveryFilter,
    DeliveryIn,
    DeliveryOut,
    DeliveryPage,
    OnSiteFilter,
    PickupIn,
    VisitFilter,
    VisitIn,
    VisitList,
    VisitOut,
    VisitPage,
    VisitPatch,
)

visits_router = Router(tags=["reception"])
deliveries_router = Router(tags=["reception"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}
BADGE_SIZES = ("label", "a4")


# --- looking rows up ---------------------------------------------------------------------------

# Every call on one visit (a check-in is benchmarked) starts here: compiled once per process.
_one_visit = Prepared(lambda organization_id, visit_id: queries.visits_of(Organization(pk=organization_id))
                      .filter(pk=visit_id).order_by(), 2_000_000_001, 2_000_000_002)


# A check-in (benchmarked) looks the row up for tenancy only: the service's lock loads the site and the
# hosts with it, and PostgreSQL plans that join of five tables in half the time of the one above.
_own_visit = Prepared(lambda organization_id, visit_id: Visit.objects
                      .filter(organization=organization_id, pk=visit_id).order_by(), 2_000_000_001, 2_000_000_002)


def _visit_or_404(request, visit_id: int, *, lookup: Prepared = _one_visit) -> Visit:
    """The visit with everything its JSON shows, in one query; its organisation is the request's."""
    found = lookup(request.org.pk, visit_id) if 0 < visit_id < 2**63 else ()  # no id is out of bigint range
    if not found:
        raise Http404
    visit = found[0]
    visit.organization = request.org  # the same row, already loaded: spares the services a query
    if lookup is _one_visit:
        visit.site.organization = request.org
    return visit


@contextmanager
def _keeping_loaded(row):
    """A service that locks a row by reloading it (a delivery's pickup) forgets the rows loaded with it; put
    back those it still points at, so the answer is built from what was loaded instead of querying each one
    again. (Visits keep theirs through ``services.lock``; this only guards them.)"""
    relations = [field for field in row._meta.concrete_fields if field.is_relation and field.is_cached(row)]
    loaded = {field: field.get_cached_value(row) for field in relations}
    yield row
    for field, related in loaded.items():
        if not field.is_cached(row) and getattr(row, field.attname) == (related.pk if related else None):
            field.set_cached_value(row, related)


def _site(request, site_id: int | None) -> Site:
    """The site named, or the organisation's only active one."""
    if site_id is not None:
        site = request.org.sites.filter(pk=site_id).first()
        if site is None:
            raise ValidationError({"site_id": _("No such site in your organisation.")})
    else:
        found = list(request.org.sites.filter(active=True)[:2])
        if not found:
            raise ValidationError({"site_id": _("The organisation has no open site.")})
        if len(found) > 1:
            raise ValidationError({"site_id": _("Choose the site: the organisation has more than one.")})
        site = found[0]
    site.organization = request.org
    return site


def _member(request, member_id: int | None, field: str) -> Member | None:
    if member_id is None:
        return None
    member = request.org.members.filter(pk=member_id).select_related("user").first()
    if member is None:
        raise ValidationError({field: _("No such member in your organisation.")})
    return member


def _department(request, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = request.org.departments.filter(pk=department_id).first()
    if department is None:
        raise ValidationError({"host_department_id": _("No such department in your organisation.")})
    return department


def _client(request, client_id: int | None):
    if client_id is None:
        return None
    client = clients_of(request.org, archived=None).filter(pk=client_id).first()
    if client is None:
        raise ValidationError({"client_id": _("No such client in your organisation.")})
    return client


# The services name model fields; the API's caller sent ids.
_SENT_AS = {"site": "site_id", "host_member": "host_member_id", "host_department": "host_department_id",
            "client": "client_id", "recipient": "recipient_id"}




def _filter_row(rows, pk: int, field: str):
    """The row a filter names: one of the organisation's, else 400 naming the filter (not an empty list)."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: _("Nothing with this id in your organisation.")})
    return row



def _held(match: WatchlistMatch):
    """The watchlist refusal: the visit is held for a manager; the match itself is never told."""
    return Status(409, {"detail": str(match.message), "code": match.code, "errors": []})


# --- visits ------------------------------------------------------------------------------------

def _day_bounds(request, day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=request.org.tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=request.org.tz)


def _filtered_visits(request, filters: VisitFilter):
    rows = queries.visits_of(request.org)
    if filters.date is not None:
        start, end = _day_bounds(request, filters.date)
        # The day of a visit: its expected time, or its arrival for a walk-in (as the sort key below).
        rows = rows.filter(Q(expected_at__gte=start, expected_at__lt=end)
                           | Q(expected_at__isnull=True, arrived_at__gte=start, arrived_at__lt=end)
                           | Q(expected_at__isnull=True, arrived_at__isnull=True,
                               created_at__gte=start, created_at__lt=end))
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.site is not None:
        rows = rows.filter(site=_filter_row(request.org.sites, filters.site, "site"))
    if filters.host is not None:
        rows = rows.filter(host_member=_filter_row(request.org.members, filters.host, "host"))
    return rows


@visits_router.get("", response={200: VisitPage, **ERRORS}, summary="List visits",
                   description="Newest first by expected time (arrival time for walk-ins). `date` is a day "
                               "in the organisation's time zone. Pass `next_cursor` back as `cursor` for the "
                               "next page.")
def visit_list(request, filters: Query[VisitFilter]):
    require(request, "reception.view")
    rows = _filtered_visits(request, filters).annotate(
        scheduled_at=Coalesce("expected_at", "arrived_at", "created_at"))
    page = paginate_desc(rows, key="scheduled_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


_INVITATION_ONLY = ("expected_at", "send_invitation", "notes")


def _refuse_what_does_not_apply(payload: VisitIn) -> None:
    """A field sent for the other kind of visit would be lost: say so instead."""
    sent = payload.model_fields_set
    if payload.arrived:
        wrong = {name: _("Not for a walk-in: leave it out.") for name in _INVITATION_ONLY if name in sent}
    else:
        wrong = {"override_watchlist": _("Only for a walk-in.")} if "override_watchlist" in sent else {}
    if wrong:
        raise ValidationError(wrong)


@visits_router.post("", response={201: VisitOut, **ERRORS}, summary="Invite a visitor, or check in a walk-in",
                    description="Without `arrived` (or with `false`): an invitation for `expected_at` "
                                "(not in the past), e-mailed with the QR code when `visitor_email` is given "
                                "unless `send_invitation` is false; needs `reception.invite`. With "
                                "`\"arrived\": true`: a walk-in, checked in now; needs `reception.desk`. A "
                                "walk-in who matches the watchlist answers 409 with `code` `watchlist` "
                                "and is held for a manager.")
def visit_create(request, payload: VisitIn):
    require(request, "reception.desk" if payload.arrived else "reception.invite")
    _refuse_what_does_not_apply(payload)
    fields = {
        "actor": request.member, "site": _site(request, payload.site_id),
        "host_member": _member(request, payload.host_member_id, "host_member_id"),
        "host_department": _department(request, payload.host_department_id),
        "client": _client(request, payload.client_id), "visit_type": payload.visit_type or "",
        "purpose": payload.purpose, "visitor_name": payload.visitor_name,
        "visitor_company": payload.visitor_company, "visitor_email": payload.visitor_email,
        "visitor_phone": payload.visitor_phone,
    }
    if not payload.arrived:
        send = bool(payload.visitor_email) if payload.send_invitation is None else payload.send_invitation
        expected_at = aware(request, payload.expected_at)
        with fields_as_sent(_SENT_AS):
            visit = services.visit_invite(**fields, expected_at=expected_at, notes=payload.notes,
                                          send_invitation=send)
        return Status(201, visit)
    try:
        with fields_as_sent(_SENT_AS):
            visit = services.visit_walk_in(**fields, override_watchlist=payload.override_watchlist)
    except WatchlistMatch as match:
        return _held(match)
    return Status(201, visit)


@visits_router.get("/on-site", response={200: VisitList, **ERRORS}, summary="Who is on site now",
                   description="Visitors who arrived and have not left (waiting or with their host): the "
                               "roll call.")
def visit_on_site(request, filters: Query[OnSiteFilter]):
    require(request, "reception.view")
    site = None if filters.site is None else _filter_row(request.org.sites, filters.site, "site")
    return {"items": queries.on_site(request.org, site).visits}


@visits_router.get("/{visit_id}", response={200: VisitOut, **ERRORS}, summary="One visit")
def visit_get(request, visit_id: int):
    require(request, "reception.view")
    return _visit_or_404(request, visit_id)


def _may_edit(request, visit: Visit) -> None:
    """The desk may change any visit; whoever invited or hosts a visit may change that one."""
    if request.member.can("reception.desk"):
        return
    member = request.member
    if member.can("reception.invite") and member.pk in (visit.invited_by_id, visit.host_member_id):
        return
    require(request, "reception.desk")


@visits_router.patch("/{visit_id}", response={200: VisitOut, **ERRORS}, summary="Change a visit",
                     description="Needs `reception.desk`, or `reception.invite` for a visit you invited or "
                                 "host. Not for a visit that left or was cancelled (409).")
def visit_patch(request, visit_id: int, payload: VisitPatch):
    visit = _visit_or_404(request, visit_id)
    _may_edit(request, visit)
    fields = payload.dict(exclude_unset=True)
    if "host_member_id" in fields:
        fields["host_member"] = _member(request, fields.pop("host_member_id"), "host_member_id")
    if "host_department_id" in fields:
        fields["host_department"] = _department(request, fields.pop("host_department_id"))
    if "expected_at" in fields:
        fields["expected_at"] = aware(request, fields["expected_at"])
    with fields_as_sent(_SENT_AS), _keeping_loaded(visit):
        services.visit_update(actor=request.member, visit=visit, **fields)
    return visit


@visits_router.post("/{visit_id}/check-in", response={200: VisitOut, **ERRORS}, summary="Check a visitor in",
                    description="From `expected` (or `no_show` the same day): the visitor has arrived, is "
                                "greeted by you, gets a badge number and the host is told. 409 when already "
                                "checked in, cancelled or left; 409 with `code` `watchlist` when the visitor "
                                "matches the watchlist (the visit is then held for a manager).")
def visit_check_in(request, visit_id: int, payload: CheckInIn = None):
    require(request, "reception.desk")
    try:
        with _keeping_loaded(_visit_or_404(request, visit_id, lookup=_own_visit)) as visit:
            services.visit_check_in(actor=request.member, visit=visit,
                                    override_watchlist=bool(payload and payload.override_watchlist))
    except WatchlistMatch as match:
        return _held(match)
    return visit


@visits_router.post("/{visit_id}/check-out", response={200: VisitOut, **ERRORS},
                    summary="Check a visitor out",
                    description="From `arrived` or `with_host`; 409 for a visit that never arrived, has left "
                                "or was cancelled.")
def visit_check_out(request, visit_id: int):
    require(request, "reception.desk")
    with _keeping_loaded(_visit_or_404(request, visit_id)) as visit:
        services.visit_check_out(actor=request.member, visit=visit, via="desk")
    return visit


@visits_router.post("/{visit_id}/cancel", response={200: VisitOut, **ERRORS},
                    summary="Cancel an expected visit",
                    description="Only an `expected` visit; 409 otherwise.")
def visit_cancel(request, visit_id: int, payload: CancelIn = None):
    require(request, "reception.desk")
    with _keeping_loaded(_visit_or_404(request, visit_id)) as visit:
        services.visit_cancel(actor=request.member, visit=visit, reason=payload.reason if payload else "")
    return visit


PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@visits_router.get("/{visit_id}/badge.pdf", response=ERRORS, openapi_extra={"responses": {200: {
                       "description": "The badge, a PDF", "content": PDF}}},
                   summary="The visitor's badge as a PDF",
                   description="Name, company, host, date, the visit type's colour and a QR code for "
                               "check-out. 409 for a visit that was cancelled, did not come, has left, or is "
                               "held for a manager.")
def visit_badge(request, visit_id: int, filters: Query[BadgeQuery]):
    require(request, "reception.desk")
    visit = _visit_or_404(request, visit_id)
    if filters.size not in BADGE_SIZES:  # here, not in the schema: capability and tenancy come first
        raise ValidationError({"size": _("Use label or a4.")})
    response = HttpResponse(badges.badge_pdf(visit, size=filters.size), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{visit.pk}.pdf"'
    return response


# --- deliveries --------------------------------------------------------------------------------

def _deliveries_of(request):
    return request.org.deliveries.select_related("recipient__user", "received_by__user",
                                                 "handed_over_by__user")


@deliveries_router.get("", response={200: DeliveryPage, **ERRORS}, summary="List deliveries, newest first",
                       description="`waiting=true`: the packages still at the desk.")
def delivery_list(request, filters: Query[DeliveryFilter]):
    require(request, "reception.view")
    rows = _deliveries_of(request)
    if filters.waiting is not None:
        rows = rows.filter(picked_up_at__isnull=filters.waiting)
    if filters.site is not None:
        rows = rows.filter(site=_filter_row(request.org.sites, filters.site, "site"))
    if filters.recipient is not None:
        rows = rows.filter(recipient=_filter_row(request.org.members, filters.recipient, "recipient"))
    page = paginate_desc(rows, key="received_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@deliveries_router.post("", response={201: DeliveryOut, **ERRORS}, summary="Log a package at the desk",
                        description="The recipient is told by e-mail. A photo is added in the application.")
def delivery_create(request, payload: DeliveryIn):
    require(request, "reception.desk")
    site, recipient = _site(request, payload.site_id), _member(request, payload.recipient_id, "recipient_id")
    with fields_as_sent(_SENT_AS):
        delivery = services.delivery_log(actor=request.member, site=site, carrier=payload.carrier,
                                         recipient=recipient, tracking=payload.tracking,
                                         description=payload.description, storage_spot=payload.storage_spot)
    return Status(201, delivery)


@deliveries_router.post("/{delivery_id}/pickup", response={200: DeliveryOut, **ERRORS},
                        summary="Record that a package was picked up",
                        description="409 when it was picked up already.")
def delivery_pickup(request, delivery_id: int, payload: PickupIn = None):
    require(request, "reception.desk")
    found = _deliveries_of(request).filter(pk=delivery_id).order_by()[:1]
    if not found:
        raise Http404
    with _keeping_loaded(found[0]) as delivery:
        services.delivery_pickup(actor=request.member, delivery=delivery,
                                 picked_up_by_name=payload.picked_up_by_name if payload else "")
    return delivery
