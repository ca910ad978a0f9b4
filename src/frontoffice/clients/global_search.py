"""The clients' entry in the global search box."""

from django.urls import reverse

from frontoffice.clients import queries
from frontoffice.core import phones
from frontoffice.core.registry import SearchResult, registry


def clients(member, q: str, limit: int) -> list[SearchResult]:
    page = queries.client_search(member.organization, q, limit=limit)
    kind = str(member.organization.preset.terms.client).capitalize()
    return [SearchResult(kind, c.display_name, reverse("clients:detail", args=[c.pk]),
                         " · ".join(filter(None, [c.date_of_birth.isoformat() if c.date_of_birth else "",
                                                  phones.display(c.phones.all()[0].number) if c.phones.all() else "",
                                                  c.emails.all()[0].email if c.emails.all() else ""])))
            for c in page.items]


registry.add_search("clients.view", clients, order=10)
