"""The knowledge base's search structures (see inquiries/search.py); the model does not change.

``Article.search_text`` holds the folded, stemmed words in five lines: the question's stems, the
keywords' stems, the answer's stems, the plain folded words of the question and keywords, and those of
the answer (plain words: for the prefix of a word still being typed).

PostgreSQL: two stored, generated tsvectors with GIN indexes — ``title_vector`` (question A, keywords B,
their plain words C), small, which search ranks first, and ``search_vector``: every word of the five lines
without positions (``strip``): it only has to be matched, and a vector with positions for long answers was
stored compressed, which cost ranking 4× (20,000 articles: 75 against 19 ms for 3,000 candidates).
SQLite: an FTS5 table, one row per active article (rowid = the article's id), written by the services;
its ``tags`` column carries the organisation, language, audience, category and "canned" as tokens, so the
full-text match itself keeps to one organisation. Its bm25 weights are set here (tags count for nothing).
"""

from django.db import migrations


def _line(number: int, weight: str) -> str:
    return f"setweight(to_tsvector('simple'::regconfig, split_part(search_text, E'\\n', {number})), '{weight}')"


TITLE = " || ".join([_line(1, "A"), _line(2, "B"), _line(4, "C")])
EVERYTHING = "strip(to_tsvector('simple'::regconfig, replace(search_text, E'\\n', ' ')))"
PG_FORWARD = [
    f"ALTER TABLE inquiries_article ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ({TITLE}) STORED",
    f"ALTER TABLE inquiries_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({EVERYTHING}) STORED",
    "CREATE INDEX article_title_vector ON inquiries_article USING gin (title_vector)",
    "CREATE INDEX article_search_vector ON inquiries_article USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS article_search_vector",
    "DROP INDEX IF EXISTS article_title_vector",
    "ALTER TABLE inquiries_article DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE inquiries_article DROP COLUMN IF EXISTS title_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE inquiries_article_fts USING fts5(tags, question, keywords, answer, title_words, "
    "answer_words, tokenize=\"unicode61 remove_diacritics 2\", prefix='2 3')",
    "INSERT INTO inquiries_article_fts(inquiries_article_fts, rank) VALUES ('rank', 'bm25(0, 10, 5, 1, 2, 0.5)')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS inquiries_article_fts"]


def forward(apps, schema_editor):
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
