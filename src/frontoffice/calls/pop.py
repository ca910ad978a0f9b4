"""The screen pop: who is calling, what the office knows about them, and what to do with the call.

The calls app knows the caller (client, number, earlier calls); every other app adds what it knows
through ``registry.add_pop_section`` (reception: the last visit; later the open questions and today's
appointment), so this module never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frontoffice.calls.lookup import client_for_number
from frontoffice.calls.models import Call
from frontoffice.calls.queries.live import previous_calls
from frontoffice.clients import queries as client_queries
from frontoffice.clients.models import Client
from frontoffice.core import phones
from frontoffice.core.models import Member
from frontoffice.core.registry import PopSection, registry

NOTES_SHOWN = 400
MATCHES = 6


@dataclass
class Pop:
    call: Call
    client: Client | None
    number: str  # formatted for reading aloud; "" when withheld
    withheld: bool
    sharing: int  # how many clients have this number (more than one: the pop says so)
    notes: str  # the client's notes, shortened
    previous: list[Call] = field(default_factory=list)
    sections: list[PopSection] = field(default_factory=list)

    @property
    def caller(self) -> str:
        return self.client.display_name if self.client else self.call.caller_name


def _sharing(call: Call) -> int:
    found = client_for_number(call.organization_id, call.from_number)
    return found.matches if found else 0


def build(member: Member, call: Call) -> Pop:
    """The pop of ``call`` for ``member`` (sections they may not see are left out)."""
    client = call.client if call.client_id else None
    can_see_clients = member.can("clients.view")
    notes = client.notes if client and can_see_clients else ""
    return Pop(call=call, client=client, number=phones.display(call.from_number) if call.from_number else "",
               withheld=not call.from_number, sharing=_sharing(call) if can_see_clients else 0,
               notes=notes[:NOTES_SHOWN] + ("…" if len(notes) > NOTES_SHOWN else ""),
               previous=previous_calls(call), sections=registry.pop_for(member, call))


@dataclass
class Match:
    client: Client
    phone: str  # the first number, formatted


def client_matches(member: Member, q: str) -> list[Match]:
    """Clients to link the caller to, as the receptionist types a name or number."""
    q = (q or "").strip()[:100]
    if len(q) < 2 or not member.can("clients.view"):
        return []
    found = client_queries.client_search(member.organization, q, limit=MATCHES).items
    return [Match(c, next((phones.display(p.number) for p in c.phones.all()), "")) for c in found]
