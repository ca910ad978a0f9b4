"""Client search: one module, each engine's own machinery behind it.

Ranking, best first, in buckets (each ordered by the folded sort name, so pages are stable):
  0. exact contact or identifier: the E.164 phone, the last 6+ digits of a phone, an e-mail,
     an identifier;
  1. the folded "last first" name starts with the query (an indexed range scan);
  2. every query word starts a word of the name (PostgreSQL full-text prefix / SQLite FTS5);
  3. every query word of 3+ letters appears anywhere in names, contacts, identifiers or tags
     (PostgreSQL pg_trgm GIN / SQLite FTS5 trigram).
Text is folded in Python (``core.text.fold``) for both engines, so they find the same rows.
SQLite's FTS tables are written by ``index`` — called by the clients services in the same
transaction as the change — not by triggers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from frontoffice.core import phones
from frontoffice.core.pagination import BadCursor, decode_cursor, encode_cursor
from frontoffice.core.text import fold, terms

PAGE = 20
MIN_SUBSTRING = 3


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- keeping the index current ---------------------------------------------------------------

def texts_for(client, *, phone_numbers: list[str], emails: list[str]) -> tuple[str, str]:
    """(sort_name, search_text) for a client: what the type-ahead sorts by and what it looks in."""
    if client.kind == "organization":
        sort_name = fold(client.organization_name)
        names = sort_name
    else:
        sort_name = fold(f"{client.last_name} {client.first_name}")
        names = fold(f"{client.first_name} {client.last_name} {client.organization_name}")
    digits = " ".join(phones.digits(n) for n in phone_numbers)
    search_text = " ".join(filter(None, [names, " ".join(e.lower() for e in emails), digits,
                                         " ".join(fold(str(v)) for v in client.identifiers.values()),
                                         " ".join(fold(t) for t in client.tags)]))
    return sort_name or "~", search_text


def index(client) -> None:
    """Write the SQLite full-text rows for ``client`` (PostgreSQL indexes the columns itself)."""
    if is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clients_fts WHERE rowid = %s", [client.pk])
        cursor.execute("DELETE FROM clients_words WHERE rowid = %s", [client.pk])
        cursor.execute("INSERT INTO clients_fts(rowid, search_text) VALUES (%s, %s)", [client.pk, client.search_text])
        cursor.execute("INSERT INTO clients_words(rowid, names) VALUES (%s, %s)", [client.pk, client.sort_name])


def index_many(rows: list[tuple[int, str, str]]) -> None:
    """Bulk variant for imports: rows of (client id, sort_name, search_text), all new."""
    if is_postgres() or not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO clients_fts(rowid, search_text) VALUES (%s, %s)",
                           [(pk, text) for pk, _names, text in rows])
        cursor.executemany("INSERT INTO clients_words(rowid, names) VALUES (%s, %s)",
                           [(pk, names) for pk, names, _text in rows])


def rebuild(organization=None) -> int:
    """Recompute every stored search text (after a change of folding rules). Returns the count."""
    from frontoffice.clients import services

    rows = organization.clients.all() if organization is not None else _all_clients()
    count = 0
    for client in rows.prefetch_related("phones", "emails").iterator(chunk_size=2000):
        services.reindex(client)
        count += 1
    return count


def _all_clients():
    from frontoffice.clients.models import Client

    return Client.objects.all()


# --- querying ----------------------------------------------------------------------------------

def _fts_phrase(words: list[str], prefix: bool) -> str:
    quoted = ['"' + w.replace('"', '""') + '"' + ("*" if prefix else "") for w in words]
    return " AND ".join(quoted)


def _name_prefix(q: str) -> Q:
    return Q(sort_name__gte=q, sort_name__lt=q + "\uffff")


def _words_filter(queryset: QuerySet, words: list[str]) -> QuerySet:
    if is_postgres():
        tsquery = " & ".join(w.replace("'", "").replace("\\", "") + ":*" for w in words)
        return queryset.extra(where=["to_tsvector('simple', sort_name) @@ to_tsquery('simple', %s)"],
                              params=[tsquery])
    return queryset.extra(where=["clients_client.id IN (SELECT rowid FROM clients_words WHERE clients_words "
                                 "MATCH %s)"], params=[_fts_phrase(words, prefix=True)])


def _exclude_words(queryset: QuerySet, words: list[str]) -> QuerySet:
    if is_postgres():
        tsquery = " & ".join(w.replace("'", "").replace("\\", "") + ":*" for w in words)
        return queryset.extra(where=["NOT (to_tsvector('simple', sort_name) @@ to_tsquery('simple', %s))"],
                              params=[tsquery])
    return queryset.extra(where=["clients_client.id NOT IN (SELECT rowid FROM clients_words WHERE clients_words "
                                 "MATCH %s)"], params=[_fts_phrase(words, prefix=True)])


def _substring_filter(queryset: QuerySet, words: list[str]) -> QuerySet:
    long_words = [w for w in words if len(w) >= MIN_SUBSTRING]
    short_words = [w for w in words if len(w) < MIN_SUBSTRING]
    if is_postgres():
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        return queryset
    queryset = queryset.extra(where=["clients_client.id IN (SELECT rowid FROM clients_fts WHERE clients_fts "
                                     "MATCH %s)"], params=[_fts_phrase(long_words, prefix=False)])
    for word in short_words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def _starts_with_digits(column: str, prefix: str) -> Q:
    """``column`` starts with the digits ``prefix``, as a range the btree index serves on both engines
    (``LIKE 'prefix%'`` is not indexed by SQLite's case-insensitive LIKE nor by a PostgreSQL btree in a
    non-C collation: a scan of every phone, 0.2–1.2 s at 1,400,000 numbers)."""
    above = prefix.rstrip("9")
    if not above:
        return Q(**{f"{column}__gte": prefix})
    above = above[:-1] + str(int(above[-1]) + 1)
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": above})


def exact_matches(organization, q: str) -> list[int]:
    """Ids of clients whose phone, e-mail or identifier is exactly what was typed."""
    from frontoffice.clients.models import ClientEmail, ClientIdentifier, ClientPhone

    q = q.strip()
    ids: list[int] = []
    if phones.looks_like_phone(q):
        e164 = phones.try_normalize(q, organization.country)
        suffix = phones.digits(q)[::-1]
        condition = _starts_with_digits("reversed_digits", suffix)
        if e164:
            condition |= Q(number=e164)
        ids += ClientPhone.objects.filter(condition, organization=organization).values_list("client_id", flat=True)[:50]
    if "@" in q:
        ids += ClientEmail.objects.filter(organization=organization, email=q.lower()).values_list("client_id",
                                                                                                  flat=True)[:50]
    compact = q.replace(" ", "").replace("-", "")
    if compact and len(compact) >= 3:
        ids += ClientIdentifier.objects.filter(organization=organization, value__in={q, compact}).values_list(
            "client_id", flat=True)[:50]
    return list(dict.fromkeys(ids))


@dataclass
class SearchPage:
    items: list
    next_cursor: str | None


def search(base: QuerySet, organization, q: str, *, cursor: str | None = None, limit: int = PAGE) -> SearchPage:
    """One page of ``base`` (clients of the organisation, already filtered) matching ``q``, best first."""
    words = terms(q)
    folded = " ".join(words)
    if not words:
        return _plain_page(base, cursor, limit)
    start_bucket, after = 0, None
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 3 or not isinstance(values[0], int) or not isinstance(values[2], int):
            raise BadCursor("cursor")
        start_bucket, after = values[0], (values[1], values[2])
    exact_ids = exact_matches(organization, q)
    buckets = [
        base.filter(pk__in=exact_ids) if exact_ids else None,
        base.filter(_name_prefix(folded)).exclude(pk__in=exact_ids),
        _words_filter(base.exclude(_name_prefix(folded)).exclude(pk__in=exact_ids), words),
        _substring_filter(_exclude_words(base.exclude(_name_prefix(folded)).exclude(pk__in=exact_ids), words), words)
        if any(len(w) >= MIN_SUBSTRING for w in words) else None,
    ]
    found: list[tuple[int, object]] = []
    for number, queryset in enumerate(buckets):
        if queryset is None or number < start_bucket:
            continue
        queryset = queryset.order_by("sort_name", "id")
        if number == start_bucket and after is not None:
            queryset = queryset.filter(Q(sort_name__gt=after[0]) | Q(sort_name=after[0], id__gt=after[1]))
        for client in queryset[: limit + 1 - len(found)]:
            found.append((number, client))
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    next_cursor = None
    if more and found:
        bucket, last = found[-1]
        next_cursor = encode_cursor([bucket, last.sort_name, last.pk])
    return SearchPage([client for _bucket, client in found], next_cursor)


def _plain_page(base: QuerySet, cursor: str | None, limit: int) -> SearchPage:
    queryset = base.order_by("sort_name", "id")
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 3 or not isinstance(values[2], int):
            raise BadCursor("cursor")
        queryset = queryset.filter(Q(sort_name__gt=values[1]) | Q(sort_name=values[1], id__gt=values[2]))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(rows, encode_cursor([0, rows[-1].sort_name, rows[-1].pk]) if more and rows else None)


def by_phone(organization, e164: str) -> QuerySet:
    """Clients with this exact E.164 number (call routing's screen pop): one indexed lookup."""
    from frontoffice.clients.models import Client

    return Client.objects.filter(organization=organization, phones__number=e164, merged_into__isnull=True,
                                 erased_at__isnull=True).distinct()
