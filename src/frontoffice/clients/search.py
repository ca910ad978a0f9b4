"""Client search: one module, each engine's own machinery behind it.

Ranking, best first, in buckets (each ordered by the folded sort name unless told, so pages are stable):
  0. exact contact or identifier: the E.164 phone, the last 6+ digits of a phone, an e-mail,
     an identifier;
  1. the folded "last first" name starts with the query (an indexed range scan);
  2. the folded "first last" name starts with it ("piotr k" → Piotr Kowalski; a range scan of the search
     text's first characters, in that order);
  3. every query word starts a word of the name (PostgreSQL full-text prefix / SQLite FTS5);
  4. every query word of 3+ letters appears anywhere in names, contacts, identifiers or tags, and every
     shorter one starts a word there (PostgreSQL pg_trgm GIN / SQLite FTS5 trigram); a phone number
     being typed ("600 1", "600-10") is its run of digits.
Text is folded in Python (``core.text.fold``) for both engines, so they find the same rows.
SQLite's FTS tables are written by ``index`` — called by the clients services in the same
transaction as the change — not by triggers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q, QuerySet

from frontoffice.clients import loading
from frontoffice.core import phones
from frontoffice.core.pagination import BadCursor, decode_cursor, encode_cursor
from frontoffice.core.prepared import Prepared
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
# Every statement is written here as SQL text around the base queryset's own WHERE (compiled once per
# search): the ORM compiled each of a search's 8–12 statements anew, ~5 ms of CPU per keystroke against
# ~2 ms the database spent on them.

T = "clients_client"
Cond = tuple[str, list]  # an SQL condition on clients_client and its parameters
# The "first last" name key: the search text starts with the folded "first last organisation" names.
NATURAL_KEY_LENGTH = 60


def _natural_key() -> str:
    """The expression of the (organisation, natural key, id) index; PostgreSQL compares it byte-wise as
    sort_name is (the "C" collation), SQLite's default comparison already is."""
    expr = f"substr({T}.search_text, 1, {NATURAL_KEY_LENGTH})"
    return f'({expr} COLLATE "C")' if is_postgres() else expr


def _and(*conds: Cond) -> Cond:
    return " AND ".join(f"({sql})" for sql, _params in conds), [p for _sql, params in conds for p in params]


def _not(cond: Cond) -> Cond:
    return f"NOT ({cond[0]})", cond[1]


def _scope(base: QuerySet) -> Cond | None:
    """The base queryset's WHERE as SQL; None when it can match nothing."""
    query = base.query
    if len([alias for alias, count in query.alias_refcount.items() if count]) > 1:
        raise ValueError("search: the base queryset must not join other tables")
    try:
        sql, params = query.get_compiler(using=base.db).compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1 = 1", []
    return sql or "1 = 1", list(params)


def _fts_phrase(words: list[str], prefix: bool) -> str:
    quoted = ['"' + w.replace('"', '""') + '"' + ("*" if prefix else "") for w in words]
    return " AND ".join(quoted)


def _tsquery(words: list[str]) -> str:
    return " & ".join(w.replace("'", "").replace("\\", "") + ":*" for w in words)


def _like(word: str, start: str = "%") -> str:
    return start + connection.ops.prep_for_like_query(word) + "%"


def _range(column: str, prefix: str) -> Cond:
    return f"{column} >= %s AND {column} < %s", [prefix, prefix + "\uffff"]


def _name_prefix(folded: str) -> Cond:
    """Bucket 1: the folded "last first" name starts with the query."""
    return _range(f"{T}.sort_name", folded)


def _natural_prefix(folded: str) -> Cond:
    """Bucket 2: the folded "first last" name starts with the query — the search text does: it begins with
    the names ("piotr k" → Piotr Kowalski; for an organisation the same as its sort name)."""
    sql, params = _range(_natural_key(), folded[:NATURAL_KEY_LENGTH])
    return f"{sql} AND substr({T}.search_text, 1, %s) = %s", [*params, len(folded), folded]


def _not_ids(ids: list[int]) -> Cond:
    if is_postgres():
        return f"NOT ({T}.id = ANY(%s))", [ids]
    return f"{T}.id NOT IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def _word_start(word: str) -> str:
    """A POSIX regular expression: ``word`` starts the text or a word of it (pg_trgm indexes it)."""
    return "(^| )" + re.escape(word)


@dataclass
class _Text:
    """A bucket's text condition: every word starts a word of the name (``words``), or every word of 3+
    letters appears in the search text and every shorter one starts a word of it (``substring``: "nowak xq"
    is rows with "nowak" and a word beginning "xq" — a fragment of 1–2 letters inside a word is no
    evidence, and "appears anywhere" let no index help: every "nowak" row was read to find none, 200 ms).
    Written three ways: for sorting every candidate the index finds, for testing the rows met while
    walking the sort index in order (``walk``), and — SQLite — as the FTS query alone (``fts``), to count
    or collect the candidates without touching the clients table."""

    kind: str  # "words" | "substring"
    words: list[str]

    @property
    def long_words(self) -> list[str]:
        return [w for w in self.words if len(w) >= MIN_SUBSTRING]

    @property
    def short_words(self) -> list[str]:
        return [w for w in self.words if len(w) < MIN_SUBSTRING]

    def fts(self, *, short_words: bool = True) -> Cond:
        if self.kind == "words":
            return "SELECT rowid FROM clients_words WHERE clients_words MATCH %s", [_fts_phrase(self.words, True)]
        # Words of 1–2 letters are no trigram: tested on the FTS table's own copy of the text, a narrower
        # row than the client's — or left out, to count the index candidates.
        shorts = self.short_words if short_words else []
        starts = "".join(" AND (search_text LIKE %s ESCAPE '\\' OR search_text LIKE %s ESCAPE '\\')" for _ in shorts)
        return (f"SELECT rowid FROM clients_fts WHERE clients_fts MATCH %s{starts}",
                [_fts_phrase(self.long_words, False), *[p for w in shorts for p in (_like(w, ""), _like(w, "% "))]])

    def short_words_filter(self) -> Cond:
        """SQLite: the short words tested on the client's own search text."""
        words = self.short_words if self.kind == "substring" else []
        sql = " AND ".join(f"({T}.search_text LIKE %s ESCAPE '\\' OR {T}.search_text LIKE %s ESCAPE '\\')"
                           for _ in words)
        return sql or "1 = 1", [p for w in words for p in (_like(w, ""), _like(w, "% "))]

    def condition(self, *, walk: bool = False) -> Cond:
        if is_postgres():
            # Walking, the condition is written so no text index can serve it ("|| ''"): the planner would
            # otherwise still read the whole GIN posting lists ("k:*" is every word starting with k).
            name, text = (f"({T}.sort_name || '')", f"({T}.search_text || '')") if walk else (
                f"{T}.sort_name", f"{T}.search_text")
            if self.kind == "words":
                return f"to_tsvector('simple', {name}) @@ to_tsquery('simple', %s)", [_tsquery(self.words)]
            conds = [(f"{text} LIKE %s", [_like(w)]) for w in self.long_words]
            conds += [(f"{text} ~ %s", [_word_start(w)]) for w in self.short_words]
            return _and(*conds)
        if walk and self.kind == "substring":  # row by row, the same test as the trigram index (all folded)
            conds = [(f"instr({T}.search_text, %s) > 0", [w]) for w in self.long_words]
            return _and(*conds, self.short_words_filter())
        sql, params = self.fts()
        # "+id" keeps SQLite from fetching every candidate by rowid when the sort index is to be walked.
        column = f"+{T}.id" if walk else f"{T}.id"
        return f"{column} IN ({sql})", params


def _exclude_words(words: list[str]) -> Cond:
    if is_postgres():
        return f"NOT (to_tsvector('simple', {T}.sort_name) @@ to_tsquery('simple', %s))", [_tsquery(words)]
    return (f"{T}.id NOT IN (SELECT rowid FROM clients_words WHERE clients_words MATCH %s)",
            [_fts_phrase(words, prefix=True)])


def _starts_with_digits(column: str, prefix: str) -> Cond:
    """``column`` starts with the digits ``prefix``, as a range the btree index serves on both engines
    (``LIKE 'prefix%'`` is not indexed by SQLite's case-insensitive LIKE nor by a PostgreSQL btree in a
    non-C collation: a scan of every phone, 0.2–1.2 s at 1,400,000 numbers)."""
    above = prefix.rstrip("9")
    if not above:
        return f"{column} >= %s", [prefix]
    above = above[:-1] + str(int(above[-1]) + 1)
    return f"{column} >= %s AND {column} < %s", [prefix, above]


def _exact_ids(organization, q: str) -> Cond | None:
    """A query for the ids of clients whose phone, e-mail or identifier is exactly what was typed."""
    q = q.strip()
    branches: list[Cond] = []
    if phones.looks_like_phone(q):
        suffix, params = _starts_with_digits("reversed_digits", phones.digits(q)[::-1])
        e164 = phones.try_normalize(q, organization.country)
        if e164:
            suffix, params = f"number = %s OR ({suffix})", [e164, *params]
        branches.append((f"SELECT client_id FROM clients_clientphone WHERE organization_id = %s AND ({suffix})",
                         [organization.pk, *params]))
    if "@" in q:
        branches.append(("SELECT client_id FROM clients_clientemail WHERE organization_id = %s AND email = %s",
                         [organization.pk, q.lower()]))
    compact = q.replace(" ", "").replace("-", "")
    if compact and len(compact) >= 3:
        values = list(dict.fromkeys([q, compact]))
        branches.append((f"SELECT client_id FROM clients_clientidentifier WHERE organization_id = %s AND value IN "
                         f"({', '.join(['%s'] * len(values))})", [organization.pk, *values]))
    if not branches:
        return None
    union = " UNION ALL ".join(f"SELECT * FROM ({sql} LIMIT 50) found{n}" for n, (sql, _p) in enumerate(branches))
    return f"{T}.id IN ({union})", [p for _sql, params in branches for p in params]


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


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _candidates(text: _Text) -> list[int] | int | None:
    """The rows the text index hands a bucket — what sorting them all costs. SQLite: their ids when there
    are at most SORT_AT_MOST (so they are looked up once), else None. PostgreSQL: the planner's estimate
    for the text condition alone (EXPLAIN, not run) — the index candidates, not the bucket's rows."""
    if not is_postgres():
        sql, params = text.fts(short_words=False)
        ids = [row[0] for row in _fetch(f"{sql} LIMIT %s", [*params, SORT_AT_MOST + 1])]
        return ids if len(ids) <= SORT_AT_MOST else None
    sql, params = text.condition()
    found = _PLAN_ROWS.search(_fetch(f"EXPLAIN SELECT {T}.id FROM {T} WHERE {sql}", params)[0][0])
    return int(found.group(1)) if found else 0


def _count_up_to(text: _Text, most: int) -> int:
    """SQLite: how many candidates the FTS tables hold for the bucket, counting no further than ``most``."""
    sql, params = text.fts(short_words=False)
    return _fetch(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, most])[0][0]


_PLAN_ROWS = re.compile(r"rows=(\d+)")


def _after(key: str, after: tuple[str, int] | None) -> Cond:
    if after is None:
        return "1 = 1", []
    name, pk = after
    # The plain range first, so both engines start the index scan at the cursor.
    return f"{key} >= %s AND ({key} > %s OR ({key} = %s AND {T}.id > %s))", [name, name, name, pk]


def _walk(cond: Cond, need: int, key: str | None = None) -> list[tuple[int, str]]:
    """The first ``need`` (id, key) in key order (sort name unless told), for the database to find by
    walking that index."""
    key = key or f"{T}.sort_name"
    return [tuple(row) for row in _fetch(
        f"SELECT {T}.id, {key} FROM {T} WHERE {cond[0]} ORDER BY {key}, {T}.id LIMIT %s", [*cond[1], need])]


def _sorted(cond: Cond, need: int) -> list[tuple[int, str]]:
    """The first ``need`` (id, sort name) in sort order, found by sorting every candidate: the inner query
    has no order, so the planner reaches the candidates through the text index, never by walking the sort
    index (a walk PostgreSQL's planner picks when it expects many matches spread evenly — 4 s when they
    all sort late)."""
    fence = "OFFSET 0" if is_postgres() else "LIMIT -1 OFFSET 0"
    return [tuple(row) for row in _fetch(
        f"SELECT id, sort_name FROM (SELECT {T}.id, {T}.sort_name FROM {T} WHERE {cond[0]} {fence}) candidates "
        "ORDER BY sort_name, id LIMIT %s", [*cond[1], need])]


def _window_end(organization, start: str | None, size: int) -> str | None:
    """The sort name ``size`` index entries on from ``start`` (read from the index alone), or None."""
    cond = _and((f"{T}.organization_id = %s", [organization.pk]),
                (f"{T}.sort_name >= %s", [start]) if start is not None else ("1 = 1", []))
    found = _fetch(f"SELECT {T}.sort_name FROM {T} WHERE {cond[0]} ORDER BY {T}.sort_name, {T}.id "
                   "LIMIT 1 OFFSET %s", [*cond[1], size])
    return found[0][0] if found else None


def _text_bucket(rest: Cond, text: _Text, organization, after: tuple[str, int] | None,
                 need: int) -> list[tuple[int, str]]:
    """The first ``need`` rows of ``rest`` matching ``text``, in sort order (see SORT_AT_MOST)."""
    found = _candidates(text)
    sort_after = _after(f"{T}.sort_name", after)
    if isinstance(found, list):  # SQLite, few: sort exactly those
        ids = (f"{T}.id IN (SELECT value FROM json_each(%s))", [json.dumps(found)])
        return _sorted(_and(rest, ids, text.short_words_filter(), sort_after), need)
    if found is not None and found <= SORT_AT_MOST:
        return _sorted(_and(rest, text.condition(), sort_after), need)
    walking = _and(rest, text.condition(walk=True), sort_after)
    rows: list[tuple[int, str]] = []
    start, size, walked = (after[0] if after else None), WALK_WINDOW, 0
    while True:
        below = _window_end(organization, start, size)
        window = [walking]
        if start is not None:
            window.append((f"{T}.sort_name >= %s", [start]))
        if below is not None:
            window.append((f"{T}.sort_name < %s", [below]))
        rows += _walk(_and(*window), need - len(rows))
        walked += size
        if len(rows) >= need or below is None:
            return rows
        start, size = below, size * 4
        if len(rows) * 4 < need - len(rows):  # sparse so far: walk on while it costs less than sorting
            ratio = _rows_walked_per_candidate_sorted()
            candidates = found if found is not None else _count_up_to(text, int((walked + size) / ratio) + 1)
            if walked + size >= candidates * ratio:
                return rows + _sorted(_and(rest, text.condition(), sort_after,
                                           (f"{T}.sort_name >= %s", [below])), need - len(rows))


_PHONE_TYPED = re.compile(r"[\d\s().\-/+]*\d[\d\s().\-/+]*")


def _substring_words(q: str, words: list[str]) -> list[str]:
    """The words of the substring bucket: a phone number being typed ("600 1", "(+48) 600-10") is its run of
    digits (stored numbers are digits too, with the country code; a leading "00" is the "+")."""
    if _PHONE_TYPED.fullmatch(q.strip()):
        digits = phones.digits(q)
        return [digits[2:] if digits.startswith("00") else digits]
    return words


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
    scope = _scope(base)
    if scope is None:
        return SearchPage([], None)
    exact = _exact_ids(organization, q)
    exact_rows = _walk(_and(scope, exact), 200) if exact else []
    name_prefix, natural_prefix = _name_prefix(folded), _natural_prefix(folded)
    others = [scope, _not_ids([pk for pk, _name in exact_rows])] if exact_rows else [scope]
    rest = _and(*others, _not(name_prefix), _not(natural_prefix))
    substring = _substring_words(q, words)
    found: list[tuple[int, int, str]] = []  # (bucket, id, key)
    for number in range(start_bucket, 5):
        need = limit + 1 - len(found)
        bucket_after = after if number == start_bucket else None
        if number == 0:
            rows = [(pk, name) for pk, name in exact_rows
                    if bucket_after is None or (name, pk) > bucket_after][:need]
        elif number == 1:
            rows = _walk(_and(*others, name_prefix, _after(f"{T}.sort_name", bucket_after)), need)
        elif number == 2:
            key = _natural_key()
            rows = _walk(_and(*others, natural_prefix, _not(name_prefix), _after(key, bucket_after)), need, key)
        elif number == 3:
            rows = _text_bucket(rest, _Text("words", words), organization, bucket_after, need)
        elif any(len(w) >= MIN_SUBSTRING for w in substring):
            rows = _text_bucket(_and(rest, _exclude_words(words)), _Text("substring", substring), organization,
                                bucket_after, need)
        else:
            rows = []
        found += [(number, pk, key) for pk, key in rows]
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    next_cursor = None
    if more and found:
        bucket, pk, key = found[-1]
        next_cursor = encode_cursor([bucket, key, pk])
    return SearchPage(loading.clients([pk for _bucket, pk, _key in found]), next_cursor)


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


def by_phone_query(organization_id: int, e164: str) -> QuerySet:
    """Clients with this exact E.164 number, as a queryset (``by_phone`` runs it prepared).

    The phone rows are narrowed by organisation too, so the (organisation, number) index serves them:
    joined through ``phones__number`` alone, PostgreSQL read every phone row (~100 ms at 1,400,000)."""
    from frontoffice.clients.models import Client, ClientPhone

    numbers = ClientPhone.objects.filter(organization_id=organization_id, number=e164).values("client_id")
    return Client.objects.filter(pk__in=numbers, organization_id=organization_id, merged_into__isnull=True,
                                 erased_at__isnull=True)


_by_phone = Prepared(by_phone_query, 2_000_000_001, "~sample-number~")


def by_phone(organization, e164: str) -> list:
    """Clients with this exact E.164 number (call routing's screen pop): one indexed lookup, compiled once
    per process."""
    return _by_phone(organization.pk, e164)
