"""The provider's webhooks with real signatures: the incoming call, the follow-ups our TwiML names, the
status callback — and every way a request is refused (unsigned, tampered, replayed, another organisation's)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from frontoffice.calls.models import Call, Message, TelephonyProvider
from frontoffice.calls.services.calls import current_step
from frontoffice.calls.telephony import signatures
from frontoffice.core.models import Activity
from tests.calls.factories import (
    AUTH_TOKEN,
    LineFactory,
    ProviderFactory,
    RingGroupFactory,
    RingMemberFactory,
)
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.reception.factories import eager_tasks  # noqa: F401 (fixture)
from tests.reception.test_services_arrivals import _needs_real_concurrency, _race

pytestmark = pytest.mark.usefixtures("eager_tasks")

MONDAY_10 = datetime(2030, 3, 25, 9, 0, tzinfo=UTC)  # Monday 10:00 in Warsaw: the site is open 08-16
SUNDAY_10 = datetime(2030, 3, 24, 8, 0, tzinfo=UTC)
MAIN_NUMBER = "+48225550100"
CALLER = "+48601100200"


# --- the provider, as the tests play it ------------------------------------------------------------

class Phone:
    """Posts to the webhooks as the provider does: form fields, signed over the public URL."""

    def __init__(self, client, token: str = AUTH_TOKEN):
        self.client = client
        self.token = token
        self.count = 0

    @staticmethod
    def path(target: str, query: dict | None = None) -> str:
        """A webhook's path and query: from its url name ("voice") or an absolute URL out of our TwiML."""
        if target.startswith(settings.PUBLIC_URL):
            path = target[len(settings.PUBLIC_URL):]
        else:
            path = reverse(f"telephony:{target}")
        return path + ("?" + urlencode(query) if query else "")

    def post(self, target: str, params: dict, *, query: dict | None = None, token: str | None = None,
             signed_params: dict | None = None, signed_url: str | None = None):
        path = self.path(target, query)
        url = signed_url or settings.PUBLIC_URL + path
        signature = signatures.sign(url, signed_params if signed_params is not None else params, token or self.token)
        return self.client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)

    def ring(self, to: str = MAIN_NUMBER, caller: str = CALLER, sid: str | None = None, **kwargs):
        self.count += 1
        params = {"CallSid": sid or f"CA{self.count:032d}", "AccountSid": "AC" + "0" * 32, "From": caller, "To": to,
                  "CallStatus": "ringing", "Direction": "inbound"}
        return self.post("voice", params, **kwargs)


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def verbs(document: ET.Element) -> list[str]:
    return [child.tag for child in document]


def url_of(document: ET.Element, tag: str, attribute: str = "action") -> str:
    element = document.find(f".//{tag}")
    assert element is not None, ET.tostring(document)
    return element.get(attribute) if attribute else element.text


def says(document: ET.Element) -> str:
    return " ".join(element.text or "" for element in document.iter("Say"))


def dialled(document: ET.Element) -> list[str]:
    return [element.text for element in document.iter() if element.tag in ("Number", "Sip")]


def call_of(response_or_sid) -> Call:
    return Call.objects.get(sid=response_or_sid)


# --- the office -------------------------------------------------------------------------------------

@pytest.fixture
def moment(time_machine):
    time_machine.move_to(MONDAY_10, tick=False)
    return time_machine


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org)


@pytest.fixture
def desk_member(org, make_member):
    return make_member(org, phone="+48221110001")


@pytest.fixture
def desk(org, site, desk_member):
    department = DepartmentFactory(organization=org, site=site, name="Reception")
    group = RingGroupFactory(department=department, is_desk=True, overflow="voicemail")
    RingMemberFactory(ring_group=group, member=desk_member, target="")
    return department


@pytest.fixture
def nurse(org, make_member):
    return make_member(org, phone="+48221110002")


@pytest.fixture
def appointments(org, site, nurse):
    department = DepartmentFactory(organization=org, site=site, name="Appointments")
    group = RingGroupFactory(department=department, ring_seconds=15, overflow="voicemail")
    RingMemberFactory(ring_group=group, member=nurse, target="")
    RingMemberFactory(ring_group=group, target="sip:desk2@pbx.example.com")
    return department


@pytest.fixture
def line(site, desk, appointments):
    return LineFactory(site=site, number=MAIN_NUMBER, flow={
        "greeting_text": "Welcome to Alpha Clinic.", "menu_prompt": "For appointments press 1.",
        "menu": {"1": appointments.pk}})


@pytest.fixture
def phone(client, provider, line, moment):
    return Phone(client)


# --- the incoming call ------------------------------------------------------------------------------

def test_incoming_call_greets_and_opens_the_menu(phone, line, owner):
    known = make_client(owner, phones=[CALLER])
    document = twiml(phone.ring(sid="CA1"))
    assert verbs(document) == ["Say", "Gather", "Redirect"]
    assert says(document) == "Welcome to Alpha Clinic. For appointments press 1."
    assert url_of(document, "Gather") == settings.PUBLIC_URL + "/telephony/twilio/menu?s=1"
    gather = document.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("method") == "POST"
    assert document.find("Say").get("language") == "en-US"
    call = call_of("CA1")
    assert (call.status, call.from_number, call.from_raw, call.client_id) == ("in_menu", CALLER, CALLER, known.pk)
    assert (call.organization, call.site, call.line, call.source) == (line.organization, line.site, line, "provider")
    assert call.offered_at == MONDAY_10 and current_step(call) == 1
    assert [leg["kind"] for leg in call.legs] == ["offered"]
    offered = Activity.objects.get(verb="call.offered")
    assert offered.client_id == known.pk and offered.subject_id == str(call.pk) and offered.actor is None
    assert offered.subject_label == ""  # the caller's number stays out of the append-only log


def test_incoming_call_takes_few_queries(phone, django_assert_max_num_queries):
    # line+org+provider+site, two for the plan, the client lookup, the insert, the activity (+ savepoint)
    with django_assert_max_num_queries(8):
        twiml(phone.ring())


def test_incoming_call_for_a_line_without_a_menu_rings_its_department(phone, line, appointments, nurse):
    line.flow = {"greeting_text": "Hello.", "department_id": appointments.pk}
    line.save()
    document = twiml(phone.ring(sid="CA1"))
    assert verbs(document) == ["Say", "Dial"]
    assert dialled(document) == [nurse.phone, "sip:desk2@pbx.example.com"]
    dial = document.find("Dial")
    assert dial.get("action") == settings.PUBLIC_URL + "/telephony/twilio/dial?s=1" and dial.get("timeout") == "15"
    number = document.find(".//Number")
    assert number.get("statusCallback") == (settings.PUBLIC_URL + "/telephony/twilio/status?s=1&leg=answered&m="
                                            + str(nurse.pk))
    assert number.get("statusCallbackEvent") == "answered"
    call = call_of("CA1")
    assert (call.status, call.department) == ("ringing", appointments)


def test_withheld_caller_is_routed_with_no_number(phone):
    document = twiml(phone.ring(caller="anonymous", sid="CA1"))
    assert "Gather" in verbs(document)
    call = call_of("CA1")
    assert (call.from_number, call.from_raw, call.client) == ("", "anonymous", None)


def test_an_unreadable_flow_at_run_time_rings_the_desk(phone, line, desk_member):
    line.flow = {"menu": "garbage", "department_id": "nowhere", "greeting_text": 7, "queue_max_seconds": "x"}
    line.save()
    document = twiml(phone.ring(sid="CA1"))
    assert verbs(document) == ["Dial"] and dialled(document) == [desk_member.phone]


def test_a_deleted_department_in_the_flow_rings_the_desk(phone, line, appointments, desk, desk_member):
    line.flow = {"department_id": appointments.pk}
    line.save()
    appointments.active = False
    appointments.save()
    document = twiml(phone.ring(sid="CA1"))
    assert dialled(document) == [desk_member.phone]
    assert call_of("CA1").department == desk


def test_after_hours_the_caller_hears_the_message_and_may_leave_a_voicemail(phone, line, moment):
    moment.move_to(SUNDAY_10, tick=False)
    line.flow = {**line.flow, "after_hours_text": "In an emergency call 112."}
    line.save()
    document = twiml(phone.ring(sid="CA1"))
    assert verbs(document) == ["Say", "Say", "Record", "Redirect"]
    assert says(document).startswith("In an emergency call 112.")
    record = document.find("Record")
    assert record.get("action") == settings.PUBLIC_URL + "/telephony/twilio/recording?s=1"
    assert record.get("playBeep") == "true"


def test_polish_office_speaks_polish(phone, org, line):
    org.language = "pl"
    org.save()
    line.flow = {"greeting_text": "Dzień dobry.", "menu": line.flow["menu"]}
    line.save()
    document = twiml(phone.ring())
    say = document.find("Say")
    assert (say.get("language"), say.get("voice")) == ("pl-PL", "Polly.Ewa")
    assert "wciśnij 1" in says(document)


def test_the_provider_asking_twice_about_a_call_gets_the_same_answer(phone):
    first = phone.ring(sid="CA1")
    second = phone.ring(sid="CA1")
    assert second.content == first.content
    assert Call.objects.count() == 1 and Activity.objects.filter(verb="call.offered").count() == 1


def test_incoming_call_without_a_call_sid_or_with_a_monstrous_one_is_bad_input(phone):
    assert phone.post("voice", {"From": CALLER, "To": MAIN_NUMBER}).status_code == 400
    assert phone.ring(sid="CA" + "9" * 100).status_code == 400
    assert not Call.objects.exists()


def test_a_call_sid_of_another_organisation_is_refused(phone, other_org):
    other_line = LineFactory(site=other_org.sites.get())
    ProviderFactory(organization=other_org)
    twiml(phone.ring(to=other_line.number, sid="CA1"))
    assert phone.ring(sid="CA1").status_code == 403
    assert Call.objects.get().organization == other_org


# --- refusals ---------------------------------------------------------------------------------------

def test_unsigned_incoming_call_is_refused(client, phone):
    response = client.post(reverse("telephony:voice"), {"CallSid": "CA1", "From": CALLER, "To": MAIN_NUMBER})
    assert response.status_code == 403 and response.content == b""
    assert not Call.objects.exists() and not Activity.objects.exists()


def test_tampered_incoming_call_is_refused(phone):
    params = {"CallSid": "CA1", "From": CALLER, "To": MAIN_NUMBER}
    response = phone.post("voice", {**params, "From": "+48601999999"}, signed_params=params)
    assert response.status_code == 403 and not Call.objects.exists()


def test_signalwire_names_its_signature_header_its_own_way(phone, client):
    params = {"CallSid": "CA1", "From": CALLER, "To": MAIN_NUMBER}
    url = settings.PUBLIC_URL + reverse("telephony:voice")
    good = signatures.sign(url, params, AUTH_TOKEN)
    assert client.post(reverse("telephony:voice"), params, HTTP_X_SIGNALWIRE_SIGNATURE=good).status_code == 200
    bad = signatures.sign(url, params, "0" * 32)
    assert client.post(reverse("telephony:voice"), {**params, "CallSid": "CA2"},
                       HTTP_X_SIGNALWIRE_SIGNATURE=bad).status_code == 403
    assert Call.objects.count() == 1


def test_a_signalwire_project_with_a_signing_key_signs_with_it_not_with_its_api_token(phone, provider):
    provider.kind, provider.space_url, provider.signing_key = "signalwire", "a.signalwire.com", "PSK" + "k" * 29
    provider.save()
    assert phone.ring(sid="CA1").status_code == 403  # signed with the API token
    assert phone.ring(sid="CA2", token=provider.signing_key).status_code == 200
    assert list(Call.objects.values_list("sid", flat=True)) == ["CA2"]


def test_incoming_call_signed_with_a_wrong_token_is_refused(phone):
    assert phone.ring(token="0" * 32).status_code == 403
    assert not Call.objects.exists()


def test_another_organisations_number_signed_with_this_organisations_token_is_refused(phone, other_org):
    other_line = LineFactory(site=other_org.sites.get())
    ProviderFactory(organization=other_org, auth_token="b" * 32)
    assert phone.ring(to=other_line.number).status_code == 403
    assert not Call.objects.exists()


def test_unknown_number_is_refused_like_a_bad_signature(phone):
    unknown = phone.ring(to="+48225559999")
    unsigned = phone.client.post(reverse("telephony:voice"), {"CallSid": "CA9", "To": MAIN_NUMBER})
    assert unknown.status_code == unsigned.status_code == 403
    assert unknown.content == unsigned.content == b""


def test_a_removed_line_is_refused(phone, line):
    line.active = False
    line.save()
    assert phone.ring().status_code == 403


def test_no_provider_or_an_empty_token_refuses_everything(phone, provider):
    TelephonyProvider.objects.filter(pk=provider.pk).update(auth_token="")
    assert phone.ring().status_code == 403
    assert Phone(phone.client, token="").ring().status_code == 403
    provider.delete()
    assert phone.ring().status_code == 403
    assert not Call.objects.exists()


def test_webhooks_take_post_only(client, phone):
    for name in ("voice", "menu", "dial", "queue", "recording", "status"):
        assert client.get(reverse(f"telephony:{name}")).status_code == 405


def test_the_signature_is_over_the_public_url_behind_a_tls_proxy(phone, settings):
    settings.PUBLIC_URL = "https://calls.example.org"
    params = {"CallSid": "CA1", "From": CALLER, "To": MAIN_NUMBER}
    # What Django sees (http://testserver) is not what the provider called: that signature fails …
    assert phone.post("voice", params, signed_url="http://testserver/telephony/twilio/voice").status_code == 403
    # … the one over the public https URL passes, and the TwiML sends the provider back to it.
    document = twiml(phone.post("voice", params))
    assert url_of(document, "Gather").startswith("https://calls.example.org/telephony/twilio/menu?s=1")


def test_signalwire_signs_the_same_way(phone, provider):
    provider.kind, provider.space_url = TelephonyProvider.Kind.SIGNALWIRE, "alpha.signalwire.com"
    provider.account_sid = "0d3b8a4c-1111-2222-3333-444455556666"
    provider.save()
    assert "Gather" in verbs(twiml(phone.ring(sid="CA1")))


# --- the follow-ups ---------------------------------------------------------------------------------

def test_a_menu_digit_rings_the_department(phone, appointments, nurse):
    menu_url = url_of(twiml(phone.ring(sid="CA1")), "Gather")
    document = twiml(phone.post(menu_url, {"CallSid": "CA1", "Digits": "1"}))
    assert verbs(document) == ["Dial"] and dialled(document) == [nurse.phone, "sip:desk2@pbx.example.com"]
    assert url_of(document, "Dial") == settings.PUBLIC_URL + "/telephony/twilio/dial?s=2"
    call = call_of("CA1")
    assert (call.status, call.department, call.menu_choice, current_step(call)) == ("ringing", appointments, "1", 2)
    assert [leg["kind"] for leg in call.legs] == ["offered", "menu"]
    assert call.legs[1]["digit"] == "1" and call.legs[1]["department"] == appointments.pk


def test_no_key_pressed_repeats_the_menu_once_then_rings_the_desk(phone, desk, desk_member):
    menu_url = url_of(twiml(phone.ring(sid="CA1")), "Gather")
    again = twiml(phone.post(menu_url, {"CallSid": "CA1"}))
    assert "not an option" in says(again) and "Gather" in verbs(again)
    desk_call = twiml(phone.post(url_of(again, "Gather"), {"CallSid": "CA1", "Digits": "7"}))
    assert dialled(desk_call) == [desk_member.phone]
    assert call_of("CA1").department == desk


def test_a_replayed_follow_up_gets_the_current_answer_and_changes_nothing(phone):
    menu_url = url_of(twiml(phone.ring(sid="CA1")), "Gather")
    ringing = phone.post(menu_url, {"CallSid": "CA1", "Digits": "1"})
    before = call_of("CA1")
    replay = phone.post(menu_url, {"CallSid": "CA1", "Digits": "1"})
    other_digit = phone.post(menu_url, {"CallSid": "CA1", "Digits": "2"})
    assert replay.content == other_digit.content == ringing.content
    after = call_of("CA1")
    assert (after.legs, after.state, after.status) == (before.legs, before.state, before.status)


def test_a_step_not_signed_by_the_provider_is_refused(phone):
    menu_url = url_of(twiml(phone.ring(sid="CA1")), "Gather")
    forged = menu_url.replace("s=1", "s=2")
    response = phone.post(forged, {"CallSid": "CA1", "Digits": "1"}, signed_url=menu_url)
    assert response.status_code == 403


def test_a_follow_up_without_a_step_is_answered_with_the_current_step(phone):
    first = phone.ring(sid="CA1")
    response = phone.post("menu", {"CallSid": "CA1", "Digits": "1"})
    assert response.content == first.content and call_of("CA1").status == "in_menu"


def test_a_follow_up_for_an_unknown_call_is_not_found(phone):
    response = phone.post("menu", {"CallSid": "CA404", "Digits": "1"}, query={"s": 1})
    assert response.status_code == 404 and b"<Hangup" in response.content


def test_a_follow_up_signed_by_another_organisation_is_refused(phone, other_org):
    ProviderFactory(organization=other_org, auth_token="b" * 32)
    menu_url = url_of(twiml(phone.ring(sid="CA1")), "Gather")
    assert phone.post(menu_url, {"CallSid": "CA1", "Digits": "1"}, token="b" * 32).status_code == 403
    unsigned = phone.client.post(Phone.path(menu_url), {"CallSid": "CA1", "Digits": "1"})
    assert unsigned.status_code == 403
    assert call_of("CA1").status == "in_menu"


def test_the_answered_leg_connects_the_call_and_names_who_answered(phone, moment, nurse):
    line_ring = twiml(phone.ring(sid="CA1"))
    ringing = twiml(phone.post(url_of(line_ring, "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    moment.shift(timedelta(seconds=12))
    callback = ringing.find(".//Number").get("statusCallback")
    response = phone.post(callback, {"CallSid": "CA2", "ParentCallSid": "CA1", "CallStatus": "in-progress"})
    assert response.status_code == 200 and response.content == b""
    call = call_of("CA1")
    assert (call.status, call.outcome, call.answered_by, call.wait_seconds) == ("connected", "answered", nurse, 12)
    assert call.legs[-1]["kind"] == "answered" and call.legs[-1]["member"] == nurse.pk
    answered = Activity.objects.get(verb="call.answered")
    assert answered.actor == nurse and answered.data["wait_seconds"] == 12
    # After the conversation the Dial's own result is a replay: the call is not rung again.
    after = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "completed"}))
    assert verbs(after) == ["Hangup"] and Activity.objects.filter(verb="call.answered").count() == 1


def test_nobody_answering_overflows_to_voicemail_and_the_recording_becomes_a_message(phone, appointments):
    ringing = twiml(phone.post(url_of(twiml(phone.ring(sid="CA1")), "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    voicemail = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "no-answer"}))
    assert verbs(voicemail) == ["Say", "Record", "Redirect"]
    recording_url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"
    thanks = twiml(phone.post(url_of(voicemail, "Record"), {"CallSid": "CA1", "RecordingUrl": recording_url,
                                                            "RecordingDuration": "17"}))
    assert verbs(thanks) == ["Say", "Hangup"]
    message = Message.objects.get()
    assert (message.kind, message.for_department, message.recording_url, message.recording_seconds) == (
        "voicemail", appointments, recording_url, 17)
    call = call_of("CA1")
    assert (call.status, call.outcome) == ("ended", "voicemail")
    assert Activity.objects.filter(verb="call.voicemail").count() == 1


def test_the_status_callback_before_the_recording_does_not_make_a_voicemail_abandoned(phone):
    ringing = twiml(phone.post(url_of(twiml(phone.ring(sid="CA1")), "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    voicemail = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "no-answer"}))
    phone.post("status", {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "40"})
    assert call_of("CA1").outcome == "" and not Message.objects.filter(kind="callback").exists()
    phone.post(url_of(voicemail, "Record"), {"CallSid": "CA1", "RecordingUrl": "https://x.example/RE1",
                                             "RecordingDuration": "9"})
    call = call_of("CA1")
    assert (call.status, call.outcome, call.duration_seconds) == ("ended", "voicemail", 40)
    assert Message.objects.get().kind == "voicemail"


def test_a_busy_desk_queues_the_caller_then_rings_again(phone, line, desk_member, moment):
    line.flow = {}
    line.save()
    ringing = twiml(phone.ring(sid="CA1"))
    queued = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "busy"}))
    assert verbs(queued) == ["Say", "Pause", "Redirect"]
    assert "You are number 1 in line." in says(queued)
    assert call_of("CA1").status == "queued"
    moment.shift(timedelta(seconds=20))
    again = twiml(phone.post(url_of(queued, "Redirect", None), {"CallSid": "CA1"}))
    assert dialled(again) == [desk_member.phone]


def test_a_caller_queued_too_long_leaves_a_voicemail(phone, line, moment):
    line.flow = {"queue_max_seconds": 60}
    line.save()
    ringing = twiml(phone.ring(sid="CA1"))
    queued = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "busy"}))
    moment.shift(timedelta(seconds=61))
    voicemail = twiml(phone.post(url_of(queued, "Redirect", None), {"CallSid": "CA1"}))
    assert verbs(voicemail) == ["Say", "Record", "Redirect"]


def test_the_second_caller_in_the_queue_hears_number_two(phone, line):
    line.flow = {}
    line.save()
    for sid in ("CA1", "CA2"):
        ringing = twiml(phone.ring(sid=sid))
        queued = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": sid, "DialCallStatus": "busy"}))
    assert "You are number 2 in line." in says(queued)


# --- the end of the call ----------------------------------------------------------------------------

def test_a_caller_hanging_up_in_the_menu_abandoned_the_call_and_is_owed_a_callback(phone, moment, desk):
    twiml(phone.ring(sid="CA1"))
    moment.shift(timedelta(seconds=8))
    response = phone.post("status", {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "8"})
    assert response.status_code == 200 and response.content == b""
    call = call_of("CA1")
    assert (call.status, call.outcome, call.duration_seconds, call.ended_at) == ("ended", "abandoned", 8,
                                                                                 MONDAY_10 + timedelta(seconds=8))
    assert Activity.objects.filter(verb="call.abandoned").count() == 1
    callback = Message.objects.get()
    assert (callback.kind, callback.caller_number, callback.for_department) == ("callback", CALLER, desk)
    # Told again, nothing changes.
    phone.post("status", {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "8"})
    assert Activity.objects.filter(verb__in=("call.abandoned", "call.ended")).count() == 1
    assert Message.objects.count() == 1
    # And a late follow-up for the ended call hangs up rather than ringing anyone.
    late = twiml(phone.post("menu", {"CallSid": "CA1", "Digits": "1"}, query={"s": 1}))
    assert verbs(late) == ["Hangup"]


def test_an_answered_call_ends_with_its_duration(phone, nurse):
    ringing = twiml(phone.post(url_of(twiml(phone.ring(sid="CA1")), "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    phone.post(ringing.find(".//Number").get("statusCallback"),
               {"CallSid": "CA2", "ParentCallSid": "CA1", "CallStatus": "in-progress"})
    phone.post("status", {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "95"})
    call = call_of("CA1")
    assert (call.status, call.outcome, call.duration_seconds) == ("ended", "answered", 95)
    assert Activity.objects.get(verb="call.ended").data == {"outcome": "answered", "duration_seconds": 95}
    assert not Message.objects.exists()


def test_intermediate_statuses_change_nothing(phone):
    twiml(phone.ring(sid="CA1"))
    assert phone.post("status", {"CallSid": "CA1", "CallStatus": "in-progress"}).status_code == 200
    assert call_of("CA1").status == "in_menu"


def test_a_status_for_an_unknown_call_is_accepted_and_changes_nothing(phone):
    response = phone.post("status", {"CallSid": "CA404", "CallStatus": "completed"})
    assert response.status_code == 200 and response.content == b""
    assert not Call.objects.exists() and not Activity.objects.exists()


def test_an_unsigned_status_is_refused(phone):
    twiml(phone.ring(sid="CA1"))
    response = phone.client.post(reverse("telephony:status"), {"CallSid": "CA1", "CallStatus": "completed"})
    assert response.status_code == 403 and call_of("CA1").status == "in_menu"


def test_an_answered_leg_of_a_replaced_step_changes_nothing(phone):
    ringing = twiml(phone.post(url_of(twiml(phone.ring(sid="CA1")), "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "no-answer"}))
    phone.post(ringing.find(".//Number").get("statusCallback"),
               {"CallSid": "CA2", "ParentCallSid": "CA1", "CallStatus": "in-progress"})
    assert call_of("CA1").status != "connected"


# --- at the same moment (PostgreSQL, or an SQLite file) ---------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_same_call_offered_three_times_at_once_is_one_call(provider, line, moment):
    _needs_real_concurrency()
    from django.test import Client

    results, errors = _race([lambda: Phone(Client()).ring(sid="CA1") for _ in range(3)])
    assert errors == [] and [r.status_code for r in results] == [200, 200, 200]
    assert len({r.content for r in results}) == 1
    assert Call.objects.count() == 1 and Activity.objects.filter(verb="call.offered").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_menu_key_reported_three_times_at_once_is_one_step(provider, line, moment):
    _needs_real_concurrency()
    from django.test import Client

    menu_url = url_of(twiml(Phone(Client()).ring(sid="CA1")), "Gather")
    results, errors = _race([lambda: Phone(Client()).post(menu_url, {"CallSid": "CA1", "Digits": "1"})
                             for _ in range(3)])
    assert errors == [] and len({r.content for r in results}) == 1
    call = call_of("CA1")
    assert [leg["kind"] for leg in call.legs] == ["offered", "menu"] and current_step(call) == 2


def test_a_caller_who_records_nothing_is_hung_up_on_and_owed_a_callback(phone):
    ringing = twiml(phone.post(url_of(twiml(phone.ring(sid="CA1")), "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    voicemail = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "no-answer"}))
    silence = voicemail.findall("Redirect")[-1].text  # the provider falls through the silent recording
    assert verbs(twiml(phone.post(silence, {"CallSid": "CA1"}))) == ["Hangup"]
    phone.post("status", {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "30"})
    call = call_of("CA1")
    assert (call.status, call.outcome) == ("ended", "abandoned")
    assert Message.objects.get().kind == "callback"


def test_the_end_reported_before_a_silent_recording_still_finds_the_call_abandoned(phone):
    ringing = twiml(phone.post(url_of(twiml(phone.ring(sid="CA1")), "Gather"), {"CallSid": "CA1", "Digits": "1"}))
    voicemail = twiml(phone.post(url_of(ringing, "Dial"), {"CallSid": "CA1", "DialCallStatus": "no-answer"}))
    phone.post("status", {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "30"})
    assert call_of("CA1").outcome == ""
    phone.post(voicemail.findall("Redirect")[-1].text, {"CallSid": "CA1"})
    assert call_of("CA1").outcome == "abandoned"
    assert Activity.objects.filter(verb="call.abandoned").count() == 1 and Message.objects.get().kind == "callback"


def test_a_person_transferred_to_who_does_not_answer_sends_the_call_to_their_departments_overflow(
        phone, line, nurse, appointments, monkeypatch):
    from frontoffice.calls.telephony import client as telephony
    from tests.calls.test_services_provider import FakeProviderHttp

    fake = FakeProviderHttp()
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    line.flow = {}
    line.save()
    twiml(phone.ring(sid="CA1"))
    call = call_of("CA1")
    telephony.redirect_live_call(call, telephony.transfer_twiml(call, member=nurse))
    sent = ET.fromstring(fake.requests[0]["data"]["Twiml"])
    assert dialled(sent) == [nurse.phone]
    voicemail = twiml(phone.post(url_of(sent, "Dial"), {"CallSid": "CA1", "DialCallStatus": "no-answer"}))
    assert verbs(voicemail) == ["Say", "Record", "Redirect"]
    call = call_of("CA1")
    assert call.department == appointments and call.legs[-1]["department"] == appointments.pk
