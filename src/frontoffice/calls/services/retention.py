"""Callers' personal data: kept no longer than the organisation's ``caller_retention_days`` (DESIGN §4
rule 7), and recorded when it leaves the system in an export of the call log.

What goes: the caller's number and name (and what the provider or the desk typed for it), the notes, the
message texts and the voicemail links. What stays: when, which line and department, who answered, the
waits, durations and outcomes — what the call log's figures and the analysis count.

Calls and messages linked to a client keep their details: the client's record governs them (an access
request shows them; erasing the client clears them at the next run).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from frontoffice.calls.models import Call, Message
from frontoffice.core.models import Member, Organization
from frontoffice.core.services import activity_record

BATCH = 500
# Keys of a call's legs and flow state that may hold what the caller is (number, name) rather than what
# happened. Legs otherwise name departments, members and the office's own phones.
PERSONAL_KEYS = frozenset({"from", "from_number", "from_raw", "number", "caller", "caller_name", "caller_number",
                           "name", "notes", "text"})


def _governed_by_no_client(cutoff: datetime, moment: str) -> Q:
    """Rows older than the cutoff with no client, and rows of an erased client at once."""
    return Q(client__isnull=True, **{f"{moment}__lt": cutoff}) | Q(client__erased_at__isnull=False)


def _scrub(items: list) -> list:
    return [{k: v for k, v in item.items() if k not in PERSONAL_KEYS} if isinstance(item, dict) else item
            for item in items or []]


def _calls(organization: Organization, cutoff: datetime) -> int:
    has_details = (~Q(from_number="") | ~Q(from_raw="") | ~Q(caller_name="") | ~Q(notes=""))
    expired = (Call.objects.filter(organization=organization).exclude(status__in=Call.LIVE)
               .filter(_governed_by_no_client(cutoff, "offered_at")).filter(has_details))
    count = 0
    while batch := list(expired.order_by("pk").only("pk", "legs", "state")[:BATCH]):
        for call in batch:
            call.from_number = call.from_raw = call.caller_name = call.notes = ""
            call.legs = _scrub(call.legs)
            call.state = {}
        with transaction.atomic():
            Call.objects.bulk_update(batch, ["from_number", "from_raw", "caller_name", "notes", "legs", "state"])
        count += len(batch)
    return count


def _messages(organization: Organization, cutoff: datetime) -> int:
    has_details = (~Q(caller_number="") | ~Q(caller_name="") | ~Q(text="") | ~Q(recording_url=""))
    expired = (Message.objects.filter(organization=organization)
               .filter(_governed_by_no_client(cutoff, "created_at")).filter(has_details))
    count = 0
    while ids := list(expired.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            Message.objects.filter(pk__in=ids).update(caller_number="", caller_name="", text="", recording_url="")
        count += len(ids)
    return count


def anonymise_expired(*, organization: Organization, now: datetime | None = None) -> int:
    """Clear callers' details from ended calls offered, and messages taken, more than ``caller_retention_days``
    ago (at once for an erased client's). Returns how many calls and messages it cleared; one
    ``call.anonymised`` activity says how many. A row once cleared is not touched again."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=organization.caller_retention_days)
    calls = _calls(organization, cutoff)
    messages = _messages(organization, cutoff)
    if calls or messages:
        with transaction.atomic():
            activity_record(organization=organization, actor=None, verb="call.anonymised",
                            data={"calls": calls, "messages": messages, "before": cutoff.isoformat()})
    return calls + messages


def call_log_exported(*, actor: Member, calls: QuerySet[Call], fmt: str, filtered: bool) -> str:
    """Record that ``actor`` exported ``calls`` (callers' numbers leave the system): ``call.log_exported``
    with the format and the count. Returns the file name."""
    if not actor.can("calls.export"):
        raise PermissionDenied("calls.export")
    with transaction.atomic():
        activity_record(organization=actor.organization, actor=actor, verb="call.log_exported",
                        data={"format": fmt, "count": calls.count(), "filtered": filtered})
    return f"calls-{actor.organization.slug}-{timezone.localdate().isoformat()}.{fmt}"
