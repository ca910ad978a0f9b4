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

import json
import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
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


def _tsquery(words: list[str]) -> str:
    return " & ".join(w.replace("'", "").replace("\\", "") + ":*" for w in words)


def _like(word: str) -> str:
    return "%" + connection.ops.prep_for_like_query(word) + "%"


@dataclass
class _Text:
    """A bucket's text condition: every word starts a word of the name (``words``), or every word appears
    in the search text (``substring``). Written three ways: for sorting every candidate the index finds,
    for testing the rows met while walking the sort index in order (``walk``), and — SQLite — as the FTS
    query alone (``fts``), to count or collect the candidates without touching the clients table."""

    kind: str  # "words" | "substring"
    words: list[str]

    @property
    def long_words(self) -> list[str]:
        return [w for w in self.words if len(w) >= MIN_SUBSTRING]

    @property
    def short_words(self) -> list[str]:
        return [w for w in self.words if len(w) < MIN_SUBSTRING]

    def fts(self, *, short_words: bool = True) -> tuple[str, list]:
        if self.kind == "words":
            return "SELECT rowid FROM clients_words WHERE clients_words MATCH %s", [_fts_phrase(self.words, True)]
        # Words of 1–2 letters are no trigram: tested on the FTS table's own copy of the text, a narrower
        # row than the client's ("nowak xq": 115 → 48 ms) — or left out, to count the index candidates.
        shorts = self.short_words if short_words else []
        likes = "".join(" AND search_text LIKE %s ESCAPE '\\'" for _ in shorts)
        return (f"SELECT rowid FROM clients_fts WHERE clients_fts MATCH %s{likes}",
                [_fts_phrase(self.long_words, False), *map(_like, shorts)])

    def short_words_filter(self, queryset: QuerySet) -> QuerySet:
        for word in self.short_words if self.kind == "substring" else []:
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter(self, queryset: QuerySet, *, walk: bool = False) -> QuerySet:
        if is_postgres():
            # Walking, the condition is written so no text index can serve it ("|| ''"): the planner would
            # otherwise still read the whole GIN posting lists ("k:*" is every word starting with k).
            name, text = ("(sort_name || '')", "(search_text || '')") if walk else ("sort_name", "search_text")
            if self.kind == "words":
                return queryset.extra(where=[f"to_tsvector('simple', {name}) @@ to_tsquery('simple', %s)"],
                                      params=[_tsquery(self.words)])
            # 3+ letters through the trigram index; shorter ones tested on the rows it gives
            return queryset.extra(where=[f"{text} LIKE %s"] * len(self.words), params=[_like(w) for w in self.words])
        if walk and self.kind == "substring":  # row by row, the same test as the trigram index (all folded)
            queryset = queryset.extra(where=["instr(clients_client.search_text, %s) > 0"] * len(self.long_words),
                                      params=self.long_words)
            return self.short_words_filter(queryset)
        sql, params = self.fts()
        # "+id" keeps SQLite from fetching every candidate by rowid when the sort index is to be walked.
        column = "+clients_client.id" if walk else "clients_client.id"
        return queryset.extra(where=[f"{column} IN ({sql})"], params=params)


def _exclude_words(queryset: QuerySet, words: list[str]) -> QuerySet:
    if is_postgres():
        return queryset.extra(where=["NOT (to_tsvector('simple', sort_name) @@ to_tsquery('simple', %s))"],
                              params=[_tsquery(words)])
    return queryset.extra(where=["clients_client.id NOT IN (SELECT rowid FROM clients_words WHERE clients_words "
                                 "MATCH %s)"], params=[_fts_phrase(words, prefix=True)])


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


# How a text bucket's first rows in sort order are found. Sorting every candidate costs what the
# candidates cost (a row visit each); walking the sort index costs the rows walked past before enough
# match. So: few candidates — sort them. Many — walk, WALK_WINDOW index entries first, then windows four
# times larger; but when the matches met so far are too sparse to finish soon (they may all sort late:
# "anna k" is the K… surnames), walk on only while the walk has cost less than sorting every candidate.
SORT_AT_MOST = 10_000
WALK_WINDOW = 2_500


def _rows_walked_per_candidate_sorted() -> float:
    """What sorting one candidate costs in rows walked (measured at 1,000,000 clients): PostgreSQL visits
    the heap for each (~5.5 µs against ~2 µs per row walked); for SQLite one is about one."""
    return 2.5 if is_postgres() else 1.0


def _candidates(text: _Text, model) -> list[int] | int | None:
    """The rows the text index hands a bucket — what sorting them all costs. SQLite: their ids when there
    are at most SORT_AT_MOST (so they are looked up once), else None. PostgreSQL: the planner's estimate
    for the index condition alone (EXPLAIN, not run) — the index candidates, not the bucket's rows: for
    "698 46" the trigram index yields 22,000 rows with "698", of which 2,700 also hold "46"."""
    with connection.cursor() as cursor:
        if not is_postgres():
            sql, params = text.fts(short_words=False)
            cursor.execute(f"{sql} LIMIT %s", [*params, SORT_AT_MOST + 1])
            ids = [row[0] for row in cursor.fetchall()]
            return ids if len(ids) <= SORT_AT_MOST else None
        index_only = _Text(text.kind, text.long_words if text.kind == "substring" else text.words)
        sql, params = index_only.filter(model.objects.all()).order_by().values_list("id").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        found = _PLAN_ROWS.search(cursor.fetchone()[0])
        return int(found.group(1)) if found else 0


def _count_up_to(text: _Text, most: int) -> int:
    """SQLite: how many candidates the FTS tables hold for the bucket, counting no further than ``most``."""
    sql, params = text.fts(short_words=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, most])
        return cursor.fetchone()[0]


_PLAN_ROWS = re.compile(r"rows=(\d+)")


def _after(queryset: QuerySet, after: tuple[str, int] | None) -> QuerySet:
    if after is None:
        return queryset
    name, pk = after
    # The plain range first, so both engines start the index scan at the cursor.
    return queryset.filter(sort_name__gte=name).filter(Q(sort_name__gt=name) | Q(sort_name=name, id__gt=pk))


def _walk(queryset: QuerySet, need: int, below: str | None = None) -> list[tuple[int, str]]:
    """The first ``need`` (id, sort name) in sort order, for the database to find by walking its sort index."""
    if below is not None:
        queryset = queryset.filter(sort_name__lt=below)
    return list(queryset.order_by("sort_name", "id").values_list("id", "sort_name")[:need])


def _sorted(queryset: QuerySet, need: int) -> list[tuple[int, str]]:
    """The first ``need`` (id, sort name) in sort order, found by sorting every candidate: the inner query
    has no order, so the planner reaches the candidates through the text index, never by walking the sort
    index (a walk PostgreSQL's planner picks when it expects many matches spread evenly — 4 s when they
    all sort late)."""
    try:
        inner, params = queryset.order_by().values_list("id", "sort_name").query.sql_with_params()
    except EmptyResultSet:
        return []
    fence = "OFFSET 0" if is_postgres() else "LIMIT -1 OFFSET 0"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, sort_name FROM ({inner} {fence}) candidates ORDER BY sort_name, id LIMIT %s",
                       [*params, need])
        return [tuple(row) for row in cursor.fetchall()]


def _window_end(model, organization, start: str | None, size: int) -> str | None:
    """The sort name ``size`` index entries on from ``start`` (read from the index alone), or None."""
    keys = model.objects.filter(organization=organization)
    if start is not None:
        keys = keys.filter(sort_name__gte=start)
    found = list(keys.order_by("sort_name", "id").values_list("sort_name", flat=True)[size:size + 1])
    return found[0] if found else None


def _text_bucket(rest: QuerySet, text: _Text, organization, after: tuple[str, int] | None,
                 need: int) -> list[tuple[int, str]]:
    """The first ``need`` rows of ``rest`` matching ``text``, in sort order (see SORT_AT_MOST)."""
    found = _candidates(text, rest.model)
    if isinstance(found, list):  # SQLite, few: sort exactly those
        ids = rest.extra(where=["clients_client.id IN (SELECT value FROM json_each(%s))"], params=[json.dumps(found)])
        return _sorted(_after(text.short_words_filter(ids), after), need)
    if found is not None and found <= SORT_AT_MOST:
        return _sorted(_after(text.filter(rest), after), need)
    walking = _after(text.filter(rest, walk=True), after)
    rows: list[tuple[int, str]] = []
    start, size, walked = (after[0] if after else None), WALK_WINDOW, 0
    while True:
        below = _window_end(rest.model, organization, start, size)
        window = walking.filter(sort_name__gte=start) if start is not None else walking
        rows += _walk(window, need - len(rows), below)
        walked += size
        if len(rows) >= need or below is None:
            return rows
        start, size = below, size * 4
        if len(rows) * 4 < need - len(rows):  # sparse so far: walk on while it costs less than sorting
            ratio = _rows_walked_per_candidate_sorted()
            candidates = found if found is not None else _count_up_to(text, int((walked + size) / ratio) + 1)
            if walked + size >= candidates * ratio:
                return rows + _sorted(_after(text.filter(rest), after).filter(sort_name__gte=below),
                                      need - len(rows))


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
    prefix = _name_prefix(folded)
    others = base.exclude(prefix).exclude(pk__in=exact_ids)
    found: list[tuple[int, int, str]] = []  # (bucket, id, sort name)
    for number in range(start_bucket, 4):
        need = limit + 1 - len(found)
        bucket_after = after if number == start_bucket else None
        if number == 0:
            rows = _walk(_after(base.filter(pk__in=exact_ids), bucket_after), need) if exact_ids else []
        elif number == 1:
            rows = _walk(_after(base.filter(prefix).exclude(pk__in=exact_ids), bucket_after), need)
        elif number == 2:
            rows = _text_bucket(others, _Text("words", words), organization, bucket_after, need)
        elif any(len(w) >= MIN_SUBSTRING for w in words):
            rows = _text_bucket(_exclude_words(others, words), _Text("substring", words), organization,
                                bucket_after, need)
        else:
            rows = []
        found += [(number, pk, name) for pk, name in rows]
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    by_id = base.in_bulk([pk for _bucket, pk, _name in found])
    next_cursor = None
    if more and found:
        bucket, pk, name = found[-1]
        next_cursor = encode_cursor([bucket, name, pk])
    return SearchPage([by_id[pk] for _bucket, pk, _name in found if pk in by_id], next_cursor)


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
    """Clients with this exact E.164 number (call routing's screen pop): one indexed lookup.

    The phone rows are narrowed by organisation too, so the (organisation, number) index serves them:
    joined through ``phones__number`` alone, PostgreSQL read every phone row (~100 ms at 1,400,000)."""
    from frontoffice.clients.models import Client, ClientPhone

    numbers = ClientPhone.objects.filter(organization=organization, number=e164).values("client_id")
    return Client.objects.filter(pk__in=numbers, organization=organization, merged_into__isnull=True,
                                 erased_at__isnull=True)
