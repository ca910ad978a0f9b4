"""Arrivals and departures: check-in at the desk or the kiosk (and walk-ins), the watchlist hold and a
manager's decision, greeting, the host meeting the visitor, check-out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.errors import Conflict
from frontoffice.core.models import Department, Member, Site
from frontoffice.core.tasks import enqueue
from frontoffice.core.text import fold
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.models import (
    VIA_AUTOMATIC,
    VIA_DESK,
    VIA_HOST,
    VIA_KIOSK,
    BadgeCounter,
    DocumentAcceptance,
    Kiosk,
    Visit,
    VisitDocument,
    WatchlistEntry,
)
from frontoffice.reception.services._common import actor_kind_for, day_bounds, minutes, record, seconds
from frontoffice.reception.services.visits import lock, new_visit
from frontoffice.reception.services.watchlist import watchlist_match_any

CHECK_IN_VIAS = (VIA_DESK, VIA_KIOSK)
CHECK_OUT_VIAS = (VIA_DESK, VIA_KIOSK, VIA_HOST, VIA_AUTOMATIC)
HOST_MET_VIAS = ("link", "desk")
ARRIVAL_FIELDS = ("status", "arrived_at", "checked_in_by", "check_in_via", "held_at", "greeted_by", "greeted_at",
                  "badge_number")


# --- check-in ----------------------------------------------------------------------------------

def _hold_or_arrive(visit: Visit, *, actor: Member | None, via: str, kiosk: Kiosk | None,
                    accepted_documents: Iterable, override_watchlist: bool, walk_in: bool = False
                    ) -> WatchlistEntry | None:
    """Check ``visit`` in, or hold it for a manager; the watchlist entry it matched when held. Inside the
    caller's transaction (every caller opens one: no savepoint of its own, two round trips fewer)."""
    _check_via(visit, via, kiosk)
    documents = _accepted(visit, via, accepted_documents)
    if visit.pk is None:
        visit.save()
    entry = _watchlist_entry(visit)
    overridden = None
    if entry is not None and override_watchlist and actor is not None and actor.can("reception.watchlist"):
        entry, overridden = None, entry
    if entry is not None:
        if visit.held_at is None:
            visit.held_at = timezone.now()
            visit.save(update_fields=["held_at"])
            record(visit, "visit.watchlist_matched", actor, {"entry_id": entry.pk, "via": via},
                   actor_kind=actor_kind_for(via, actor))
        return entry
    _arrive(visit, actor=actor, via=via, kiosk=kiosk, documents=documents, walk_in=walk_in, overridden=overridden)
    return None


def visit_check_in(*, actor: Member | None, visit: Visit, via: str = VIA_DESK, kiosk: Kiosk | None = None,
                   accepted_documents: Iterable = (), override_watchlist: bool = False) -> Visit:
    """Check an expected visitor in (or a no-show who turns up later the same day).

    At a kiosk (``via="kiosk"``, ``kiosk`` given, no actor) every active document for the visit type must
    be in ``accepted_documents`` (VisitDocument rows; their ids are accepted too, as the kiosk posts
    them) — else ValidationError on "documents" and nothing changes. The desk greets whoever it checks in;
    the kiosk leaves the greeting to the desk. A badge number is given (per site, per local day) and
    the host is told.

    **Watchlist.** When the visitor matches an active watchlist entry, and the actor did not ask for
    ``override_watchlist`` while holding ``reception.watchlist``, the visit is held: ``held_at`` is set,
    ``visit.watchlist_matched`` is recorded, and ``errors.WatchlistMatch`` is raised. The hold and its
    activity are written in this function's own transaction, which has ended — committed,
    when no outer transaction is open — before the exception is raised, outside it; so the refusal does
    not roll the hold back. Callers must not wrap this call in an ``atomic`` block of their own that the
    exception would leave (pages and the API do not: ATOMIC_REQUESTS is off). A manager then calls
    ``visit_admit`` or ``visit_turn_away``.
    """
    with transaction.atomic():
        lock(visit, with_hosts=True)
        _require_can_check_in(visit)
        entry = _hold_or_arrive(visit, actor=actor, via=via, kiosk=kiosk, accepted_documents=accepted_documents,
                                override_watchlist=override_watchlist)
    if entry is not None:
        raise WatchlistMatch(entry, visit)
    return visit


def visit_walk_in(*, actor: Member | None, site: Site, host_member: Member | None = None,
                  host_department: Department | None = None, visit_type: str, purpose: str = "",
                  client=None, visitor_name: str = "", visitor_company: str = "", visitor_email: str = "",
                  visitor_phone: str = "", via: str = VIA_DESK, kiosk: Kiosk | None = None,
                  accepted_documents: Iterable = (), override_watchlist: bool = False) -> Visit:
    """A visitor nobody expected, checked in at once with the checks of ``visit_check_in``. On a
    watchlist match the new visit stays, held, and WatchlistMatch is raised the same way."""
    organization = actor.organization if actor is not None else (kiosk or site).organization
    with transaction.atomic():
        visit = new_visit(organization, site=site, host_member=host_member, host_department=host_department,
                          visit_type=visit_type, purpose=purpose, client=client, visitor_name=visitor_name,
                          visitor_company=visitor_company, visitor_email=visitor_email, visitor_phone=visitor_phone)
        visit = _held_today(visit) or visit  # the same person trying again waits on the same held visit
        entry = _hold_or_arrive(visit, actor=actor, via=via, kiosk=kiosk, accepted_documents=accepted_documents,
                                override_watchlist=override_watchlist, walk_in=True)
    if entry is not None:
        raise WatchlistMatch(entry, visit)
    return visit


def _held_today(visit: Visit) -> Visit | None:
    """A visit held today at the same site for the same person (same words of the name, any order)."""
    start, end = day_bounds(visit.site.tz, timezone.now())
    wanted = frozenset(fold(visit.visitor_name).split())
    held = Visit.objects.filter(organization=visit.organization_id, site=visit.site_id, status=Visit.EXPECTED,
                                held_at__gte=start, held_at__lt=end).select_related("site", "organization")
    return next((v for v in held if frozenset(fold(v.visitor_name).split()) == wanted), None)


def _require_can_check_in(visit: Visit) -> None:
    if visit.status == Visit.EXPECTED:
        return
    if visit.status == Visit.NO_SHOW:
        marked_day = (visit.expected_at or visit.created_at).astimezone(visit.site.tz).date()
        if marked_day == timezone.now().astimezone(visit.site.tz).date():
            return
        raise Conflict(_("This visit was on another day and marked as a no-show."))
    raise Conflict({
        Visit.ARRIVED: _("The visitor is already checked in."),
        Visit.WITH_HOST: _("The visitor is already checked in."),
        Visit.LEFT: _("The visitor has already left."),
        Visit.CANCELLED: _("This visit was cancelled."),
    }[visit.status])


def _check_via(visit: Visit, via: str, kiosk: Kiosk | None) -> None:
    if via not in CHECK_IN_VIAS:
        raise ValidationError({"via": _("Check in at the desk or at a kiosk.")})
    if via == VIA_KIOSK:
        if kiosk is None or kiosk.organization_id != visit.organization_id or kiosk.revoked_at is not None:
            raise ValidationError({"kiosk": _("This kiosk is not paired.")})
        if kiosk.site_id != visit.site_id:
            raise ValidationError({"kiosk": _("This visit is at another site.")})


def _accepted(visit: Visit, via: str, accepted_documents: Iterable) -> list[VisitDocument]:
    """The active documents for the visit type that the visitor accepted; at a kiosk, all of them."""
    try:
        accepted = {d.pk if isinstance(d, VisitDocument) else int(d) for d in accepted_documents}
    except (TypeError, ValueError):
        raise ValidationError({"documents": _("Unknown document.")}) from None
    if via != VIA_KIOSK and not accepted:  # the desk asks for none: nothing to look up
        return []
    documents = [d for d in VisitDocument.objects.filter(organization=visit.organization, active=True)
                 .order_by("kind", "id") if d.applies_to(visit.visit_type)]
    if via == VIA_KIOSK:
        missing = [d.title for d in documents if d.pk not in accepted]
        if missing:
            raise ValidationError({"documents": _("Please read and accept: %(titles)s.") % {
                "titles": ", ".join(missing)}})
    return [d for d in documents if d.pk in accepted]


def _watchlist_entry(visit: Visit) -> WatchlistEntry | None:
    client = visit.client if visit.client_id else None
    birth = client.date_of_birth if client is not None else None
    names = [visit.visitor_name] + ([client.display_name] if client is not None else [])
    return watchlist_match_any(organization=visit.organization, names=names, date_of_birth=birth)


# One statement, no SQL to compile. The counter row stays locked from here until the check-in commits (and
# PostgreSQL's commit waits ~3 ms for the disk), so ``_arrive`` takes the number last, just before saving.
_TAKE_BADGE = (f'UPDATE "{BadgeCounter._meta.db_table}" SET "last" = "last" + 1 '
               'WHERE "site_id" = %s AND "day" = %s RETURNING "last"')


def _next_badge(site: Site, now: datetime) -> str:
    """The site's next badge number today. The day's counter row is locked until the check-in commits."""
    start, end = day_bounds(site.tz, now)
    connection = connections[router.db_for_write(BadgeCounter)]
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_BADGE, [site.pk, connection.ops.adapt_datefield_value(start.date())])
        taken = cursor.fetchone()
    if taken is not None:
        return str(taken[0])
    counter = _first_counter_of_the_day(site, start, end)
    counter.last += 1
    BadgeCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    return str(counter.last)


def _first_counter_of_the_day(site: Site, start: datetime, end: datetime) -> BadgeCounter:
    """Create the day's counter, carrying on from numbers already given today (by an older version, or by a
    check-in that raced us to create the row: then the row is theirs, and we lock it)."""
    used = (Visit.objects.filter(site=site, arrived_at__gte=start, arrived_at__lt=end).exclude(badge_number="")
            .values_list("badge_number", flat=True))
    last = max((int(n) for n in used if n.isdigit()), default=0)
    try:
        with transaction.atomic():
            return BadgeCounter.objects.create(site=site, day=start.date(), last=last)
    except IntegrityError:
        return BadgeCounter.objects.select_for_update().get(site=site, day=start.date())


def _arrive(visit: Visit, *, actor: Member | None, via: str, kiosk: Kiosk | None, documents: list[VisitDocument],
            walk_in: bool, overridden: WatchlistEntry | None) -> None:
    now = timezone.now()
    visit.status = Visit.ARRIVED
    visit.arrived_at = now
    visit.checked_in_by = actor
    visit.check_in_via = via
    visit.held_at = None
    if via == VIA_DESK and actor is not None:
        visit.greeted_by, visit.greeted_at = actor, now
    if documents:
        already = set(visit.acceptances.values_list("document_id", flat=True))
        DocumentAcceptance.objects.bulk_create([DocumentAcceptance(visit=visit, document=d, accepted_at=now)
                                                for d in documents if d.pk not in already])
    data = {"via": via, "kiosk_id": kiosk.pk if kiosk is not None and via == VIA_KIOSK else None,
            "minutes_late": minutes(now - visit.expected_at) if visit.expected_at else None}
    if walk_in:
        data["walk_in"] = True
    if overridden is not None:
        data["watchlist_override"] = overridden.pk
    record(visit, "visit.checked_in", actor, data, actor_kind=actor_kind_for(via, actor))
    # Late: every check-in at the site waits for the counter's row until this transaction commits.
    visit.badge_number = _next_badge(visit.site, now)
    visit.save(update_fields=ARRIVAL_FIELDS)
    enqueue("frontoffice.reception.tasks.notify_host", visit_id=visit.pk)


# --- a manager's decision on a held visit --------------------------------------------------------

def visit_admit(*, actor: Member, visit: Visit) -> Visit:
    """A manager lets a held visitor in: the visit is checked in at the desk, overriding the watchlist."""
    if actor is None or not actor.can("reception.watchlist"):
        raise PermissionDenied("reception.watchlist")
    with transaction.atomic():
        lock(visit)
        if visit.held_at is None:
            raise Conflict(_("This visitor is not waiting for a manager."))
        _require_can_check_in(visit)
        entry = _watchlist_entry(visit)
        record(visit, "visit.admitted", actor, {"entry_id": entry.pk if entry else None})
        _hold_or_arrive(visit, actor=actor, via=VIA_DESK, kiosk=None, accepted_documents=(),
                        override_watchlist=True)
    return visit


@transaction.atomic
def visit_turn_away(*, actor: Member, visit: Visit) -> Visit:
    """A held visitor is not let in: the visit is cancelled (``held_at`` stays, as the record of why)."""
    lock(visit)
    if visit.held_at is None or visit.status != Visit.EXPECTED:
        raise Conflict(_("This visitor is not waiting for a manager."))
    visit.status = Visit.CANCELLED
    visit.cancelled_at = timezone.now()
    visit.save(update_fields=["status", "cancelled_at"])
    record(visit, "visit.turned_away", actor)
    return visit


# --- on site -----------------------------------------------------------------------------------

@transaction.atomic
def visit_greet(*, actor: Member, visit: Visit) -> Visit:
    """The desk has welcomed a visitor who checked in at the kiosk."""
    lock(visit)
    if visit.status != Visit.ARRIVED:
        raise Conflict(_("Only a waiting visitor can be greeted."))
    if visit.greeted_at is not None:
        raise Conflict(_("This visitor has been greeted already."))
    visit.greeted_at = timezone.now()
    visit.greeted_by = actor
    visit.save(update_fields=["greeted_at", "greeted_by"])
    record(visit, "visit.greeted", actor, {"seconds_to_greet": seconds(visit.greeted_at - visit.arrived_at)})
    return visit


@transaction.atomic
def visit_host_met(*, visit: Visit, actor: Member | None = None, via: str = "link") -> Visit:
    """The host has come for the visitor (from the link in their e-mail, or the desk says so).

    Through the link nobody signs in; the activity names the host member the link was sent to."""
    if via not in HOST_MET_VIAS:
        raise ValidationError({"via": _("Unknown way of meeting the visitor.")})
    lock(visit)
    if visit.status == Visit.WITH_HOST:
        raise Conflict(_("The host has already met this visitor."))
    if visit.status != Visit.ARRIVED:
        raise Conflict(_("This visitor is not waiting."))
    visit.status = Visit.WITH_HOST
    visit.host_met_at = timezone.now()
    visit.save(update_fields=["status", "host_met_at"])
    if actor is None and via == "link" and visit.host_member_id:
        actor = visit.host_member
    record(visit, "visit.host_met", actor, {"seconds_waiting": seconds(visit.host_met_at - visit.arrived_at),
                                            "via": via})
    return visit


def check_out(visit: Visit, *, actor: Member | None, via: str, left_at: datetime) -> None:
    """Check a locked, on-site visit out at ``left_at``."""
    visit.status = Visit.LEFT
    visit.left_at = left_at
    visit.checked_out_by = actor
    visit.check_out_via = via
    visit.save(update_fields=["status", "left_at", "checked_out_by", "check_out_via"])
    record(visit, "visit.checked_out", actor, {"via": via, "minutes_on_site": minutes(left_at - visit.arrived_at)},
           actor_kind=actor_kind_for(via, actor))


@transaction.atomic
def visit_check_out(*, actor: Member | None, visit: Visit, via: str = VIA_DESK) -> Visit:
    if via not in CHECK_OUT_VIAS:
        raise ValidationError({"via": _("Unknown way of checking out.")})
    lock(visit)
    if visit.status not in Visit.ON_SITE:
        raise Conflict({
            Visit.EXPECTED: _("This visitor never arrived."),
            Visit.NO_SHOW: _("This visitor never arrived."),
            Visit.LEFT: _("This visitor has already left."),
            Visit.CANCELLED: _("This visit was cancelled."),
        }[visit.status])
    check_out(visit, actor=actor, via=via, left_at=timezone.now())
    return visit
