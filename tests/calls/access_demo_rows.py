"""The calls demo rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from tests.access_table import Route

ROUTES: list = [
    # Only a demo installation (settings.DEMO) simulates calls: the table walks with it off, where a member
    # who may answer calls gets "not found". With it on (a call comes in, 302): tests/calls/test_demo.py.
    Route("POST", "calls:demo_simulate_call", "calls.answer", ok=(404,)),
]
