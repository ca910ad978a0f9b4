"""Routing decisions as TwiML (twilio's VoiceResponse), and the transfer's TwiML for a live call."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from frontoffice.calls import routing
from frontoffice.calls.models import Call
from frontoffice.calls.services.calls import current_twiml
from frontoffice.calls.telephony import twiml
from frontoffice.calls.telephony.client import transfer_twiml
from tests.calls.factories import CallFactory, LineFactory, RingGroupFactory, RingMemberFactory
from tests.core.factories import DepartmentFactory

BASE = settings.PUBLIC_URL + "/telephony/twilio/"


def parse(document: str) -> ET.Element:
    return ET.fromstring(document)


def test_say_speaks_the_organisations_language_with_a_voice_the_provider_has():
    english = parse(twiml.render([routing.Say(text="Hello.", language="en")], step=1)).find("Say")
    polish = parse(twiml.render([routing.Say(text="Dzień dobry.", language="pl")], step=1)).find("Say")
    assert (english.text, english.get("language"), english.get("voice")) == ("Hello.", "en-US", "Polly.Joanna")
    assert (polish.text, polish.get("language"), polish.get("voice")) == ("Dzień dobry.", "pl-PL", "Polly.Ewa")
    unknown = parse(twiml.render([routing.Say(text="Hallo.", language="de")], step=1)).find("Say")
    assert unknown.get("language") == "en-US"


def test_text_is_escaped_not_markup():
    document = twiml.render([routing.Say(text="Smith & Sons <b>", language="en")], step=1)
    assert parse(document).find("Say").text == "Smith & Sons <b>"


def test_gather_collects_one_digit_and_comes_back_without_one():
    gather = routing.Gather(prompt=(routing.Play(url="https://files.example/greeting.mp3"),
                                    routing.Say(text="Press 1.", language="en")), timeout=6)
    document = parse(twiml.render([gather], step=3))
    assert [child.tag for child in document] == ["Gather", "Redirect"]
    element = document.find("Gather")
    assert element.attrib == {"input": "dtmf", "numDigits": "1", "timeout": "6", "action": BASE + "menu?s=3",
                              "method": "POST", "finishOnKey": ""}
    assert [child.tag for child in element] == ["Play", "Say"]
    assert document.find("Redirect").text == BASE + "menu?s=3"


def test_dial_rings_numbers_and_sip_with_the_answered_callback():
    dial = routing.Dial(targets=(routing.Target(address="+48221110001", seconds=15, member_id=7),
                                 routing.Target(address="sip:desk@pbx.example.com", seconds=15)),
                        timeout=20, department_id=3)
    document = parse(twiml.render([dial], step=2))
    element = document.find("Dial")
    assert (element.get("action"), element.get("timeout"), element.get("method")) == (BASE + "dial?s=2", "20", "POST")
    number, sip = list(element)
    assert (number.tag, number.text, sip.tag, sip.text) == ("Number", "+48221110001", "Sip", "sip:desk@pbx.example.com")
    assert number.get("statusCallback") == BASE + "status?s=2&leg=answered&m=7"
    assert sip.get("statusCallback") == BASE + "status?s=2&leg=answered"
    assert number.get("statusCallbackEvent") == "answered" and number.get("statusCallbackMethod") == "POST"


def test_record_pause_redirect_hangup():
    document = parse(twiml.render([routing.Record(max_seconds=90), routing.Pause(seconds=20), routing.Redirect(),
                                   routing.Hangup()], step=5))
    assert [child.tag for child in document] == ["Record", "Redirect", "Pause", "Redirect", "Hangup"]
    record = document.find("Record")
    assert record.attrib == {"action": BASE + "recording?s=5", "method": "POST", "maxLength": "90", "playBeep": "true"}
    silence, queue = document.findall("Redirect")
    assert silence.text == BASE + "recording?s=5"  # nothing recorded: come back without a recording
    assert document.find("Pause").get("length") == "20"
    assert queue.text == BASE + "queue?s=5"


def test_extra_parameters_ride_on_every_callback():
    dial = routing.Dial(targets=(routing.Target(address="+48221110001", seconds=15),), timeout=20, department_id=3)
    document = parse(twiml.render([dial], step=4, transfer="d3"))
    assert document.find("Dial").get("action") == BASE + "dial?s=4&transfer=d3"
    assert document.find("Dial/Number").get("statusCallback") == BASE + "status?s=4&transfer=d3&leg=answered"


def test_the_urls_follow_the_public_url(settings):
    settings.PUBLIC_URL = "https://calls.example.org"
    assert twiml.url("menu", 2) == "https://calls.example.org/telephony/twilio/menu?s=2"


def test_no_actions_is_an_empty_response():
    assert parse(twiml.render([], step=1)).tag == "Response" and len(parse(twiml.empty())) == 0
    assert [child.tag for child in parse(twiml.hang_up())] == ["Hangup"]


# --- the current step and the transfer ---------------------------------------------------------------

@pytest.fixture
def scene(org, make_member):
    site = org.sites.get()
    desk = DepartmentFactory(organization=org, site=site, name="Reception")
    RingMemberFactory(ring_group=RingGroupFactory(department=desk, is_desk=True), target="+48221110001")
    billing = DepartmentFactory(organization=org, site=site, name="Billing")
    group = RingGroupFactory(department=billing, strategy="serial")
    accountant = make_member(org, phone="600 100 300")
    RingMemberFactory(ring_group=group, member=accountant, target="", ring_seconds=9)
    RingMemberFactory(ring_group=group, target="+48221110009", ring_seconds=9)
    line = LineFactory(site=site)
    call = CallFactory(line=line, status=Call.Status.CONNECTED, state={"_step": 3, "_twiml": "<Response/>"})
    return {"desk": desk, "billing": billing, "accountant": accountant, "call": call, "org": org}


def test_current_twiml_is_the_stored_step_and_an_ended_call_hangs_up(scene):
    call = scene["call"]
    assert current_twiml(call) == "<Response/>"
    call.status = Call.Status.ENDED
    assert [child.tag for child in parse(current_twiml(call))] == ["Hangup"]
    call.state = {}
    call.status = Call.Status.RINGING
    assert [child.tag for child in parse(current_twiml(call))] == ["Hangup"]


def test_transfer_to_a_department_rings_it_as_its_plan_does_for_the_next_step(scene):
    document = parse(transfer_twiml(scene["call"], department=scene["billing"]))
    assert [child.tag for child in document] == ["Say", "Dial"]
    assert "putting you through" in document.find("Say").text
    dial = document.find("Dial")
    billing = scene["billing"].pk
    assert (dial.get("action"), dial.get("timeout")) == (BASE + f"dial?s=4&transfer=d{billing}", "9")
    assert [n.text for n in dial] == ["+48600100300"]  # serial: the first phone; the member's own, in E.164
    assert dial.find("Number").get("statusCallback") == (
        BASE + f"status?s=4&transfer=d{billing}&leg=answered&m={scene['accountant'].pk}")


def test_transfer_to_a_person_rings_their_phone(scene, org, make_member):
    person = make_member(org, phone="sip:anna@pbx.example.com")
    dial = parse(transfer_twiml(scene["call"], member=person)).find("Dial")
    assert [n.tag for n in dial] == ["Sip"] and dial.find("Sip").text == "sip:anna@pbx.example.com"
    assert dial.get("action") == BASE + f"dial?s=4&transfer=m{person.pk}"


def test_transfer_in_polish_says_so_in_polish(scene, org):
    org.language = "pl"
    org.save()
    call = Call.objects.select_related("line__organization", "organization").get(pk=scene["call"].pk)
    say = parse(transfer_twiml(call, department=scene["desk"])).find("Say")
    assert say.get("language") == "pl-PL"


def test_transfer_needs_exactly_one_target_and_something_to_ring(scene, org, make_member):
    call = scene["call"]
    with pytest.raises(ValidationError) as both:
        transfer_twiml(call, department=scene["desk"], member=scene["accountant"])
    assert "department" in both.value.message_dict
    with pytest.raises(ValidationError):
        transfer_twiml(call)
    without_group = DepartmentFactory(organization=org, site=org.sites.get())
    with pytest.raises(ValidationError) as empty:
        transfer_twiml(call, department=without_group)
    assert "department" in empty.value.message_dict
    with pytest.raises(ValidationError) as no_phone:
        transfer_twiml(call, member=make_member(org, phone=""))
    assert "member" in no_phone.value.message_dict
