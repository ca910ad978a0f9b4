"""Reception's background work: the e-mails (after the write that calls for them has committed) and the
periodic jobs. Every task takes ids, loads what it needs and may run twice without doing the work twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from frontoffice.core.models import Activity, Organization
from frontoffice.core.prepared import Prepared
from frontoffice.core.services import activity_record
from frontoffice.reception import emails
from frontoffice.reception.models import Delivery, Visit

logger = logging.getLogger(__name__)


# Loaded once per check-in (the host's alert): compiled once per process.
_visit_with_hosts = Prepared(lambda visit_id: Visit.objects.filter(pk=visit_id).order_by()
                             .select_related("organization", "site", "host_member__user", "host_department"),
                             2_000_000_001)


def _visit(visit_id: int) -> Visit | None:
    visit = _visit_with_hosts.first(visit_id)
    if visit is not None:
        visit.site.organization = visit.organization  # the same row: the site's time zone needs it
    return visit


def send_invitation(visit_id: int, force: bool = False) -> None:
    """E-mail the visitor their invitation, once (``force`` sends it again)."""
    visit = _visit(visit_id)
    if visit is None or visit.status != Visit.EXPECTED or not visit.visitor_email:
        return
    sent = Activity.objects.filter(organization=visit.organization, verb="visit.invitation_sent",
                                   subject_type=Visit._meta.label_lower, subject_id=str(visit.pk))
    if sent.exists() and not force:
        return
    emails.invitation(visit).send()
    with transaction.atomic():
        activity_record(organization=visit.organization, site=visit.site, actor=None, verb="visit.invitation_sent",
                        subject=visit, client_id=visit.client_id, label="")


def notify_host(visit_id: int) -> None:
    """Tell the host (or their department) that the visitor is here; sets ``host_notified_at``."""
    visit = _visit(visit_id)
    if visit is None or visit.status != Visit.ARRIVED or visit.host_notified_at is not None:
        return
    message = emails.host_alert(visit)
    if message is None:
        logger.info("visit %s: the host has no e-mail address", visit.pk)
        return
    message.send()
    with transaction.atomic():
        visit.host_notified_at = timezone.now()
        Visit.objects.filter(pk=visit.pk).update(host_notified_at=visit.host_notified_at)
        activity_record(organization=visit.organization, site=visit.site, actor=None, verb="visit.host_notified",
                        subject=visit, client_id=visit.client_id, label="",
                        data={"to": "member" if visit.host_member_id else "department"})


def notify_delivery(delivery_id: int) -> None:
    """Tell the recipient a parcel is waiting; sets ``notified_at``."""
    delivery = (Delivery.objects.select_related("organization", "site", "recipient__user")
                .filter(pk=delivery_id, notified_at__isnull=True, picked_up_at__isnull=True).first())
    if delivery is None:
        return
    message = emails.delivery_notice(delivery)
    if message is None:
        return
    message.send()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(notified_at=timezone.now())
        activity_record(organization=delivery.organization, site=delivery.site, actor=None,
                        verb="delivery.notified", subject=delivery)


# --- periodic jobs (registered with core.periodic in wiring.py) ------------------------------------

def _each_organization(job, name: str) -> int:
    from frontoffice.reception import services

    total, failed = 0, []
    for organization in Organization.objects.order_by("pk"):
        try:
            total += getattr(services, job)(organization=organization)
        except Exception:  # one organisation's bad data must not stop the others
            logger.exception("reception %s failed for organisation %s", name, organization.pk)
            failed.append(organization.pk)
    if failed:  # the scheduler records the failure; the others' work is done
        raise RuntimeError(f"reception {name} failed for organisations {failed}")
    return total


def auto_check_out_all() -> int:
    """Every 15 minutes: check out visitors nobody checked out, mark past expected visits as no-shows."""
    return _each_organization("auto_check_out", "auto check-out")


def anonymise_all() -> int:
    """Every hour: clear visitor details older than each organisation's retention."""
    return _each_organization("anonymise_expired", "anonymisation")
