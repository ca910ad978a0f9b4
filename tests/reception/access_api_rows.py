"""Access rows: see tests/access_table.py."""

from tests.access_table import API, PAGE, PUBLIC, Route  # noqa: F401

ROUTES = []
