"""Which line was called, who is calling: the line (with its organisation, provider and site), the caller's
number as E.164 and the client it belongs to.

All run on every incoming call (the webhook's hot path). The client lookup is one indexed query
(``client_phone_exact``: organisation + number) that reads two columns and builds no model instance; the
line lookup is one query whose SQL is written once per process (building it through the ORM on every
call cost twice as much as running it).
"""

from __future__ import annotations

from operator import itemgetter

from functools import lru_cache

from django.db import connection, connections, router

from frontoffice.calls.models import Line, TelephonyProvider
from frontoffice.clients.models import Client, ClientPhone
from frontoffice.core import phones
from frontoffice.core.models import Organization, Site

# The rows one line lookup reads, in the order of their columns: (model, table alias).
_LINE_ROWS = ((Line, "l"), (Organization, "o"), (TelephonyProvider, "p"), (Site, "s"))


@lru_cache(maxsize=4)
def _line_query(alias: str) -> tuple[str, tuple]:
    """The SQL of the line lookup for this database, and per model its fields with their converters."""
    conn = connections[alias]
    qn = conn.ops.quote_name
    columns, readers = [], []
    for model, table in _LINE_ROWS:
        fields = model._meta.concrete_fields
        cols = [field.get_col(table) for field in fields]
        columns += [f"{table}.{qn(field.column)}" for field in fields]
        converters = tuple(tuple(conn.ops.get_db_converters(col) + col.get_db_converters(conn)) for col in cols)
        readers.append((model, tuple(field.attname for field in fields), tuple(cols), converters))
    line, org, provider, site = (qn(model._meta.db_table) for model, _table in _LINE_ROWS)
    sql = (f"SELECT {', '.join(columns)} FROM {line} l JOIN {org} o ON o.{qn('id')} = l.{qn('organization_id')} "
           f"JOIN {site} s ON s.{qn('id')} = l.{qn('site_id')} "
           f"LEFT JOIN {provider} p ON p.{qn('organization_id')} = l.{qn('organization_id')} "
           f"WHERE l.{qn('number')} = %s AND l.{qn('active')} = %s")
    return sql, tuple(readers)


def line_for_number(number: str) -> Line | None:
    """The active line with this E.164 number, its organisation (with ``telephony``, the provider, or
    none) and its site loaded; None for a number that is not an active line of ours."""
    if not number:
        return None
    alias = router.db_for_read(Line)
    sql, readers = _line_query(alias)
    conn = connections[alias]
    with conn.cursor() as cursor:
        cursor.execute(sql, [number, True])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, at = [], 0
    for model, attnames, cols, converters in readers:
        values = list(row[at:at + len(attnames)])
        at += len(attnames)
        for i, field_converters in enumerate(converters):
            for convert in field_converters:
                values[i] = convert(values[i], cols[i], conn)
        instances.append(model.from_db(alias, attnames, values) if values[0] is not None else None)
    line, organization, provider, site = instances
    line.organization, line.site, site.organization = organization, site, organization
    Organization.telephony.related.set_cached_value(organization, provider)  # None: no provider
    if provider is not None:
        provider.organization = organization
    return line

# What providers send instead of a number when the caller hides it: words, and Twilio's keypad spellings
# of the words (ANONYMOUS = +266696687, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE), which would otherwise
# parse as real numbers abroad.
_WITHHELD = frozenset({
    "anonymous", "restricted", "blocked", "unknown", "unavailable", "private", "withheld",
    "+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253",
})


def caller_number(raw: str, country: str) -> str:
    """The caller's number as E.164, or "" when it is withheld, not a phone number ("client:…", "sip:…")
    or does not parse."""
    text = (raw or "").strip()
    if not text or text.lower() in _WITHHELD or ":" in text:
        return ""
    return phones.try_normalize(text, country) or ""


class ClientMatch(tuple):
    """``(client_id, display_name)`` of the caller's client; ``matches`` says how many clients share the
    number (the pop warns when it is more than one: the one shown is the most recently updated)."""

    client_id = property(itemgetter(0))
    display_name = property(itemgetter(1))

    def __new__(cls, client_id: int, display_name: str, matches: int = 1):
        match = super().__new__(cls, (client_id, display_name))
        match.matches = matches
        return match


def _lookup_sql() -> str:
    phone, client = ClientPhone._meta, Client._meta
    # Live records only (merged and erased ones keep their phone rows); archived last, then the newest.
    return (
        f'SELECT c."id", c."display_name", COUNT(*) OVER () FROM "{phone.db_table}" p '
        f'JOIN "{client.db_table}" c ON c."id" = p."client_id" '
        f'WHERE p."organization_id" = %s AND p."number" = %s '
        f'AND c."merged_into_id" IS NULL AND c."erased_at" IS NULL '
        f'ORDER BY c."archived", c."updated_at" DESC, c."id" DESC LIMIT 1'
    )


_SQL = _lookup_sql()


def client_for_number(organization_id: int, e164: str) -> ClientMatch | None:
    """The organisation's client with this exact number (E.164), or None. One query."""
    if not e164:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [organization_id, e164])
        row = cursor.fetchone()
    return ClientMatch(row[0], row[1], row[2]) if row else None
