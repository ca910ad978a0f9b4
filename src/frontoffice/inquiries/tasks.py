"""The inquiries app's background e-mail (the answer itself goes out through ``mail.send_answer``). Every task
takes ids, loads what it needs after the write that asked for it has committed, and does nothing when the
situation has changed meanwhile (the inquiry given to someone else, already acknowledged)."""

from __future__ import annotations

import logging

from django.db import transaction

from frontoffice.core.models import Activity
from frontoffice.core.services import activity_record
from frontoffice.inquiries import emails
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.services.inquiries import answer_address

logger = logging.getLogger(__name__)
_RELATED = ("organization", "site__organization", "client", "category", "assigned_to__user")


def notify_assigned(inquiry_id: int, member_id: int) -> None:
    """E-mail a member that an open inquiry is theirs now (if it still is)."""
    inquiry = (Inquiry.objects.select_related(*_RELATED)
               .filter(pk=inquiry_id, assigned_to_id=member_id, status__in=Inquiry.OPEN_STATUSES).first())
    if inquiry is None:
        return
    recipient = emails.member_recipient(inquiry.assigned_to)
    if recipient is None:
        logger.info("inquiry %s: member %s has no address to e-mail", inquiry_id, member_id)
        return
    emails.assigned_notice(inquiry, recipient).send()


def send_acknowledgement(inquiry_id: int) -> None:
    """Tell the client who asked on the web form that the question arrived, with its reference; once."""
    inquiry = Inquiry.objects.select_related(*_RELATED).filter(pk=inquiry_id).first()
    if inquiry is None or _acknowledged(inquiry):
        return
    address = answer_address(inquiry)
    if not address:
        return
    emails.acknowledgement(inquiry, address).send()
    with transaction.atomic():
        Inquiry.objects.select_for_update().filter(pk=inquiry.pk).first()  # one of two racing runs records it
        if not _acknowledged(inquiry):
            activity_record(organization=inquiry.organization, site=inquiry.site, actor=None,
                            verb="inquiry.acknowledged", subject=inquiry, client_id=inquiry.client_id, label="")


def _acknowledged(inquiry: Inquiry) -> bool:
    return Activity.objects.filter(organization_id=inquiry.organization_id, verb="inquiry.acknowledged",
                                   subject_type="inquiries.inquiry", subject_id=str(inquiry.pk)).exists()
