"""The clients' rows of the access table (see tests/access_table.py): each part keeps its own module."""

from tests.clients import access_rows, api_access_rows, transfer_access_rows


def populate(world) -> None:
    access_rows.populate(world)
    api_access_rows.populate(world)
    transfer_access_rows.populate(world)


ROUTES = access_rows.ROUTES + api_access_rows.ROUTES + transfer_access_rows.ROUTES
