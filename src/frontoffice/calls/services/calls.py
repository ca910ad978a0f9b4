"""The provider's calls, as its webhooks report them: offered, each step of the call flow, the voicemail,
the end. ``routing.decide`` chooses every step; these functions apply its decision to the call log.

``Call.state`` is the routing state (``Decision.state``) plus the adapter's own keys, which start with
"_": ``_step`` (the follow-up URLs of the TwiML now playing carry it; a request for another step is a
replay), ``_twiml`` (that TwiML: what a replay is answered with), ``_final`` (that TwiML ended the call) and
``_awaiting`` ("recording" while the caller may be leaving a voicemail, so the end of the call does not count
it as abandoned).

The incoming call is the hot path (every call, benchmarked): the line arrives with its organisation, site
and provider loaded; the plan, the client lookup, the insert and the activity are the only queries.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from frontoffice.calls import lookup, plans, routing
from frontoffice.calls.models import Call, Line, Message
from frontoffice.calls.services.messages import callback_suggest, message_from_voicemail
from frontoffice.calls.telephony import twiml
from frontoffice.core.models import Member
from frontoffice.core.services import activity_record

logger = logging.getLogger(__name__)

STEP, TWIML, AWAITING, FINAL = "_step", "_twiml", "_awaiting", "_final"
ENDED_BY_PROVIDER = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


# --- the call's place in its flow -----------------------------------------------------------------

def current_step(call: Call) -> int:
    try:
        return int(call.state.get(STEP, 0))
    except (TypeError, ValueError, AttributeError):
        return 0


def current_twiml(call: Call) -> str:
    """What the provider is told when it asks again: the TwiML of the current step. A call that ended
    otherwise (the caller hung up, the desk closed it) is hung up, never rung again."""
    state = call.state if isinstance(call.state, dict) else {}
    if call.status == Call.Status.ENDED and not state.get(FINAL):
        return twiml.hang_up()
    return state.get(TWIML) or twiml.hang_up()


def routing_state(call: Call) -> dict:
    state = call.state if isinstance(call.state, dict) else {}
    return {key: value for key, value in state.items() if not key.startswith("_")}


def advance(call: Call, routing_state: dict, document: str, *, awaiting: str = "", final: bool = False) -> None:
    """The call's next step: its routing state and the TwiML now playing (not saved here)."""
    call.state = {**routing_state, STEP: current_step(call) + 1, TWIML: document}
    if awaiting:
        call.state[AWAITING] = awaiting
    if final:
        call.state[FINAL] = True


def _render(call: Call, decision: routing.Decision) -> None:
    document = twiml.render(decision.actions, step=current_step(call) + 1)
    awaiting = "recording" if any(isinstance(a, routing.Record) for a in decision.actions) else ""
    advance(call, decision.state, document, awaiting=awaiting, final=decision.status == Call.Status.ENDED)


def line_plan(line: Line) -> routing.Plan:
    """The line's routing plan. A stored flow this code cannot read is routed as no flow at all (the desk):
    the caller is never dropped for a configuration error."""
    try:
        return plans.plan_for_line(line)
    except Exception:
        logger.exception("line %s: its call flow cannot be read; routing to the desk", line.pk)
        unreadable = copy.copy(line)
        unreadable.flow = {}
        return plans.plan_for_line(unreadable)


def _leg(decision: routing.Decision, at: datetime, **extra) -> list[dict]:
    if not decision.leg and not extra:
        return []
    return [{"at": at.isoformat(), **decision.leg, **extra}]


def _record(call: Call, verb: str, actor: Member | None = None, data: dict | None = None) -> None:
    # No label: a call's string is the caller's number, personal data the log must not keep.
    activity_record(organization=call.organization, site=call.site, actor=actor, verb=verb, subject=call,
                    client_id=call.client_id, label="", data=data or {})


# --- the webhooks' services -----------------------------------------------------------------------

@transaction.atomic
def call_incoming(*, line: Line, sid: str, from_raw: str, at: datetime) -> tuple[Call, routing.Decision]:
    """A new call on ``line``: the caller matched to a client, the first step decided. A second call with
    the same ``sid`` raises IntegrityError (the webhook answers the provider's retry with the first one's
    TwiML)."""
    organization = line.organization
    number = lookup.caller_number(from_raw, organization.country)
    match = lookup.client_for_number(organization.pk, number)
    client_id = match.client_id if match else None
    decision = routing.decide(line_plan(line), at, routing.Caller(number=number, client_id=client_id),
                              routing.Event(kind="incoming"), {})
    offered = {"at": at.isoformat(), "kind": "offered", "line": line.pk}
    if match and match.matches > 1:
        offered["matches"] = match.matches  # the pop says "one of N clients with this number"
    call = Call(organization=organization, site=line.site, line=line, sid=sid, source=Call.Source.PROVIDER,
                from_number=number, from_raw=(from_raw or "")[:64], client_id=client_id, status=decision.status,
                outcome=decision.outcome, department_id=decision.department_id, offered_at=at,
                legs=[offered, *_leg(decision, at)])
    _render(call, decision)
    if decision.status == Call.Status.ENDED:
        call.ended_at = at
    call.save(force_insert=True)
    _record(call, "call.offered", data={"line": line.pk, "matches": match.matches if match else 0})
    return call, decision


def _lock(call: Call) -> None:
    call.refresh_from_db(from_queryset=Call.objects.select_for_update())


def _with_event_facts(call: Call, event: routing.Event, now: datetime) -> routing.Event:
    """What the provider does not say: how long the caller has waited and their place in the queue."""
    waited = max(0, int((now - call.offered_at).total_seconds()))
    position = event.queue_position
    if event.kind == "queue" or (event.kind == "dial" and event.dial_status == "busy"):
        earlier = Q(offered_at__lt=call.offered_at) | Q(offered_at=call.offered_at, pk__lt=call.pk)
        ahead = Call.objects.filter(earlier, organization_id=call.organization_id, status=Call.Status.QUEUED).count()
        position = ahead + 1
    return replace(event, waited_seconds=waited, queue_position=position)


def _transfer_state(plan: routing.Plan, call: Call, transfer: str) -> dict:
    """The routing state of a call the desk sent on (``transfer``: "d<department id>" or "m<member id>",
    from the signed URL of the transfer's TwiML), so its dial result overflows like any ring."""
    kind, pk = transfer[:1], transfer[1:]
    if kind not in ("d", "m") or not pk.isdigit():
        return routing_state(call)
    pk = int(pk)
    if kind == "d":
        department_id, member_id = pk, None
        ring = plan.departments.get(pk)
        if ring is not None and ring.strategy == "serial" and ring.targets:
            member_id = ring.targets[0].member_id
    else:
        member_id = pk
        department_id = next((d.id for d in plan.departments.values()
                              if any(t.member_id == pk for t in d.targets)), call.department_id or plan.desk_id)
    return {**routing_state(call), "step": "ring", "department": department_id, "index": 0, "member": member_id,
            "visited": [department_id] if department_id is not None else [], "tries": 0, "message_for": None}


@transaction.atomic
def call_event(*, call: Call, event: routing.Event, step: int | None = None, answered_by: Member | None = None,
               transfer: str = "") -> routing.Decision | None:
    """The provider reports a step of the call (a menu key, a dial result, the end of a hold, a recording):
    the next step is decided and the call log follows it. ``step`` is the step the report's URL carries:
    another than the call's current one (a replay, or a report overtaken by another) changes nothing and
    returns None, as does any report about a call that has ended (but its voicemail)."""
    _lock(call)
    if step is not None and step != current_step(call):
        return None
    if call.status == Call.Status.ENDED and event.kind != "recorded":
        return None
    now = timezone.now()
    plan = line_plan(call.line)
    state = _transfer_state(plan, call, transfer) if transfer else routing_state(call)
    event = _with_event_facts(call, event, now)
    decision = routing.decide(plan, now, routing.Caller(number=call.from_number, client_id=call.client_id),
                              event, state)
    _apply(call, event, decision, now, answered_by)
    return decision


def _apply(call: Call, event: routing.Event, decision: routing.Decision, now: datetime,
           answered_by: Member | None) -> None:
    connected = decision.status == Call.Status.CONNECTED and call.status != Call.Status.CONNECTED
    outcome_before = call.outcome
    call.status = decision.status
    if decision.department_id is not None:
        call.department_id = decision.department_id
    # "answered" does not undo what the desk made of the call ("transferred", "message").
    if decision.outcome and not (decision.outcome == Call.Outcome.ANSWERED and call.outcome):
        call.outcome = decision.outcome
    extra = {}
    if connected:
        answered_by = answered_by or _member(call, decision.leg.get("member"))
        if answered_by is not None:
            extra["member"] = answered_by.pk
        if call.answered_at is None:
            call.answered_at, call.wait_seconds = now, max(0, int((now - call.offered_at).total_seconds()))
            call.answered_by = answered_by
    if event.kind == "menu" and decision.leg.get("digit"):
        call.menu_choice = decision.leg["digit"]
    if call.status == Call.Status.ENDED and call.ended_at is None:
        call.ended_at = now
    call.legs = [*call.legs, *_leg(decision, now, **extra)]
    _render(call, decision)
    call.save(update_fields=["status", "department", "outcome", "answered_at", "wait_seconds", "answered_by",
                             "menu_choice", "ended_at", "legs", "state", "updated_at"])
    if connected:
        _record(call, "call.answered", answered_by, {"wait_seconds": call.wait_seconds,
                                                     "department": call.department_id})
    if call.outcome == Call.Outcome.VOICEMAIL and outcome_before != Call.Outcome.VOICEMAIL:
        _record(call, "call.voicemail", data={"department": call.department_id})


def _member(call: Call, member_id) -> Member | None:
    if not isinstance(member_id, int):
        return None
    return Member.objects.filter(organization_id=call.organization_id, pk=member_id).first()


@transaction.atomic
def call_recording(*, call: Call, recording_url: str, seconds: int | None,
                   step: int | None = None) -> Message | None:
    """The caller left a voicemail: the call ends as "voicemail" and the recording becomes a message for the
    department (or the desk). No recording (the caller kept silent: the provider moves past the recording
    and our TwiML sends it here without one) hangs up; the end of the call then finds it abandoned. None for
    a replay (see ``call_event``) and when nothing was recorded."""
    if not (recording_url or "").startswith(("https://", "http://")):
        _nothing_recorded(call, step)
        return None
    decision = call_event(call=call, event=routing.Event(kind="recorded"), step=step)
    if decision is None:
        return None
    return message_from_voicemail(call=call, recording_url=recording_url, seconds=seconds)


def _nothing_recorded(call: Call, step: int | None) -> None:
    _lock(call)
    if step is not None and step != current_step(call):
        return
    advance(call, routing_state(call), twiml.hang_up())
    # The end was reported first, while a voicemail could still come: now it is known that none did.
    abandoned = call.status == Call.Status.ENDED and not call.outcome and call.answered_at is None
    if abandoned:
        call.outcome = Call.Outcome.ABANDONED
    call.save(update_fields=["state", "outcome", "updated_at"])
    if abandoned:
        _abandoned(call, "completed")


@transaction.atomic
def call_status(*, call: Call, status: str, duration: int | None) -> Call:
    """The provider says the call is over (``status``: completed, busy, no-answer, failed, canceled; other
    statuses change nothing). A call nobody answered that left no voicemail was abandoned: a callback is
    suggested. Told twice, the second time changes nothing."""
    if status not in ENDED_BY_PROVIDER:
        return call
    _lock(call)
    if call.duration_seconds is not None:
        return call
    now = timezone.now()
    call.status = Call.Status.ENDED
    call.ended_at = call.ended_at or now
    call.duration_seconds = max(0, duration if duration is not None else int((now - call.offered_at).total_seconds()))
    call.legs = [*call.legs, {"at": now.isoformat(), "kind": "ended", "status": status}]
    awaiting_voicemail = (call.state or {}).get(AWAITING) == "recording"
    abandoned = not call.outcome and call.answered_at is None and not awaiting_voicemail
    if abandoned:
        call.outcome = Call.Outcome.ABANDONED
    call.save(update_fields=["status", "ended_at", "duration_seconds", "legs", "outcome", "updated_at"])
    if abandoned:
        _abandoned(call, status)
    else:
        _record(call, "call.ended", data={"outcome": call.outcome, "duration_seconds": call.duration_seconds})
    return call


def _abandoned(call: Call, status: str) -> None:
    """Nobody answered and no voicemail was left: the caller is owed a call back."""
    _record(call, "call.abandoned", data={"department": call.department_id, "status": status,
                                          "waited_seconds": call.duration_seconds})
    callback_suggest(call=call)
