"""The calls app's background work: the message e-mail (after the write that calls for it has committed) and
the periodic anonymisation of callers' details. Every task takes ids, loads what it needs and may run twice
without doing the work twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from frontoffice.calls import emails
from frontoffice.calls.models import Message
from frontoffice.core.models import Organization
from frontoffice.core.services import activity_record

logger = logging.getLogger(__name__)


def notify_message(message_id: int) -> None:
    """E-mail the recipient of a message (or voicemail) once; sets ``notified_at``."""
    message = (Message.objects.select_related("organization", "site", "client", "for_member__user", "for_department")
               .filter(pk=message_id, notified_at__isnull=True, done_at__isnull=True).first())
    if message is None:
        return
    to = emails.recipients(message)
    if not to:
        logger.info("message %s: nobody to e-mail", message.pk)
        return
    for recipient in to:
        emails.message_notice(message, recipient).send()
    with transaction.atomic():
        # Set only if still unset: a second run that raced this one does not record a second notice.
        if Message.objects.filter(pk=message.pk, notified_at__isnull=True).update(notified_at=timezone.now()):
            activity_record(organization=message.organization, site=message.site, actor=None,
                            verb="message.notified", subject=message, client_id=message.client_id, label="",
                            data={"to": "member" if message.for_member_id else "department", "emails": len(to)})


# --- periodic jobs (registered with core.periodic in wiring.py) ------------------------------------

def anonymise_all() -> int:
    """Every hour: clear callers' details older than each organisation's retention."""
    from frontoffice.calls.services.retention import anonymise_expired

    total, failed = 0, []
    now = timezone.now()
    for organization in Organization.objects.order_by("pk"):
        try:
            total += anonymise_expired(organization=organization, now=now)
        except Exception:  # one organisation's bad data must not stop the others
            logger.exception("calls anonymisation failed for organisation %s", organization.pk)
            failed.append(organization.pk)
    if failed:  # the scheduler records the failure; the others' work is done
        raise RuntimeError(f"calls anonymisation failed for organisations {failed}")
    return total
