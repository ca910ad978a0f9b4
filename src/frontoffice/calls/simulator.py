"""The demo's "Simulate an incoming call": the requests a phone provider would send, signed with the
demo provider's token and passed through the real webhook views.

``simulate_incoming`` offers a call: a signed POST to ``/telephony/twilio/voice`` built with Django's
``RequestFactory`` and dispatched in process to the view its path resolves to — the same signature
check, services and TwiML as a provider's request, without a network. ``play`` then plays the rest as a
provider plays the TwiML it was given: a menu key a few seconds later, the rung phone answered (or, now
and then, not: the overflow shows), the voicemail, the caller hanging up. It runs in a background
thread with real pauses (``play_later``), so the switchboard shows the call move. The receptionist can
take the call over at any moment (answer, transfer, mark handled): the call is read again after every
pause, and a step that is no longer the call's is not played.

Only for a demo installation (``settings.DEMO``); the view checks it.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from twilio.http import HttpClient
from twilio.http.response import Response

from frontoffice.calls.demo import DEMO_ACCOUNT_SID
from frontoffice.calls.models import Call, Line, TelephonyProvider
from frontoffice.calls.services.calls import current_step, current_twiml
from frontoffice.calls.telephony import signatures
from frontoffice.clients.models import ClientPhone
from frontoffice.core.models import Organization

FORM = "application/x-www-form-urlencoded"
KNOWN_CALLER_SHARE = 0.7  # the rest are new callers (a number no client has)
ANSWER_SHARE = 0.7  # a rung phone is picked up; else it rings out and the call overflows
DIGIT_SECONDS = 4  # the caller listens to the greeting and presses a key
ANSWER_SECONDS = 7
TALK_SECONDS = 45
VOICEMAIL_SECONDS = 12
MAX_STEPS = 12  # a flow ends long before this; a guard against a loop in the simulation itself


@dataclass
class Provider:
    """Plays one call as the provider would: every request signed with the organisation's token."""

    token: str
    account_sid: str
    sid: str
    caller: str
    called: str
    host: str
    rng: random.Random = field(default_factory=random.Random)
    pause: Callable[[float], None] = time.sleep

    def post(self, url: str, params: dict) -> HttpResponse:
        """POST ``params`` to ``url`` (absolute, as the TwiML gives it, or a path) through its view."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = signatures.sign(settings.PUBLIC_URL + path, params, self.token)
        request = RequestFactory().post(path, urlencode(params), content_type=FORM, HTTP_HOST=self.host,
                                        HTTP_X_TWILIO_SIGNATURE=signature)
        match = resolve(request.path_info)
        return match.func(request, *match.args, **match.kwargs)

    def params(self, **extra) -> dict:
        return {"AccountSid": self.account_sid, "ApiVersion": "2010-04-01", "CallSid": self.sid,
                "Direction": "inbound", "From": self.caller, "Caller": self.caller, "To": self.called,
                "Called": self.called, **extra}


def _line(organization: Organization) -> Line | None:
    """The line callers dial: the first active one with a menu, else the first active one."""
    lines = list(Line.objects.filter(organization=organization, active=True).order_by("position", "pk"))
    return next((line for line in lines if (line.flow or {}).get("menu")), lines[0] if lines else None)


def _caller(organization: Organization, rng: random.Random) -> str:
    """A demo client's number, or a new caller's."""
    if rng.random() < KNOWN_CALLER_SHARE:
        numbers = list(ClientPhone.objects.filter(organization=organization, client__merged_into__isnull=True,
                                                  client__erased_at__isnull=True)
                       .order_by("pk").values_list("number", flat=True)[:200])
        if numbers:
            return rng.choice(numbers)
    if organization.country == "GB":
        return f"+447700900{rng.randrange(1000):03d}"  # Ofcom's range kept for drama
    return f"+4869{rng.randrange(10_000_000):07d}"


def simulate_incoming(organization: Organization, *, host: str, rng: random.Random | None = None
                      ) -> tuple[Call, Provider]:
    """Offer a call to ``organization`` through the real incoming-call webhook, signed as its provider
    signs. ValidationError when there is no line or provider to simulate with, or the webhook refuses."""
    rng = rng or random.Random()
    line = _line(organization)
    provider = TelephonyProvider.objects.filter(organization=organization).first()
    if line is None or provider is None or not provider.webhook_key:
        raise ValidationError(_("Add a phone line and the telephony provider first: the simulated call comes "
                                "in on a line and is signed with the provider's token."))
    player = Provider(token=provider.webhook_key, account_sid=provider.account_sid,
                      sid="CA" + secrets.token_hex(16), caller=_caller(organization, rng), called=line.number,
                      host=host, rng=rng)
    response = player.post(reverse("telephony:voice"), player.params(CallStatus="ringing"))
    call = Call.objects.filter(organization=organization, sid=player.sid).select_related("line").first()
    if response.status_code != 200 or call is None:
        raise ValidationError(_("The phone webhook refused the simulated call (HTTP %(status)s).")
                              % {"status": response.status_code})
    return call, player


# --- what the provider does next --------------------------------------------------------------------

def _verbs(document: str) -> list[ElementTree.Element]:
    try:
        return list(ElementTree.fromstring(document))
    except ElementTree.ParseError:
        return []


def _still(player: Provider, step: int, status: str) -> Call | None:
    """The call, when it is still where the simulation left it (nobody took it over meanwhile)."""
    call = Call.objects.filter(sid=player.sid).select_related("line").first()
    if call is None or call.status != status or current_step(call) != step:
        return None
    return call


def _hang_up(player: Provider, call: Call) -> None:
    seconds = max(1, round((timezone.now() - call.offered_at).total_seconds()))
    player.post(reverse("telephony:status"), player.params(CallStatus="completed", CallDuration=str(seconds)))


def _press(player: Provider, call: Call, gather: ElementTree.Element) -> None:
    keys = sorted((call.line.flow or {}).get("menu", {})) if call.line else []
    player.pause(DIGIT_SECONDS)
    if _still(player, current_step(call), call.status) is None:
        return
    digits = player.rng.choice(keys) if keys else ""
    player.post(gather.get("action"), player.params(CallStatus="in-progress", Digits=digits))


def _ring(player: Provider, call: Call, dial: ElementTree.Element) -> None:
    """A rung phone is answered (its status callback says so) or the Dial times out (no-answer)."""
    phones = [noun for noun in dial if noun.get("statusCallback")]
    if phones and player.rng.random() < ANSWER_SHARE:
        player.pause(ANSWER_SECONDS)
        if _still(player, current_step(call), call.status) is None:
            return
        phone = player.rng.choice(phones)
        player.post(phone.get("statusCallback"), player.params(
            CallSid="CA" + secrets.token_hex(16), ParentCallSid=player.sid, CallStatus="in-progress",
            Direction="outbound-dial"))
        return
    player.pause(float(dial.get("timeout") or 20))
    if _still(player, current_step(call), call.status) is None:
        return
    player.post(dial.get("action"), player.params(CallStatus="in-progress", DialCallStatus="no-answer"))


def _leave_voicemail(player: Provider, call: Call, record: ElementTree.Element) -> None:
    player.pause(VOICEMAIL_SECONDS)
    if _still(player, current_step(call), call.status) is None:
        return
    recording = "RE" + secrets.token_hex(16)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{player.account_sid}/Recordings/{recording}"
    report = player.params(CallStatus="in-progress", RecordingUrl=url, RecordingSid=recording,
                           RecordingDuration=str(VOICEMAIL_SECONDS))
    player.post(record.get("action"), report)


def _step(player: Provider, call: Call) -> bool:
    """Play the call's current TwiML up to its first verb that waits for something. False: the caller hangs
    up now."""
    if call.status == Call.Status.CONNECTED:  # answered (by the ring group or the receptionist): they talk
        player.pause(TALK_SECONDS)
        return False
    for verb in _verbs(current_twiml(call)):
        if verb.tag == "Pause":
            player.pause(float(verb.get("length") or 1))
        elif verb.tag == "Gather":
            _press(player, call, verb)
            return True
        elif verb.tag == "Dial":
            _ring(player, call, verb)
            return True
        elif verb.tag == "Record":
            _leave_voicemail(player, call, verb)
            return True
        elif verb.tag == "Redirect":
            if _still(player, current_step(call), call.status) is not None:
                player.post(verb.text.strip(), player.params(CallStatus="in-progress"))
            return True
        elif verb.tag == "Hangup":
            break
    return False


def play(player: Provider) -> None:
    """The rest of the call, step by step, until the caller hangs up; then the status callback that ends
    every call (the provider sends it whatever happened before)."""
    for _step_number in range(MAX_STEPS):
        call = Call.objects.filter(sid=player.sid).select_related("line").first()
        if call is None:
            return
        if call.status == Call.Status.ENDED or not _step(player, call):
            break
    call = Call.objects.filter(sid=player.sid).first()
    if call is not None and call.duration_seconds is None:
        _hang_up(player, call)


def _play_and_close(player: Provider) -> None:
    try:
        play(player)
    finally:
        connections.close_all()  # this thread's own database connections


def play_later(player: Provider) -> None:
    """Play the call in a background thread (the request that offered it has answered already)."""
    threading.Thread(target=_play_and_close, args=(player,), name=f"simulated-call-{player.sid[-6:]}",
                     daemon=True).start()


# --- the demo provider's REST API -------------------------------------------------------------------

class DemoProviderHttp(HttpClient):
    """The provider's REST API for the demo account, without a network: redirecting a call of the demo's
    account (a transfer from the switchboard) is accepted as the provider accepts it, and the simulator
    plays the TwiML it was given. Requests for any other account go to the real provider."""

    def __init__(self, real: HttpClient):
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False, timeout=real.timeout)
        self.real = real

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        if f"/Accounts/{DEMO_ACCOUNT_SID}/" not in uri:
            return self.real.request(method, uri, params=params, data=data, headers=headers, auth=auth,
                                     timeout=timeout, allow_redirects=allow_redirects)
        sid = uri.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
        answer = {"sid": sid, "account_sid": DEMO_ACCOUNT_SID, "status": "in-progress"}
        return Response(200, json.dumps(answer))


def install_demo_provider() -> None:
    """A demo installation (``settings.DEMO``) answers the demo account's REST calls in process."""
    from frontoffice.calls.telephony import client

    current = client.http_client()
    if not isinstance(current, DemoProviderHttp):
        client._shared = DemoProviderHttp(current)
