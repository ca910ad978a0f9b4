"""The calls rows of the access table (see tests/access_table.py): each part keeps its own module."""

from tests.calls import (
    access_api_rows,
    access_demo_rows,
    access_messages_rows,
    access_settings_rows,
    access_switchboard_rows,
)

_PARTS = (access_switchboard_rows, access_messages_rows, access_settings_rows, access_api_rows, access_demo_rows)


def populate(world) -> None:
    for part in _PARTS:
        getattr(part, "populate", lambda w: None)(world)


ROUTES = [route for part in _PARTS for route in part.ROUTES]
