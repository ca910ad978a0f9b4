"""Each engine's search machinery (see clients/search.py).

PostgreSQL: pg_trgm for substring search on the folded text, a full-text GIN index for word
prefixes, and the sort key in the "C" collation so an ordered prefix range uses the btree.
SQLite: two FTS5 tables — trigram for substrings, unicode61 for word prefixes — written by the
clients services.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    'ALTER TABLE clients_client ALTER COLUMN sort_name TYPE varchar(250) COLLATE "C"',
    "CREATE INDEX client_search_trgm ON clients_client USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX client_sort_tsv ON clients_client USING gin (to_tsvector('simple', sort_name))",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS client_sort_tsv",
    "DROP INDEX IF EXISTS client_search_trgm",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE clients_fts USING fts5(search_text, tokenize='trigram')",
    "CREATE VIRTUAL TABLE clients_words USING fts5(names, tokenize=\"unicode61 remove_diacritics 2\", "
    "prefix='2 3')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS clients_words", "DROP TABLE IF EXISTS clients_fts"]


def forward(apps, schema_editor):
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
