"""What the receptionist does at the switchboard: log a call by hand (manual mode), pick up, transfer,
mark handled, link the caller to a client (or add a new caller as one).

A transfer of a call the provider is carrying redirects the live call through the provider's REST API
(``telephony.client``); an office without a provider records the transfer it made on its own phone.
A call sent on again after a desk member routed it is that member's misroute (DESIGN §7).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.calls.lookup import client_for_number
from frontoffice.calls.models import Call, Line, TelephonyProvider
from frontoffice.calls.services.messages import callback_suggest
from frontoffice.clients.models import Client
from frontoffice.clients.services import client_create
from frontoffice.clients.validation import ClientInput
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Department, Member
from frontoffice.core.services import activity_record

# A call logged "now" on a PC whose clock is a little ahead is still not in the future.
CLOCK_SLACK = timedelta(minutes=2)
MAX_NOTES = 2000


# --- shared pieces -----------------------------------------------------------------------------

def _leg(kind: str, at: datetime, **data) -> dict:
    return {"at": at.isoformat(), "kind": kind, **{k: v for k, v in data.items() if v not in (None, "")}}


def _record(call: Call, verb: str, actor: Member | None, data: dict | None = None) -> None:
    # The subject label stays empty: the caller's number is personal data that retention clears.
    activity_record(organization=call.organization, site=call.site, actor=actor, verb=verb, subject=call,
                    client_id=call.client_id, label="", data=data or {})


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().select_related("organization", "site").get(pk=call.pk)


def _own(actor: Member, field: str, *objects) -> None:
    """A row of another organisation is reported like a missing one."""
    for obj in objects:
        if obj is not None and obj.organization_id != actor.organization_id:
            raise ValidationError({field: _("Choose one of your organisation's.")})


def _seconds(since: datetime, until: datetime) -> int:
    return max(0, round((until - since).total_seconds()))


def _usable_client(actor: Member, client: Client | None, field: str = "client") -> None:
    if client is None:
        return
    _own(actor, field, client)
    if client.merged_into_id is not None or client.erased_at is not None:
        raise ValidationError({field: _("That client record is no longer in use; search again.")})


def _matched_client(organization_id: int, number: str) -> Client | None:
    """The client with this exact number (the most recently updated when several share it)."""
    found = client_for_number(organization_id, number)
    return Client.objects.filter(pk=found.client_id).first() if found else None


# --- manual mode -------------------------------------------------------------------------------

def _manual_checks(actor: Member, line: Line, department: Department | None, outcome: str, answered: bool,
                   client: Client | None, offered_at: datetime, notes: str) -> None:
    _own(actor, "line", line)
    if not line.active:
        raise ValidationError({"line": _("This line is switched off; choose another.")})
    _own(actor, "department", department)
    if department is not None and not department.active:
        raise ValidationError({"department": _("This department is closed; choose another.")})
    if outcome not in Call.Outcome.values:
        raise ValidationError({"outcome": _("Choose what happened to the call.")})
    if outcome == Call.Outcome.ANSWERED and not answered:
        raise ValidationError({"outcome": _("A call nobody answered cannot have been answered.")})
    if outcome == Call.Outcome.TRANSFERRED and department is None:
        raise ValidationError({"department": _("Choose the department the call was put through to.")})
    _usable_client(actor, client)
    if offered_at > timezone.now() + CLOCK_SLACK:
        raise ValidationError({"offered_at": _("The call cannot be in the future.")})
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("Keep the notes under %(n)s characters.") % {"n": MAX_NOTES}})


def _manual_legs(call: Call, actor: Member, now: datetime) -> list[dict]:
    at, department = call.offered_at, call.department_id
    legs = [_leg("offered", at, line=call.line_id, by_hand=True)]
    if call.answered_by_id is not None:
        legs.append(_leg("answered", at, member=actor.pk, by_hand=True))
    if call.outcome == Call.Outcome.TRANSFERRED:
        legs.append(_leg("transfer", at, by=actor.pk, to_department=department, by_hand=True))
    elif department is not None and call.answered_by_id is None:
        legs.append(_leg("ring", at, department=department, by_hand=True))
    if call.outcome in (Call.Outcome.MESSAGE, Call.Outcome.VOICEMAIL):
        legs.append(_leg(call.outcome, now, department=department, by_hand=True))
    return [*legs, _leg("ended", now, outcome=call.outcome)]


@transaction.atomic
def call_log_manual(*, actor: Member, line: Line, number_raw: str, department: Department | None = None,
                    outcome: str, client: Client | None = None, caller_name: str = "", notes: str = "",
                    offered_at: datetime | None = None, answered: bool = True) -> Call:
    """A call taken on an ordinary phone, logged while talking: on which line, from which number, where
    it went and how it ended. The number is kept as typed; parsed to E.164 when it can be (else the
    caller counts as withheld). A known number links its client when none is given.

    ``answered``: the actor picked it up (a missed call is ``answered=False`` with outcome abandoned or
    voicemail). Outcome transferred: the actor put it through to ``department`` (so sending it on again is
    their misroute)."""
    now = timezone.now()
    offered_at = offered_at or now
    notes, caller_name = (notes or "").strip(), " ".join((caller_name or "").split())[:200]
    answered = answered and outcome not in (Call.Outcome.ABANDONED, Call.Outcome.VOICEMAIL)
    _manual_checks(actor, line, department, outcome, answered, client, offered_at, notes)
    raw = (number_raw or "").strip()[:64]
    number = phones.try_normalize(raw, actor.organization.country) or "" if raw else ""
    client = client or _matched_client(actor.organization_id, number)
    call = Call(organization=actor.organization, site=line.site, line=line, source=Call.Source.MANUAL,
                from_number=number, from_raw=raw, client=client, caller_name="" if client else caller_name,
                status=Call.Status.ENDED, outcome=outcome, department=department, offered_at=offered_at,
                ended_at=max(now, offered_at), notes=notes)
    if answered:
        call.answered_by, call.answered_at = actor, offered_at
    if outcome == Call.Outcome.TRANSFERRED:
        call.routed_by, call.transfers = actor, 1
    if outcome != Call.Outcome.ABANDONED:  # a missed call stays on the board until someone deals with it
        call.handled_at, call.handled_by = now, actor
    call.legs = _manual_legs(call, actor, now)
    call.save()
    _record(call, "call.logged", actor, {"line_id": line.pk, "department_id": department.pk if department else None,
                                         "outcome": outcome, "answered": answered})
    if outcome == Call.Outcome.ABANDONED and number:
        callback_suggest(call=call)
    return call


# --- a call on the board ----------------------------------------------------------------------

@transaction.atomic
def call_answer(*, actor: Member, call: Call) -> Call:
    """The receptionist picked the call up: connected, answered by them, the wait measured."""
    call = _lock(call)
    _own(actor, "call", call)
    if not call.is_live:
        raise Conflict(_("This call has ended."))
    if call.status == Call.Status.CONNECTED and call.answered_by_id not in (None, actor.pk):
        raise Conflict(_("%(name)s has answered this call already.") % {"name": call.answered_by})
    if call.status == Call.Status.CONNECTED and call.answered_by_id == actor.pk:
        return call
    now = timezone.now()
    call.status, call.answered_by = Call.Status.CONNECTED, actor
    if call.answered_at is None:
        call.answered_at, call.wait_seconds = now, _seconds(call.offered_at, now)
    call.outcome = call.outcome or Call.Outcome.ANSWERED
    call.legs = [*call.legs, _leg("answered", now, member=actor.pk, by_hand=True)]
    call.save()
    _record(call, "call.answered", actor, {"wait_seconds": call.wait_seconds, "by_hand": True})
    return call


def _transfer_checks(actor: Member, call: Call, department: Department | None, member: Member | None) -> None:
    if (department is None) == (member is None):
        raise ValidationError({"department": _("Choose where the call goes: one department or one person.")})
    _own(actor, "call", call)
    _own(actor, "department", department)
    _own(actor, "member", member)
    if department is not None and not department.active:
        raise ValidationError({"department": _("This department is closed; choose another.")})
    if member is not None and not member.active:
        raise ValidationError({"member": _("This person no longer works here; choose someone else.")})
    if department is not None and department.pk == call.department_id and call.is_live:
        raise ValidationError({"department": _("The call is with this department already.")})
    if call.source == Call.Source.PROVIDER and not call.is_live:
        raise Conflict(_("This call has ended; it can no longer be transferred."))


def _carried_by_provider(call: Call) -> bool:
    """Is the provider carrying this call now (so the transfer must redirect it)?"""
    return (call.source == Call.Source.PROVIDER and bool(call.sid) and call.is_live
            and TelephonyProvider.objects.filter(organization_id=call.organization_id).exists())


def _redirect(call: Call, department: Department | None, member: Member | None) -> None:
    """Ask the provider to send the live call on. Raises ValidationError when it refuses."""
    from frontoffice.calls.telephony import client as telephony

    telephony.redirect_live_call(call, telephony.transfer_twiml(call, department=department, member=member))


def _misroute(call: Call, actor: Member, department: Department | None) -> None:
    """A call routed by a desk member and sent on again: theirs is the misroute."""
    call.misrouted = True
    activity_record(organization=call.organization, site=call.site, actor=call.routed_by, verb="call.misrouted",
                    subject=call, client_id=call.client_id, label="",
                    data={"transferred_by": actor.pk, "from_department": call.department_id,
                          "to_department": department.pk if department else None})


@transaction.atomic
def call_transfer(*, actor: Member, call: Call, department: Department | None = None,
                  member: Member | None = None) -> Call:
    """Send the call to a department or a person (exactly one). A live provider call is redirected
    through the provider (nothing changes when it refuses); otherwise the transfer made on the office's
    own phone is recorded."""
    call = _lock(call)
    _transfer_checks(actor, call, department, member)
    now = timezone.now()
    live = _carried_by_provider(call)
    before = call.department_id
    if call.routed_by_id is not None:
        _misroute(call, actor, department)
    call.routed_by, call.transfers = actor, call.transfers + 1
    if department is not None:
        call.department = department
    if call.outcome in ("", Call.Outcome.ANSWERED):
        call.outcome = Call.Outcome.TRANSFERRED
    if live:
        call.status = Call.Status.RINGING
        _redirect(call, department, member)
    call.legs = [*call.legs, _leg("transfer", now, by=actor.pk, from_department=before,
                                  to_department=department.pk if department else None,
                                  to_member=member.pk if member else None, by_hand=not live)]
    call.save()
    _record(call, "call.transferred", actor, {
        "from_department": before, "to_department": department.pk if department else None,
        "to_member": member.pk if member else None, "by_hand": not live, "misrouted": call.misrouted})
    return call


@transaction.atomic
def call_mark_handled(*, actor: Member, call: Call) -> Call:
    """The receptionist is done with the call: it leaves the board. A call still showing as live (its
    provider never told us it ended) is ended here."""
    call = _lock(call)
    _own(actor, "call", call)
    if call.handled_at is not None:
        raise Conflict(_("This call was marked handled already."))
    now = timezone.now()
    was = call.status
    call.handled_at, call.handled_by = now, actor
    if call.is_live:
        call.status, call.ended_at = Call.Status.ENDED, now
        if call.answered_at is not None:
            call.duration_seconds = _seconds(call.answered_at, now)
        call.outcome = call.outcome or (Call.Outcome.ANSWERED if call.answered_at else Call.Outcome.ABANDONED)
        call.legs = [*call.legs, _leg("ended", now, by=actor.pk, outcome=call.outcome, by_hand=True)]
    call.save()
    _record(call, "call.handled", actor, {"status_before": was, "outcome": call.outcome})
    return call


@transaction.atomic
def call_link_client(*, actor: Member, call: Call, client: Client) -> Call:
    """The caller is this client (found by search, or just added from the pop)."""
    call = _lock(call)
    _own(actor, "call", call)
    if client is None:
        raise ValidationError({"client": _("Choose the client.")})
    _usable_client(actor, client)
    if call.client_id == client.pk:
        return call
    before = call.client_id
    call.client, call.caller_name = client, ""
    call.save()
    _record(call, "call.client_linked", actor, {"before": before})
    return call


@transaction.atomic
def call_quick_add(*, actor: Member, call: Call, data: ClientInput) -> Call:
    """A new caller becomes a client, and the call is theirs. It is an ordinary client record (a duplicate
    found later is merged like any other); when the client cannot be made, nothing is kept."""
    _own(actor, "call", call)
    client = client_create(actor=actor, data=data, source="quick")
    return call_link_client(actor=actor, call=call, client=client)
