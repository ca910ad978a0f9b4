"""Three changes the search benchmark (bench/bench_client_search.py, 1,000,000 clients) called for.

1. Index ``Client.merged_into`` only where it is set.

Nearly every client has ``merged_into`` NULL, and every client list filters on ``merged_into IS NULL``.
With the plain foreign-key index, SQLite's planner — once ``ANALYZE`` had run — took that index for the
most selective one and then sorted the whole organisation: 1.2–2 s per search-as-you-type request at
1,000,000 clients instead of a few milliseconds (bench/bench_client_search.py). A partial index still
serves "records merged into X" (timeline, merge undo) and can never be chosen for ``IS NULL``.

Only the index changes, so the database operations say exactly that; Django's own AlterField would
rebuild the whole table on SQLite.

2. SQLite: the word-prefix table ``clients_words`` also indexes one-letter prefixes (prefix='1 2 3').
"Anna K", "Piotr W" — a first name and the surname's initial — made FTS5 merge the lists of every word
starting with that letter: 22 ms per lookup, against 7 ms with the one-letter prefix index (+10 % size).
The table is rebuilt from ``sort_name``, which is exactly what ``search.index`` writes into it.

3. PostgreSQL: a finer histogram of ``search_text`` (statistics target 1000, the default is 100). Search
chooses between sorting every candidate of a substring and walking the sort index from the planner's
estimate, and with 100 histogram entries a pattern seen in none of them is estimated at 105 rows:
"%791%" (a mobile prefix, 22,455 rows) was sorted row by row instead of walked. With 1000: 26,276.
ANALYZE of 1,000,000 clients takes ~5 s instead of ~1 s.
"""

import django.db.models.deletion
from django.db import migrations, models

WORDS = ("CREATE VIRTUAL TABLE clients_words USING fts5(names, tokenize=\"unicode61 remove_diacritics 2\", "
         "prefix='{prefixes}')")


def _rebuild_words(schema_editor, prefixes: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS clients_words")
    schema_editor.execute(WORDS.format(prefixes=prefixes))
    schema_editor.execute("INSERT INTO clients_words(rowid, names) SELECT id, sort_name FROM clients_client")


def _statistics(schema_editor, target: int) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE clients_client ALTER COLUMN search_text SET STATISTICS {target}")


def finer_statistics(apps, schema_editor):
    _statistics(schema_editor, 1000)


def default_statistics(apps, schema_editor):
    _statistics(schema_editor, -1)


def one_letter_prefixes(apps, schema_editor):
    _rebuild_words(schema_editor, "1 2 3")


def two_letter_prefixes(apps, schema_editor):
    _rebuild_words(schema_editor, "2 3")


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_importjob")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="client",
                    name="merged_into",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to="clients.client"),
                ),
            ],
            database_operations=[
                migrations.RunSQL('DROP INDEX IF EXISTS "clients_client_merged_into_id_fad7ad41"',
                                  'CREATE INDEX "clients_client_merged_into_id_fad7ad41" ON "clients_client" '
                                  '("merged_into_id")'),
            ],
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(condition=models.Q(merged_into__isnull=False), fields=["merged_into"],
                               name="client_merged_into"),
        ),
        migrations.RunPython(one_letter_prefixes, two_letter_prefixes),
        migrations.RunPython(finer_statistics, default_statistics),
    ]
