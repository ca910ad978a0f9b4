"""Messages and callbacks (calls/services/messages.py) and the message e-mail (tasks.py, emails.py)."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from frontoffice.calls import tasks
from frontoffice.calls.models import Call, Message
from frontoffice.calls.services.messages import (
    callback_suggest,
    message_done,
    message_from_voicemail,
    message_take,
)
from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from tests.calls.factories import CallFactory, LineFactory, MessageFactory, RingGroupFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory

UTC = dt_timezone.utc
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.TASKS_EAGER = True
    settings.PUBLIC_URL = "https://office.example"


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def department(org, site):
    return DepartmentFactory(organization=org, site=site, name="Cardiology")


@pytest.fixture
def desk(org, site):
    department = DepartmentFactory(organization=org, site=site, name="Reception")
    RingGroupFactory(department=department, is_desk=True)
    return department


@pytest.fixture
def doctor(org, make_member, department):
    member = make_member(org, caps.CLERK)
    member.user.email, member.user.language = "doctor@example.com", "pl"
    member.user.save()
    department.members.add(member)
    return member


def call_in(org, site, **fields):
    return CallFactory(line=LineFactory(site=site), **fields)


# --- message_take ------------------------------------------------------------------------------

@time_machine.travel(datetime(2030, 7, 1, 8, 30, tzinfo=UTC), tick=False)
def test_message_for_a_member_is_stored_recorded_and_mailed(receptionist, doctor):
    message = message_take(actor=receptionist, for_member=doctor, caller_name="Anna Nowak",
                           caller_number="601 100 200", text="Please call about the results.", urgency="urgent")
    assert message.caller_number == "+48601100200"  # normalised with the organisation's country
    assert message.kind == Message.Kind.MESSAGE and message.created_by == receptionist
    activity = Activity.objects.get(verb="message.taken")
    assert activity.actor == receptionist and activity.subject_id == str(message.pk)
    assert activity.subject_label == "" and activity.data["urgency"] == "urgent"
    [sent] = mail.outbox
    assert sent.to == ["doctor@example.com"]
    assert "1 lipca 2030 10:30" in sent.body  # the doctor reads Polish; local time in Warsaw
    assert "Please call about the results." in sent.body and "https://office.example/calls/messages/" in sent.body
    message.refresh_from_db()
    assert message.notified_at is not None
    assert Activity.objects.filter(verb="message.notified", subject_id=str(message.pk)).count() == 1


def test_message_for_a_department_goes_to_its_address_else_its_members(receptionist, department, doctor, org,
                                                                       make_member):
    other = make_member(org, caps.CLERK)
    department.members.add(other)
    message_take(actor=receptionist, for_department=department, text="Fax machine broken.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["doctor@example.com", other.user.email])
    mail.outbox.clear()
    department.email = "cardio@example.com"
    department.save()
    message_take(actor=receptionist, for_department=department, text="Another one.")
    assert [m.to for m in mail.outbox] == [["cardio@example.com"]]


def test_an_unparsable_number_is_kept_as_typed(receptionist, doctor):
    message = message_take(actor=receptionist, for_member=doctor, caller_number="ext. 12", text="Hi")
    assert message.caller_number == "ext. 12"


@pytest.mark.parametrize("fields, field", [
    ({}, "for_member"),
    ({"for_member": "doctor", "text": "  "}, "text"),
    ({"for_member": "doctor", "urgency": "panic"}, "urgency"),
    ({"for_member": "doctor", "caller_number": "1" * 40}, "caller_number"),
    ({"for_member": "doctor", "caller_name": "x" * 201}, "caller_name"),
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(receptionist, doctor, fields, field):
    fields = {"text": "Hello", **fields}
    if fields.get("for_member") == "doctor":
        fields["for_member"] = doctor
    with pytest.raises(ValidationError) as exc:
        message_take(actor=receptionist, **fields)
    assert field in exc.value.message_dict
    assert not Message.objects.exists() and not mail.outbox


def test_recipient_client_or_call_of_another_organisation_is_refused(receptionist, other_org, make_member):
    stranger = make_member(other_org)
    with pytest.raises(ValidationError) as exc:
        message_take(actor=receptionist, for_member=stranger, text="Hi")
    assert "for_member" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        message_take(actor=receptionist, for_department=DepartmentFactory(organization=other_org), text="Hi")
    assert "for_department" in exc.value.message_dict
    other_call = call_in(other_org, other_org.sites.get())
    with pytest.raises(ValidationError) as exc:
        message_take(actor=receptionist, for_member=receptionist, call=other_call, text="Hi")
    assert "call" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        message_take(actor=receptionist, for_member=receptionist, client=make_client(stranger), text="Hi")
    assert "client" in exc.value.message_dict


def test_inactive_recipients_are_refused(receptionist, doctor, department):
    doctor.active = False
    doctor.save()
    with pytest.raises(ValidationError):
        message_take(actor=receptionist, for_member=doctor, text="Hi")
    department.active = False
    department.save()
    with pytest.raises(ValidationError):
        message_take(actor=receptionist, for_department=department, text="Hi")


def test_message_from_a_call_takes_the_caller_and_settles_the_call(receptionist, doctor, org, site):
    client = make_client(receptionist)
    call = call_in(org, site, from_number="+48601999888", client=client, status=Call.Status.CONNECTED,
                   outcome=Call.Outcome.ANSWERED)
    message = message_take(actor=receptionist, for_member=doctor, text="Call back", call=call)
    assert (message.caller_number, message.client, message.call) == ("+48601999888", client, call)
    assert message.site == site
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.MESSAGE
    assert call.legs[-1]["kind"] == "message" and call.legs[-1]["message_id"] == message.pk
    assert Activity.objects.get(verb="message.taken").client_id == client.pk


def test_a_transferred_call_keeps_its_outcome(receptionist, doctor, org, site):
    call = call_in(org, site, outcome=Call.Outcome.TRANSFERRED)
    message_take(actor=receptionist, for_member=doctor, text="Call back", call=call)
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.TRANSFERRED and call.legs[-1]["kind"] == "message"


def test_nobody_with_an_address_means_no_mail_and_no_notified_at(receptionist, department):
    message = message_take(actor=receptionist, for_department=department, text="Hi")
    assert not mail.outbox
    message.refresh_from_db()
    assert message.notified_at is None


def test_the_notice_is_sent_once(receptionist, doctor):
    message = message_take(actor=receptionist, for_member=doctor, text="Hi")
    tasks.notify_message(message_id=message.pk)
    tasks.notify_message(message_id=0)
    assert len(mail.outbox) == 1


# --- message_done ------------------------------------------------------------------------------

def test_the_recipient_closes_a_message_once(doctor, org):
    message = MessageFactory(for_member=doctor)
    message_done(actor=doctor, message=message)
    message.refresh_from_db()
    assert message.done_at is not None and message.done_by == doctor
    assert Activity.objects.get(verb="message.done").actor == doctor
    with pytest.raises(Conflict):
        message_done(actor=doctor, message=message)


def test_a_department_member_or_the_desk_may_close_a_department_message(doctor, department, receptionist):
    message_done(actor=doctor, message=MessageFactory(for_member=None, for_department=department,
                                                      organization=department.organization))
    message_done(actor=receptionist, message=MessageFactory(for_member=doctor))


def test_someone_else_may_not_close_a_message(doctor, org, make_member, other_org):
    bystander = make_member(org, caps.CLERK)
    message = MessageFactory(for_member=doctor)
    with pytest.raises(PermissionDenied):
        message_done(actor=bystander, message=message)
    with pytest.raises(PermissionDenied):
        message_done(actor=make_member(other_org, caps.OWNER), message=message)
    message.refresh_from_db()
    assert message.done_at is None


# --- voicemail ---------------------------------------------------------------------------------

def test_a_voicemail_becomes_a_message_for_the_calls_department(org, site, department, doctor):
    call = call_in(org, site, department=department, status=Call.Status.ENDED, outcome=Call.Outcome.VOICEMAIL)
    message = message_from_voicemail(call=call, recording_url=RECORDING, seconds=42)
    assert message.kind == Message.Kind.VOICEMAIL and message.for_department == department
    assert (message.recording_url, message.recording_seconds) == (RECORDING, 42)
    assert message.caller_number == call.from_number and message.created_by is None
    activity = Activity.objects.get(verb="message.taken")
    assert activity.actor is None and activity.actor_kind == "system" and activity.data["kind"] == "voicemail"
    [sent] = mail.outbox
    assert RECORDING in sent.body and sent.to == ["doctor@example.com"]


def test_a_voicemail_callback_sent_twice_makes_one_message(org, site, department):
    call = call_in(org, site, department=department)
    first = message_from_voicemail(call=call, recording_url=RECORDING, seconds=5)
    assert message_from_voicemail(call=call, recording_url=RECORDING, seconds=5) == first
    assert Message.objects.count() == 1


def test_a_voicemail_without_a_department_goes_to_the_desk(org, site, desk):
    message = message_from_voicemail(call=call_in(org, site), recording_url=RECORDING, seconds=None)
    assert message.for_department == desk and message.recording_seconds is None


def test_a_voicemail_in_an_office_without_departments_goes_to_an_owner(org, site, owner):
    message = message_from_voicemail(call=call_in(org, site), recording_url=RECORDING, seconds=3)
    assert message.for_member == owner


def test_a_voicemail_link_must_be_a_web_address(org, site, desk):
    with pytest.raises(ValidationError):
        message_from_voicemail(call=call_in(org, site), recording_url="javascript:alert(1)", seconds=3)


# --- callbacks ---------------------------------------------------------------------------------

def test_an_abandoned_call_suggests_a_callback_for_its_department(org, site, department):
    call = call_in(org, site, department=department, status=Call.Status.ENDED, outcome=Call.Outcome.ABANDONED)
    message = callback_suggest(call=call)
    assert message.kind == Message.Kind.CALLBACK and message.for_department == department
    assert message.caller_number == call.from_number and message.call == call
    assert Activity.objects.get(verb="callback.suggested").actor is None
    assert not mail.outbox  # the list of callbacks owed is where the desk sees it


def test_a_missed_call_without_a_department_is_the_desks_callback(org, site, desk):
    assert callback_suggest(call=call_in(org, site, status=Call.Status.ENDED)).for_department == desk


def test_no_second_callback_for_a_number_while_one_is_open(org, site, desk, receptionist):
    first = callback_suggest(call=call_in(org, site, from_number="+48601000111", outcome="abandoned"))
    assert callback_suggest(call=call_in(org, site, from_number="+48601000111", outcome="abandoned")) is None
    message_done(actor=receptionist, message=first)
    assert callback_suggest(call=call_in(org, site, from_number="+48601000111", outcome="abandoned")) is not None
    assert Message.objects.filter(kind="callback").count() == 2


def test_an_open_voicemail_from_the_number_stands_for_the_callback(org, site, desk):
    message_from_voicemail(call=call_in(org, site, from_number="+48601000222"), recording_url=RECORDING, seconds=3)
    assert callback_suggest(call=call_in(org, site, from_number="+48601000222", outcome="abandoned")) is None


def test_a_callback_number_of_another_organisation_does_not_count(org, site, desk, other_org):
    callback_suggest(call=call_in(other_org, other_org.sites.get(), from_number="+48601000333", outcome="abandoned"))
    assert callback_suggest(call=call_in(org, site, from_number="+48601000333", outcome="abandoned")) is not None


def test_a_voicemail_that_recorded_nothing_is_owed_a_callback(org, site, desk):
    call = call_in(org, site, outcome=Call.Outcome.VOICEMAIL, status=Call.Status.ENDED)
    assert callback_suggest(call=call).kind == Message.Kind.CALLBACK


def test_a_voicemail_left_needs_no_callback(org, site, desk):
    call = call_in(org, site, outcome=Call.Outcome.VOICEMAIL, status=Call.Status.ENDED)
    message_from_voicemail(call=call, recording_url=RECORDING, seconds=4)
    Message.objects.update(done_at=call.offered_at)  # even once heard
    assert callback_suggest(call=call) is None


@pytest.mark.parametrize("fields", [
    {"from_number": ""},  # withheld: nobody to call back
    {"outcome": Call.Outcome.ANSWERED},
    {"outcome": Call.Outcome.MESSAGE},
    {"outcome": Call.Outcome.TRANSFERRED},
])
def test_no_callback_for_withheld_or_reached_callers(org, site, desk, fields):
    assert callback_suggest(call=call_in(org, site, **fields)) is None
    assert not Message.objects.exists()
