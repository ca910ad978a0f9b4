"""The phone settings pages: lines, the call flow editor, ring groups and the telephony provider.

Bad input is refused on its field with what was typed kept, and changes nothing; rows of another organisation
cannot be chosen. (Who may open which page, and other organisations' ids in URLs: the access table.)
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frontoffice.calls.models import Line, RingGroup, TelephonyProvider
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.calls.factories import (
    AUTH_TOKEN,
    CallFactory,
    LineFactory,
    ProviderFactory,
    RingGroupFactory,
    RingMemberFactory,
)
from tests.core.factories import DepartmentFactory

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def web(manager, signed_in):
    return signed_in(manager)


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def desk(org, site):
    return RingGroupFactory(department=DepartmentFactory(organization=org, site=site, name="Reception"),
                            is_desk=True)


@pytest.fixture
def sales(org, site):
    return RingGroupFactory(department=DepartmentFactory(organization=org, site=site, name="Sales"))


# --- lines ---------------------------------------------------------------------------------------

def test_lines_list_shows_each_lines_flow_and_only_this_organisations(web, site, desk, sales, other_org):
    LineFactory(site=site, label="Main", number="+48221234567", flow={
        "greeting_text": "Welcome to Alpha", "menu": {"1": sales.department_id, "2": 999999}})
    LineFactory(site=site, label="Sales direct", department=sales.department,
                flow={"department_id": sales.department_id})
    LineFactory(site=site, label="Old fax", active=False)
    LineFactory(site=other_org.sites.get(), label="Beta main")
    html = page(web.get(reverse("calls:lines")))
    assert "Main" in html and "+48221234567" in html and "Welcome to Alpha" in html
    assert "<strong>1</strong> Sales" in html and "a removed department" in html
    assert "direct line of Sales" in html and "Rings: Sales" in html
    assert "switched off" in html and "Beta main" not in html
    assert "No telephony provider is connected" in html and "front desk yet" not in html


def test_lines_list_says_what_is_missing_and_keeps_its_queries_few(web, org, site,
                                                                   django_assert_max_num_queries):
    for n in range(5):
        LineFactory(site=site, department=DepartmentFactory(organization=org, site=site))
    with django_assert_max_num_queries(10):
        html = page(web.get(reverse("calls:lines")))
    assert "No department is the front desk yet" in html and reverse("calls:ring_groups") in html
    assert "Connect a provider" not in html  # a manager cannot: the owner connects it


def test_add_a_line_then_set_its_flow(web, manager, org, site):
    response = web.post(reverse("calls:line_new"), {"number": "22 123 45 67", "label": "Main number",
                                                     "site": site.pk})
    line = Line.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == reverse("calls:line_flow", args=[line.pk])
    assert line.number == "+48221234567"
    assert line.flow["greeting_text"] == "Thank you for calling Alpha Clinic."
    assert Activity.objects.filter(verb="line.created", actor=manager).exists()


@pytest.mark.parametrize("fields, name, message", [
    ({"number": "12"}, "number", "is not a valid phone number"),
    ({"number": "+48221234567"}, "number", "This number is already in use."),
    ({"label": ""}, "label", "This field is required."),
    ({"site": "999999"}, "site", "Select a valid choice."),
])
def test_bad_line_input_is_refused_on_its_field_keeping_what_was_typed(web, org, site, other_org, fields,
                                                                       name, message):
    LineFactory(site=other_org.sites.get(), number="+48221234567")
    typed = {"number": "22 765 43 21", "label": "Kept label", "site": site.pk} | fields
    response = web.post(reverse("calls:line_new"), typed)
    assert response.status_code == 400
    html = page(response)
    assert message in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert 'value="Kept label"' in html or name == "label"
    assert not Line.objects.filter(organization=org).exists()


def test_another_organisations_site_or_department_cannot_be_chosen(web, org, other_org):
    foreign = DepartmentFactory(organization=other_org)
    typed = {"number": "221234567", "label": "X", "department": foreign.pk, "site": other_org.sites.get().pk}
    response = web.post(reverse("calls:line_new"), typed)
    assert response.status_code == 400 and page(response).count("Select a valid choice.") == 2
    assert not Line.objects.exists()


def test_edit_a_line_and_switch_it_off(web, site):
    line = LineFactory(site=site, label="Main", number="+48221234567")
    html = page(web.get(reverse("calls:line_edit", args=[line.pk])))
    assert 'value="+48221234567"' in html and 'value="Main"' in html
    response = web.post(reverse("calls:line_edit", args=[line.pk]), {
        "number": "+48 22 123 45 67", "label": "Main number", "site": site.pk, "position": "3"})
    assert response.status_code == 302 and response["Location"] == reverse("calls:lines")
    line.refresh_from_db()
    assert (line.label, line.position, line.active) == ("Main number", 3, False)


def test_remove_deletes_a_line_without_calls_and_switches_off_one_with_calls(web, site):
    unused, used = LineFactory(site=site), LineFactory(site=site, label="Used")
    CallFactory(line=used)
    web.post(reverse("calls:line_remove", args=[unused.pk]))
    response = web.post(reverse("calls:line_remove", args=[used.pk]), follow=True)
    assert not Line.objects.filter(pk=unused.pk).exists()
    used.refresh_from_db()
    assert not used.active and "its calls stay in the call log" in page(response)


# --- the call flow editor ------------------------------------------------------------------------

def _flow_post(**fields) -> dict:
    return {"greeting_text": "Welcome to Alpha Clinic.", "menu_prompt": "", "department_id": "desk",
            "after_hours_text": "", "after_hours_voicemail": "voicemail", "voicemail_text": "",
            "queue_max_seconds": "300"} | fields


def test_the_flow_editor_offers_departments_with_a_ring_group(web, org, site, desk, sales):
    DepartmentFactory(organization=org, site=site, name="Billing")  # no ring group: not a choice
    line = LineFactory(site=site, flow={"greeting_text": "Hi", "menu": {"1": sales.department_id},
                                        "menu_prompt": "Press 1 for sales", "after_hours_voicemail": False})
    html = page(web.get(reverse("calls:line_flow", args=[line.pk])))
    assert "Press 1 for sales" in html and "Billing" not in html
    key_one = html.split('name="key_1"', 1)[1].split("</select>")[0]
    assert f'value="{sales.department_id}" selected' in key_one
    assert re.search(r'value="hangup"[^>]* checked', html)
    assert not re.search(r'value="voicemail"[^>]* checked', html)


def test_saving_a_menu(web, manager, site, desk, sales):
    line = LineFactory(site=site)
    response = web.post(reverse("calls:line_flow", args=[line.pk]), _flow_post(
        menu_prompt="For sales press 1, for the desk press 0.", key_1=str(sales.department_id),
        key_0=str(desk.department_id), after_hours_voicemail="hangup", queue_max_seconds="120"))
    assert response.status_code == 302 and response["Location"] == reverse("calls:lines")
    line.refresh_from_db()
    assert line.flow["menu"] == {"0": desk.department_id, "1": sales.department_id}
    assert line.flow["after_hours_voicemail"] is False and line.flow["queue_max_seconds"] == 120
    assert line.flow["department_id"] is None
    assert Activity.objects.filter(verb="flow.saved", actor=manager).exists()


@pytest.mark.parametrize("fields, name, message", [
    ({"key_1": "SALES", "menu_prompt": ""}, "menu_prompt", "Tell callers which key does what."),
    ({"queue_max_seconds": "5"}, "queue_max_seconds", "greater than or equal to 30"),
    ({"department_id": "999999"}, "department_id", "Select a valid choice."),
    ({"greeting_text": "x" * 1001}, "greeting_text", "Keep it under 1000 characters."),
])
def test_bad_flow_input_is_refused_on_its_field(web, site, sales, fields, name, message):
    fields = {k: (str(sales.department_id) if v == "SALES" else v) for k, v in fields.items()}
    line = LineFactory(site=site, flow={"greeting_text": "Unchanged"})
    response = web.post(reverse("calls:line_flow", args=[line.pk]), _flow_post(**fields))
    assert response.status_code == 400
    html = page(response)
    assert message in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    line.refresh_from_db()
    assert line.flow == {"greeting_text": "Unchanged"}


def test_a_menu_key_for_a_department_of_another_organisation_is_refused(web, site, other_org):
    foreign = RingGroupFactory(department=DepartmentFactory(organization=other_org))
    line = LineFactory(site=site)
    response = web.post(reverse("calls:line_flow", args=[line.pk]), _flow_post(
        key_1=str(foreign.department_id), menu_prompt="Press 1"))
    assert response.status_code == 400 and "Select a valid choice." in page(response)


def test_uploading_and_removing_a_greeting_recording(web, site):
    line = LineFactory(site=site)
    upload = SimpleUploadedFile("greeting.mp3", MP3, content_type="audio/mpeg")
    response = web.post(reverse("calls:line_flow", args=[line.pk]), _flow_post(greeting_recording=upload))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.greeting_recording and line.flow["greeting_url"].endswith("/")
    html = page(web.get(reverse("calls:line_flow", args=[line.pk])))
    assert "<audio" in html and 'name="remove_recording"' in html
    assert "Greeting: a recording" in page(web.get(reverse("calls:lines")))
    web.post(reverse("calls:line_flow", args=[line.pk]), _flow_post(remove_recording="on"))
    line.refresh_from_db()
    assert not line.greeting_recording and line.flow["greeting_url"] == ""


def test_a_file_that_is_not_a_recording_is_refused_and_asked_for_again(web, site):
    line = LineFactory(site=site)
    upload = SimpleUploadedFile("greeting.mp3", b"MZ\x90\x00 not audio", content_type="audio/mpeg")
    response = web.post(reverse("calls:line_flow", args=[line.pk]), _flow_post(
        greeting_recording=upload, greeting_text="Typed and kept"))
    assert response.status_code == 400
    html = page(response)
    assert "That file is not an MP3 or WAV recording." in html and "Choose the recording again" in html
    assert "Typed and kept" in html
    line.refresh_from_db()
    assert not line.greeting_recording


# --- ring groups ---------------------------------------------------------------------------------

def test_ring_groups_list_every_department_with_its_group(web, org, site, desk,
                                                          django_assert_max_num_queries):
    RingMemberFactory(ring_group=desk, target="+48601100200")
    DepartmentFactory(organization=org, site=site, name="Billing")
    for n in range(4):
        group = RingGroupFactory(department=DepartmentFactory(organization=org, site=site))
        RingMemberFactory(ring_group=group)
    with django_assert_max_num_queries(10):
        html = page(web.get(reverse("calls:ring_groups")))
    assert "front desk" in html and "+48601100200" in html
    billing = html.split("Billing", 1)[1].split("</tr>")[0]
    assert "Set up" in billing and "go to the front desk" in billing


def _group_post(rows=(), **fields) -> dict:
    data = {"strategy": "serial", "ring_seconds": "20", "overflow": "voicemail", "overflow_department": "",
            "targets-TOTAL_FORMS": str(len(rows)), "targets-INITIAL_FORMS": "0", "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "20"}
    for index, row in enumerate(rows):
        data |= {f"targets-{index}-{key}": value for key, value in row.items()}
    return data | fields


def test_set_up_a_ring_group_with_phones_hours_and_the_desk(web, org, site, desk, make_member):
    anna = make_member(org, caps.RECEPTIONIST, phone="601 100 200")
    department = DepartmentFactory(organization=org, site=site, name="Lab")
    response = web.post(reverse("calls:ring_group_edit", args=[department.pk]), _group_post(
        [{"member": anna.pk, "target": "", "ring_seconds": "10"},
         {"member": "", "target": "sip:lab@pbx.example.com", "ring_seconds": "15"},
         {"member": "", "target": "", "ring_seconds": "15"},  # an empty row: left out
         {"member": "", "target": "33", "ring_seconds": "15", "DELETE": "on"}],  # removed
        is_desk="on", own_hours="on", hours_mon="08:00-12:00, 13:00-16:00", hours_tue="9:00-10:00"))
    assert response.status_code == 302 and response["Location"] == reverse("calls:ring_groups")
    group = RingGroup.objects.get(department=department)
    assert list(group.targets.values_list("member_id", "target", "ring_seconds")) == [
        (anna.pk, "", 10), (None, "sip:lab@pbx.example.com", 15)]
    assert group.is_desk and group.strategy == "serial"
    assert group.opening_hours["mon"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert group.opening_hours["tue"] == [["09:00", "10:00"]]
    desk.refresh_from_db()
    assert not desk.is_desk
    html = page(web.get(reverse("calls:ring_group_edit", args=[department.pk])))
    assert 'value="sip:lab@pbx.example.com"' in html and 'value="08:00-12:00, 13:00-16:00"' in html


def test_a_bad_phone_is_named_by_its_row_and_nothing_is_saved(web, org, site):
    department = DepartmentFactory(organization=org, site=site)
    response = web.post(reverse("calls:ring_group_edit", args=[department.pk]), _group_post(
        [{"member": "", "target": "601100200", "ring_seconds": "15"},
         {"member": "", "target": "call Anna", "ring_seconds": "15"}]))
    assert response.status_code == 400
    html = page(response)
    assert "Phone 2: “call Anna” is not a phone number" in html and 'value="call Anna"' in html
    assert not RingGroup.objects.exists()


@pytest.mark.parametrize("fields, name, message", [
    ({"overflow": "department"}, "overflow_department", "Choose the department that takes the call next."),
    ({"ring_seconds": "1"}, "ring_seconds", "greater than or equal to 5"),
    ({"own_hours": "on", "hours_mon": "8-"}, "hours_mon", "Write times as HH:MM"),
    ({"own_hours": "on", "hours_mon": "08:00"}, "hours_mon", "Write a range as 08:00-16:00."),
])
def test_bad_ring_group_input_is_refused_on_its_field(web, org, site, fields, name, message):
    department = DepartmentFactory(organization=org, site=site)
    response = web.post(reverse("calls:ring_group_edit", args=[department.pk]), _group_post(**fields))
    assert response.status_code == 400
    html = page(response)
    if name == "hours_mon" and message.startswith("Write times"):
        assert message in html  # the service's refusal of the hours, shown at the hours
    else:
        assert message in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert not RingGroup.objects.exists()


def test_an_overflow_loop_is_refused_at_the_overflow(web, org, site, sales):
    support = RingGroupFactory(department=DepartmentFactory(organization=org, site=site, name="Support"),
                               overflow="department", overflow_department=sales.department)
    response = web.post(reverse("calls:ring_group_edit", args=[sales.department_id]), _group_post(
        overflow="department", overflow_department=str(support.department_id)))
    assert response.status_code == 400 and "round in a circle" in page(response)
    sales.refresh_from_db()
    assert sales.overflow == "voicemail"


def test_overflow_to_another_organisations_department_cannot_be_chosen(web, org, site, other_org):
    department = DepartmentFactory(organization=org, site=site)
    foreign = RingGroupFactory(department=DepartmentFactory(organization=other_org))
    response = web.post(reverse("calls:ring_group_edit", args=[department.pk]), _group_post(
        overflow="department", overflow_department=str(foreign.department_id)))
    assert response.status_code == 400 and "Select a valid choice." in page(response)


# --- the provider --------------------------------------------------------------------------------

@pytest.fixture
def owner_web(owner, signed_in):
    return signed_in(owner)


def test_provider_page_shows_the_webhook_urls_with_copy_buttons(owner_web, settings):
    settings.PUBLIC_URL = "https://office.example.com"
    html = page(owner_web.get(reverse("calls:provider")))
    assert 'value="https://office.example.com/telephony/twilio/voice"' in html
    assert 'value="https://office.example.com/telephony/twilio/status"' in html
    assert html.count("data-copy-from=") == 2 and "calls/copy.js" in html
    assert "cannot reach" not in html


def test_provider_page_warns_when_the_public_url_is_this_computer(owner_web, settings):
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    assert "FRONTOFFICE_PUBLIC_URL" in page(owner_web.get(reverse("calls:provider")))


def test_connect_a_provider_and_the_token_is_never_shown_back(owner_web, owner, org):
    response = owner_web.post(reverse("calls:provider"), {"kind": "twilio", "account_sid": "AC" + "a1" * 16,
                                                          "auth_token": AUTH_TOKEN})
    assert response.status_code == 302
    provider = TelephonyProvider.objects.get(organization=org)
    assert provider.auth_token == AUTH_TOKEN
    html = page(owner_web.get(reverse("calls:provider")))
    assert AUTH_TOKEN not in html and "…9012" in html and "Connected to Twilio" in html
    assert "No telephony provider" not in page(owner_web.get(reverse("calls:lines")))


def test_an_empty_token_keeps_the_saved_one(owner_web, org):
    ProviderFactory(organization=org)
    response = owner_web.post(reverse("calls:provider"), {
        "kind": "signalwire", "account_sid": "project-1", "auth_token": "",
        "space_url": "alpha.signalwire.com"})
    assert response.status_code == 302
    provider = TelephonyProvider.objects.get(organization=org)
    assert (provider.kind, provider.space_url, provider.auth_token) == ("signalwire", "alpha.signalwire.com",
                                                                        AUTH_TOKEN)


@pytest.mark.parametrize("fields, name", [
    ({"account_sid": "AC123"}, "account_sid"),
    ({"auth_token": ""}, "auth_token"),
    ({"kind": "signalwire", "space_url": "not a host"}, "space_url"),
])
def test_bad_provider_input_is_refused_on_its_field(owner_web, org, fields, name):
    typed = {"kind": "twilio", "account_sid": "AC" + "0" * 32, "auth_token": "secret-token"} | fields
    response = owner_web.post(reverse("calls:provider"), typed)
    assert response.status_code == 400
    html = page(response)
    assert 'class="error"' in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert "secret-token" not in html  # a typed token is not sent back either
    assert not TelephonyProvider.objects.exists()


def test_a_manager_sees_no_provider_tab(web):
    html = page(web.get(reverse("calls:lines")))
    assert reverse("calls:provider") not in html
    assert web.get(reverse("calls:provider")).status_code == 403


def test_the_busy_forms_keep_their_queries_few(web, org, site, desk, sales, make_member,
                                               django_assert_max_num_queries):
    for n in range(6):
        RingMemberFactory(ring_group=sales, member=make_member(org, caps.RECEPTIONIST, phone=f"60110020{n}"),
                          target="")
    line = LineFactory(site=site)
    with django_assert_max_num_queries(12):
        assert web.get(reverse("calls:ring_group_edit", args=[sales.department_id])).status_code == 200
    with django_assert_max_num_queries(10):
        assert web.get(reverse("calls:line_flow", args=[line.pk])).status_code == 200
