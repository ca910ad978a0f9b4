"""Overdue inquiries in the background: the periodic job that finds them (``notify_overdue_all``, every
five minutes) and the e-mail to each person told about them (``send_overdue_notice``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontoffice.core.models import Member, Organization
from frontoffice.inquiries import emails
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.services.overdue import notify_overdue, to_notify

logger = logging.getLogger(__name__)


def notify_overdue_all() -> int:
    """Every organisation's newly late inquiries: marked, recorded and announced. Returns how many."""
    now = timezone.now()
    organization_ids = sorted(set(to_notify(now).order_by().values_list("organization_id", flat=True)))
    total, failed = 0, []
    for organization in Organization.objects.filter(pk__in=organization_ids).order_by("pk"):
        try:
            total += len(notify_overdue(organization=organization, now=now))
        except Exception:  # one organisation's bad data must not stop the others
            logger.exception("overdue inquiries failed for organisation %s", organization.pk)
            failed.append(organization.pk)
    if failed:  # the scheduler records the failure; the others' work is done
        raise RuntimeError(f"overdue inquiries failed for organisations {failed}")
    return total


def send_overdue_notice(member_id: int, inquiry_ids: list[int]) -> None:
    """E-mail a member the late inquiries listed (those of their organisation still open)."""
    member = (Member.objects.select_related("user", "organization").exclude(user__email="")
              .filter(pk=member_id, active=True, user__is_active=True).first())
    if member is None:
        return
    inquiries = list(Inquiry.objects.filter(organization_id=member.organization_id, pk__in=inquiry_ids,
                                            status__in=Inquiry.OPEN_STATUSES)
                     .select_related("site__organization", "assigned_to__user")
                     .order_by("resolution_due", "pk"))
    if not inquiries:
        return
    overdue_notice(member, inquiries).send()


def _row(inquiry: Inquiry, now) -> dict:
    due = inquiry.first_answer_due
    late_first = inquiry.first_answered_at is None and due is not None and due <= now
    return {"inquiry": inquiry, "token": emails.subject_token(inquiry), "link": emails.inquiry_link(inquiry),
            "late_first": late_first,
            "due": emails._when(inquiry, inquiry.first_answer_due if late_first else inquiry.resolution_due),
            "owner": inquiry.assigned_to.user.full_name if inquiry.assigned_to_id else ""}


def overdue_notice(member: Member, inquiries: list[Inquiry]) -> EmailMultiAlternatives:
    """"These questions are past their target": one e-mail listing them, in the member's language."""
    recipient = emails.member_recipient(member)
    organization, now = member.organization, timezone.now()
    with translation.override(recipient.language if recipient else organization.language):
        context = {"organization": organization, "name": member.user.full_name or member.user.email,
                   "rows": [_row(inquiry, now) for inquiry in inquiries],
                   "desk": settings.PUBLIC_URL + reverse("inquiries:desk")}
        subject = ngettext("%(n)s question is past its target", "%(n)s questions are past their target",
                           len(inquiries)) % {"n": len(inquiries)}
        subject = _("%(subject)s – %(organization)s") % {"subject": subject,
                                                          "organization": organization.name}
        return emails._mail(subject, "overdue", context, member.user.email)
