"""The switchboard's services: the manual log, answering, transfers (by hand and through the provider, with
misroutes), marking handled, linking the caller to a client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.calls.models import Call, Message
from frontoffice.calls.services import switchboard as services
from frontoffice.calls.telephony import client as telephony
from frontoffice.clients.models import Client
from frontoffice.clients.validation import ClientInput
from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from tests.calls.test_services_provider import FakeProviderHttp
from tests.calls.factories import CallFactory, LineFactory, ProviderFactory, RingGroupFactory, RingMemberFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def line(site):
    return LineFactory(site=site, label="Main number")


@pytest.fixture
def sales(org):
    return DepartmentFactory(organization=org, name="Sales")


@pytest.fixture
def billing(org):
    return DepartmentFactory(organization=org, name="Billing")


def _verbs(call) -> list[str]:
    return list(Activity.objects.filter(subject_type="calls.call", subject_id=str(call.pk)).order_by("pk")
                .values_list("verb", flat=True))


# --- the manual log ----------------------------------------------------------------------------

def test_manual_log_parses_the_number_links_the_client_and_records_the_route(receptionist, line, sales):
    client = make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["601 100 200"])
    call = services.call_log_manual(actor=receptionist, line=line, number_raw="601-100-200", department=sales,
                                    outcome=Call.Outcome.TRANSFERRED)
    assert (call.source, call.status, call.from_number, call.from_raw) == ("manual", "ended", "+48601100200",
                                                                            "601-100-200")
    assert call.client == client and call.caller_name == ""
    assert (call.answered_by, call.routed_by, call.transfers, call.department) == (receptionist, receptionist, 1,
                                                                                   sales)
    assert call.handled_at is not None and call.site == line.site and call.sid is None
    assert [leg["kind"] for leg in call.legs] == ["offered", "answered", "transfer", "ended"]
    activity = Activity.objects.get(verb="call.logged")
    assert activity.client_id == client.pk and activity.actor == receptionist and activity.subject_label == ""
    assert activity.data == {"line_id": line.pk, "department_id": sales.pk, "outcome": "transferred",
                             "answered": True}


def test_manual_log_of_an_answered_call_keeps_the_outcome_it_was_given(receptionist, line, sales):
    call = services.call_log_manual(actor=receptionist, line=line, number_raw="601100200", department=sales,
                                    outcome=Call.Outcome.ANSWERED)
    assert (call.outcome, call.department, call.routed_by, call.transfers) == ("answered", sales, None, 0)


def test_manual_log_of_a_message_for_a_department_is_not_a_transfer(receptionist, line, sales):
    call = services.call_log_manual(actor=receptionist, line=line, number_raw="601100200", department=sales,
                                    outcome=Call.Outcome.MESSAGE)
    assert (call.outcome, call.routed_by, call.transfers) == ("message", None, 0)
    assert [leg["kind"] for leg in call.legs] == ["offered", "answered", "message", "ended"]
    assert call.legs[2]["department"] == sales.pk


def test_manual_log_of_a_voicemail_rang_the_department(receptionist, line, sales):
    call = services.call_log_manual(actor=receptionist, line=line, number_raw="", department=sales,
                                    outcome=Call.Outcome.VOICEMAIL)
    assert call.answered_by is None and [leg["kind"] for leg in call.legs] == ["offered", "ring", "voicemail",
                                                                                "ended"]


def test_manual_log_keeps_an_unparsable_number_as_typed(receptionist, line):
    call = services.call_log_manual(actor=receptionist, line=line, number_raw="  12 ab ", outcome="answered",
                                    caller_name="  Pan   Kowalski ")
    assert (call.from_number, call.from_raw, call.caller_name, call.client) == ("", "12 ab", "Pan Kowalski", None)


def test_manual_log_of_a_missed_call_suggests_a_callback_and_stays_to_handle(receptionist, line):
    call = services.call_log_manual(actor=receptionist, line=line, number_raw="+48 601 222 333",
                                    outcome=Call.Outcome.ABANDONED)
    assert call.answered_by is None and call.answered_at is None and call.handled_at is None
    assert Message.objects.get(call=call).kind == Message.Kind.CALLBACK


@pytest.mark.parametrize(("fields", "field"), [
    ({"outcome": "lost"}, "outcome"),
    ({"outcome": "answered", "answered": False}, "outcome"),
    ({"outcome": "transferred"}, "department"),
    ({"outcome": "answered", "offered_at": timezone.now() + timedelta(hours=1)}, "offered_at"),
    ({"outcome": "answered", "notes": "x" * 2001}, "notes"),
])
def test_manual_log_refuses_bad_input_and_changes_nothing(receptionist, line, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.call_log_manual(actor=receptionist, line=line, number_raw="601100200", **fields)
    assert field in refused.value.error_dict
    assert not Call.objects.exists() and not Activity.objects.filter(verb="call.logged").exists()


def test_manual_log_refuses_another_organisations_line_department_or_client(receptionist, line, other_org,
                                                                            other_owner):
    foreign_line = LineFactory(site=other_org.sites.get())
    foreign_department = DepartmentFactory(organization=other_org)
    foreign_client = make_client(other_owner)
    for fields, field in (({"line": foreign_line}, "line"), ({"department": foreign_department}, "department"),
                          ({"client": foreign_client}, "client")):
        with pytest.raises(ValidationError) as refused:
            services.call_log_manual(actor=receptionist, **({"line": line} | fields), number_raw="",
                                     outcome="answered")
        assert field in refused.value.error_dict
    assert not Call.objects.exists()


def test_manual_log_refuses_a_switched_off_line(receptionist, line):
    line.active = False
    line.save()
    with pytest.raises(ValidationError, match="switched off"):
        services.call_log_manual(actor=receptionist, line=line, number_raw="", outcome="answered")


# --- answering ---------------------------------------------------------------------------------

def test_answer_connects_the_call_and_measures_the_wait(receptionist, line):
    call = CallFactory(line=line, offered_at=timezone.now() - timedelta(seconds=14))
    call = services.call_answer(actor=receptionist, call=call)
    assert (call.status, call.answered_by, call.outcome) == ("connected", receptionist, "answered")
    assert 13 <= call.wait_seconds <= 16
    assert call.legs[-1]["kind"] == "answered" and call.legs[-1]["member"] == receptionist.pk
    assert _verbs(call) == ["call.answered"]
    assert services.call_answer(actor=receptionist, call=call) == call  # again: nothing more
    assert _verbs(call) == ["call.answered"]


def test_answer_refuses_an_ended_call_or_one_someone_else_has(receptionist, org, make_member, line):
    with pytest.raises(Conflict, match="ended"):
        services.call_answer(actor=receptionist, call=CallFactory(line=line, status="ended"))
    colleague = make_member(org, caps.RECEPTIONIST)
    taken = CallFactory(line=line, status="connected", answered_by=colleague)
    with pytest.raises(Conflict, match="answered this call already"):
        services.call_answer(actor=receptionist, call=taken)


# --- transfers ---------------------------------------------------------------------------------

def test_transfer_without_a_provider_is_recorded_by_hand(receptionist, line, sales):
    call = CallFactory(line=line, status="connected", answered_by=receptionist, outcome="answered")
    call = services.call_transfer(actor=receptionist, call=call, department=sales)
    assert (call.department, call.transfers, call.routed_by, call.outcome, call.misrouted, call.status) == (
        sales, 1, receptionist, "transferred", False, "connected")
    leg = call.legs[-1]
    assert (leg["kind"], leg["to_department"], leg["by_hand"], leg["by"]) == ("transfer", sales.pk, True,
                                                                              receptionist.pk)
    assert _verbs(call) == ["call.transferred"]


def test_second_transfer_is_the_first_routers_misroute(org, receptionist, make_member, line, sales, billing):
    colleague = make_member(org, caps.RECEPTIONIST)
    call = services.call_transfer(actor=receptionist, call=CallFactory(line=line, status="connected"),
                                  department=sales)
    call = services.call_transfer(actor=colleague, call=call, department=billing)
    assert call.misrouted and call.transfers == 2 and call.routed_by == colleague and call.department == billing
    misroute = Activity.objects.get(verb="call.misrouted")
    assert misroute.actor == receptionist
    assert misroute.data == {"transferred_by": colleague.pk, "from_department": sales.pk,
                             "to_department": billing.pk}
    assert _verbs(call) == ["call.transferred", "call.misrouted", "call.transferred"]


def test_transfer_to_a_person(receptionist, org, make_member, line):
    doctor = make_member(org, caps.EXECUTIVE, phone="+48221112233")
    call = services.call_transfer(actor=receptionist, call=CallFactory(line=line), member=doctor)
    assert call.legs[-1]["to_member"] == doctor.pk and call.department is None and call.transfers == 1


@pytest.mark.parametrize("targets", ["none", "both"])
def test_transfer_needs_exactly_one_target(receptionist, org, line, sales, targets):
    call = CallFactory(line=line)
    kwargs = {} if targets == "none" else {"department": sales, "member": receptionist}
    with pytest.raises(ValidationError) as refused:
        services.call_transfer(actor=receptionist, call=call, **kwargs)
    assert "department" in refused.value.error_dict
    call.refresh_from_db()
    assert call.transfers == 0 and not _verbs(call)


def test_transfer_refuses_other_organisations_targets_closed_departments_and_the_same_department(
        receptionist, line, sales, other_org, other_owner):
    call = CallFactory(line=line, department=sales)
    closed = DepartmentFactory(organization=line.organization, active=False)
    for kwargs, field in (({"department": DepartmentFactory(organization=other_org)}, "department"),
                          ({"member": other_owner}, "member"), ({"department": closed}, "department"),
                          ({"department": sales}, "department")):
        with pytest.raises(ValidationError) as refused:
            services.call_transfer(actor=receptionist, call=call, **kwargs)
        assert field in refused.value.error_dict
    assert not _verbs(call)


def test_transfer_of_an_ended_provider_call_is_refused_but_a_manual_one_is_recorded(receptionist, line, sales):
    with pytest.raises(Conflict, match="ended"):
        services.call_transfer(actor=receptionist, call=CallFactory(line=line, status="ended"), department=sales)
    manual = services.call_log_manual(actor=receptionist, line=line, number_raw="601100200", outcome="answered")
    manual = services.call_transfer(actor=receptionist, call=manual, department=sales)
    assert manual.transfers == 1 and manual.legs[-1]["by_hand"] is True


@pytest.fixture
def provider_line(org, line, sales):
    ProviderFactory(organization=org)
    RingMemberFactory(ring_group=RingGroupFactory(department=sales), target="+48225550101")
    return line


def test_transfer_of_a_live_provider_call_redirects_it(receptionist, provider_line, sales, monkeypatch):
    http = FakeProviderHttp()
    monkeypatch.setattr(telephony, "http_client", lambda: http)
    call = CallFactory(line=provider_line, status="connected", answered_by=receptionist, sid="CA" + "1" * 32)
    call = services.call_transfer(actor=receptionist, call=call, department=sales)
    [request] = http.requests
    assert request["method"] == "POST" and request["url"].endswith(f"/Calls/{call.sid}.json")
    twiml = request["data"]["Twiml"]
    assert "<Dial" in twiml and "+48225550101" in twiml
    assert call.status == "ringing" and call.legs[-1]["by_hand"] is False
    call.refresh_from_db()
    assert call.department == sales and call.state  # the provider's step moved on with the redirect


def test_a_refused_redirect_changes_nothing(receptionist, provider_line, sales, monkeypatch):
    monkeypatch.setattr(telephony, "http_client", lambda: FakeProviderHttp(
        status=400, body={"code": 21220, "message": "Call is not in-progress", "status": 400}))
    call = CallFactory(line=provider_line, status="connected", sid="CA" + "2" * 32)
    with pytest.raises(ValidationError, match="refused"):
        services.call_transfer(actor=receptionist, call=call, department=sales)
    call.refresh_from_db()
    assert (call.department, call.transfers, call.status) == (None, 0, "connected") and not _verbs(call)


# --- handled, linking --------------------------------------------------------------------------

def test_marking_a_stuck_live_call_handled_ends_it(receptionist, line):
    call = services.call_mark_handled(actor=receptionist, call=CallFactory(line=line))
    assert (call.status, call.outcome, call.handled_by) == ("ended", "abandoned", receptionist)
    assert call.ended_at is not None and _verbs(call) == ["call.handled"]
    with pytest.raises(Conflict, match="already"):
        services.call_mark_handled(actor=receptionist, call=call)


def test_marking_an_answered_call_handled_keeps_it_answered(receptionist, line):
    answered = timezone.now() - timedelta(minutes=2)
    call = CallFactory(line=line, status="connected", answered_at=answered, outcome="answered")
    call = services.call_mark_handled(actor=receptionist, call=call)
    assert call.outcome == "answered" and 119 <= call.duration_seconds <= 122


def test_missed_call_marked_handled_leaves_its_outcome(receptionist, line):
    call = CallFactory(line=line, status="ended", outcome="abandoned")
    call = services.call_mark_handled(actor=receptionist, call=call)
    assert call.status == "ended" and call.outcome == "abandoned" and call.handled_at is not None


def test_link_client_records_the_client_on_the_call_and_timeline(receptionist, line):
    client = make_client(receptionist)
    call = services.call_link_client(actor=receptionist, call=CallFactory(line=line, caller_name="Jan?"),
                                     client=client)
    assert call.client == client and call.caller_name == ""
    activity = Activity.objects.get(verb="call.client_linked")
    assert activity.client_id == client.pk and activity.data == {"before": None}


def test_link_client_refuses_another_organisations_or_a_merged_client(receptionist, line, other_owner):
    call = CallFactory(line=line)
    merged = make_client(receptionist)
    Client.objects.filter(pk=merged.pk).update(merged_into=make_client(receptionist))
    merged.refresh_from_db()
    for client in (make_client(other_owner), merged):
        with pytest.raises(ValidationError):
            services.call_link_client(actor=receptionist, call=call, client=client)
    assert not _verbs(call)


def test_quick_add_makes_a_client_with_the_number_and_links_the_call(receptionist, line):
    call = CallFactory(line=line, from_number="+48601444555")
    call = services.call_quick_add(actor=receptionist, call=call,
                                   data=ClientInput(first_name="Ewa", last_name="Nowa", phones=["+48601444555"]))
    assert call.client.display_name == "Ewa Nowa"
    assert list(call.client.phones.values_list("number", flat=True)) == ["+48601444555"]
    assert Activity.objects.filter(verb__in=["client.created", "call.client_linked"]).count() == 2


def test_quick_add_with_bad_input_leaves_no_client(receptionist, line):
    call = CallFactory(line=line)
    with pytest.raises(ValidationError):
        services.call_quick_add(actor=receptionist, call=call, data=ClientInput(phones=["not a phone"]))
    assert not Client.objects.exists()
    call.refresh_from_db()
    assert call.client is None


def test_actions_refuse_a_call_of_another_organisation(receptionist, other_org):
    foreign = CallFactory(line=LineFactory(site=other_org.sites.get()))
    for action in (services.call_answer, services.call_mark_handled):
        with pytest.raises(ValidationError):
            action(actor=receptionist, call=foreign)
    foreign.refresh_from_db()
    assert foreign.status == "ringing"

