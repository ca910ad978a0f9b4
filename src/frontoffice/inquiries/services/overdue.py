"""Overdue inquiries: tell the one who has it and the managers, once per inquiry.

An open inquiry is late when it has had no first answer by ``first_answer_due`` or is not resolved by
``resolution_due`` (both counted in the site's business hours when it was opened, so a question asked at
17:55 on Friday is not late on Saturday). ``notify_overdue`` marks each late one (``overdue_notified_at``),
records ``inquiry.overdue`` against the assigned member (DESIGN §7: who let it go past its target) and
sends one e-mail per person listing their late questions. It runs every few minutes
(``tasks_overdue.notify_overdue_all``); two runs at once notify each inquiry once: a row is claimed by an
UPDATE that only changes it while it is still unmarked.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Member, Organization
from frontoffice.core.services import activity_record
from frontoffice.core.tasks import enqueue
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.queries.lists import overdue_q

BATCH = 500  # a backlog (a restored database, a long outage) is worked through over several runs


def to_notify(now: datetime) -> QuerySet:
    """Late inquiries nobody was told about yet (every organisation's)."""
    return Inquiry.objects.filter(overdue_q(now), overdue_notified_at__isnull=True)


def _which(inquiry: Inquiry, now: datetime) -> str:
    if inquiry.first_answered_at is None and inquiry.first_answer_due and inquiry.first_answer_due < now:
        return "first_answer"
    return "resolution"


def managers(organization: Organization) -> list[Member]:
    """Who hears about every late inquiry: the active managers; an office without one, its owners."""
    members = list(organization.members.filter(active=True, user__is_active=True).select_related("user")
                   .order_by("pk"))
    found = [m for m in members if caps.MANAGER in (m.roles or [])]
    return found or [m for m in members if caps.OWNER in (m.roles or [])]


@transaction.atomic
def notify_overdue(*, organization: Organization, now: datetime) -> list[Inquiry]:
    """Mark, record and announce the organisation's newly late inquiries; returns them (oldest due first)."""
    candidates = list(to_notify(now).filter(organization=organization)
                      .select_related("assigned_to__user", "site").order_by("resolution_due", "pk")[:BATCH])
    claimed = [inquiry for inquiry in candidates
               if Inquiry.objects.filter(pk=inquiry.pk, overdue_notified_at__isnull=True)
               .update(overdue_notified_at=now)]
    if not claimed:
        return []
    for inquiry in claimed:
        inquiry.overdue_notified_at = now
        which = _which(inquiry, now)
        due = inquiry.first_answer_due if which == "first_answer" else inquiry.resolution_due
        assigned = inquiry.assigned_to if inquiry.assigned_to and inquiry.assigned_to.active else None
        activity_record(organization=organization, site=inquiry.site, actor=assigned, verb="inquiry.overdue",
                        subject=inquiry, client_id=inquiry.client_id, label="",
                        actor_kind=None if assigned else "system",
                        data={"late": which, "due": due.isoformat() if due else None,
                              "department": inquiry.department_id,
                              "assigned_to": inquiry.assigned_to_id})
    _announce(organization, claimed)
    return claimed


def _announce(organization: Organization, inquiries: list[Inquiry]) -> None:
    """One e-mail per person: the assigned member their own late inquiries, each manager all of them."""
    by_member: dict[int, list[int]] = defaultdict(list)
    for inquiry in inquiries:
        member = inquiry.assigned_to
        if member is not None and member.active:
            by_member[member.pk].append(inquiry.pk)
    everything = [inquiry.pk for inquiry in inquiries]
    for manager in managers(organization):
        by_member[manager.pk] = everything  # a manager who has some of them gets them all in one e-mail
    for member_id, inquiry_ids in by_member.items():
        enqueue("frontoffice.inquiries.tasks_overdue.send_overdue_notice", member_id=member_id,
                inquiry_ids=list(inquiry_ids))
