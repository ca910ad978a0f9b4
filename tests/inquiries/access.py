"""The inquiries rows of the access table (see tests/access_table.py): each part keeps its own module."""

from tests.inquiries import (
    access_api_rows,
    access_articles_rows,
    access_desk_rows,
    access_mail_rows,
    access_public_rows,
    access_settings_rows,
)

_PARTS = (access_desk_rows, access_articles_rows, access_settings_rows, access_api_rows, access_public_rows,
          access_mail_rows)


def populate(world) -> None:
    for part in _PARTS:
        getattr(part, "populate", lambda w: None)(world)


ROUTES = [route for part in _PARTS for route in part.ROUTES]
