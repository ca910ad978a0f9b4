"""The call log and the messages lists: reads the pages, the export and the API share. Every query starts from
the organisation (or the member, and so their organisation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontoffice.calls.models import Call, Line, Message, RingGroup
from frontoffice.core import phones
from frontoffice.core.models import Activity, Department, Member, Organization

MIN_NUMBER_DIGITS = 3  # "601" finds every number containing it; fewer digits would match nearly everything


def _moment(value: date | datetime, organization: Organization, *, end: bool) -> datetime:
    """An aware moment: a datetime as given (a naive one is local time), a date as the start of that local
    day — or, for the end of a range, the start of the next day (a date ``to`` includes its day)."""
    tz = organization.tz
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time.min, tzinfo=tz)


def calls_of(organization: Organization, *, from_: date | datetime | None = None, to: date | datetime | None = None,
             line: Line | int | None = None, department: Department | int | None = None, outcome: str | None = None,
             client=None, q: str = "", misrouted: bool | None = None) -> QuerySet[Call]:
    """The organisation's calls, newest first, with what a list shows (line, department, client, who answered).

    ``from_`` is inclusive and a datetime ``to`` exclusive; a date covers its whole local day in the
    organisation's zone (``to=date`` includes that day). ``line``, ``department`` and ``client`` are rows or
    ids — a row or id of another organisation matches nothing. ``q`` finds a number (any part of it, typed
    in any form) or a caller's or client's name.
    """
    rows = (Call.objects.filter(organization=organization)
            .select_related("line", "department", "client", "answered_by__user", "site"))
    if from_ is not None:
        rows = rows.filter(offered_at__gte=_moment(from_, organization, end=False))
    if to is not None:
        rows = rows.filter(offered_at__lt=_moment(to, organization, end=True))
    if line is not None:
        rows = rows.filter(line=line)
    if department is not None:
        rows = rows.filter(department=department)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if client is not None:
        rows = rows.filter(client=client)
    if misrouted is not None:
        rows = rows.filter(misrouted=misrouted)
    q = (q or "").strip()
    if q:
        rows = rows.filter(_search(q, organization))
    return rows.order_by("-offered_at", "-id")


def _search(q: str, organization: Organization) -> Q:
    if phones.looks_like_phone(q) or q.lstrip("+").isdigit():
        number = phones.try_normalize(q, organization.country)
        if number:
            return Q(from_number=number)
        digits = phones.digits(q)
        if len(digits) >= MIN_NUMBER_DIGITS:
            return Q(from_number__contains=digits) | Q(from_raw__contains=q)
        return Q(from_raw__contains=q)
    return Q(caller_name__icontains=q) | Q(client__display_name__icontains=q)


def duration_label(seconds: int | None) -> str:
    """"1:35", "1:02:03"; "" when unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def with_display(calls: list[Call]) -> list[Call]:
    """Calls with what a list prints: ``number_display`` (formatted, or what the provider gave for a withheld
    number), ``caller_display`` (the client's current name, else the name given) and ``duration_display``."""
    for call in calls:
        call.number_display = phones.display(call.from_number) if call.from_number else ""
        call.caller_display = call.client.display_name if call.client_id else call.caller_name
        call.duration_display = duration_label(call.duration_seconds)
    return calls


def call_of(organization: Organization, pk: int) -> Call | None:
    """One call with what its detail page shows (who answered, routed, handled it), or None."""
    return (Call.objects.filter(organization=organization, pk=pk)
            .select_related("line", "department", "client", "site", "answered_by__user", "routed_by__user",
                            "handled_by__user").first())


def call_activities(call: Call) -> list[Activity]:
    """What members and the system did about ``call`` (answered, transferred, misrouted…), oldest first."""
    return list(Activity.objects.filter(organization_id=call.organization_id, subject_type=Call._meta.label_lower,
                                        subject_id=str(call.pk)).select_related("actor__user")
                .order_by("occurred_at", "id"))


# --- one call's legs as a timeline -----------------------------------------------------------------

LEG_LABELS = {
    "offered": gettext_lazy("Call came in"), "menu": gettext_lazy("Menu"), "ring": gettext_lazy("Rang"),
    "queued": gettext_lazy("Waited in the queue"), "answered": gettext_lazy("Answered"),
    "transfer": gettext_lazy("Transferred"), "voicemail": gettext_lazy("Voicemail"),
    "message": gettext_lazy("Message taken"), "ended": gettext_lazy("Ended"),
    "handled": gettext_lazy("Marked handled"), "overflow": gettext_lazy("Overflow"),
}
# Keys of a leg naming a department, a member (or several) or a line, shown by name; the others as they are.
DEPARTMENT_KEYS = ("department", "department_id", "from_department", "to_department", "overflow_department")
MEMBER_KEYS = ("member", "member_id", "answered_by", "by", "to_member", "routed_by", "transferred_by", "members")
KEY_LABELS = {
    "department": gettext_lazy("department"), "department_id": gettext_lazy("department"),
    "from_department": gettext_lazy("from"), "to_department": gettext_lazy("to"),
    "overflow_department": gettext_lazy("overflow to"), "member": gettext_lazy("person"),
    "member_id": gettext_lazy("person"), "members": gettext_lazy("people"), "answered_by": gettext_lazy("answered by"),
    "by": gettext_lazy("by"), "to_member": gettext_lazy("to"), "routed_by": gettext_lazy("routed by"),
    "transferred_by": gettext_lazy("transferred by"), "digit": gettext_lazy("pressed"),
    "digits": gettext_lazy("pressed"), "dial_status": gettext_lazy("result"), "status": gettext_lazy("result"),
    "position": gettext_lazy("place in line"), "seconds": gettext_lazy("seconds"), "note": gettext_lazy("note"),
    "notes": gettext_lazy("note"), "reason": gettext_lazy("why"), "targets": gettext_lazy("phones rung"),
    "strategy": gettext_lazy("ringing"), "outcome": gettext_lazy("outcome"), "routed": gettext_lazy("then"),
    "line": gettext_lazy("line"), "number": gettext_lazy("number"), "by_hand": gettext_lazy("recorded by hand"),
    "recorded": gettext_lazy("recorded"), "misrouted": gettext_lazy("misrouted"),
}
REASONS = {
    "after_hours": gettext_lazy("after hours"), "closed": gettext_lazy("closed"),
    "menu_fallback": gettext_lazy("no valid choice in the menu"), "overflow": gettext_lazy("nobody answered"),
    "canceled": gettext_lazy("the caller hung up"), "no_targets": gettext_lazy("no phones to ring"),
    "desk": gettext_lazy("to the desk"), "menu": gettext_lazy("menu choice"), "queue": gettext_lazy("from the queue"),
}
HIDDEN_KEYS = {"at", "kind", "message_id", "call_id", "sid", "index"}


@dataclass
class LegEntry:
    at: datetime | None
    kind: str
    label: str
    details: list[tuple[str, str]]


def _ids(legs: list[dict], keys: tuple[str, ...]) -> set[int]:
    found = set()
    for leg in legs:
        for key in keys:
            value = leg.get(key)
            found.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    return found


def leg_timeline(call: Call) -> list[LegEntry]:
    """The call's legs, oldest first, each with a heading and its facts (departments, people and lines by
    name; the routing's reasons and results in words). Three small queries, whatever the number of legs."""
    legs = [leg for leg in call.legs or [] if isinstance(leg, dict)]
    names = {
        "department": dict(Department.objects.filter(organization_id=call.organization_id,
                                                     pk__in=_ids(legs, DEPARTMENT_KEYS)).values_list("pk", "name")),
        "member": dict(Member.objects.filter(organization_id=call.organization_id, pk__in=_ids(legs, MEMBER_KEYS))
                       .values_list("pk", "user__full_name")),
        "line": dict(Line.objects.filter(organization_id=call.organization_id, pk__in=_ids(legs, ("line",)))
                     .values_list("pk", "label")),
    }
    entries = []
    for leg in legs:
        kind = str(leg.get("kind", ""))
        at = parse_datetime(leg["at"]) if isinstance(leg.get("at"), str) else None
        details = [(str(KEY_LABELS.get(key, key.replace("_", " "))), _leg_value(key, value, names))
                   for key, value in leg.items() if key not in HIDDEN_KEYS and value not in (None, "", [], {})]
        entries.append(LegEntry(at, kind, str(LEG_LABELS.get(kind, kind.replace("_", " ").capitalize())), details))
    return entries


def _leg_value(key: str, value, names: dict) -> str:
    if isinstance(value, list):
        return ", ".join(_leg_value(key, v, names) for v in value if v is not None)
    if key in DEPARTMENT_KEYS and isinstance(value, int):
        return names["department"].get(value, _("a removed department"))
    if key in MEMBER_KEYS and isinstance(value, int):
        return names["member"].get(value, _("a former member"))
    if key == "line" and isinstance(value, int):
        return names["line"].get(value, _("a removed line"))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    text = str(value)
    if key == "reason":
        return str(REASONS.get(text, text.replace("_", " ")))
    if key == "outcome":
        return str(dict(Call.Outcome.choices).get(text, text))
    if key == "strategy":
        return str(dict(RingGroup.Strategy.choices).get(text, text))
    if key == "routed":
        return str(LEG_LABELS.get(text, text)).lower()
    if key == "number":
        return phones.display(text)
    return text


# --- the export ------------------------------------------------------------------------------------

EXPORT_CHUNK = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML (so XLSX) cannot hold


def _text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection): a leading apostrophe, as clients' export."""
    value = _ILLEGAL.sub("", value or "")
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_table(calls: QuerySet[Call], organization: Organization) -> Iterator[list]:
    """The header row, then one row per call: times in the organisation's zone (without the zone, as
    spreadsheets want them), names by their current value, text safe from formula injection."""
    tz = organization.tz
    outcomes, statuses, sources = dict(Call.Outcome.choices), dict(Call.Status.choices), dict(Call.Source.choices)

    def local(moment):
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    yield [_("ID"), _("Offered at"), _("Line"), _("Caller's number"), _("Caller"), _("Client ID"), _("Department"),
           _("Menu choice"), _("Status"), _("Outcome"), _("Answered by"), _("Answered at"), _("Ended at"),
           _("Wait before answer (s)"), _("Duration (s)"), _("Transfers"), _("Misrouted"), _("Source")]
    for call in calls.iterator(chunk_size=EXPORT_CHUNK):
        caller = call.client.display_name if call.client_id else call.caller_name
        yield [call.pk, local(call.offered_at), _text(call.line.label if call.line_id else ""),
               _text(call.from_number or call.from_raw), _text(caller), call.client_id,
               _text(call.department.name if call.department_id else ""), _text(call.menu_choice),
               str(statuses.get(call.status, call.status)), str(outcomes.get(call.outcome, call.outcome)),
               _text(call.answered_by.user.full_name if call.answered_by_id else ""), local(call.answered_at),
               local(call.ended_at), call.wait_seconds, call.duration_seconds, call.transfers,
               _("yes") if call.misrouted else _("no"), str(sources.get(call.source, call.source))]


# --- messages --------------------------------------------------------------------------------------

def messages_for(member: Member, *, open: bool | None = True) -> QuerySet[Message]:  # noqa: A002 (the spec's name)
    """The messages ``member`` should see: theirs, their departments', and — at the desk (calls.answer) —
    the desk's, where callbacks and unaddressed voicemails land. ``open``: True the open ones (urgent first,
    then newest), False those dealt with (latest first), None all."""
    department_ids = list(member.departments.values_list("pk", flat=True))
    if member.can("calls.answer"):
        desk = (RingGroup.objects.filter(organization_id=member.organization_id, is_desk=True)
                .values_list("department_id", flat=True).first())
        if desk is not None:
            department_ids.append(desk)
    rows = (Message.objects.filter(organization_id=member.organization_id)
            .filter(Q(for_member=member) | Q(for_department__in=department_ids))
            .select_related("for_member__user", "for_department", "client", "created_by__user", "done_by__user",
                            "call"))
    if open is True:
        return rows.filter(done_at__isnull=True).order_by("-urgency", "-created_at", "-id")
    if open is False:
        return rows.filter(done_at__isnull=False).order_by("-done_at", "-id")
    return rows.order_by("-created_at", "-id")



def inbox_counts(member: Member) -> dict[str, int]:
    """How many open messages ``member`` sees: all, urgent ones, callbacks owed (one query)."""
    return messages_for(member, open=True).order_by().aggregate(
        open=Count("pk"), urgent=Count("pk", filter=Q(urgency=Message.Urgency.URGENT)),
        callbacks=Count("pk", filter=Q(kind=Message.Kind.CALLBACK)))
