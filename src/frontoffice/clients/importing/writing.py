"""Storing many validated clients at once: the bulk twin of ``services.client_create``.

It writes what ``client_create`` writes for each client — the record with its sort and search texts,
phone, e-mail and identifier rows, the SQLite full-text rows, a ``client.created`` activity — in
batches. Measured on 100,000 rows, the ORM's ``bulk_create`` spent ~25 s building SQL value by value
(SQLite allows ~40 client rows per statement); ``executemany`` over the same columns takes a few
seconds, and PostgreSQL's ``COPY`` half as long again as its ``executemany``. So this module inserts
with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), adapting values with the backend's own
``connection.ops`` adapters, and reserves the client ids first (a PostgreSQL sequence; on SQLite the
transaction's write lock). The caller holds the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, models
from django.utils import timezone

from frontoffice.clients import search
from frontoffice.clients.models import PERSON, Client, ClientEmail, ClientIdentifier, ClientPhone
from frontoffice.clients.validation import CleanClient
from frontoffice.core import phones
from frontoffice.core.models import Activity, Member

BATCH = 5000
_CLIENT_COLUMNS = ("id", "organization_id", "kind", "first_name", "last_name", "organization_name", "display_name",
                   "sort_name", "search_text", "date_of_birth", "street", "postal_code", "city", "country",
                   "identifiers", "tags", "notes", "custom", "archived", "merged_into_id", "erased_at",
                   "created_by_id", "created_at", "updated_at")


def clients_store(*, actor: Member, cleans: list[CleanClient], source: str, data: dict | None = None,
                  progress: Callable[[int], None] | None = None) -> list[int]:
    """Insert ``cleans`` for ``actor``'s organisation inside the caller's transaction; return the new ids.

    The per-client ``client.created`` activities are inserted here too, in bulk, rather than through
    ``activity_record`` one by one: the log is append-only, and inserting is all ``activity_record`` does.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("clients_store must run inside a transaction")
    organization = actor.organization
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    activity_data = ops.adapt_json_value({"source": source} | (data or {}), None)
    ids: list[int] = []
    for start in range(0, len(cleans), BATCH):
        batch = cleans[start:start + BATCH]
        batch_ids = _reserve_ids(Client, len(batch))
        rows, index_rows = [], []
        for pk, clean in zip(batch_ids, batch):
            sort_name, search_text = search.texts_for(clean, phone_numbers=clean.phones, emails=clean.emails)
            rows.append((pk, organization.pk, clean.kind or PERSON, clean.first_name, clean.last_name,
                         clean.organization_name, clean.display_name, sort_name, search_text,
                         ops.adapt_datefield_value(clean.date_of_birth), clean.street, clean.postal_code, clean.city,
                         clean.country, ops.adapt_json_value(clean.identifiers, None),
                         ops.adapt_json_value(clean.tags, None), clean.notes, ops.adapt_json_value(clean.custom, None),
                         False, None, None, actor.pk, now, now))
            index_rows.append((pk, sort_name, search_text))
        _insert(Client, _CLIENT_COLUMNS, rows)
        _insert(ClientPhone, ("organization_id", "client_id", "number", "reversed_digits", "label", "position"),
                ((organization.pk, pk, number, phones.reversed_digits(number), "", position)
                 for pk, clean in zip(batch_ids, batch) for position, number in enumerate(clean.phones)))
        _insert(ClientEmail, ("organization_id", "client_id", "email", "position"),
                ((organization.pk, pk, email, position)
                 for pk, clean in zip(batch_ids, batch) for position, email in enumerate(clean.emails)))
        _insert(ClientIdentifier, ("organization_id", "client_id", "scheme", "value"),
                ((organization.pk, pk, scheme, value)
                 for pk, clean in zip(batch_ids, batch) for scheme, value in clean.identifiers.items()))
        search.index_many(index_rows)
        _insert(Activity, ("organization_id", "site_id", "actor_id", "actor_kind", "verb", "subject_type",
                           "subject_id", "subject_label", "client_id", "occurred_at", "data"),
                ((organization.pk, None, actor.pk, "member", "client.created", "clients.client", str(pk), "", pk, now,
                  activity_data) for pk in batch_ids))
        ids += batch_ids
        if progress is not None:
            progress(len(ids))
    return ids


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: twice as fast as executemany here
            with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(columns))})", rows)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: this transaction began IMMEDIATE (settings), so it holds the write lock and no one else
        # takes ids meanwhile. AUTOINCREMENT never reuses an id, so start above sqlite_sequence too.
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        top = max(top, cursor.fetchone()[0])
    return list(range(top + 1, top + 1 + count))
