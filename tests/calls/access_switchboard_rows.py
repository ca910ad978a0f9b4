"""The calls switchboard rows of the access table (see tests/access_table.py): the live screen and its
poll, the screen pop, the actions on a call and the manual log."""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.core import capabilities as caps
from tests.access_table import Route
from tests.calls.factories import CallFactory, LineFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory


def populate(world) -> None:
    """A line, a department, a ringing call from an unknown number and a client of world.org
    (under world.switchboard)."""
    line = LineFactory(site=world.site, label="Main number")
    world.switchboard = SimpleNamespace(
        line=line,
        department=DepartmentFactory(organization=world.org, name="Switchboard billing"),
        call=CallFactory(line=line, from_number="+48601999888"),
        client=make_client(world.member(caps.OWNER), first_name="Ola", last_name="Dzwoni"),
    )


def _call(world, member):
    return [world.switchboard.call.pk]


ROUTES = [
    Route("GET", "calls:switchboard", "calls.view"),
    Route("GET", "calls:switchboard", "calls.view", query=lambda w, m: {"call": w.switchboard.call.pk},
          tenant_ids=True, label="with a call's pop"),
    Route("GET", "calls:switchboard_live", "calls.view", query=lambda w, m: {"v": "old"}),
    Route("GET", "calls:call_pop", "calls.view", args=_call),
    Route("GET", "calls:call_pop", "calls.view", args=_call, query=lambda w, m: {"q": "Ola"}, label="find a client"),
    Route("POST", "calls:call_answer", "calls.answer", args=_call, ok=(302,)),
    Route("POST", "calls:call_transfer", "calls.answer", args=_call, ok=(302,),
          data=lambda w, m: {"to": f"d{w.switchboard.department.pk}"}),
    Route("GET", "calls:call_message", "calls.answer", args=_call, ok=(302,)),
    Route("POST", "calls:call_handled", "calls.answer", args=_call, ok=(302,)),
    Route("POST", "calls:call_quick_add", "calls.answer", args=_call, ok=(302,),
          data=lambda w, m: {"name": "Nowy Dzwoniący", "phone": "+48601999888"}),
    Route("POST", "calls:call_link", "calls.answer", args=_call, ok=(302,),
          data=lambda w, m: {"client": w.switchboard.client.pk}),
    Route("GET", "calls:manual_call", "calls.answer"),
    Route("GET", "calls:manual_call", "calls.answer", query=lambda w, m: {"number": "601 999 888"},
          label="who is it"),
    Route("POST", "calls:manual_call", "calls.answer", ok=(302,), data=lambda w, m: {
        "line": w.switchboard.line.pk, "number": "601 999 888", "department": w.switchboard.department.pk,
        "outcome": "transferred"}),
]
