"""The calls API (/api/v1/calls, /messages, /lines, /telephony/provider): the JSON contract, filters and
pages, calls logged by hand and transfers, messages, lines and flows, the provider, bad input, tenancy and
capabilities (the access table walks every route too: tests/calls/access_api_rows.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontoffice.calls.models import Call, Line, Message, TelephonyProvider
from frontoffice.calls.telephony import client as telephony
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.calls.factories import (
    AUTH_TOKEN,
    CallFactory,
    LineFactory,
    MessageFactory,
    ProviderFactory,
    RingGroupFactory,
    RingMemberFactory,
)
from tests.calls.test_services_provider import FakeProviderHttp
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory, SiteFactory

CALLS = "/api/v1/calls"
MESSAGES = "/api/v1/messages"
LINES = "/api/v1/lines"
PROVIDER = "/api/v1/telephony/provider"
CALL_CONTRACT = {"id", "status", "outcome", "source", "line_id", "line", "site_id", "caller", "department_id",
                 "department", "menu_choice", "answered_by", "transfers", "misrouted", "offered_at",
                 "answered_at", "ended_at", "wait_seconds", "duration_seconds", "handled_at", "handled_by",
                 "notes"}
MESSAGE_CONTRACT = {"id", "kind", "recipient", "caller_name", "caller_number", "text", "urgency", "call_id",
                    "client_id", "recording_url", "recording_seconds", "created_by", "created_at",
                    "notified_at", "done_at", "done_by"}
FLOW_FIELDS = {"greeting_text", "greeting_url", "menu_prompt", "menu", "department_id", "after_hours_text",
               "after_hours_voicemail", "queue_max_seconds", "voicemail_text"}
SID = "AC" + "0123456789abcdef" * 2


def send(http, method: str, url: str, body=None):
    """A JSON request; without a body, an empty one (as curl -X POST sends)."""
    return http.generic(method, url, "" if body is None else json.dumps(body),
                        content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def desk(receptionist, api_as):
    return api_as(receptionist)


@pytest.fixture
def line(site):
    return LineFactory(site=site, label="Main number", number="+48225550100")


@pytest.fixture
def lab(org, site):
    department = DepartmentFactory(organization=org, site=site, name="Laboratory")
    RingMemberFactory(ring_group=RingGroupFactory(department=department))
    return department


@pytest.fixture
def front(org, site):
    """The desk's department."""
    department = DepartmentFactory(organization=org, site=site, name="Front desk")
    RingMemberFactory(ring_group=RingGroupFactory(department=department, is_desk=True))
    return department


def at(org, *args) -> datetime:
    return datetime(*args, tzinfo=org.tz)


# --- the call log --------------------------------------------------------------------------------

def test_a_call_has_exactly_the_contract_fields(desk, org, line, lab, receptionist, owner):
    client = make_client(owner, first_name="Żaneta", last_name="Żółw")
    offered = timezone.now() - timedelta(minutes=5)
    call = CallFactory(line=line, client=client, department=lab, status=Call.Status.ENDED,
                       outcome=Call.Outcome.ANSWERED, answered_by=receptionist, offered_at=offered,
                       answered_at=offered + timedelta(seconds=12), ended_at=offered + timedelta(minutes=2),
                       wait_seconds=12, duration_seconds=108, from_raw="+48601000001",
                       from_number="+48601000001",
                       menu_choice="1", notes="Asked about results")
    response = desk.get(CALLS)
    assert response.status_code == 200, response.content
    [body] = response.json()["items"]
    assert set(body) == CALL_CONTRACT
    assert body | {"offered_at": None, "answered_at": None, "ended_at": None} == {
        "id": call.pk, "status": "ended", "outcome": "answered", "source": "provider", "line_id": line.pk,
        "line": "Main number", "site_id": line.site_id,
        "caller": {"number": "+48601000001", "raw": "+48601000001", "name": client.display_name,
                   "client_id": client.pk},
        "department_id": lab.pk, "department": "Laboratory", "menu_choice": "1",
        "answered_by": {"member_id": receptionist.pk, "name": receptionist.user.full_name},
        "transfers": 0, "misrouted": False, "offered_at": None, "answered_at": None, "ended_at": None,
        "wait_seconds": 12, "duration_seconds": 108, "handled_at": None, "handled_by": None,
        "notes": "Asked about results"}
    assert datetime.fromisoformat(body["offered_at"]) - offered < timedelta(milliseconds=1)
    assert response.json()["next_cursor"] is None


def test_one_call_comes_with_its_legs_as_they_were_recorded(desk, line, lab):
    legs = [{"at": "2031-03-10T08:00:00+00:00", "kind": "offered"},
            {"at": "2031-03-10T08:00:05+00:00", "kind": "menu", "digit": "1", "department": lab.pk},
            {"at": "2031-03-10T08:00:25+00:00", "kind": "ring", "department": lab.pk,
             "targets": ["+48221112233"]}]
    call = CallFactory(line=line, legs=legs, caller_name="Walk-in caller", from_number="",
                       from_raw="anonymous")
    response = desk.get(f"{CALLS}/{call.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == CALL_CONTRACT | {"legs"}
    assert body["legs"] == legs
    assert body["caller"] == {"number": "", "raw": "anonymous", "name": "Walk-in caller", "client_id": None}
    assert body["outcome"] == ""


def test_an_unknown_call_is_404(desk, db):
    response = desk.get(f"{CALLS}/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_the_log_filters_by_local_days_and_moments(desk, org, line):
    # Europe/Warsaw: 23:30 on the 10th is 22:30 UTC; 00:30 on the 11th is 23:30 UTC on the 10th.
    late = CallFactory(line=line, offered_at=at(org, 2031, 3, 10, 23, 30))
    next_day = CallFactory(line=line, offered_at=at(org, 2031, 3, 11, 0, 30))
    early = CallFactory(line=line, offered_at=at(org, 2031, 3, 10, 7, 0))
    on = lambda **params: ids(desk.get(CALLS, params))  # noqa: E731
    assert on(**{"from": "2031-03-10", "to": "2031-03-10"}) == [late.pk, early.pk]  # newest first
    assert on(**{"from": "2031-03-11"}) == [next_day.pk]
    assert on(to="2031-03-10") == [late.pk, early.pk]
    # A moment without an offset is local time; `to` as a moment is excluded.
    assert on(**{"from": "2031-03-10T08:00", "to": "2031-03-11T00:30"}) == [late.pk]
    assert on(**{"from": "2031-03-10T22:00:00+00:00"}) == [next_day.pk, late.pk]
    assert on(**{"to": "2031-03-10T00:00"}) == []  # midnight is a moment, not the whole day


def test_the_log_filters_by_line_department_outcome_and_client(desk, org, site, line, lab, owner):
    other_line = LineFactory(site=site)
    client = make_client(owner, last_name="Nowak")
    answered = CallFactory(line=line, department=lab, outcome=Call.Outcome.ANSWERED, status=Call.Status.ENDED)
    abandoned = CallFactory(line=other_line, outcome=Call.Outcome.ABANDONED, status=Call.Status.ENDED,
                            client=client)
    ringing = CallFactory(line=line)
    on = lambda **params: set(ids(desk.get(CALLS, params)))  # noqa: E731
    assert on() == {answered.pk, abandoned.pk, ringing.pk}
    assert on(line=line.pk) == {answered.pk, ringing.pk}
    assert on(department=lab.pk) == {answered.pk}
    assert on(outcome="abandoned") == {abandoned.pk}
    assert on(client=client.pk) == {abandoned.pk}
    assert on(line=line.pk, outcome="answered") == {answered.pk}


def test_the_log_pages_by_cursor_newest_first_without_repeats_or_gaps(desk, line):
    start = timezone.now() - timedelta(days=1)
    made = [CallFactory(line=line, offered_at=start + timedelta(minutes=n)).pk for n in range(12)]
    made.append(CallFactory(line=line, offered_at=start + timedelta(minutes=5)).pk)  # a tie
    seen, sizes, cursor = [], [], None
    while True:
        body = desk.get(CALLS, {"limit": 5} | ({"cursor": cursor} if cursor else {})).json()
        sizes.append(len(body["items"]))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sizes == [5, 5, 3]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    times = [Call.objects.get(pk=pk).offered_at for pk in seen]
    assert times == sorted(times, reverse=True)


def test_a_page_of_calls_costs_the_same_queries_whatever_its_size(desk, org, site, line, receptionist, owner,
                                                                   make_member):
    def queries_for_a_page():
        desk.get(CALLS)  # the token's last-use stamp is written at most once a minute
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(CALLS).status_code == 200
        return len(captured)

    CallFactory(line=line, answered_by=receptionist)
    few = queries_for_a_page()
    for n in range(8):
        department = DepartmentFactory(organization=org, site=site)
        CallFactory(line=LineFactory(site=site), department=department, answered_by=make_member(org),
                    handled_by=make_member(org), client=make_client(owner, last_name=f"K{n}"))
    assert queries_for_a_page() == few


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2031-02-30"}, "from"), ({"to": "10.03.2031"}, "to"), ({"outcome": "lost"}, "outcome"),
    ({"limit": 500}, "limit"), ({"line": "x"}, "line"), ({"client": 0}, "client"),
])
def test_a_bad_filter_is_422_naming_it(desk, params, field):
    response = desk.get(CALLS, params)
    assert response.status_code == 422, response.content
    assert error_fields(response) == {field}


def test_a_line_department_or_client_of_another_organisation_is_400_naming_it(desk, other_org, other_owner):
    other_site = other_org.sites.get()
    foreign = {"line": LineFactory(site=other_site).pk,
               "department": DepartmentFactory(organization=other_org, site=other_site).pk,
               "client": make_client(other_owner).pk}
    for field, pk in foreign.items():
        response = desk.get(CALLS, {field: pk})
        assert response.status_code == 400, response.content
        assert error_fields(response) == {field}


def test_a_forged_cursor_is_400_naming_the_cursor(desk, line):
    CallFactory(line=line)
    response = desk.get(CALLS, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert error_fields(response) == {"cursor"}


# --- calls logged by hand --------------------------------------------------------------------------

def manual(line, **extra) -> dict:
    return {"line_id": line.pk, "number": "600 100 200", "outcome": "answered"} | extra


def test_a_call_logged_by_hand_is_stored_ended_with_its_legs(desk, org, line, lab, receptionist):
    response = send(desk, "POST", CALLS, manual(line, department_id=lab.pk, caller_name="Jan Kowalski",
                                                notes="Results ready?"))
    assert response.status_code == 201, response.content
    body = response.json()
    call = Call.objects.get()
    assert body["id"] == call.pk
    assert (body["source"], body["status"], body["outcome"]) == ("manual", "ended", "answered")
    assert body["caller"]["number"] == "+48600100200"
    assert (body["line_id"], body["department_id"], body["notes"]) == (line.pk, lab.pk, "Results ready?")
    assert body["legs"] and body["legs"][0]["kind"] == "offered"
    assert Activity.objects.filter(verb="call.logged", actor=receptionist).count() == 1


def test_a_withheld_number_is_kept_as_given(desk, line):
    response = send(desk, "POST", CALLS, manual(line, number="withheld"))
    assert response.status_code == 201, response.content
    assert response.json()["caller"] | {"name": ""} == {"number": "", "raw": "withheld", "name": "",
                                                         "client_id": None}


def test_a_logged_time_without_an_offset_is_local(desk, org, line):
    response = send(desk, "POST", CALLS, manual(line, offered_at="2025-03-10T09:15:00"))
    assert response.status_code == 201, response.content
    assert Call.objects.get().offered_at == at(org, 2025, 3, 10, 9, 15)


def test_a_missed_call_logged_by_hand(desk, line, owner):
    client = make_client(owner, last_name="Nowak")
    response = send(desk, "POST", CALLS, manual(line, outcome="abandoned", answered=False,
                                                client_id=client.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["outcome"], body["answered_at"]) == ("abandoned", None)
    assert body["caller"]["client_id"] == client.pk


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"line_id": None}, 422, "line_id"),
    ({"line_id": "other"}, 400, "line_id"),
    ({"department_id": "other"}, 400, "department_id"),
    ({"client_id": "other"}, 400, "client_id"),
    ({"outcome": "lost"}, 422, "outcome"),
    ({"offered_at": "yesterday"}, 422, "offered_at"),
    ({"notes": "x" * 5001}, 422, "notes"),
    ({"numbr": "600 100 200"}, 422, "numbr"),  # a typo is refused, not lost
], ids=["no-line", "foreign-line", "foreign-department", "foreign-client", "bad-outcome", "bad-time",
        "long-notes", "unknown-field"])
def test_bad_input_on_a_manual_call_is_refused_and_saves_nothing(desk, line, other_org, other_owner, change,
                                                                  status, field):
    other_site = other_org.sites.get()
    others = {"line_id": lambda: LineFactory(site=other_site).pk,
              "department_id": lambda: DepartmentFactory(organization=other_org, site=other_site).pk,
              "client_id": lambda: make_client(other_owner).pk}
    change = {key: others[key]() if value == "other" else value for key, value in change.items()}
    response = send(desk, "POST", CALLS, manual(line) | change)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert field in error_fields(response)
    assert not Call.objects.filter(organization=line.organization).exists()


# --- transfers -------------------------------------------------------------------------------------

@pytest.fixture
def logged(line):
    """A call logged by hand at an office without a provider: a transfer is recorded as done by hand."""
    return CallFactory(line=line, sid=None, source=Call.Source.MANUAL, status=Call.Status.ENDED,
                       outcome=Call.Outcome.ANSWERED)


def test_a_transfer_to_a_department_is_recorded(desk, logged, lab, receptionist):
    response = send(desk, "POST", f"{CALLS}/{logged.pk}/transfer", {"department_id": lab.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["department_id"], body["transfers"], body["misrouted"]) == (lab.pk, 1, False)
    assert body["legs"][-1]["kind"] == "transfer"
    assert Activity.objects.filter(verb="call.transferred", actor=receptionist).count() == 1


def test_a_transfer_to_a_member(desk, logged, org, make_member):
    colleague = make_member(org, caps.EXECUTIVE, phone="+48221112233")
    response = send(desk, "POST", f"{CALLS}/{logged.pk}/transfer", {"member_id": colleague.pk})
    assert response.status_code == 200, response.content
    assert response.json()["transfers"] == 1


def test_a_call_transferred_again_after_the_desk_routed_it_is_a_misroute(desk, logged, lab, front,
                                                                          receptionist):
    send(desk, "POST", f"{CALLS}/{logged.pk}/transfer", {"department_id": lab.pk})
    response = send(desk, "POST", f"{CALLS}/{logged.pk}/transfer", {"department_id": front.pk})
    assert response.status_code == 200, response.content
    assert (response.json()["transfers"], response.json()["misrouted"]) == (2, True)
    assert Activity.objects.get(verb="call.misrouted").actor == receptionist


@pytest.fixture
def live(org, line):
    ProviderFactory(organization=org, account_sid=SID)
    return CallFactory(line=line, sid="CA" + "d4" * 16, status=Call.Status.CONNECTED)


def test_a_live_call_is_transferred_through_the_provider(desk, live, lab, receptionist, monkeypatch):
    fake = FakeProviderHttp()
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    response = send(desk, "POST", f"{CALLS}/{live.pk}/transfer", {"department_id": lab.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["department_id"], body["transfers"]) == ("ringing", lab.pk, 1)
    leg = body["legs"][-1]
    assert (leg["kind"], leg["by"], leg["to_department"]) == ("transfer", receptionist.pk, lab.pk)
    assert leg["by_hand"] is False
    [sent] = fake.requests
    assert sent["url"].endswith(f"/Accounts/{SID}/Calls/{live.sid}.json")
    assert "<Dial" in sent["data"]["Twiml"]


def test_a_transfer_the_provider_refuses_is_400_and_changes_nothing(desk, live, lab, monkeypatch):
    fake = FakeProviderHttp(status=400, body={"code": 21220, "message": "Call is not in-progress",
                                              "status": 400})
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    response = send(desk, "POST", f"{CALLS}/{live.pk}/transfer", {"department_id": lab.pk})
    assert response.status_code == 400, response.content
    assert "not in-progress" in response.json()["errors"][0]["message"]
    live.refresh_from_db()
    assert (live.status, live.transfers, live.department_id) == (Call.Status.CONNECTED, 0, None)
    assert not Activity.objects.filter(verb="call.transferred").exists()


@pytest.mark.parametrize(("body", "status", "field"), [
    ({}, 400, "department_id"),
    ({"department_id": "lab", "member_id": "member"}, 400, "department_id"),
    ({"department_id": "other"}, 400, "department_id"),
    ({"member_id": "other"}, 400, "member_id"),
    ({"department_id": 0}, 422, "department_id"),
    ({"department": 1}, 422, "department"),
], ids=["neither", "both", "foreign-department", "foreign-member", "zero", "unknown-field"])
def test_a_transfer_needs_exactly_one_target_of_the_organisation(desk, logged, lab, receptionist, other_org,
                                                                 make_member, body, status, field):
    other_site = other_org.sites.get()
    values = {"lab": lambda: lab.pk, "member": lambda: receptionist.pk,
              "other": lambda: (DepartmentFactory(organization=other_org, site=other_site).pk
                                if "department_id" in body else make_member(other_org).pk)}
    body = {key: values[value]() if isinstance(value, str) else value for key, value in body.items()}
    response = send(desk, "POST", f"{CALLS}/{logged.pk}/transfer", body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    logged.refresh_from_db()
    assert logged.transfers == 0
    assert not Activity.objects.filter(verb="call.transferred").exists()


# --- messages --------------------------------------------------------------------------------------

@pytest.fixture
def executive(org, make_member):
    return make_member(org, caps.EXECUTIVE)


def test_a_message_has_exactly_the_contract_fields_and_is_listed_for_its_recipient(desk, executive, api_as,
                                                                                   receptionist, owner):
    client = make_client(owner, last_name="Nowak")
    response = send(desk, "POST", MESSAGES, {"for_member_id": executive.pk, "caller_name": "Anna Nowak",
                                             "caller_number": "600 100 200", "text": "Please call back.",
                                             "urgency": "urgent", "client_id": client.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == MESSAGE_CONTRACT
    message = Message.objects.get()
    assert body | {"created_at": None} == {
        "id": message.pk, "kind": "message",
        "recipient": {"member_id": executive.pk, "name": executive.user.full_name, "department_id": None,
                      "department": None},
        "caller_name": "Anna Nowak", "caller_number": "+48600100200", "text": "Please call back.",
        "urgency": "urgent", "call_id": None, "client_id": client.pk, "recording_url": "",
        "recording_seconds": None,
        "created_by": {"member_id": receptionist.pk, "name": receptionist.user.full_name},
        "created_at": None, "notified_at": None, "done_at": None, "done_by": None}
    assert Activity.objects.filter(verb="message.taken").count() == 1
    assert ids(api_as(executive).get(MESSAGES)) == [message.pk]


def test_a_message_taken_on_a_call_takes_the_callers_number(desk, line, lab):
    call = CallFactory(line=line, from_number="+48601000009", status=Call.Status.CONNECTED)
    response = send(desk, "POST", MESSAGES, {"for_department_id": lab.pk, "text": "Results?",
                                             "call_id": call.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["call_id"], body["caller_number"], body["recipient"]["department"]) == (
        call.pk, "+48601000009", "Laboratory")


def test_the_list_shows_ones_own_messages_open_by_default(org, executive, make_member, api_as):
    colleague = make_member(org, caps.EXECUTIVE)
    mine = MessageFactory(for_member=executive)
    done = MessageFactory(for_member=executive, done_at=timezone.now(), done_by=executive)
    MessageFactory(for_member=colleague)
    http = api_as(executive)
    assert ids(http.get(MESSAGES)) == [mine.pk]
    assert ids(http.get(MESSAGES, {"status": "done"})) == [done.pk]
    assert set(ids(http.get(MESSAGES, {"status": "all"}))) == {mine.pk, done.pk}


def test_the_message_list_pages_by_cursor(executive, api_as):
    start = timezone.now() - timedelta(hours=3)
    made = [MessageFactory(for_member=executive, created_at=start + timedelta(minutes=n)).pk
            for n in range(7)]
    http = api_as(executive)
    first = http.get(MESSAGES, {"limit": 4}).json()
    second = http.get(MESSAGES, {"limit": 4, "cursor": first["next_cursor"]}).json()
    assert [m["id"] for m in first["items"] + second["items"]] == made[::-1]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"text": "Call back"}, 400, "for_member_id"),
    ({"for_member_id": "me", "text": ""}, 422, "text"),
    ({"for_member_id": "me", "text": "Call back", "urgency": "asap"}, 422, "urgency"),
    ({"for_member_id": "other", "text": "Call back"}, 400, "for_member_id"),
    ({"for_department_id": "other", "text": "Call back"}, 400, "for_department_id"),
    ({"for_member_id": "me", "text": "Call back", "call_id": "other"}, 400, "call_id"),
    ({"for_member_id": "me", "text": "Call back", "recording_url": "http://x"}, 422, "recording_url"),
], ids=["no-recipient", "no-text", "bad-urgency", "foreign-member", "foreign-department", "foreign-call",
        "read-only-field"])
def test_bad_input_on_a_message_is_refused_and_saves_nothing(desk, receptionist, other_org, make_member, body,
                                                             status, field):
    other_site = other_org.sites.get()
    values = {"me": lambda: receptionist.pk, "other": {
        "for_member_id": lambda: make_member(other_org).pk,
        "for_department_id": lambda: DepartmentFactory(organization=other_org, site=other_site).pk,
        "call_id": lambda: CallFactory(line=LineFactory(site=other_site)).pk}}
    body = {key: (values["me"]() if value == "me" else values["other"][key]() if value == "other" else value)
            for key, value in body.items()}
    response = send(desk, "POST", MESSAGES, body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert not Message.objects.exists()


def test_the_recipient_marks_a_message_done_once(executive, api_as):
    message = MessageFactory(for_member=executive)
    http = api_as(executive)
    response = send(http, "POST", f"{MESSAGES}/{message.pk}/done")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done_by"] == {"member_id": executive.pk, "name": executive.user.full_name}
    assert body["done_at"] is not None
    again = send(http, "POST", f"{MESSAGES}/{message.pk}/done")
    assert again.status_code == 409
    assert Activity.objects.filter(verb="message.done").count() == 1


def test_the_desk_may_close_anyones_message_but_a_colleague_may_not(org, executive, make_member, api_as,
                                                                    receptionist):
    message = MessageFactory(for_member=executive)
    colleague = make_member(org, caps.EXECUTIVE)
    refused = send(api_as(colleague), "POST", f"{MESSAGES}/{message.pk}/done")
    assert refused.status_code == 403
    assert refused.json()["detail"]
    message.refresh_from_db()
    assert message.done_at is None
    assert send(api_as(receptionist), "POST", f"{MESSAGES}/{message.pk}/done").status_code == 200


# --- lines and flows ---------------------------------------------------------------------------------

@pytest.fixture
def boss(owner, api_as):
    return api_as(owner)


def test_a_line_is_added_with_a_default_flow_that_rings_the_desk(boss, org, site, owner):
    response = send(boss, "POST", LINES, {"number": "22 555 01 01", "label": "Main number"})
    assert response.status_code == 201, response.content
    body = response.json()
    line = Line.objects.get()
    assert body == {"id": line.pk, "number": "+48225550101", "label": "Main number", "site_id": site.pk,
                    "department_id": None, "active": True, "position": line.position}
    assert Activity.objects.filter(verb="line.created", actor=owner).count() == 1
    flow = boss.get(f"{LINES}/{line.pk}/flow").json()
    assert set(flow) == FLOW_FIELDS
    assert (flow["menu"], flow["department_id"]) == ({}, None)
    assert org.name in flow["greeting_text"]
    assert ids(boss.get(LINES)) == [line.pk]


def test_a_direct_line_of_a_department(boss, lab, site):
    response = send(boss, "POST", LINES, {"number": "+48225550102", "label": "Laboratory direct",
                                          "site_id": site.pk, "department_id": lab.pk, "position": 3})
    assert response.status_code == 201, response.content
    assert (response.json()["department_id"], response.json()["position"]) == (lab.pk, 3)


def test_a_number_in_use_anywhere_is_refused_without_saying_whose(boss, other_org):
    LineFactory(site=other_org.sites.get(), number="+48225550103")
    response = send(boss, "POST", LINES, {"number": "+48 22 555 01 03", "label": "Main number"})
    assert response.status_code == 400
    assert error_fields(response) == {"number"}
    assert other_org.name not in response.content.decode()


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"number": "12"}, 400, "number"),
    ({"number": ""}, 422, "number"),
    ({"label": ""}, 422, "label"),
    ({"site_id": "other"}, 400, "site_id"),
    ({"department_id": "other"}, 400, "department_id"),
    ({"position": -1}, 422, "position"),
    ({"flow": {}}, 422, "flow"),
], ids=["bad-number", "no-number", "no-label", "foreign-site", "foreign-department", "negative-position",
        "unknown-field"])
def test_bad_input_on_a_line_is_refused_and_saves_nothing(boss, other_org, change, status, field):
    other_site = other_org.sites.get()
    others = {"site_id": other_site.pk,
              "department_id": DepartmentFactory(organization=other_org, site=other_site).pk}
    change = {key: others[key] if value == "other" else value for key, value in change.items()}
    response = send(boss, "POST", LINES, {"number": "+48225550104", "label": "Main number"} | change)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert not Line.objects.exists()


def test_the_site_must_be_named_when_the_organisation_has_several(boss, org):
    SiteFactory(organization=org, name="Annex")
    response = send(boss, "POST", LINES, {"number": "+48225550105", "label": "Main number"})
    assert response.status_code == 400
    assert error_fields(response) == {"site_id"}


def test_put_replaces_the_flow_and_what_is_left_out_takes_its_default(boss, line, lab, owner):
    line.flow = {"greeting_text": "Old", "after_hours_text": "Call 112", "queue_max_seconds": 600}
    line.save()
    flow = {"greeting_text": "Welcome to the clinic", "menu_prompt": "For the laboratory press 1",
            "menu": {"1": lab.pk}, "after_hours_voicemail": False}
    response = send(boss, "PUT", f"{LINES}/{line.pk}/flow", flow)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {"greeting_text": "Welcome to the clinic", "greeting_url": "", "menu_prompt":
                    "For the laboratory press 1", "menu": {"1": lab.pk}, "department_id": None,
                    "after_hours_text": "", "after_hours_voicemail": False, "queue_max_seconds": 300,
                    "voicemail_text": ""}
    assert boss.get(f"{LINES}/{line.pk}/flow").json() == body
    assert Activity.objects.filter(verb="flow.saved", actor=owner).count() == 1


@pytest.mark.parametrize(("flow", "status", "field"), [
    ({"menu": {"12": "lab"}}, 400, "menu"),
    ({"menu": {"1": "nowhere"}}, 400, "menu"),
    ({"department_id": "no-ring-group"}, 400, "department_id"),
    ({"queue_max_seconds": 5}, 400, "queue_max_seconds"),
    ({"menu": {"1": "x"}}, 422, "menu.1"),
    ({"greeting_url": "https://example.org/hello.mp3"}, 422, "greeting_url"),
], ids=["two-digits", "foreign-department", "department-without-ring-group", "short-queue", "not-an-id",
        "recording-url-is-read-only"])
def test_a_bad_flow_is_refused_naming_the_field_and_changes_nothing(boss, line, lab, org, other_org, site,
                                                                    flow, status, field):
    values = {"lab": lab.pk, "nowhere": DepartmentFactory(organization=other_org).pk,
              "no-ring-group": DepartmentFactory(organization=org, site=site).pk}
    flow = {key: ({k: values.get(v, v) for k, v in value.items()} if isinstance(value, dict)
                  else values.get(value, value)) for key, value in flow.items()}
    before = dict(line.flow)
    response = send(boss, "PUT", f"{LINES}/{line.pk}/flow", flow)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    line.refresh_from_db()
    assert line.flow == before
    assert not Activity.objects.filter(verb="flow.saved").exists()


# --- the provider ------------------------------------------------------------------------------------

def test_the_provider_is_set_and_its_token_never_shown_back(org, owner, api_as, settings):
    settings.PUBLIC_URL = "https://office.example.org"
    http = api_as(owner)
    token = "s3cr3t-auth-token-0123456789wxyz"
    response = send(http, "PUT", PROVIDER, {"kind": "twilio", "account_sid": SID, "auth_token": token})
    assert response.status_code == 200, response.content
    assert token not in response.content.decode()
    body = response.json()
    assert body | {"updated_at": None} == {
        "kind": "twilio", "account_sid": SID, "space_url": "", "token_hint": "…wxyz", "signing_key_hint": "",
        "updated_at": None,
        "voice_url": "https://office.example.org/telephony/twilio/voice",
        "status_url": "https://office.example.org/telephony/twilio/status"}
    assert TelephonyProvider.objects.get(organization=org).auth_token == token
    activity = Activity.objects.get(verb="telephony.provider_set")
    assert token not in json.dumps(activity.data)


def test_an_empty_token_keeps_the_stored_one(org, owner, api_as):
    ProviderFactory(organization=org, account_sid=SID)
    response = send(api_as(owner), "PUT", PROVIDER, {"kind": "signalwire", "account_sid": "project-1234",
                                                     "space_url": "example.signalwire.com"})
    assert response.status_code == 200, response.content
    provider = TelephonyProvider.objects.get(organization=org)
    assert (provider.kind, provider.auth_token) == ("signalwire", AUTH_TOKEN)
    assert response.json()["token_hint"] == "…" + AUTH_TOKEN[-4:]


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"account_sid": "AC123"}, 400, "account_sid"),
    ({"account_sid": ""}, 422, "account_sid"),
    ({"kind": "skype"}, 422, "kind"),
    ({"auth_token": ""}, 400, "auth_token"),  # nothing stored yet: a token is needed
    ({"kind": "signalwire", "space_url": "not a host"}, 400, "space_url"),
    ({"token": "x"}, 422, "token"),
], ids=["bad-sid", "no-sid", "bad-kind", "no-token", "bad-space", "unknown-field"])
def test_bad_provider_input_is_refused_and_saves_nothing(org, owner, api_as, change, status, field):
    body = {"kind": "twilio", "account_sid": SID, "auth_token": "s3cr3t-auth-token"} | change
    response = send(api_as(owner), "PUT", PROVIDER, body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert "s3cr3t" not in response.content.decode()
    assert not TelephonyProvider.objects.exists()


# --- capabilities and tenancy (the access table walks every route; these are the cases it cannot) ----

def test_an_auditor_may_read_the_log_but_change_nothing(auditor, api_as, line, logged, lab):
    http = api_as(auditor)
    assert http.get(CALLS).status_code == 200
    assert http.get(f"{CALLS}/{logged.pk}").status_code == 200
    assert http.get(LINES).status_code == 200
    assert http.get(f"{LINES}/{line.pk}/flow").status_code == 200
    for method, url, body in [("POST", CALLS, manual(line)),
                              ("POST", f"{CALLS}/{logged.pk}/transfer", {"department_id": lab.pk}),
                              ("PUT", f"{LINES}/{line.pk}/flow", {}),
                              ("PUT", PROVIDER, {"kind": "twilio", "account_sid": SID, "auth_token": "t"})]:
        response = send(http, method, url, body)
        assert response.status_code == 403, (url, response.content)


def test_a_manager_may_set_up_lines_but_not_the_provider(manager, api_as):
    http = api_as(manager)
    assert send(http, "POST", LINES, {"number": "+48225550106", "label": "Main"}).status_code == 201
    response = send(http, "PUT", PROVIDER, {"kind": "twilio", "account_sid": SID, "auth_token": "t"})
    assert response.status_code == 403
    assert "calls.provider" in response.json()["detail"]


def test_another_organisations_calls_messages_and_lines_are_not_listed(line, logged, org, other_org,
                                                                       make_member, api_as):
    MessageFactory(for_member=make_member(org))
    stranger = api_as(make_member(other_org, *caps.ROLES))
    for url in (CALLS, MESSAGES, LINES):
        assert ids(stranger.get(url)) == []


# --- the OpenAPI document ------------------------------------------------------------------------------

def test_every_calls_operation_is_in_the_openapi_schema(client, db):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert set(paths["/api/v1/calls"]) == {"get", "post"}
    assert set(paths["/api/v1/calls/{call_id}"]) == {"get"}
    assert set(paths["/api/v1/calls/{call_id}/transfer"]) == {"post"}
    assert set(paths["/api/v1/messages"]) == {"get", "post"}
    assert set(paths["/api/v1/messages/{message_id}/done"]) == {"post"}
    assert set(paths["/api/v1/lines"]) == {"get", "post"}
    assert set(paths["/api/v1/lines/{line_id}/flow"]) == {"get", "put"}
    assert set(paths["/api/v1/telephony/provider"]) == {"put"}
    assert {p["name"] for p in paths["/api/v1/calls"]["get"]["parameters"]} >= {
        "from", "to", "line", "department", "outcome", "client"}
    components = schema["components"]["schemas"]
    assert set(components["CallOut"]["properties"]["status"]["enum"]) == set(Call.Status.values)
    assert "auth_token" not in components["ProviderOut"]["properties"]
