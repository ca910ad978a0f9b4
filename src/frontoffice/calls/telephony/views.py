"""The provider's webhooks, in Twilio's dialect (SignalWire's cXML is the same): signed, POST only.

One incoming-call URL serves every number: the line is found by ``To``, so the organisation and its auth
token, and only then is the signature checked. The follow-ups are the URLs our TwiML gave the provider;
they find the call by ``CallSid`` and check its organisation's token. Anything unsigned, wrongly signed,
for an unknown number or an organisation without a provider is refused with 403 and an empty body, alike.
"""

from __future__ import annotations

from functools import wraps

from django.db import IntegrityError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from frontoffice.calls.models import Call, TelephonyProvider
from frontoffice.calls.lookup import line_for_number
from frontoffice.calls.routing import Event
from frontoffice.calls.services.calls import call_event, call_incoming, call_recording, call_status, current_twiml
from frontoffice.calls.telephony import signatures, twiml
from frontoffice.core.models import Member

SID_MAX = Call._meta.get_field("sid").max_length


def _xml(document: str, status: int = 200) -> HttpResponse:
    return HttpResponse(document, content_type="text/xml; charset=utf-8", status=status)


def _token(organization) -> str:
    try:
        return organization.telephony.webhook_key
    except TelephonyProvider.DoesNotExist:
        return ""


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _step(request) -> int:
    return _int(request.GET.get("s"), -1)  # no step: not a URL we wrote, so never the current step


@csrf_exempt
@require_POST
def voice(request):
    """A call comes in on one of our numbers: the first step of its flow."""
    number = request.POST.get("To", "").strip()
    line = line_for_number(number)
    if line is None or not signatures.is_signed(request, _token(line.organization)):
        return HttpResponseForbidden()
    sid = request.POST.get("CallSid", "").strip()
    if not sid or len(sid) > SID_MAX:
        return HttpResponseBadRequest()
    try:
        call, _decision = call_incoming(line=line, sid=sid, from_raw=request.POST.get("From", ""), at=timezone.now())
    except IntegrityError:  # the provider asked again about a call it gave us already: the same answer
        call = Call.objects.filter(sid=sid).first()
        if call is None:
            raise
        if call.organization_id != line.organization_id:
            return HttpResponseForbidden()
    return _xml(current_twiml(call))


def _signed_call(request, sid: str) -> Call | HttpResponse:
    """The call a follow-up is about, when its organisation's provider signed the request."""
    call = (Call.objects.select_related("organization__telephony", "site", "line__site").filter(sid=sid).first()
            if sid else None)
    if call is None:
        return _xml(twiml.hang_up(), status=404)
    if not signatures.is_signed(request, _token(call.organization)):
        return HttpResponseForbidden()
    if call.line is not None:
        call.line.organization = call.organization
    return call


def _follow_up(handle):
    """A follow-up webhook: ``handle(request, call, step)`` for the call the provider signed; the answer is
    the call's TwiML after it (after a replay: the current step's, unchanged)."""

    @csrf_exempt
    @require_POST
    @wraps(handle)
    def view(request):
        call = _signed_call(request, request.POST.get("CallSid", ""))
        if isinstance(call, HttpResponse):
            return call
        handle(request, call, _step(request))
        return _xml(current_twiml(call))

    return view


@_follow_up
def menu(request, call: Call, step: int) -> None:
    """The caller pressed a key in the menu (``Digits``), or none."""
    call_event(call=call, event=Event(kind="menu", digits=request.POST.get("Digits", "")), step=step)


@_follow_up
def dial(request, call: Call, step: int) -> None:
    """A ring attempt ended (``DialCallStatus``)."""
    event = Event(kind="dial", dial_status=request.POST.get("DialCallStatus", ""))
    call_event(call=call, event=event, step=step, transfer=request.GET.get("transfer", ""))


@_follow_up
def queue(request, call: Call, step: int) -> None:
    """A queued caller's hold period is over."""
    call_event(call=call, event=Event(kind="queue"), step=step)


@_follow_up
def recording(request, call: Call, step: int) -> None:
    """The caller left a voicemail (``RecordingUrl``, ``RecordingDuration``), or nothing."""
    call_recording(call=call, recording_url=request.POST.get("RecordingUrl", "").strip(),
                   seconds=_int(request.POST.get("RecordingDuration")), step=step)


@csrf_exempt
@require_POST
def status(request):
    """The call's status callback (the end of the call), or a rung phone answering (``?leg=answered``:
    ``ParentCallSid`` is our call). Answered with an empty 200; an unknown call changes nothing."""
    leg = request.GET.get("leg", "")
    call = _signed_call(request, request.POST.get("ParentCallSid" if leg else "CallSid", ""))
    if isinstance(call, HttpResponse):
        return HttpResponse() if call.status_code == 404 else call
    call_status_now = request.POST.get("CallStatus", "")
    if leg == "answered" and call_status_now in ("in-progress", "answered"):
        member_id = _int(request.GET.get("m"))
        member = (Member.objects.filter(organization_id=call.organization_id, pk=member_id).first()
                  if member_id else None)
        call_event(call=call, event=Event(kind="dial", dial_status="answered"), step=_step(request),
                   answered_by=member, transfer=request.GET.get("transfer", ""))
    elif not leg:
        call_status(call=call, status=call_status_now, duration=_int(request.POST.get("CallDuration")))
    return HttpResponse()
