"""The messages pages: the list (open, by section; done, paged), taking a message (also from a call), done."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontoffice.calls.models import Call, Message
from frontoffice.core import capabilities as caps
from tests.calls.factories import CallFactory, LineFactory, MessageFactory, RingGroupFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory

UTC = dt_timezone.utc


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.TASKS_EAGER = True


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def cardiology(org, site):
    return DepartmentFactory(organization=org, site=site, name="Cardiology")


@pytest.fixture
def clerk(org, make_member, cardiology):
    member = make_member(org, caps.CLERK)
    cardiology.members.add(member)
    return member


# --- the list ----------------------------------------------------------------------------------

def test_the_list_shows_callbacks_mine_and_my_departments(signed_in, clerk, cardiology, org, make_member):
    callback = MessageFactory(for_member=None, for_department=cardiology, organization=org, kind="callback")
    mine = MessageFactory(for_member=clerk, text="Your car is blocking the gate.", urgency="urgent")
    team = MessageFactory(for_member=None, for_department=cardiology, organization=org, text="Order more gloves.")
    someone_elses = MessageFactory(for_member=make_member(org), text="Private to someone else.")
    page = signed_in(clerk).get(reverse("calls:messages"))
    assert page.status_code == 200
    inbox = page.context["inbox"]
    assert (inbox.callbacks, inbox.mine, inbox.departments) == ([callback], [mine], [team])
    body = page.content.decode()
    assert "Your car is blocking the gate." in body and "Order more gloves." in body
    assert someone_elses.text not in body
    assert f'id="message-{mine.pk}"' in body and "Urgent" in body
    assert "Take a message" not in body  # a clerk does not answer the phones


def test_the_desk_sees_the_desks_messages_and_may_close_any(signed_in, receptionist, org, site):
    desk = DepartmentFactory(organization=org, site=site, name="Reception")
    RingGroupFactory(department=desk, is_desk=True)
    voicemail = MessageFactory(for_member=None, for_department=desk, organization=org, kind="voicemail", text="",
                               recording_url="https://api.twilio.com/rec/RE1", recording_seconds=12)
    page = signed_in(receptionist).get(reverse("calls:messages"))
    assert page.context["inbox"].departments == [voicemail]
    assert page.context["inbox"].departments[0].closable
    assert "https://api.twilio.com/rec/RE1" in page.content.decode()


def test_the_list_costs_a_fixed_number_of_queries(signed_in, clerk, cardiology, org, owner):
    browser = signed_in(clerk)
    MessageFactory(for_member=clerk)
    browser.get(reverse("calls:messages"))
    with CaptureQueriesContext(connection) as few:
        browser.get(reverse("calls:messages"))
    for n in range(8):
        MessageFactory(for_member=None, for_department=cardiology, organization=org, created_by=owner,
                       client=make_client(owner, last_name=f"Client{n}"))
    with CaptureQueriesContext(connection) as many:
        browser.get(reverse("calls:messages"))
    assert len(many) == len(few)


def test_done_messages_are_paged(signed_in, clerk):
    now = timezone.now()
    for n in range(53):
        MessageFactory(for_member=clerk, done_at=now - timedelta(minutes=n), done_by=clerk)
    browser = signed_in(clerk)
    page = browser.get(reverse("calls:messages"), {"state": "done"})
    assert page.status_code == 200 and len(page.context["page"].items) == 50
    more = browser.get(reverse("calls:messages"), {"state": "done", "cursor": page.context["page"].next_cursor},
                       headers={"HX-Request": "true"})
    assert more.content.decode().count('class="message-row"') == 3
    assert browser.get(reverse("calls:messages"), {"state": "done", "cursor": "rubbish"}).status_code == 200


# --- taking a message --------------------------------------------------------------------------

def test_taking_a_message_passes_it_on(signed_in, receptionist, clerk):
    clerk.user.email = "clerk@example.com"
    clerk.user.save()
    response = signed_in(receptionist).post(reverse("calls:message_new"), {
        "recipient": f"m{clerk.pk}", "caller_name": "Anna Nowak", "caller_number": "601 100 200",
        "text": "Please call back about the invoice.", "urgency": "urgent"})
    assert response.status_code == 302 and response["Location"] == reverse("calls:messages")
    message = Message.objects.get()
    assert (message.for_member, message.caller_number, message.urgency) == (clerk, "+48601100200", "urgent")
    assert [m.to for m in mail.outbox] == [["clerk@example.com"]]


def test_a_message_for_a_department(signed_in, receptionist, cardiology):
    signed_in(receptionist).post(reverse("calls:message_new"), {"recipient": f"d{cardiology.pk}", "text": "Hi",
                                                               "urgency": "normal"})
    assert Message.objects.get().for_department == cardiology


@pytest.mark.parametrize("data, field", [
    ({"recipient": "", "text": "Hi"}, "recipient"),
    ({"recipient": "m999999", "text": "Hi"}, "recipient"),
    ({"recipient": "CLERK", "text": ""}, "text"),
    ({"recipient": "CLERK", "text": "Hi", "urgency": "panic"}, "urgency"),
    ({"recipient": "CLERK", "text": "Hi", "caller_number": "9" * 33}, "caller_number"),
    ({"recipient": "CLERK", "text": "Hi", "call": "999999"}, "call"),
])
def test_bad_input_is_a_400_that_keeps_what_was_typed(signed_in, receptionist, clerk, data, field):
    data = {"urgency": "normal", "caller_name": "Zofia Kowalska", **data}
    if data["recipient"] == "CLERK":
        data["recipient"] = f"m{clerk.pk}"
    response = signed_in(receptionist).post(reverse("calls:message_new"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'value="Zofia Kowalska"' in response.content.decode()
    assert not Message.objects.exists()


def test_an_inactive_recipient_is_refused_by_the_service_on_the_form(signed_in, receptionist, clerk):
    clerk.active = False
    clerk.save()
    response = signed_in(receptionist).post(reverse("calls:message_new"), {
        "recipient": f"m{clerk.pk}", "text": "Hi", "urgency": "normal"})
    assert response.status_code == 400 and "recipient" in response.context["form"].errors


def test_someone_of_another_organisation_cannot_be_chosen(signed_in, receptionist, other_owner):
    response = signed_in(receptionist).post(reverse("calls:message_new"), {
        "recipient": f"m{other_owner.pk}", "text": "Hi", "urgency": "normal"})
    assert response.status_code == 400 and not Message.objects.exists()


def test_the_form_is_filled_in_from_a_call(signed_in, receptionist, owner, site, cardiology):
    client = make_client(owner, first_name="Zofia", last_name="Wiśniewska")
    call = CallFactory(line=LineFactory(site=site), client=client, from_number="+48601200300",
                       department=cardiology, status=Call.Status.CONNECTED)
    browser = signed_in(receptionist)
    page = browser.get(reverse("calls:message_new"), {"call": call.pk, "next": "/calls/"})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial == {"call": call.pk, "caller_name": "Zofia Wiśniewska", "caller_number": "+48601200300",
                            "recipient": f"d{cardiology.pk}"}
    response = browser.post(reverse("calls:message_new"), {**form.initial, "text": "Call back", "urgency": "normal",
                                                           "next": "/calls/"})
    assert response.status_code == 302 and response["Location"] == "/calls/"
    message = Message.objects.get()
    assert message.call == call and message.client == client
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.MESSAGE


def test_next_may_not_lead_off_the_site(signed_in, receptionist, clerk):
    response = signed_in(receptionist).post(reverse("calls:message_new"), {
        "recipient": f"m{clerk.pk}", "text": "Hi", "urgency": "normal", "next": "https://evil.example/"})
    assert response["Location"] == reverse("calls:messages")


def test_a_call_of_another_organisation_is_404(signed_in, receptionist, other_org):
    theirs = CallFactory(line=LineFactory(site=other_org.sites.get()))
    page = signed_in(receptionist).get(reverse("calls:message_new"), {"call": theirs.pk})
    assert page.status_code == 404


def test_only_who_answers_the_phones_takes_messages(signed_in, clerk):
    assert signed_in(clerk).get(reverse("calls:message_new")).status_code == 403


# --- done --------------------------------------------------------------------------------------

def test_marking_done(signed_in, clerk):
    message = MessageFactory(for_member=clerk)
    browser = signed_in(clerk)
    response = browser.post(reverse("calls:message_done", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.done_by == clerk
    again = browser.post(reverse("calls:message_done", args=[message.pk]), follow=True)
    assert "dealt with already" in again.content.decode()


def test_a_bystander_may_not_mark_someone_elses_message_done(signed_in, org, make_member, clerk):
    message = MessageFactory(for_member=clerk)
    response = signed_in(make_member(org, caps.AUDITOR)).post(reverse("calls:message_done", args=[message.pk]))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.done_at is None


def test_done_on_another_organisations_message_is_404(signed_in, clerk, other_owner):
    theirs = MessageFactory(for_member=other_owner)
    assert signed_in(clerk).post(reverse("calls:message_done", args=[theirs.pk])).status_code == 404


def test_done_needs_a_post(signed_in, clerk):
    message = MessageFactory(for_member=clerk)
    assert signed_in(clerk).get(reverse("calls:message_done", args=[message.pk])).status_code == 405


def test_the_email_links_to_the_message(settings, signed_in, receptionist, clerk):
    settings.PUBLIC_URL = "https://office.example"
    clerk.user.email = "clerk@example.com"
    clerk.user.save()
    signed_in(receptionist).post(reverse("calls:message_new"), {"recipient": f"m{clerk.pk}", "text": "Hi",
                                                               "urgency": "normal"})
    message = Message.objects.get()
    [sent] = mail.outbox
    assert f"https://office.example/calls/messages/#message-{message.pk}" in sent.body
    [(html, _kind)] = sent.alternatives
    assert f"#message-{message.pk}" in html
    assert datetime.now(UTC) - message.notified_at < timedelta(minutes=1)


# --- the dashboard card ------------------------------------------------------------------------

def test_the_dashboard_card_counts_my_open_messages(signed_in, clerk, cardiology, org, monkeypatch):
    from frontoffice.calls.views.messages import dashboard_panel
    from frontoffice.core.registry import Panel, registry

    monkeypatch.setattr(registry, "panels", [])  # as wiring registers it
    registry.add_panel(Panel("calls_messages", "calls/messages_panel.html", "calls.view", dashboard_panel, order=25))
    MessageFactory(for_member=clerk, urgency="urgent", caller_name="Anna Nowak")
    MessageFactory(for_member=None, for_department=cardiology, organization=org, kind="callback")
    MessageFactory(for_member=clerk, done_at=timezone.now())
    page = signed_in(clerk).get(reverse("core:dashboard"))
    body = page.content.decode()
    assert page.status_code == 200 and "Anna Nowak" in body
    assert "<strong>2</strong> open" in body and "<strong>1</strong> urgent" in body
    assert "<strong>1</strong> callbacks owed" in body
