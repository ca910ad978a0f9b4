"""The provider's REST API: redirecting a live call (a transfer from the switchboard).

Twilio and SignalWire take the same request through ``twilio``'s client; SignalWire's API lives at the
customer's space (``https://<space>/api/laml/2010-04-01/…``), so the client's Api domain is pointed there.
The HTTP layer is ``http_client()``: tests replace it with a fake ``twilio.http.HttpClient`` (no network).
"""

from __future__ import annotations

import requests
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from frontoffice.calls import routing
from frontoffice.calls.models import Call, TelephonyProvider
from frontoffice.calls.services.calls import advance, current_step, line_plan, routing_state
from frontoffice.calls.telephony.twiml import render
from frontoffice.core import phones
from frontoffice.core.models import Department, Member

TIMEOUT_SECONDS = 5  # the receptionist waits for it (and the call's row is locked meanwhile)
TRANSFER_RING_SECONDS = 20  # a person's own phone: how long it rings before the call moves on
_shared: HttpClient | None = None


def http_client() -> HttpClient:
    """One pooled HTTP client per process."""
    global _shared
    if _shared is None:
        _shared = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    return _shared


def rest_client(provider: TelephonyProvider, http: HttpClient | None = None) -> Client:
    client = Client(provider.account_sid, provider.auth_token, http_client=http or http_client())
    if provider.kind == TelephonyProvider.Kind.SIGNALWIRE:
        client.api.base_url = f"https://{provider.space_url}/api/laml"
    return client


def redirect_live_call(call: Call, twiml: str, *, http: HttpClient | None = None) -> None:
    """Make the live call follow ``twiml`` now (a document ``transfer_twiml`` built for the call's next step).

    The call's state moves to that step: reports for the step before are replays from then on. Raises
    ValidationError ("call") when there is no provider, or it refuses or cannot be reached; nothing changes
    then."""
    provider = TelephonyProvider.objects.filter(organization_id=call.organization_id).first()
    if provider is None or not call.sid:
        raise ValidationError({"call": _("This call is not carried by a phone provider; transfer it on the phone.")})
    try:
        rest_client(provider, http).api.v2010.account.calls(call.sid).update(twiml=twiml)
    except TwilioRestException as error:
        raise ValidationError({"call": _("The phone provider refused to transfer the call (%(reason)s).")
                               % {"reason": error.msg or error.status}}) from error
    except (TwilioException, requests.RequestException) as error:
        raise ValidationError({"call": _("The phone provider cannot be reached; try again or transfer the call "
                                         "on the phone.")}) from error
    advance(call, routing_state(call), twiml)
    Call.objects.filter(pk=call.pk).update(state=call.state, updated_at=timezone.now())


def transfer_twiml(call: Call, department: Department | None = None, member: Member | None = None) -> str:
    """TwiML that rings ``department``'s ring group (as its plan rings it) or ``member``'s phone, for the
    call's next step. Its dial result comes back to the dial webhook marked as this transfer, so a transfer
    nobody answers overflows like any ring (serial: the next phone; else the department's overflow)."""
    if (department is None) == (member is None):
        raise ValidationError({"department": _("Choose where the call goes: one department or one person.")})
    if call.line is None:
        raise ValidationError({"call": _("This call's line no longer exists; transfer it on the phone.")})
    plan = line_plan(call.line)
    if department is not None:
        dial, mark = _department_dial(plan, department), f"d{department.pk}"
    else:
        dial, mark = _member_dial(plan, call, member), f"m{member.pk}"
    with translation.override(plan.language):
        hold = routing.Say(text=_("Please hold, we are putting you through."), language=plan.language)
    return render((hold, dial), step=current_step(call) + 1, transfer=mark)


def _department_dial(plan: routing.Plan, department: Department) -> routing.Dial:
    ring = plan.departments.get(department.pk)
    if ring is None or not ring.targets:
        raise ValidationError({"department": _("This department has no phones to ring.")})
    if ring.strategy == "serial":
        return routing.Dial(targets=ring.targets[:1], timeout=ring.targets[0].seconds, department_id=ring.id)
    return routing.Dial(targets=ring.targets, timeout=ring.ring_seconds, department_id=ring.id)


def _member_dial(plan: routing.Plan, call: Call, member: Member) -> routing.Dial:
    address = (member.phone or "").strip()
    if not address:
        raise ValidationError({"member": _("This person has no phone number to ring.")})
    if not address.startswith("sip:"):
        address = phones.try_normalize(address, call.organization.country) or address  # else an extension
    target = routing.Target(address=address, seconds=TRANSFER_RING_SECONDS, member_id=member.pk)
    department_id = next((d.id for d in plan.departments.values() if any(t.member_id == member.pk for t in d.targets)),
                         call.department_id or plan.desk_id or 0)
    return routing.Dial(targets=(target,), timeout=TRANSFER_RING_SECONDS, department_id=department_id)
