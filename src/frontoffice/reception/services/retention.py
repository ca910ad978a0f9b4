"""The jobs that keep the visit records right without anyone at the desk: visitors nobody checked out,
visits nobody came to, and visitor details kept no longer than the organisation's retention."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.core.models import WEEKDAYS, Closure, Organization, Site
from frontoffice.core.services import activity_record
from frontoffice.reception.models import VIA_AUTOMATIC, Delivery, Visit
from frontoffice.reception.services._common import day_bounds
from frontoffice.reception.services.arrivals import check_out
from frontoffice.reception.services.visits import lock, visit_no_show

AFTER_CLOSING = timedelta(hours=1)
LATE_EVENING = time(22, 0)  # when a site has no opening hours that day
BATCH = 500


def checkout_cutoff(site: Site, day: date) -> datetime:
    """When visitors still on ``site`` on ``day`` are checked out: an hour after the day's last closing
    time, or at 22:00 local time when the site does not open that day (or is closed for a holiday)."""
    hours = (site.opening_hours or {}).get(WEEKDAYS[day.weekday()]) or []
    closing = [time.fromisoformat(end) for _start, end in hours if end]
    closed = Closure.objects.filter(site=site, starts_on__lte=day, ends_on__gte=day).exists()
    if closing and not closed:
        # Wall-clock arithmetic in the site's zone: 16:00 + 1 h is 17:00 local on a DST day too.
        return datetime.combine(day, max(closing), tzinfo=site.tz) + AFTER_CLOSING
    return datetime.combine(day, LATE_EVENING, tzinfo=site.tz)


def auto_check_out(*, organization: Organization, now: datetime | None = None) -> int:
    """Check out (via "automatic") visitors still on site after their day's cutoff, and mark visits
    expected on a past day as no-shows. Returns how many visits it closed."""
    now = now or timezone.now()
    closed = 0
    cutoffs: dict[tuple[int, date], datetime] = {}
    on_site = (Visit.objects.filter(organization=organization, status__in=Visit.ON_SITE)
               .select_related("site", "organization").order_by("arrived_at", "pk"))
    for visit in on_site:
        tz = visit.site.tz
        day = visit.arrived_at.astimezone(tz).date()
        key = (visit.site_id, day)
        if key not in cutoffs:
            cutoffs[key] = checkout_cutoff(visit.site, day)
        cutoff = cutoffs[key]
        if day < now.astimezone(tz).date() or now >= cutoff:
            with transaction.atomic():
                lock(visit)
                if visit.status in Visit.ON_SITE:
                    check_out(visit, actor=None, via=VIA_AUTOMATIC, left_at=max(visit.arrived_at, min(cutoff, now)))
                    closed += 1
    for site in organization.sites.all():
        today_starts, _end = day_bounds(site.tz, now)
        stale = (Visit.objects.filter(organization=organization, site=site, status=Visit.EXPECTED)
                 .filter(Q(expected_at__lt=today_starts) | Q(expected_at__isnull=True, created_at__lt=today_starts))
                 .select_related("site", "organization"))
        for visit in stale:
            visit_no_show(actor=None, visit=visit, automatic=True)
            closed += 1
    return closed


def anonymise_expired(*, organization: Organization, now: datetime | None = None) -> int:
    """Clear the visitor's details from visits that ended more than ``visitor_retention_days`` ago.

    The visit stays (time, site, host, type, badge: what the analysis counts) with the name "Visitor #id".
    Visits linked to a client keep the details — the client's record governs them — unless the client has
    been erased, in which case they are cleared at once. The names of who picked up parcels go too.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=organization.visitor_retention_days)
    last_time = Coalesce("left_at", "cancelled_at", "expected_at", "created_at")
    expired = (Visit.objects.filter(organization=organization, status__in=Visit.CLOSED, anonymised_at__isnull=True)
               .annotate(last_time=last_time)
               .filter(Q(client__isnull=True, last_time__lt=cutoff) | Q(client__erased_at__isnull=False)))
    with translation.override(organization.language):
        template = _("Visitor #%(id)s")
    prefix, _sep, suffix = template.partition("%(id)s")
    sites = {site.pk: site for site in organization.sites.all()}
    count = 0
    while batch := list(expired.order_by("pk").values_list("pk", "site_id", "client_id")[:BATCH]):
        with transaction.atomic():
            Visit.objects.filter(pk__in=[pk for pk, _s, _c in batch]).update(
                visitor_name=Concat(Value(prefix), Cast("pk", CharField()), Value(suffix)),
                visitor_company="", visitor_email="", visitor_phone="", notes="", purpose="", anonymised_at=now)
            for pk, site_id, client_id in batch:
                activity_record(organization=organization, site=sites.get(site_id), actor=None,
                                verb="visit.anonymised", subject=Visit(pk=pk), client_id=client_id, label="")
        count += len(batch)
    with transaction.atomic():
        (Delivery.objects.filter(organization=organization, picked_up_at__lt=cutoff).exclude(picked_up_by_name="")
         .update(picked_up_by_name=""))
    return count
