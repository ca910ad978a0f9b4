"""The switchboard's reads: the calls on the board, today's figures, and the version the poll compares.

Every open switchboard asks ``version`` several times a second, so it is one query over the index on
(organization, -updated_at); the board itself is read only when the version moved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Q

from frontoffice.calls.models import Call
from frontoffice.core import phones
from frontoffice.core.models import Organization

DEFAULT_ANSWER_TARGET_SECONDS = 20
# Calls changed this recently make the version. Wider than any transaction, so a change that commits
# after a later one (two webhooks at once) still moves the version when it lands.
VERSION_WINDOW = timedelta(minutes=2)
LIVE_LIMIT = 100
ATTENTION_LIMIT = 10
RECENT_LIMIT = 8


def answer_target_seconds(organization: Organization) -> int:
    """The organisation's "answer within" target (settings ``answer_target_seconds``, default 20)."""
    try:
        value = int((organization.settings or {}).get("answer_target_seconds", DEFAULT_ANSWER_TARGET_SECONDS))
    except (TypeError, ValueError):
        return DEFAULT_ANSWER_TARGET_SECONDS
    return max(1, value)


def day_start(organization: Organization, now: datetime) -> datetime:
    """Local midnight of ``now``'s day in the organisation's zone (DST days included)."""
    return datetime.combine(now.astimezone(organization.tz).date(), time.min, tzinfo=organization.tz)


def version(organization: Organization, *, now: datetime) -> str:
    """Changes whenever a call of the organisation changes (and at local midnight, for the figures)."""
    rows = Call.objects.filter(organization=organization, updated_at__gte=now - VERSION_WINDOW).values_list(
        "pk", "updated_at")
    digest = hashlib.blake2b(digest_size=8)
    for pk, updated_at in sorted(rows):
        digest.update(f"{pk}:{updated_at.timestamp()};".encode())
    return f"{now.astimezone(organization.tz).date().isoformat()}-{digest.hexdigest()}"


@dataclass
class Figures:
    waiting: int = 0
    longest_since: datetime | None = None  # when the caller waiting longest was offered
    offered: int = 0  # today, every call
    abandoned: int = 0
    measured: int = 0  # today's provider calls: what the service level is over
    within_target: int = 0
    target_seconds: int = DEFAULT_ANSWER_TARGET_SECONDS

    @property
    def service_level(self) -> int | None:
        """Percent of today's provider calls answered within the target; None before the first one."""
        return round(100 * self.within_target / self.measured) if self.measured else None


@dataclass
class Board:
    live: list[Call] = field(default_factory=list)  # waiting callers first, longest waiting first
    attention: list[Call] = field(default_factory=list)  # missed today, nobody has dealt with them yet
    recent: list[Call] = field(default_factory=list)  # ended today, newest first
    figures: Figures = field(default_factory=Figures)


def _calls(organization: Organization):
    return Call.objects.filter(organization=organization).select_related(
        "line", "department", "client", "answered_by__user")


def figures(organization: Organization, *, now: datetime, live: list[Call]) -> Figures:
    target = answer_target_seconds(organization)
    # A provider call counts once it is settled: answered, ended, or waiting past the target already (a
    # call ringing for five seconds has not missed anything yet).
    provider = Q(source=Call.Source.PROVIDER) & (
        Q(answered_at__isnull=False) | Q(status=Call.Status.ENDED) | Q(offered_at__lte=now - timedelta(seconds=target)))
    today = Call.objects.filter(organization=organization, offered_at__gte=day_start(organization, now)).aggregate(
        offered=Count("pk"), abandoned=Count("pk", filter=Q(outcome=Call.Outcome.ABANDONED)),
        measured=Count("pk", filter=provider),
        within=Count("pk", filter=provider & Q(answered_at__isnull=False, wait_seconds__lte=target)))
    waiting = [call for call in live if call.status in Call.WAITING]
    return Figures(waiting=len(waiting), longest_since=min((c.offered_at for c in waiting), default=None),
                   offered=today["offered"], abandoned=today["abandoned"], measured=today["measured"],
                   within_target=today["within"], target_seconds=target)


def board(organization: Organization, *, now: datetime) -> Board:
    """Everything the switchboard shows, in four queries."""
    live = sorted(_calls(organization).filter(status__in=Call.LIVE).order_by("offered_at", "pk")[:LIVE_LIMIT],
                  key=lambda call: (call.status not in Call.WAITING, call.offered_at, call.pk))
    start = day_start(organization, now)
    ended = _calls(organization).filter(status=Call.Status.ENDED, offered_at__gte=start)
    attention = list(ended.filter(outcome=Call.Outcome.ABANDONED, handled_at__isnull=True)[:ATTENTION_LIMIT])
    recent = list(ended.exclude(pk__in=[c.pk for c in attention])[:RECENT_LIMIT])
    for call in (*live, *attention, *recent):
        call.number_display = phones.display(call.from_number) if call.from_number else ""
    return Board(live=live, attention=attention, recent=recent, figures=figures(organization, now=now, live=live))


def previous_calls(call: Call, limit: int = 3) -> list[Call]:
    """The same caller's earlier calls (by client, else by number), newest first."""
    if call.client_id:
        rows = Call.objects.filter(organization_id=call.organization_id, client_id=call.client_id)
    elif call.from_number:
        rows = Call.objects.filter(organization_id=call.organization_id, from_number=call.from_number)
    else:
        return []
    return list(rows.filter(offered_at__lt=call.offered_at).select_related("department")[:limit])
