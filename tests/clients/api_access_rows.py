"""The clients API's rows of the access table (see tests/access_table.py).

``tests/core/test_access.py`` discovers ``tests/<app>/access.py`` only, so the clients' ``access.py``
takes these in::

    from tests.clients import api_access_rows

    def populate(world):
        ...                                  # the pages' rows
        api_access_rows.populate(world)

    ROUTES = [...] + api_access_rows.ROUTES
"""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.clients import services
from frontoffice.core import capabilities as caps
from tests.access_table import API, Route
from tests.clients.factories import make_client


def populate(world) -> None:
    """Two live clients of world.org and a merge that can still be undone (under world.clients_api)."""
    clerk = world.member(caps.OWNER)
    client = make_client(clerk, first_name="Jan", last_name="Kowalski", phones=["600100200"])
    other = make_client(clerk, first_name="Janusz", last_name="Kowal", phones=["600 100 200"])
    merged = make_client(clerk, first_name="Adam", last_name="Zawada")
    kept = make_client(clerk, first_name="Adam", last_name="Zawadzki")
    merge = services.client_merge(actor=clerk, kept=kept, merged=merged)
    world.clients_api = SimpleNamespace(client=client, other=other, merge=merge)


def _client(world, member):
    return [world.clients_api.client.pk]


ROUTES = [
    Route("GET", "api:client_list", "clients.view", kind=API, query=lambda w, m: {"q": "kowal"}),
    Route("POST", "api:client_create", "clients.edit", kind=API,
          data=lambda w, m: {"first_name": "Anna", "last_name": "Nowak", "phones": ["601 200 300"]},
          ok=(201,)),
    Route("GET", "api:client_duplicates", "clients.merge", kind=API),
    # The walk sends JSON, never a file: past the capability check the import refuses it (400, "file").
    Route("POST", "api:client_import", "clients.import", kind=API, ok=(400,)),
    # A real export is a file, not the JSON the walk expects: ask for a format there is not (400, "format").
    Route("GET", "api:client_export", "clients.export", kind=API, query=lambda w, m: {"format": "ods"},
          ok=(400,)),
    Route("POST", "api:client_merge_undo", "clients.merge", kind=API,
          args=lambda w, m: [w.clients_api.merge.pk]),
    Route("GET", "api:client_get", "clients.view", kind=API, args=_client),
    Route("PATCH", "api:client_patch", "clients.edit", kind=API, args=_client,
          data=lambda w, m: {"tags": ["vip"]}),
    Route("DELETE", "api:client_archive", "clients.archive", kind=API, args=_client),
    Route("GET", "api:client_timeline", "clients.view", kind=API, args=_client),
    Route("POST", "api:client_merge", "clients.merge", kind=API, args=_client,
          data=lambda w, m: {"other_id": w.clients_api.other.pk}),
]
