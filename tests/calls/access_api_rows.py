"""The calls API's rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.calls.models import Call
from tests.access_table import API, Route
from tests.calls.factories import CallFactory, LineFactory, MessageFactory, RingGroupFactory
from tests.core.factories import DepartmentFactory


def populate(world) -> None:
    """A line, a department with a ring group, and a call logged by hand (under world.calls_api)."""
    line = LineFactory(site=world.site, label="Apirow line")
    department = DepartmentFactory(organization=world.org, site=world.site, name="Apirow laboratory")
    RingGroupFactory(department=department)
    call = CallFactory(line=line, sid=None, source=Call.Source.MANUAL, status=Call.Status.ENDED,
                       outcome=Call.Outcome.ANSWERED)
    world.calls_api = SimpleNamespace(line=line, department=department, call=call)


def _call(world, member):
    return [world.calls_api.call.pk]


def _line(world, member):
    return [world.calls_api.line.pk]


def _message_for(world, member):
    """A message for the member the request is built for: the recipient may close it (calls.view)."""
    return [MessageFactory(for_member=member).pk]


def _manual_call(world, member):
    return {"line_id": world.calls_api.line.pk, "number": "600 100 200", "outcome": "answered",
            "department_id": world.calls_api.department.pk}


def _message(world, member):
    return {"for_department_id": world.calls_api.department.pk, "caller_name": "Apirow Caller",
            "caller_number": "600 100 201", "text": "Please call back."}


def _new_line(world, member):
    return {"number": "+48 22 555 01 99", "label": "Apirow direct", "site_id": world.site.pk,
            "department_id": world.calls_api.department.pk}


ROUTES = [
    Route("GET", "api:call_list", "calls.view", kind=API, query=lambda w, m: {"from": "2031-03-10"}),
    Route("POST", "api:call_create", "calls.answer", kind=API, data=_manual_call, ok=(201,)),
    Route("GET", "api:call_get", "calls.view", kind=API, args=_call),
    Route("POST", "api:call_transfer", "calls.answer", kind=API, args=_call,
          data=lambda w, m: {"department_id": w.calls_api.department.pk}),
    Route("GET", "api:message_list", "calls.view", kind=API, query=lambda w, m: {"status": "all"}),
    Route("POST", "api:message_create", "calls.answer", kind=API, data=_message, ok=(201,)),
    Route("POST", "api:message_done", "calls.view", kind=API, args=_message_for),
    Route("GET", "api:line_list", "calls.view", kind=API),
    Route("POST", "api:line_create", "calls.manage", kind=API, data=_new_line, ok=(201,)),
    Route("GET", "api:line_flow_get", "calls.view", kind=API, args=_line),
    Route("PUT", "api:line_flow_put", "calls.manage", kind=API, args=_line,
          data=lambda w, m: {"greeting_text": "Apirow welcome", "after_hours_voicemail": False}),
    Route("PUT", "api:provider_put", "calls.provider", kind=API,
          data=lambda w, m: {"kind": "twilio", "account_sid": "AC" + "0123456789abcdef" * 2,
                             "auth_token": "apirow-token-0123456789"}),
]
