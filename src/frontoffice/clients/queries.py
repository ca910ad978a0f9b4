"""Reads of the client database used by pages, the API and other apps."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet

from frontoffice.clients import loading, search
from frontoffice.clients.models import Client, ClientEmail, ClientIdentifier, ClientPhone
from frontoffice.clients.validation import CleanClient
from frontoffice.core.models import Activity, Organization
from frontoffice.core.pagination import Page, paginate_desc
from frontoffice.core.text import fold


def clients_of(organization: Organization, *, archived: bool | None = False) -> QuerySet[Client]:
    """The organisation's clients; merged records never show. ``archived=None`` means both."""
    rows = Client.objects.filter(organization=organization, merged_into__isnull=True)
    if archived is not None:
        rows = rows.filter(archived=archived)
    return rows


def with_contacts(rows: QuerySet[Client]) -> QuerySet[Client]:
    return rows.prefetch_related("phones", "emails")


def client_search(organization: Organization, q: str, *, cursor: str | None = None, limit: int = search.PAGE,
                  archived: bool | None = False) -> search.SearchPage:
    page = search.search(clients_of(organization, archived=archived), organization, q, cursor=cursor, limit=limit)
    loading.attach_contacts(page.items)
    return page


def timeline(client: Client, *, verb_prefix: str | None = None, cursor: str | None = None,
             limit: int = 50) -> Page:
    """Every activity about this client — and about records merged into it — newest first."""
    ids = [client.pk, *Client.objects.filter(merged_into=client).values_list("pk", flat=True)]
    rows = Activity.objects.filter(organization_id=client.organization_id, client_id__in=ids).select_related(
        "actor__user")
    if verb_prefix:
        rows = rows.filter(verb__startswith=verb_prefix)
    return paginate_desc(rows, key="occurred_at", cursor=cursor, limit=limit)


def dashboard_panel(request) -> dict:
    """The dashboard card: how many records, the latest few added."""
    live = clients_of(request.org)
    return {"count": live.count(), "can_edit": request.member.can("clients.edit"),
            "recent": list(live.order_by("-created_at", "-id").only("pk", "display_name")[:5])}


def client_names(organization: Organization, ids) -> dict[int, str]:
    """Current display names for activity rows, which hold only client ids."""
    ids = {i for i in ids if i}
    return dict(Client.objects.filter(organization=organization, pk__in=ids).values_list("pk", "display_name"))


# --- duplicates -------------------------------------------------------------------------------

def possible_duplicates(organization: Organization, clean: CleanClient, *, exclude_id: int | None = None,
                        limit: int = 10) -> list[tuple[Client, str]]:
    """Live clients that look like the one being entered, with the reason, strongest first."""
    live = clients_of(organization, archived=None).filter(erased_at__isnull=True)
    found: dict[int, tuple[Client, str]] = {}

    def add(rows, reason):
        for client in rows.exclude(pk=exclude_id)[:limit]:
            found.setdefault(client.pk, (client, reason))

    if clean.identifiers:
        add(live.filter(pk__in=ClientIdentifier.objects.filter(organization=organization,
                                                               value__in=clean.identifiers.values())
                        .values("client_id")), "identifier")
    if clean.phones:
        add(live.filter(pk__in=ClientPhone.objects.filter(organization=organization, number__in=clean.phones)
                        .values("client_id")), "phone")
    if clean.emails:
        add(live.filter(pk__in=ClientEmail.objects.filter(organization=organization, email__in=clean.emails)
                        .values("client_id")), "email")
    sort_name = fold(f"{clean.last_name} {clean.first_name}") if clean.kind == "person" else fold(
        clean.organization_name)
    if sort_name:
        same_name = live.filter(sort_name=sort_name)
        if clean.date_of_birth:
            add(same_name.filter(Q(date_of_birth=clean.date_of_birth) | Q(date_of_birth__isnull=True)),
                "name and date of birth")
            add(_similar_names(live.filter(date_of_birth=clean.date_of_birth), sort_name), "similar name and date of birth")
        else:
            add(same_name, "same name")
    return list(found.values())[:limit]


def _similar_names(rows: QuerySet[Client], sort_name: str) -> QuerySet[Client]:
    """Names close enough to be the same person typed differently (Kowalska / Kowalski, one typo)."""
    from difflib import SequenceMatcher

    candidates = [c.pk for c in rows.only("pk", "sort_name")[:200]
                  if SequenceMatcher(None, c.sort_name, sort_name).ratio() >= 0.8]
    return rows.filter(pk__in=candidates)


def duplicate_pairs(organization: Organization, *, limit: int = 100) -> list[tuple[Client, Client, str]]:
    """Likely duplicate pairs across the database: shared phone, e-mail or identifier, or the same
    name and date of birth. Each query groups on an indexed column."""
    pairs: dict[tuple[int, int], str] = {}

    def collect(model, column, reason):
        shared = (model.objects.filter(organization=organization, client__merged_into__isnull=True,
                                       client__erased_at__isnull=True)
                  .values(column).annotate(n=Count("client", distinct=True)).filter(n__gt=1).values_list(column,
                                                                                                         flat=True))
        for value in list(shared[:limit]):
            ids = sorted(set(model.objects.filter(organization=organization, **{column: value},
                                                  client__merged_into__isnull=True, client__erased_at__isnull=True)
                             .values_list("client_id", flat=True)))
            for other in ids[1:]:
                pairs.setdefault((ids[0], other), reason)

    collect(ClientPhone, "number", "phone")
    collect(ClientEmail, "email", "email")
    collect(ClientIdentifier, "value", "identifier")
    same = (clients_of(organization, archived=None).filter(erased_at__isnull=True, date_of_birth__isnull=False)
            .values("sort_name", "date_of_birth").annotate(n=Count("id"), first=Min("id")).filter(n__gt=1))
    for row in same[:limit]:
        ids = sorted(clients_of(organization, archived=None).filter(
            sort_name=row["sort_name"], date_of_birth=row["date_of_birth"]).values_list("pk", flat=True))
        for other in ids[1:]:
            pairs.setdefault((ids[0], other), "name and date of birth")
    ids = {i for pair in pairs for i in pair}
    by_id = {c.pk: c for c in with_contacts(Client.objects.filter(pk__in=ids))}
    return [(by_id[a], by_id[b], reason) for (a, b), reason in list(pairs.items())[:limit]]
