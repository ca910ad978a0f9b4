"""The calls app's tasks and e-mails (calls/tasks.py, emails.py) and its part of a client's access export."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core import mail

from frontoffice.calls import tasks
from frontoffice.calls.models import Call, Message
from frontoffice.calls.privacy import calls_section, messages_section
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.calls.factories import CallFactory, LineFactory, MessageFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory

UTC = dt_timezone.utc


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_URL = "https://office.example"


@pytest.fixture
def doctor(org, make_member):
    member = make_member(org, caps.CLERK)
    member.user.email = "doctor@example.com"
    member.user.save()
    return member


def test_a_voicemail_notice_carries_the_recording_in_text_and_html(doctor, org):
    message = MessageFactory(for_member=doctor, kind="voicemail", text="", caller_name="",
                             caller_number="+48601100200", recording_url="https://api.twilio.com/rec/RE1",
                             recording_seconds=42)
    tasks.notify_message(message_id=message.pk)
    [sent] = mail.outbox
    assert sent.subject == "Voicemail from +48 601 100 200"
    assert "https://api.twilio.com/rec/RE1" in sent.body
    [(html, kind)] = sent.alternatives
    assert kind == "text/html" and 'href="https://api.twilio.com/rec/RE1"' in html and "42 seconds" in html
    message.refresh_from_db()
    assert message.notified_at is not None
    activity = Activity.objects.get(verb="message.notified")
    assert activity.actor is None and activity.data == {"to": "member", "emails": 1}


def test_the_notice_names_the_client_not_the_typed_name(doctor, owner):
    client = make_client(owner, first_name="Zofia", last_name="Wiśniewska")
    message = MessageFactory(for_member=doctor, client=client, caller_name="Zosia", caller_number="")
    tasks.notify_message(message_id=message.pk)
    assert mail.outbox[0].subject == "Message from Zofia Wiśniewska"
    assert "Zosia" not in mail.outbox[0].body


def test_html_in_a_message_is_escaped_in_the_html_mail(doctor):
    message = MessageFactory(for_member=doctor, text="<script>alert(1)</script>")
    tasks.notify_message(message_id=message.pk)
    [(html, _kind)] = mail.outbox[0].alternatives
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("change", ["member inactive", "user inactive", "no e-mail"])
def test_nobody_to_tell_sends_nothing(doctor, change):
    if change == "member inactive":
        doctor.active = False
        doctor.save()
    elif change == "user inactive":
        doctor.user.is_active = False
        doctor.user.save()
    else:
        doctor.user.email = ""
        doctor.user.save()
    message = MessageFactory(for_member=doctor)
    tasks.notify_message(message_id=message.pk)
    assert not mail.outbox
    message.refresh_from_db()
    assert message.notified_at is None


def test_a_department_without_an_address_tells_its_active_members(org, doctor, make_member):
    department = DepartmentFactory(organization=org, email="")
    gone = make_member(org, caps.CLERK, active=False)
    department.members.add(doctor, gone)
    message = MessageFactory(for_member=None, for_department=department, organization=org)
    tasks.notify_message(message_id=message.pk)
    assert [m.to for m in mail.outbox] == [["doctor@example.com"]]
    assert Activity.objects.get(verb="message.notified").data == {"to": "department", "emails": 1}


def test_a_message_done_or_notified_already_is_not_sent(doctor):
    done = MessageFactory(for_member=doctor, done_at=datetime(2030, 1, 1, tzinfo=UTC))
    told = MessageFactory(for_member=doctor, notified_at=datetime(2030, 1, 1, tzinfo=UTC))
    tasks.notify_message(message_id=done.pk)
    tasks.notify_message(message_id=told.pk)
    assert not mail.outbox


# --- the periodic job --------------------------------------------------------------------------

def test_anonymise_all_runs_every_organisation_and_reports_a_failure(org, other_org, monkeypatch):
    from frontoffice.calls.services import retention

    for organization in (org, other_org):
        CallFactory(line=LineFactory(site=organization.sites.get()), status=Call.Status.ENDED,
                    offered_at=datetime.now(UTC) - timedelta(days=400))
    assert tasks.anonymise_all() == 2
    CallFactory(line=LineFactory(site=org.sites.get()), status=Call.Status.ENDED,
                offered_at=datetime.now(UTC) - timedelta(days=400))
    real = retention.anonymise_expired

    def broken_for_the_other(*, organization, now):
        if organization == other_org:
            raise RuntimeError("bad data")
        return real(organization=organization, now=now)

    monkeypatch.setattr(retention, "anonymise_expired", broken_for_the_other)
    with pytest.raises(RuntimeError, match=str(other_org.pk)):
        tasks.anonymise_all()
    assert not Call.objects.filter(organization=org).exclude(from_number="").exists()  # org's work was done


# --- the access export -------------------------------------------------------------------------

def test_a_clients_calls_and_messages_are_in_the_access_export(org, owner, monkeypatch):
    from frontoffice.clients import privacy

    client = make_client(owner)
    call = CallFactory(line=LineFactory(site=org.sites.get(), label="Main"), client=client, outcome="answered",
                       answered_by=owner, wait_seconds=4)
    MessageFactory(for_member=owner, client=client, call=call, text="Call back")
    CallFactory(line=LineFactory(site=org.sites.get()))  # someone else's call
    [row] = calls_section(client)
    assert row["call_id"] == call.pk and row["line"] == "Main" and row["answered_by"] == owner.user.full_name
    [message] = messages_section(client)
    assert message["text"] == "Call back" and message["for"] == owner.user.full_name
    monkeypatch.setitem(privacy.SECTIONS, "calls", ("Calls", calls_section))  # as wiring registers them
    monkeypatch.setitem(privacy.SECTIONS, "phone_messages", ("Phone messages", messages_section))
    dossier = privacy.client_dossier(client)
    assert len(dossier["sections"]["calls"]) == 1 and len(dossier["sections"]["phone_messages"]) == 1
    assert Message.objects.count() == 1
