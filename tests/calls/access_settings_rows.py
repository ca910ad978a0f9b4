"""The calls settings rows of the access table (see tests/access_table.py): lines and their call flows,
ring groups, the telephony provider, and the greeting recording the provider fetches by a signed link."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from frontoffice.calls.services.lines import greeting_key
from tests.access_table import PUBLIC, Route
from tests.calls.factories import LineFactory, RingGroupFactory
from tests.core.factories import DepartmentFactory

RECORDING = "calls/greetings/access.mp3"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64


def populate(world) -> None:
    """A line (with a greeting recording) and a department with a ring group, of world.org."""
    department = DepartmentFactory(organization=world.org, site=world.site, name="Phone settings dept")
    world.calls_settings = SimpleNamespace(
        line=LineFactory(site=world.site, greeting_recording=RECORDING),
        department=department,
        group=RingGroupFactory(department=department),
    )


def _line(world, member):
    return [world.calls_settings.line.pk]


def _department(world, member):
    return [world.calls_settings.department.pk]


def _recording(world, member):
    """The recording's signed link; the file is written when asked for (each test has its own media
    folder)."""
    if not default_storage.exists(RECORDING):
        default_storage.save(RECORDING, ContentFile(MP3))
    line = world.calls_settings.line
    return [line.pk, greeting_key(line)]


def _line_form(world, member):
    return {"number": "+48 22 555 00 00", "label": "Second line", "site": world.site.pk}


def _line_edit_form(world, member):
    line = world.calls_settings.line
    return {"number": line.number, "label": "Renamed line", "site": world.site.pk, "active": "on"}


def _flow_form(world, member):
    return {"greeting_text": "Hello.", "department_id": "desk", "after_hours_voicemail": "voicemail",
            "queue_max_seconds": "300"}


def _ring_group_form(world, member):
    return {"strategy": "parallel", "ring_seconds": "20", "overflow": "voicemail",
            "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0", "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "20", "targets-0-target": "44", "targets-0-ring_seconds": "15"}


def _provider_form(world, member):
    return {"kind": "twilio", "account_sid": "AC" + "0" * 32, "auth_token": "f" * 32}


ROUTES = [
    Route("GET", "calls:lines", "calls.manage"),
    Route("GET", "calls:line_new", "calls.manage"),
    Route("POST", "calls:line_new", "calls.manage", data=_line_form, ok=(302,)),
    Route("GET", "calls:line_edit", "calls.manage", args=_line),
    Route("POST", "calls:line_edit", "calls.manage", args=_line, data=_line_edit_form, ok=(302,)),
    Route("POST", "calls:line_remove", "calls.manage", args=_line, ok=(302,)),
    Route("GET", "calls:line_flow", "calls.manage", args=_line),
    Route("POST", "calls:line_flow", "calls.manage", args=_line, data=_flow_form, ok=(302,)),
    Route("GET", "calls:ring_groups", "calls.manage"),
    Route("GET", "calls:ring_group_edit", "calls.manage", args=_department),
    Route("POST", "calls:ring_group_edit", "calls.manage", args=_department, data=_ring_group_form,
          ok=(302,)),
    Route("GET", "calls:provider", "calls.provider"),
    Route("POST", "calls:provider", "calls.provider", data=_provider_form, ok=(302,)),
    Route("GET", "calls:line_greeting_audio", None, kind=PUBLIC, args=_recording),
]
