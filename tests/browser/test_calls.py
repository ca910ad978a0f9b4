"""The switchboard in a real Chromium: a call posted to the real webhook with a real signature shows on the
open switchboard with its screen pop within a second, and the receptionist transfers it by keyboard (the
provider's REST API faked); an office without a provider logs a call by keyboard in manual mode."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from frontoffice.calls.models import Call
from frontoffice.calls.telephony import client as telephony
from frontoffice.calls.telephony import signatures
from frontoffice.core import capabilities as caps
from tests.browser import harness
from tests.calls.factories import AUTH_TOKEN, LineFactory, ProviderFactory, RingGroupFactory, RingMemberFactory
from tests.calls.test_services_provider import FakeProviderHttp
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory

MAIN_NUMBER = "+48225550100"
CALLER = "+48601100200"
POPPED = """name => [...document.querySelectorAll("#sb-live [data-call]")].some(row => row.textContent.includes(name))
    && (document.querySelector("#sb-pop #pop-title") || {}).textContent === name"""
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def office(org, make_member):
    site = org.sites.get()
    site.opening_hours = ALWAYS_OPEN
    site.save()
    desk = make_member(org, caps.RECEPTIONIST, user__full_name="Zofia Wójcik")
    reception = DepartmentFactory(organization=org, name="Reception")
    sales = DepartmentFactory(organization=org, name="Sales")
    RingMemberFactory(ring_group=RingGroupFactory(department=reception, is_desk=True), target="+48225550111")
    RingMemberFactory(ring_group=RingGroupFactory(department=sales), target="+48225550122")
    client = make_client(desk, first_name="Anna", last_name="Dzwoniąca", phones=[CALLER],
                         notes="Prefers mornings.")
    return desk, sales, client


def _ring(live_server, sid: str, caller: str = CALLER) -> None:
    """The provider tells us about a new call: a form POST signed with the organisation's auth token."""
    path = reverse("telephony:voice")
    params = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": caller, "To": MAIN_NUMBER,
              "CallStatus": "ringing", "Direction": "inbound"}
    request = urllib.request.Request(
        live_server.url + path, data=urllib.parse.urlencode(params).encode(), method="POST",
        headers={"X-Twilio-Signature": signatures.sign(live_server.url + path, params, AUTH_TOKEN)})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own test server)
        assert response.status == 200 and b"<Dial" in response.read()


def test_a_call_from_the_webhook_pops_up_within_a_second_and_is_transferred(
        page, signed_in_as, live_server, settings, office, monkeypatch):
    desk, sales, client = office
    ProviderFactory(organization=desk.organization)
    LineFactory(site=desk.organization.sites.get(), number=MAIN_NUMBER, label="Main number")
    settings.PUBLIC_URL = live_server.url
    provider_api = FakeProviderHttp()
    monkeypatch.setattr(telephony, "http_client", lambda: provider_api)

    signed_in_as(page, desk)
    page.goto(reverse("calls:switchboard"))
    expect(page.get_by_text("No calls right now.")).to_be_visible()
    page.wait_for_timeout(300)  # a poll or two with nothing new (204)

    _ring(live_server, "CA" + "7" * 32)
    rang = time.monotonic()
    # Checked every 50 ms in the page (expect() backs off to 500 ms steps, which would blur the measure).
    page.wait_for_function(POPPED, arg="Anna Dzwoniąca", polling=50, timeout=3000)
    shown = time.monotonic() - rang
    assert shown < 1.0, f"the call reached the screen pop {shown:.2f} s after the webhook"
    expect(page.locator("#sb-pop")).to_contain_text("Prefers mornings.")
    expect(page.locator("#sb-live .sb-call.selected")).to_contain_text("ringing")

    page.keyboard.press("t")  # transfer: type the department's name, Enter
    expect(page.locator("#transfer-to")).to_be_focused()
    page.keyboard.type("Sal")
    expect(page.locator("#transfer-to")).to_have_value(f"d{sales.pk}")
    page.keyboard.press("Enter")
    expect(page.locator("#sb-pop .pop-notice")).to_have_text("Transferred to Sales.")
    expect(page.locator("#sb-live .sb-call.selected")).to_contain_text("Sales")

    # Another caller meanwhile: listed at once, but the pop stays with the call the receptionist is on.
    _ring(live_server, "CA" + "8" * 32, caller="+48601999000")
    expect(page.locator("#sb-live .sb-now")).to_contain_text("+48 601 999 000")
    page.wait_for_timeout(300)
    expect(page.locator("#sb-pop #pop-title")).to_have_text("Anna Dzwoniąca")

    call = Call.objects.get(sid="CA" + "7" * 32)
    assert (call.department, call.transfers, call.routed_by, call.client) == (sales, 1, desk, client)
    [redirect] = provider_api.requests
    assert redirect["url"].endswith(f"/Calls/{call.sid}.json") and "+48225550122" in redirect["data"]["Twiml"]
    assert harness.log_of(page).problems() == []


def test_manual_mode_logs_a_call_by_keyboard(page, signed_in_as, office):
    desk, sales, client = office
    site = desk.organization.sites.get()
    LineFactory(site=site, label="Line 1")
    second = LineFactory(site=site, label="Line 2")
    signed_in_as(page, desk)
    page.goto(reverse("calls:switchboard"))
    expect(page.locator("#sb-live")).to_be_visible()

    started = time.monotonic()
    page.keyboard.press("m")
    expect(page.locator("#manual-number")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the line picker, just before the number
    page.keyboard.type("Line 2")
    page.keyboard.press("Tab")
    page.keyboard.type("601 100 200")
    expect(page.locator("#manual-who")).to_contain_text("Client: Anna Dzwoniąca")
    page.keyboard.press("Tab")  # the department: one key picks it
    page.keyboard.type("s")
    expect(page.locator("#manual-department")).to_have_value(str(sales.pk))
    expect(page.locator("#manual-outcome")).to_have_value("transferred")  # put through: a transfer
    page.keyboard.press("Enter")
    expect(page.locator("#sb-pop .pop-notice")).to_have_text("The call is logged.")
    assert time.monotonic() - started < 10
    expect(page.locator("#manual-dialog")).not_to_be_visible()
    expect(page.locator("#sb-pop #pop-title")).to_have_text("Anna Dzwoniąca")
    expect(page.locator("#sb-live .sb-recent")).to_contain_text("Anna Dzwoniąca")

    call = Call.objects.get()
    assert (call.source, call.line, call.from_number, call.department, call.client, call.outcome) == (
        "manual", second, CALLER, sales, client, "transferred")

    page.keyboard.press("m")  # the next call: the line is remembered, the number is empty and focused
    expect(page.locator("#manual-number")).to_be_focused()
    expect(page.locator("#manual-number")).to_have_value("")
    expect(page.locator("#manual-line")).to_have_value(str(second.pk))
    page.keyboard.press("Escape")
    expect(page.locator("#manual-dialog")).not_to_be_visible()
    assert harness.log_of(page).problems() == []


def test_a_bad_manual_log_keeps_the_dialog_open_with_the_error(page, signed_in_as, office):
    desk, _sales, _client = office
    LineFactory(site=desk.organization.sites.get(), label="Line 1")
    signed_in_as(page, desk)
    page.goto(reverse("calls:switchboard"))
    page.keyboard.press("m")
    page.keyboard.type("601 222 333")
    page.locator("#manual-outcome").select_option("transferred")
    page.locator("#manual-outcome").press("Enter")
    expect(page.locator("#manual-dialog")).to_contain_text("Choose the department the call was put through to.")
    expect(page.locator("#manual-number")).to_have_value("601 222 333")
    assert not Call.objects.exists()
