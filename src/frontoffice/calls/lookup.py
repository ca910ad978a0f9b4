"""Who is calling: the caller's number as E.164 and the client it belongs to.

Both run on every incoming call (the webhook's hot path), so the client lookup is one indexed query
(``client_phone_exact``: organisation + number) that reads two columns and builds no model instance.
"""

from __future__ import annotations

from operator import itemgetter

from django.db import connection

from frontoffice.clients.models import Client, ClientPhone
from frontoffice.core import phones

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
