"""Issue 5's "done when", through the real webhook path with real signatures: a call walks from the menu to a
ring group nobody answers, to voicemail, a message and the end; another is answered, transferred twice
from the switchboard (the provider's REST call faked) and the misroute is recorded."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from frontoffice.calls.models import Call, Message
from frontoffice.calls.services.switchboard import call_transfer
from frontoffice.calls.telephony import client as telephony
from frontoffice.core.models import Activity
from tests.calls.factories import RingGroupFactory, RingMemberFactory
from tests.calls.test_services_provider import FakeProviderHttp
from tests.calls.test_webhooks import (  # noqa: F401 (fixtures)
    CALLER,
    appointments,
    desk,
    desk_member,
    dialled,
    line,
    moment,
    nurse,
    phone,
    provider,
    site,
    twiml,
    url_of,
    verbs,
)
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.reception.factories import eager_tasks  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("eager_tasks")


def kinds(call: Call) -> list[str]:
    return [leg["kind"] for leg in call.legs]


def test_a_call_through_the_menu_to_voicemail_ends_as_a_message_for_the_department(phone, appointments, owner,
                                                                                moment, mailoutbox):
    client = make_client(owner, phones=[CALLER])
    appointments.email = "appointments@alpha.example"
    appointments.save()

    greeting = twiml(phone.ring(sid="CA100"))  # incoming
    assert verbs(greeting) == ["Say", "Gather", "Redirect"]
    moment.shift(timedelta(seconds=6))
    ringing = twiml(phone.post(url_of(greeting, "Gather"), {"CallSid": "CA100", "Digits": "1"}))  # menu digit
    assert len(dialled(ringing)) == 2
    moment.shift(timedelta(seconds=15))
    voicemail = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA100", "DialCallStatus": "no-answer"}))
    assert verbs(voicemail) == ["Say", "Record", "Redirect"]  # the ring group's overflow: voicemail
    moment.shift(timedelta(seconds=30))
    recording_url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE100"
    goodbye = twiml(phone.post(url_of(voicemail, "Record"), {"CallSid": "CA100", "RecordingUrl": recording_url,
                                                             "RecordingDuration": "24"}))
    assert verbs(goodbye) == ["Say", "Hangup"]
    response = phone.post("status", {"CallSid": "CA100", "CallStatus": "completed", "CallDuration": "52"})
    assert response.status_code == 200

    call = Call.objects.get(sid="CA100")
    assert (call.status, call.outcome, call.department, call.menu_choice, call.client) == (
        "ended", "voicemail", appointments, "1", client)
    assert (call.duration_seconds, call.answered_at, call.wait_seconds) == (52, None, None)
    assert kinds(call) == ["offered", "menu", "voicemail", "voicemail", "ended"]
    assert call.legs[2]["department"] == appointments.pk and call.legs[2]["after"] == "no-answer"
    message = Message.objects.get()
    assert (message.kind, message.for_department, message.call, message.client, message.recording_url) == (
        "voicemail", appointments, call, client, recording_url)
    assert message.caller_number == CALLER and message.notified_at is not None
    assert mailoutbox and mailoutbox[0].to == ["appointments@alpha.example"]
    verbs_logged = list(Activity.objects.filter(client_id=client.pk, subject_type="calls.call")
                        .order_by("id").values_list("verb", flat=True))
    assert verbs_logged == ["call.offered", "call.voicemail", "call.ended"]
    assert not Message.objects.filter(kind="callback").exists()


@pytest.fixture
def billing(org, site, make_member):
    department = DepartmentFactory(organization=org, site=site, name="Billing")
    group = RingGroupFactory(department=department, overflow="voicemail")
    RingMemberFactory(ring_group=group, member=make_member(org, phone="+48221110003"), target="")
    return department


def test_an_answered_call_transferred_twice_records_the_misroute(phone, line, desk_member, appointments, nurse,
                                                                billing, receptionist, monkeypatch, moment):
    fake = FakeProviderHttp()
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    line.flow = {}  # no menu: the desk
    line.save()

    ringing = twiml(phone.ring(sid="CA200"))
    assert dialled(ringing) == [desk_member.phone]
    moment.shift(timedelta(seconds=5))
    phone.post(ringing.find(".//Number").get("statusCallback"),
               {"CallSid": "CA201", "ParentCallSid": "CA200", "CallStatus": "in-progress"})
    call = Call.objects.get(sid="CA200")
    assert (call.status, call.answered_by, call.wait_seconds) == ("connected", desk_member, 5)

    # The receptionist sends it to Appointments: the provider is told to ring them.
    call_transfer(actor=receptionist, call=call, department=appointments)
    first = twiml_of(fake.requests[-1])
    assert dialled(first) == [nurse.phone, "sip:desk2@pbx.example.com"]
    assert parse_qs(urlsplit(url_of(first, "Dial")).query)["transfer"] == [f"d{appointments.pk}"]
    # The nurse answers the transferred call (the answered leg of the transfer's Dial).
    phone.post(first.find(".//Number").get("statusCallback"),
               {"CallSid": "CA202", "ParentCallSid": "CA200", "CallStatus": "in-progress"})
    call.refresh_from_db()
    assert (call.status, call.department, call.outcome) == ("connected", appointments, "transferred")
    assert call.answered_by == desk_member and call.wait_seconds == 5  # the first answer counts for the wait
    assert call.legs[-1]["member"] == nurse.pk and not call.misrouted

    # It was not theirs: sent on again, to Billing — the receptionist's misroute.
    call_transfer(actor=nurse, call=call, department=billing)
    second = twiml_of(fake.requests[-1])
    assert parse_qs(urlsplit(url_of(second, "Dial")).query)["transfer"] == [f"d{billing.pk}"]
    call.refresh_from_db()
    assert call.misrouted and call.transfers == 2
    misroute = Activity.objects.get(verb="call.misrouted")
    assert misroute.actor == receptionist
    assert misroute.data == {"transferred_by": nurse.pk, "from_department": appointments.pk,
                             "to_department": billing.pk}

    # A replay of the first transfer's dial result changes nothing; Billing's nobody-answers overflows.
    twiml(phone.post(url_of(first, "Dial"), {"CallSid": "CA200", "DialCallStatus": "completed"}))
    voicemail = twiml(phone.post(url_of(second, "Dial"), {"CallSid": "CA200", "DialCallStatus": "no-answer"}))
    assert verbs(voicemail) == ["Say", "Record", "Redirect"]
    phone.post("status", {"CallSid": "CA200", "CallStatus": "completed", "CallDuration": "180"})
    call.refresh_from_db()
    assert (call.status, call.duration_seconds, call.department) == ("ended", 180, billing)
    assert [leg["kind"] for leg in call.legs if leg["kind"] in ("answered", "transfer")] == [
        "answered", "transfer", "answered", "transfer"]
    assert Activity.objects.filter(verb="call.transferred").count() == 2
    assert len(fake.requests) == 2


def twiml_of(request: dict) -> ET.Element:
    """The TwiML a REST redirect sent to the provider."""
    return ET.fromstring(request["data"]["Twiml"])
