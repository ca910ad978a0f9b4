"""The calls messages and call log rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.core import capabilities as caps
from tests.access_table import Route
from tests.calls.factories import CallFactory, LineFactory, MessageFactory


def populate(world) -> None:
    """A call on a line and an open message of world.org (under world.call_log)."""
    owner = world.member(caps.OWNER)
    call = CallFactory(line=LineFactory(site=world.site), status="ended", outcome="abandoned",
                       legs=[{"at": "2030-07-01T08:00:00+00:00", "kind": "offered"}])
    world.call_log = SimpleNamespace(call=call, message=MessageFactory(for_member=owner, call=call, urgency="urgent"))


def _call(world, member):
    return [world.call_log.call.pk]


def _message(world, member):
    """A message for the member the request is built for: the recipient may close it, whatever their role."""
    return [MessageFactory(for_member=member, call=world.call_log.call).pk]


def _message_form(world, member):
    return {"recipient": f"m{member.pk}", "caller_name": "Anna Nowak", "caller_number": "601 100 200",
            "text": "Please call back.", "urgency": "normal"}


ROUTES = [
    Route("GET", "calls:messages", "calls.view"),
    Route("GET", "calls:messages", "calls.view", query=lambda w, m: {"state": "done"}, label="done"),
    Route("GET", "calls:message_new", "calls.answer"),
    Route("GET", "calls:message_new", "calls.answer", query=lambda w, m: {"call": w.call_log.call.pk},
          tenant_ids=True, label="from a call"),
    Route("POST", "calls:message_new", "calls.answer", data=_message_form, ok=(302,)),
    Route("POST", "calls:message_done", "calls.view", args=_message, ok=(302,)),
    Route("GET", "calls:call_log", "calls.view", query=lambda w, m: {"q": "601", "from": "2030-01-01"}),
    Route("GET", "calls:call_detail", "calls.view", args=_call),
    Route("GET", "calls:call_log_export", "calls.export", query=lambda w, m: {"format": "csv"}),
    Route("GET", "calls:call_log_export", "calls.export", query=lambda w, m: {"format": "xlsx"}, label="xlsx"),
]
