"""Callers' details kept only as long as the organisation's retention (calls/services/retention.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest

from frontoffice.calls.models import Call, Message
from frontoffice.calls.services.retention import anonymise_expired
from frontoffice.clients.services import client_erase
from frontoffice.core.models import Activity
from tests.calls.factories import CallFactory, LineFactory, MessageFactory
from tests.clients.factories import make_client

UTC = dt_timezone.utc
NOW = datetime(2031, 7, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=400)  # the default retention is 365 days
RECENT = NOW - timedelta(days=300)
LEGS = [{"at": "2030-05-27T08:00:00+00:00", "kind": "offered", "from": "+48601100200", "caller_name": "Anna"},
        {"at": "2030-05-27T08:00:09+00:00", "kind": "ring", "department": 7, "targets": ["+48221234567"]}]


@pytest.fixture
def line(org):
    return LineFactory(site=org.sites.get())


def old_call(line, **fields):
    fields = {"offered_at": OLD, "status": Call.Status.ENDED, "outcome": Call.Outcome.ANSWERED,
              "from_number": "+48601100200", "from_raw": "+48601100200", "caller_name": "Anna Nowak",
              "notes": "Asked about the results.", "legs": LEGS, "state": {"attempts": 1}, **fields}
    return CallFactory(line=line, **fields)


def test_old_calls_and_messages_lose_the_callers_details_and_keep_the_facts(org, line, owner):
    call = old_call(line, answered_by=owner, wait_seconds=9, duration_seconds=120)
    message = MessageFactory(for_member=owner, call=call, created_at=OLD, kind="voicemail",
                             recording_url="https://api.twilio.com/rec/RE1", recording_seconds=30)
    assert anonymise_expired(organization=org, now=NOW) == 2
    call.refresh_from_db()
    assert (call.from_number, call.from_raw, call.caller_name, call.notes, call.state) == ("", "", "", "", {})
    assert call.legs == [{"at": "2030-05-27T08:00:00+00:00", "kind": "offered"},
                         {"at": "2030-05-27T08:00:09+00:00", "kind": "ring", "department": 7,
                          "targets": ["+48221234567"]}]
    assert (call.answered_by, call.wait_seconds, call.duration_seconds, call.outcome) == (owner, 9, 120, "answered")
    message.refresh_from_db()
    assert (message.caller_name, message.caller_number, message.text, message.recording_url) == ("", "", "", "")
    assert message.recording_seconds == 30 and message.kind == "voicemail"
    activity = Activity.objects.get(verb="call.anonymised")
    assert activity.actor is None and activity.data["calls"] == 1 and activity.data["messages"] == 1


def test_recent_calls_and_messages_are_kept(org, line, owner):
    call = old_call(line, offered_at=RECENT)
    message = MessageFactory(for_member=owner, created_at=RECENT)
    assert anonymise_expired(organization=org, now=NOW) == 0
    call.refresh_from_db()
    message.refresh_from_db()
    assert call.from_number and message.caller_number and message.text
    assert not Activity.objects.filter(verb="call.anonymised").exists()


def test_a_shorter_retention_clears_sooner(org, line):
    org.caller_retention_days = 30
    org.save()
    call = old_call(line, offered_at=NOW - timedelta(days=31))
    assert anonymise_expired(organization=org, now=NOW) == 1
    call.refresh_from_db()
    assert call.from_number == ""


def test_a_clients_calls_are_governed_by_the_client_until_it_is_erased(org, line, owner):
    client = make_client(owner)
    call = old_call(line, client=client)
    recent = old_call(line, client=client, offered_at=RECENT)
    message = MessageFactory(for_member=owner, client=client, created_at=OLD)
    assert anonymise_expired(organization=org, now=NOW) == 0
    client_erase(actor=owner, client=client)
    assert anonymise_expired(organization=org, now=NOW) == 3  # at once, however recent
    for row in (call, recent, message):
        row.refresh_from_db()
    assert call.from_number == recent.from_number == message.caller_number == ""


def test_live_calls_are_left_alone(org, line):
    live = old_call(line, status=Call.Status.CONNECTED, outcome="")
    assert anonymise_expired(organization=org, now=NOW) == 0
    live.refresh_from_db()
    assert live.from_number


def test_a_second_run_finds_nothing_more(org, line, owner):
    old_call(line)
    MessageFactory(for_member=owner, created_at=OLD)
    assert anonymise_expired(organization=org, now=NOW) == 2
    assert anonymise_expired(organization=org, now=NOW) == 0
    assert Activity.objects.filter(verb="call.anonymised").count() == 1


def test_more_rows_than_a_batch(org, line, monkeypatch):
    from frontoffice.calls.services import retention

    monkeypatch.setattr(retention, "BATCH", 3)
    for _n in range(7):
        old_call(line)
    assert anonymise_expired(organization=org, now=NOW) == 7
    assert not Call.objects.exclude(from_number="").exists()


def test_another_organisation_is_not_touched(org, other_org, line, other_owner):
    theirs = old_call(LineFactory(site=other_org.sites.get()))
    their_message = MessageFactory(for_member=other_owner, created_at=OLD)
    old_call(line)
    assert anonymise_expired(organization=org, now=NOW) == 1
    theirs.refresh_from_db()
    their_message.refresh_from_db()
    assert theirs.from_number and their_message.caller_number
    assert Message.objects.filter(organization=other_org).exclude(text="").exists()
