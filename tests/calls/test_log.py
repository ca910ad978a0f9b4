"""The call log: ``queries.log.calls_of`` and ``messages_for``, the log page, a call's detail and the export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from frontoffice.calls.models import Call, Message
from frontoffice.calls.queries.log import calls_of, leg_timeline, messages_for
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.calls.factories import CallFactory, LineFactory, MessageFactory, RingGroupFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory

UTC = dt_timezone.utc


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def line(site):
    return LineFactory(site=site, label="Main number")


@pytest.fixture
def cardiology(org, site):
    return DepartmentFactory(organization=org, site=site, name="Cardiology")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- calls_of ----------------------------------------------------------------------------------

def test_calls_of_filters_by_local_days_line_department_outcome_and_client(org, site, line, cardiology, owner):
    client = make_client(owner)
    other_line = LineFactory(site=site)
    # 22:30 UTC on 1 July is 00:30 on 2 July in Warsaw
    late = CallFactory(line=line, offered_at=at(2030, 7, 1, 22, 30), department=cardiology, outcome="answered")
    early = CallFactory(line=other_line, offered_at=at(2030, 7, 1, 21, 30), outcome="abandoned", client=client)
    assert list(calls_of(org)) == [late, early]
    assert list(calls_of(org, from_=date(2030, 7, 2))) == [late]
    assert list(calls_of(org, to=date(2030, 7, 1))) == [early]
    assert list(calls_of(org, from_=at(2030, 7, 1, 21, 30), to=at(2030, 7, 1, 22, 30))) == [early]
    assert list(calls_of(org, line=line)) == [late]
    assert list(calls_of(org, line=other_line.pk)) == [early]
    assert list(calls_of(org, department=cardiology)) == [late]
    assert list(calls_of(org, outcome="abandoned")) == [early]
    assert list(calls_of(org, client=client)) == [early]


def test_calls_of_searches_numbers_in_any_form_and_names(org, line, owner):
    client = make_client(owner, first_name="Zofia", last_name="Wiśniewska")
    by_number = CallFactory(line=line, from_number="+48601100200")
    by_name = CallFactory(line=line, from_number="", from_raw="anonymous", caller_name="Piotr Nowak")
    by_client = CallFactory(line=line, from_number="+48601300400", client=client)
    assert list(calls_of(org, q="601 100 200")) == [by_number]
    assert list(calls_of(org, q="+48 601-100-200")) == [by_number]
    assert list(calls_of(org, q="1002")) == [by_number]  # any part of the number
    assert list(calls_of(org, q="nowak")) == [by_name]
    assert list(calls_of(org, q="wiśniewska")) == [by_client]
    assert list(calls_of(org, q="anonymous")) == []  # a name search; "anonymous" is nobody's name


def test_calls_of_never_shows_another_organisations_calls(org, other_org, line):
    theirs = CallFactory(line=LineFactory(site=other_org.sites.get()))
    CallFactory(line=line)
    assert theirs not in calls_of(org)
    assert not calls_of(org, line=theirs.line_id).exists()
    assert list(calls_of(other_org)) == [theirs]


# --- messages_for ------------------------------------------------------------------------------

def test_messages_for_a_member_their_departments_and_the_desk(org, site, make_member, cardiology):
    clerk = make_member(org, caps.CLERK)
    receptionist = make_member(org, caps.RECEPTIONIST)
    cardiology.members.add(clerk)
    desk = DepartmentFactory(organization=org, site=site, name="Reception")
    RingGroupFactory(department=desk, is_desk=True)
    mine = MessageFactory(for_member=clerk)
    team = MessageFactory(for_member=None, for_department=cardiology, organization=org, urgency="urgent")
    at_desk = MessageFactory(for_member=None, for_department=desk, organization=org, kind="callback")
    MessageFactory(for_member=receptionist)
    done = MessageFactory(for_member=clerk, done_at=at(2030, 1, 1, 10, 0))
    assert list(messages_for(clerk)) == [team, mine]  # urgent first
    assert list(messages_for(clerk, open=False)) == [done]
    assert set(messages_for(receptionist)) == {at_desk, Message.objects.get(for_member=receptionist)}


# --- the pages ---------------------------------------------------------------------------------

def test_the_log_lists_filters_and_pages(org, line, signed_in, receptionist, cardiology):
    for minute in range(55):
        CallFactory(line=line, offered_at=at(2030, 7, 1, 8, minute), outcome="answered", department=cardiology)
    CallFactory(line=line, offered_at=at(2030, 7, 2, 8, 0), outcome="abandoned", from_number="+48601555666")
    browser = signed_in(receptionist)
    page = browser.get(reverse("calls:call_log"))
    assert page.status_code == 200
    assert page.content.decode().count('class="call-row"') == 50
    assert "cursor=" in page.content.decode()
    page = browser.get(reverse("calls:call_log"), {"outcome": "abandoned"})
    body = page.content.decode()
    assert body.count('class="call-row"') == 1 and "+48 601 555 666" in body
    page = browser.get(reverse("calls:call_log"), {"from": "2030-07-01", "to": "2030-07-01", "department": cardiology.pk})
    assert page.content.decode().count('class="call-row"') == 50


def test_the_next_page_of_the_log_comes_as_rows_for_htmx(org, line, signed_in, receptionist):
    for minute in range(51):
        CallFactory(line=line, offered_at=at(2030, 7, 1, 8, minute))
    browser = signed_in(receptionist)
    first = browser.get(reverse("calls:call_log"))
    cursor = first.context["page"].next_cursor
    rest = browser.get(reverse("calls:call_log"), {"cursor": cursor}, headers={"HX-Request": "true"})
    assert rest.status_code == 200 and "<html" not in rest.content.decode()
    assert rest.content.decode().count('class="call-row"') == 1


@pytest.mark.parametrize("query", [{"from": "yesterday"}, {"from": "2030-07-02", "to": "2030-07-01"},
                                   {"line": "999999"}, {"outcome": "exploded"}, {"client": "abc"}])
def test_bad_filters_are_a_400_with_the_form(signed_in, receptionist, query):
    page = signed_in(receptionist).get(reverse("calls:call_log"), query)
    assert page.status_code == 400 and page.context["form"].errors


def test_a_filter_naming_another_organisations_rows_is_refused(signed_in, receptionist, other_org, other_owner):
    theirs = LineFactory(site=other_org.sites.get())
    page = signed_in(receptionist).get(reverse("calls:call_log"), {"line": theirs.pk})
    assert page.status_code == 400
    client = make_client(other_owner)
    page = signed_in(receptionist).get(reverse("calls:call_log"), {"client": client.pk})
    assert page.status_code == 400


def test_the_log_page_costs_a_fixed_number_of_queries(org, line, signed_in, receptionist, owner, cardiology):
    browser = signed_in(receptionist)
    CallFactory(line=line)
    browser.get(reverse("calls:call_log"))
    with CaptureQueriesContext(connection) as few:
        browser.get(reverse("calls:call_log"))
    for _n in range(10):
        CallFactory(line=line, client=make_client(owner), department=cardiology, answered_by=owner)
    with CaptureQueriesContext(connection) as many:
        browser.get(reverse("calls:call_log"))
    assert len(many) == len(few)


def test_call_detail_shows_the_legs_as_a_timeline(org, line, signed_in, receptionist, cardiology, owner):
    call = CallFactory(line=line, status="ended", outcome="transferred", misrouted=True, transfers=2,
                       department=cardiology, answered_by=owner, wait_seconds=12, duration_seconds=95, legs=[
                           {"at": "2030-07-01T08:00:00+00:00", "kind": "offered", "line": line.pk},
                           {"at": "2030-07-01T08:00:05+00:00", "kind": "menu", "digit": "2", "department": cardiology.pk,
                            "routed": "ring", "strategy": "parallel", "reason": "menu", "members": [owner.pk, None]},
                           {"at": "2030-07-01T08:00:12+00:00", "kind": "answered", "member": owner.pk},
                           {"at": "2030-07-01T08:01:00+00:00", "kind": "transfer", "to_department": 999999,
                            "by": receptionist.pk},
                           {"kind": "ended"}])
    entries = leg_timeline(call)
    assert [e.kind for e in entries] == ["offered", "menu", "answered", "transfer", "ended"]
    assert ("line", "Main number") in entries[0].details
    assert ("pressed", "2") in entries[1].details and ("department", "Cardiology") in entries[1].details
    assert ("then", "rang") in entries[1].details and ("ringing", "ring everyone at once") in entries[1].details
    assert ("people", owner.user.full_name) in entries[1].details and ("why", "menu choice") in entries[1].details
    assert ("person", owner.user.full_name) in entries[2].details
    assert ("to", "a removed department") in entries[3].details
    page = signed_in(receptionist).get(reverse("calls:call_detail", args=[call.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Cardiology" in body and owner.user.full_name in body and "1:35" in body and "Misrouted" in body


def test_call_detail_of_another_organisation_is_404(signed_in, receptionist, other_org):
    theirs = CallFactory(line=LineFactory(site=other_org.sites.get()))
    assert signed_in(receptionist).get(reverse("calls:call_detail", args=[theirs.pk])).status_code == 404


# --- the export --------------------------------------------------------------------------------

@pytest.fixture
def exported_calls(line, cardiology, owner):
    client = make_client(owner, first_name="Zofia", last_name="Wiśniewska")
    CallFactory(line=line, offered_at=at(2030, 7, 1, 8, 0), outcome="answered", client=client, department=cardiology,
                wait_seconds=7, answered_by=owner)
    CallFactory(line=line, offered_at=at(2030, 7, 1, 9, 0), outcome="abandoned", from_number="",
                from_raw="anonymous", caller_name="=HYPERLINK(\"http://evil\")")
    CallFactory(line=LineFactory(site=line.site), offered_at=at(2030, 7, 2, 9, 0))


def test_the_export_as_csv_holds_the_filtered_calls_safely(signed_in, manager, exported_calls):
    response = signed_in(manager).get(reverse("calls:call_log_export"),
                                      {"format": "csv", "to": "2030-07-01"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="calls-alpha-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["ID", "Offered at", "Line"] and len(rows) == 3
    newest, oldest = rows[1], rows[2]
    assert oldest[1] == "2030-07-01 10:00:00"  # Warsaw time
    assert newest[4] == "'=HYPERLINK(\"http://evil\")" and newest[3] == "anonymous"  # no formula
    assert oldest[4] == "Zofia Wiśniewska" and oldest[6] == "Cardiology" and oldest[13] == "7"
    activity = Activity.objects.get(verb="call.log_exported")
    assert activity.actor == manager and activity.data == {"format": "csv", "count": 2, "filtered": True}


def test_the_export_as_xlsx(signed_in, manager, exported_calls):
    response = signed_in(manager).get(reverse("calls:call_log_export"), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.title == "Calls"
    rows = list(sheet.values)
    assert len(rows) == 4 and rows[0][0] == "ID"
    assert rows[3][1] == datetime(2030, 7, 1, 10, 0)


def test_the_export_refuses_an_unknown_format_or_bad_filters(signed_in, manager):
    browser = signed_in(manager)
    assert browser.get(reverse("calls:call_log_export"), {"format": "pdf"}).status_code == 400
    assert browser.get(reverse("calls:call_log_export"), {"from": "nope"}).status_code == 400
    assert not Activity.objects.filter(verb="call.log_exported").exists()


def test_the_log_offers_the_export_only_to_who_may(signed_in, receptionist, manager):
    assert reverse("calls:call_log_export") not in signed_in(receptionist).get(reverse("calls:call_log")).content.decode()
    assert reverse("calls:call_log_export") in signed_in(manager).get(reverse("calls:call_log")).content.decode()


def test_a_call_shows_on_the_clients_timeline(signed_in, owner, line):
    from frontoffice.calls.services.messages import message_take

    client = make_client(owner)
    call = CallFactory(line=line, client=client, outcome="answered", offered_at=datetime.now(UTC) - timedelta(minutes=1))
    message_take(actor=owner, for_member=owner, text="Call back", call=call)
    page = signed_in(owner).get(reverse("clients:detail", args=[client.pk]))
    assert "took a message" in page.content.decode().lower() or "Took a message" in page.content.decode()
    assert Call.objects.get(pk=call.pk).outcome == "message"


def test_a_calls_timeline_entry_links_to_the_call(signed_in, owner, receptionist, line):
    from frontoffice.calls.services.switchboard import call_link_client

    client = make_client(owner)
    call = CallFactory(line=line, offered_at=datetime.now(UTC) - timedelta(minutes=1))
    call_link_client(actor=receptionist, call=call, client=client)
    html = signed_in(owner).get(reverse("clients:timeline", args=[client.pk])).content.decode()
    assert f'href="{reverse("calls:call_detail", args=[call.pk])}"' in html
