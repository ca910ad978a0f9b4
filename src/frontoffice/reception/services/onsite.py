"""Roll calls (evacuations) and the parcels the desk receives for staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.errors import Conflict
from frontoffice.core.models import Member, Site
from frontoffice.core.services import activity_record
from frontoffice.core.tasks import enqueue
from frontoffice.reception.models import Delivery, Evacuation, EvacuationMark, Visit
from frontoffice.reception.services._common import minutes, require_own


# --- roll calls --------------------------------------------------------------------------------

@transaction.atomic
def evacuation_start(*, actor: Member, site: Site) -> Evacuation:
    """Start the roll call of ``site``: one open at a time per site."""
    require_own(actor.organization, "site", site)
    if Evacuation.objects.filter(site=site, ended_at__isnull=True).exists():
        raise Conflict(_("A roll call is already running at this site."))
    try:
        with transaction.atomic():
            evacuation = Evacuation.objects.create(organization=actor.organization, site=site, started_by=actor)
    except IntegrityError:  # another desk started one at the same moment
        raise Conflict(_("A roll call is already running at this site.")) from None
    on_site = Visit.objects.filter(site=site, status__in=Visit.ON_SITE).count()
    activity_record(organization=actor.organization, site=site, actor=actor, verb="evacuation.started",
                    subject=evacuation, label="", data={"on_site": on_site})
    return evacuation


@transaction.atomic
def evacuation_mark_safe(*, actor: Member, evacuation: Evacuation, visit: Visit) -> EvacuationMark:
    """Mark a visitor safe at the assembly point; marking twice keeps the first mark."""
    require_own(actor.organization, "evacuation", evacuation)
    if visit.organization_id != evacuation.organization_id or visit.site_id != evacuation.site_id:
        raise ValidationError({"visit": _("This visitor is not at this site.")})
    if evacuation.ended_at is not None:
        raise Conflict(_("This roll call has ended."))
    mark, created = EvacuationMark.objects.get_or_create(evacuation=evacuation, visit=visit,
                                                         defaults={"marked_by": actor})
    if created:
        activity_record(organization=evacuation.organization, site=evacuation.site, actor=actor,
                        verb="evacuation.marked_safe", subject=evacuation, client_id=visit.client_id, label="",
                        data={"visit_id": visit.pk})
    return mark


@transaction.atomic
def evacuation_end(*, actor: Member, evacuation: Evacuation) -> Evacuation:
    require_own(actor.organization, "evacuation", evacuation)
    Evacuation.objects.select_for_update().filter(pk=evacuation.pk).values_list("pk", flat=True).first()
    evacuation.refresh_from_db()
    if evacuation.ended_at is not None:
        raise Conflict(_("This roll call has ended."))
    evacuation.ended_at = timezone.now()
    evacuation.save(update_fields=["ended_at"])
    activity_record(organization=evacuation.organization, site=evacuation.site, actor=actor,
                    verb="evacuation.ended", subject=evacuation, label="",
                    data={"marked_safe": evacuation.marks.count(),
                          "minutes": minutes(evacuation.ended_at - evacuation.started_at)})
    return evacuation


# --- deliveries --------------------------------------------------------------------------------

@transaction.atomic
def delivery_log(*, actor: Member, site: Site, carrier: str, recipient: Member, tracking: str = "",
                 description: str = "", storage_spot: str = "", photo=None) -> Delivery:
    """A parcel arrived for ``recipient``; they get an e-mail that it is waiting."""
    organization = actor.organization
    errors = {}
    values = {}
    for name, value, limit in (("carrier", carrier, 100), ("tracking", tracking, 100),
                               ("description", description, 200), ("storage_spot", storage_spot, 100)):
        values[name] = " ".join(str(value or "").split())
        if len(values[name]) > limit:
            errors[name] = _("Keep it under %(n)s characters.") % {"n": limit}
    if not values["carrier"]:
        errors["carrier"] = _("Enter the carrier (or who brought it).")
    if site is None or site.organization_id != organization.pk:
        errors["site"] = _("Choose one of your organisation's sites.")
    if recipient is None or recipient.organization_id != organization.pk or not recipient.active:
        errors["recipient"] = _("Choose a member of your organisation.")
    if errors:
        raise ValidationError(errors)
    delivery = Delivery(organization=organization, site=site, recipient=recipient, received_by=actor,
                        received_at=timezone.now(), **values)
    if photo:
        delivery.photo = photo
    delivery.save()
    activity_record(organization=organization, site=site, actor=actor, verb="delivery.logged", subject=delivery,
                    data={"recipient_id": recipient.pk, "photo": bool(photo)})
    enqueue("frontoffice.reception.tasks.notify_delivery", delivery_id=delivery.pk)
    return delivery


@transaction.atomic
def delivery_pickup(*, actor: Member, delivery: Delivery, picked_up_by_name: str = "") -> Delivery:
    """The parcel left the desk; ``picked_up_by_name`` when someone other than the recipient took it."""
    Delivery.objects.select_for_update().filter(pk=delivery.pk).values_list("pk", flat=True).first()
    delivery.refresh_from_db()
    if delivery.picked_up_at is not None:
        raise Conflict(_("This package was picked up already."))
    name = " ".join((picked_up_by_name or "").split())
    if len(name) > 200:
        raise ValidationError({"picked_up_by_name": _("Keep it under %(n)s characters.") % {"n": 200}})
    delivery.picked_up_at = timezone.now()
    delivery.picked_up_by_name = name
    delivery.handed_over_by = actor
    delivery.save(update_fields=["picked_up_at", "picked_up_by_name", "handed_over_by"])
    activity_record(organization=delivery.organization, site=delivery.site, actor=actor, verb="delivery.picked_up",
                    subject=delivery, data={"minutes_waiting": minutes(delivery.picked_up_at - delivery.received_at)})
    return delivery
