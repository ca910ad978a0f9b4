"""The client pages' rows of the access table (see tests/access_table.py); ``tests/clients/access.py``
takes them in next to the API's."""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.clients import services
from frontoffice.core import capabilities as caps
from tests.access_table import Route
from tests.clients.factories import make_client


def populate(world) -> None:
    """Clients of world.org, one archived, a related party, a custom field and an undoable merge
    (under world.client_pages)."""
    owner = world.member(caps.OWNER)
    client = make_client(owner, first_name="Jan", last_name="Kowalski", phones=["600 100 200"])
    other = make_client(owner, first_name="Jan", last_name="Kowalsky", phones=["600100200"])
    archived = services.client_archive(actor=owner, client=make_client(owner, first_name="Ola", last_name="Stara"))
    party = services.related_party_add(actor=owner, client=client, name="Adam Przeciwny")
    field = services.custom_field_save(actor=owner, label="Insurer", kind="text")
    kept = make_client(owner, first_name="Ewa", last_name="Zawadzka")
    merge = services.client_merge(actor=owner, kept=kept, merged=make_client(owner, first_name="Ewa",
                                                                             last_name="Zawadzka"))
    world.client_pages = SimpleNamespace(client=client, other=other, archived=archived, party=party, field=field,
                                         merge=merge)


def _client(world, member):
    return [world.client_pages.client.pk]


def _full_form(world, member):
    return {"entry": "full", "kind": "person", "first_name": "Alicja", "last_name": "Nowa", "phones": "601 200 300"}


def _field_form(world, member):
    return {"label": "Referred by", "kind": "text", "choices": "", "active": "on"}


ROUTES = [
    Route("GET", "clients:list", "clients.view", query=lambda w, m: {"q": "kowal"}),
    Route("GET", "clients:create", "clients.edit"),
    Route("POST", "clients:create", "clients.edit", data=_full_form, ok=(302,)),
    Route("POST", "clients:quick_create", "clients.edit", data=lambda w, m: {"name": "Alicja Nowa", "phone": ""},
          ok=(302,)),
    Route("POST", "clients:check_duplicates", "clients.edit",
          data=lambda w, m: {"entry": "quick", "name": "Jan Kowalski", "phone": "600 100"}),
    Route("GET", "clients:duplicates", "clients.merge"),
    Route("GET", "clients:conflict_check", "clients.conflict_check"),
    Route("POST", "clients:conflict_check", "clients.conflict_check", data=lambda w, m: {"name": "Kowalski"}),
    Route("GET", "clients:fields", "clients.fields"),
    Route("GET", "clients:field_create", "clients.fields"),
    Route("POST", "clients:field_create", "clients.fields", data=_field_form, ok=(302,)),
    Route("GET", "clients:field_edit", "clients.fields", args=lambda w, m: [w.client_pages.field.pk]),
    Route("POST", "clients:field_edit", "clients.fields", args=lambda w, m: [w.client_pages.field.pk],
          data=_field_form, ok=(302,)),
    Route("POST", "clients:merge_undo", "clients.merge", args=lambda w, m: [w.client_pages.merge.pk], ok=(302,)),
    Route("GET", "clients:detail", "clients.view", args=_client),
    Route("GET", "clients:edit", "clients.edit", args=_client),
    Route("POST", "clients:edit", "clients.edit", args=_client, data=_full_form, ok=(302,)),
    Route("GET", "clients:timeline", "clients.view", args=_client, query=lambda w, m: {"kind": "client."}),
    Route("POST", "clients:archive", "clients.archive", args=_client, ok=(302,)),
    Route("POST", "clients:restore", "clients.archive", args=lambda w, m: [w.client_pages.archived.pk], ok=(302,)),
    Route("POST", "clients:consent_add", "clients.edit", args=_client, ok=(302,),
          data=lambda w, m: {"kind": "marketing", "granted": "yes", "given_on": "2025-03-01", "source": "paper form"}),
    Route("POST", "clients:party_add", "clients.edit", args=_client, ok=(302,),
          data=lambda w, m: {"name": "Beata Strona", "relation": "opposing_party"}),
    Route("POST", "clients:party_remove", "clients.edit", args=lambda w, m: [w.client_pages.client.pk,
                                                                              w.client_pages.party.pk], ok=(302,)),
    Route("GET", "clients:merge", "clients.merge", args=_client, query=lambda w, m: {"q": "kowal"}),
    Route("POST", "clients:merge", "clients.merge", args=_client, ok=(302,),
          data=lambda w, m: {"other_id": w.client_pages.other.pk}),
]
