"""Search: an index for bucket 2 of ``clients/search.py`` — the "first last" name starts with the query.

The sort name is "last first", so "piotr k" (a first name, then the surname's first letters) was found
only by the word-prefix bucket, whose matches sort all over the alphabet: 50–100 ms at 1,000,000 clients
(bench/bench_client_search.py) for the commonest way of typing a name. The search text already begins
with the folded "first last" names, so its first characters index that order without a new column to
keep in sync. PostgreSQL compares them byte-wise (the "C" collation, as ``sort_name``) so a prefix is a
range; SQLite's default comparison already is.
"""

from django.db import migrations

KEY = "substr(search_text, 1, 60)"  # search.NATURAL_KEY_LENGTH
CREATE = {
    "postgresql": f'CREATE INDEX client_org_natural ON clients_client (organization_id, ({KEY} COLLATE "C"), id)',
    "sqlite": f"CREATE INDEX client_org_natural ON clients_client (organization_id, {KEY}, id)",
}


def forward(apps, schema_editor):
    schema_editor.execute(CREATE[schema_editor.connection.vendor])


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS client_org_natural")


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_search_plans")]
    operations = [migrations.RunPython(forward, backward)]
