"""Knowledge-base search: one module, each engine's own machinery behind it.

Text is prepared in Python for both engines, so they find the same articles: words are folded
(``core.text.fold``: "Zaświadczenie" → "zaswiadczenie"), stop words dropped ("how do I get a …"), and
stemmed with the Snowball stemmer of the article's language (English or Polish). A Polish word is
stemmed twice — as written and folded — because the stemmer reads the diacritics ("wyników" → "wynik",
"wynikow" → "wynikow"): the article keeps both stems, and a query typed with or without them meets one.

``Article.search_text`` keeps the prepared words in five lines: the question's stems, the keywords'
stems, the answer's stems, the plain folded words of the question and keywords, and those of the answer
(plain words serve the prefix of a word still being typed). PostgreSQL reads them through two generated,
weighted tsvectors with GIN indexes (migration 0002); SQLite through the FTS5 table
``inquiries_article_fts``, one row per active article, written by ``index`` (called by the article
services in the same transaction).

Two ways of asking:
  ``suggest`` — a whole question ("how do i get a medical certificate for school"): articles holding ANY
  of its words, best first;
  ``search`` — what someone types in a search box: articles holding EVERY word (the last one may be
  unfinished), best first; when no article holds them all, the ``suggest`` ranking.
Both rank in two tiers: first the articles whose question or keywords match (the question counts more
than the keywords), then — only when those are too few — the articles matching in their answers too. The
question is what tells articles apart, and ranking only the narrow first tier keeps a question of common
words ("visit", "appointment") from ranking thousands of answers (DESIGN §8: rank narrow sets only).
SQLite ranks with FTS5's bm25. PostgreSQL's ts_rank knows nothing of how rare a word is, so each word's
ts_rank is weighted here by its inverse document frequency, read from the planner's statistics of the
titles; a question with rare words takes its candidates from them. On the benchmark's 20,000 articles
(bench/bench_inquiries.py) that put the right article first for 46 of 62 real questions instead of 39,
as bm25 does (47).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db import connection, transaction

from frontoffice.core.text import fold

LANGUAGES = ("en", "pl")
SUGGEST_WORDS = 24  # a long e-mail is searched by its first distinct words
LINES = 5  # of search_text
PREFIX_MIN = 2  # letters of an unfinished last word before it is looked up as a prefix
_WORD = re.compile(r"[^\W_]+")
# Column weights: FTS5's bm25 is set in migration 0002 (question 10, keywords 5, title words 2, answer 1,
# answer words 0.5); PostgreSQL's ts_rank: D (the stripped full vector), C (plain title words), B (keywords),
# A (question).
PG_WEIGHTS = "{0.1, 0.3, 0.6, 1.0}"

# Words that say nothing about what is asked. Polish words that are also English words ("ten", "pan",
# "ale") are left out: a query in either language is cleaned with both lists.
_STOP = {
    "en": """a about above after again all also am an and any are as at be because been before being below
        between both but by can could did do does doing down during each few for from further get gets getting
        got had has have having he her here hers him his how i if in into is it its itself just me might more
        most must my myself no nor not of off on once only or other our ours out over own please same shall
        she should so some such than that the their theirs them then there these they this those through to
        too under until up very was we were what when where which while who whom why will with would you
        your yours yourself""",
    "pl": """a aby albo bo by byc byl byla bylo byly chce chcialbym chcialabym co czy czyli dla do gdy gdzie
        i ich ile im ja jak jaka jaki jakie jako je jego jej jem jest jestem jesli juz kiedy ktora ktore
        ktory ktorzy mam mi mnie moge moj moja moje mozna my na nad nam nas nie niz o od oraz po pod prosze
        przez przy sa sie sobie ta tam te tego tej tez to tu ty u w we wiec z za ze zeby""",
}
STOP_WORDS = {language: frozenset(fold(words).split()) for language, words in _STOP.items()}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- preparing text ------------------------------------------------------------------------------

def _language(language: str | None) -> str:
    return language if language in LANGUAGES else "en"


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer({"en": "english", "pl": "polish"}[language])


@lru_cache(maxsize=50_000)
def _stems(word: str, language: str) -> tuple[str, ...]:
    """The folded stems of one lower-case word: as written, and (Polish) of its folded spelling."""
    stemmer = _stemmer(language)
    folded = _fold_word(word)
    stems = [_fold_word(stemmer.stemWord(word)), stemmer.stemWord(folded)]
    return tuple(dict.fromkeys(s for s in stems if s))


def _fold_word(word: str) -> str:
    """``fold`` for one word, which stays one plain word ("⒈" folds to "1.": "1")."""
    return "".join(_WORD.findall(fold(word)))


def _words(text: str, stop: frozenset[str]) -> list[tuple[str, str]]:
    """(lower-case word, folded word) for every word of ``text`` that is not a stop word."""
    found = []
    for word in _WORD.findall((text or "").lower()):
        folded = _fold_word(word)
        if folded and folded not in stop:
            found.append((word, folded))
    return found


def _stem_line(text: str, language: str) -> tuple[str, list[str]]:
    """(the stems of ``text`` as one line, its plain folded words)."""
    words = _words(text, STOP_WORDS[language])
    return " ".join(s for word, _folded in words for s in _stems(word, language)), [f for _w, f in words]


def search_text_for(article) -> str:
    """The prepared words of ``article`` (see the module's docstring): five lines."""
    language = _language(article.language)
    question, plain_q = _stem_line(article.question, language)
    keywords, plain_k = _stem_line(article.keywords, language)
    answer, plain_a = _stem_line(article.answer, language)
    title_words = " ".join(dict.fromkeys(plain_q + plain_k))
    answer_words = " ".join(dict.fromkeys(plain_a))
    return "\n".join([question, keywords, answer, title_words, answer_words])


FTS_INSERT = ("INSERT INTO inquiries_article_fts(rowid, tags, question, keywords, answer, title_words, answer_words) "
              "VALUES (%s, %s, %s, %s, %s, %s, %s)")


def _tags(article) -> str:
    tags = [f"o{article.organization_id}", f"l{_language(article.language)}", f"a{article.audience}"]
    if article.category_id:
        tags.append(f"c{article.category_id}")
    if article.is_canned_reply:
        tags.append("canned")
    return " ".join(tags)


# --- keeping the index current -----------------------------------------------------------------------

def index(article) -> None:
    """Write the SQLite full-text row for ``article`` (none when it is retired); PostgreSQL indexes its
    generated column itself. ``article.search_text`` must be current (``prepare``)."""
    if is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM inquiries_article_fts WHERE rowid = %s", [article.pk])
        if article.active:
            cursor.execute(FTS_INSERT, [article.pk, _tags(article), *_lines(article)])


def _lines(article) -> list[str]:
    lines = (article.search_text or "").split("\n")
    return (lines + [""] * LINES)[:LINES]


def prepare(article) -> bool:
    """Recompute ``article.search_text`` (not saved). True when it changed."""
    text = search_text_for(article)
    changed = text != article.search_text
    article.search_text = text
    return changed


def reindex(articles: Iterable) -> int:
    """Recompute and store the search text and full-text rows of ``articles`` (saved rows: bulk loads,
    tests, a change of the folding or stemming rules). Returns the count.

    A bulk load writes no row twice when each article is ``prepare``d before ``bulk_create``: only the
    full-text rows are written then (on PostgreSQL, nothing)."""
    from frontoffice.inquiries.models import Article

    batch, changed, count = [], [], 0
    for article in articles:
        if prepare(article):
            changed.append(article)
        batch.append(article)
        if len(batch) >= 1000:
            count += _store(Article, batch, changed)
            batch, changed = [], []
    return count + _store(Article, batch, changed)


def _store(model, batch: list, changed: list) -> int:
    if not batch:
        return 0
    if changed:
        model.objects.bulk_update(changed, ["search_text"])
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM inquiries_article_fts WHERE rowid = %s", [(a.pk,) for a in batch])
            cursor.executemany(FTS_INSERT, [(a.pk, _tags(a), *_lines(a)) for a in batch if a.active])
    return len(batch)


def rebuild(organization=None) -> int:
    """Reindex every article (of ``organization``, or all). Returns the count."""
    from frontoffice.inquiries.models import Article

    rows = Article.objects.all() if organization is None else Article.objects.filter(organization=organization)
    return reindex(rows.order_by("pk").iterator(chunk_size=1000))


# --- querying ------------------------------------------------------------------------------------------

def _query_words(text: str, languages: tuple[str, ...]) -> tuple[list[tuple[tuple[str, ...], str]], bool]:
    """The query's words as (their stems in ``languages``, the folded word), and whether the last one may
    be unfinished (the text does not end in a space or a stop)."""
    stop = frozenset().union(*(STOP_WORDS[language] for language in languages))
    seen, words = set(), []
    for word, folded in _words(text, stop):
        if folded in seen:
            continue
        seen.add(folded)
        stems = tuple(dict.fromkeys(s for language in languages for s in _stems(word, language)))
        words.append((stems, folded))
    unfinished = bool(text) and bool(_WORD.match(text[-1]))
    last_raw = _WORD.findall(text.lower())[-1:] if text else []
    # the last word typed was a stop word ("how do i get a"): nothing unfinished to look up
    unfinished = unfinished and bool(words) and bool(last_raw) and _fold_word(last_raw[0]) == words[-1][1]
    return words, unfinished


def _pg_group(stems: tuple[str, ...], folded: str, prefix: bool, title: bool) -> str:
    # No weight restrictions (":AB"): they would make PostgreSQL re-read every candidate's vector.
    parts = [f"'{s}'" for s in stems]
    if prefix:
        parts.append(f"'{folded}':*")
    return "(" + " | ".join(parts) + ")"


def _fts_group(stems: tuple[str, ...], folded: str, prefix: bool, title: bool) -> str:
    stem_columns, word_columns = ("{question keywords}", "title_words") if title else \
        ("{question keywords answer}", "{title_words answer_words}")
    parts = [f'{stem_columns} : "{s}"' for s in stems]
    if prefix:
        parts.append(f'{word_columns} : "{folded}"*')
    return "(" + " OR ".join(parts) + ")"


# PostgreSQL's statistics of the title vectors (ANALYZE, autovacuum): the most common words and the share of
# articles holding each; a word not among them is rarer than the least common one listed.
_STATISTICS: dict = {}
STATISTICS_SECONDS = 300
RARE = math.log(1 + 1 / 0.02)  # a word in fewer than 2 % of the articles is rare


def _pg_statistics() -> tuple[dict[str, float], float]:
    """({word: share of the articles holding it}, the share below which words are not listed)."""
    now = time.monotonic()
    if _STATISTICS.get("until", 0) > now:
        return _STATISTICS["shares"], _STATISTICS["floor"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                       "WHERE schemaname = current_schema() AND tablename = 'inquiries_article' "
                       "AND attname = 'title_vector'")
        row = cursor.fetchone()
    words, shares = row if row and row[0] and row[1] else ([], [])
    # the shares are followed by their minimum, maximum and the share of empty vectors
    floor = shares[len(words)] if len(shares) > len(words) else 0.0
    _STATISTICS.update(until=now + STATISTICS_SECONDS, shares=dict(zip(words, shares)), floor=floor)
    return _STATISTICS["shares"], floor


def forget_statistics() -> None:
    """Read PostgreSQL's statistics afresh at the next search (tests, after an ANALYZE)."""
    _STATISTICS.clear()


def _pg_rarity(words, prefixes: list[bool]) -> list[float]:
    """How rare each word is among the articles' titles, as an inverse document frequency: ln(1 + 1/share).
    Without statistics (a table never analysed) every word weighs the same."""
    shares, floor = _pg_statistics()
    if not shares:
        return [1.0] * len(words)
    unknown = max(floor / 2, 1e-4)
    rarity = []
    for (stems, folded), prefix in zip(words, prefixes):
        share = max([shares.get(stem, unknown) for stem in stems] or [unknown])
        if prefix:
            share = max(share, min(1.0, sum(v for k, v in shares.items() if k.startswith(folded))))
        rarity.append(math.log(1 + 1 / share))
    return rarity


@dataclass(frozen=True)
class _Query:
    """A query's words, ready for either engine, and what narrows the articles searched."""

    words: list
    unfinished: bool
    every: bool  # every word (search) or any (suggest)
    language: str | None
    audience: str | None
    category: int | None
    canned: bool | None

    def prefixes(self) -> list[bool]:
        """Whether each word is looked up as a prefix too (the last, unfinished one)."""
        last = len(self.words) - 1
        return [self.unfinished and i == last and len(folded) >= PREFIX_MIN
                for i, (_stems, folded) in enumerate(self.words)]

    def groups(self, title: bool) -> list[str]:
        group = _pg_group if is_postgres() else _fts_group
        return [group(stems, folded, prefix, title) for (stems, folded), prefix in zip(self.words, self.prefixes())]

    def match(self, title: bool) -> str:
        """SQLite: the FTS5 query of every word (search) or any (suggest)."""
        return (" AND " if self.every else " OR ").join(self.groups(title))

    def ranked(self, organization, *, title: bool, limit: int, offset: int = 0, skip: list[int] = ()) -> list[int]:
        """Ids of the matching articles, best first: matching in the question or keywords (``title``), or
        anywhere but among ``skip``."""
        if not is_postgres():
            sql, params = self._fts(organization, title, skip)
            with connection.cursor() as cursor:
                cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset])
                return [row[0] for row in cursor.fetchall()]
        sql, params = self._pg(organization, title, skip)
        with transaction.atomic(), connection.cursor() as cursor:
            # Once it expects a few thousand matches, the planner prices a scan of every article as cheap as
            # the GIN index, but testing each article's vector costs what it does not count (20,000 articles,
            # 3,000 matches: 16 against 6 ms; the full vectors, 2,000: 26 against 8). Off for this statement.
            cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
            before = cursor.fetchone()[0]
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset])
            found = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
            return found

    def _pg(self, organization, title: bool, skip) -> tuple[str, list]:
        """PostgreSQL has no inverse document frequency in its ranking: each word is weighted here by how
        rare it is among the articles (``_pg_rarity``), and when a question has rare words and common ones,
        the candidates are the articles holding a rare one (the common ones still count in the rank)."""
        vector = "title_vector" if title else "search_vector"
        groups = self.groups(title)
        rarity = _pg_rarity(self.words, self.prefixes())
        matching = groups
        if not self.every:
            if any(r >= RARE for r in rarity) and not all(r >= RARE for r in rarity):
                matching = [g for g, r in zip(groups, rarity) if r >= RARE]
            if not title and len(matching) > 1:
                # the start of a word still being typed begins too many words of the answers to find
                # candidates by; it only counts in the rank
                matching = [g for g, prefix in zip(matching, self.prefixes()) if not prefix] or matching
        where = ["organization_id = %s", "active", f"{vector} @@ to_tsquery('simple', %s)"]
        params: list = [organization.pk, (" & " if self.every else " | ").join(matching)]
        for column, value in (("language", self.language), ("audience", self.audience),
                              ("category_id", self.category), ("is_canned_reply", self.canned)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        if skip:
            where.append("NOT (id = ANY(%s))")
            params.append(list(skip))
        # ts_rank of one word's alternatives is their mean: times their number, each counts what it weighs.
        # The stripped full vector counts each word once, as the answer's weight (D).
        terms = []
        for group, weight in zip(groups, rarity):
            size = group.count("'") // 2
            for column in ("title_vector",) if title else ("title_vector", "search_vector"):
                terms.append(f"{weight * size:.4f} * ts_rank('{PG_WEIGHTS}', {column}, to_tsquery('simple', %s), 0)")
                params.append(group)
        return (f"SELECT id FROM inquiries_article WHERE {' AND '.join(where)} "
                f"ORDER BY ({' + '.join(terms)}) DESC, uses DESC, id", params)

    def _fts(self, organization, title: bool, skip) -> tuple[str, list]:
        tags = [f'"o{organization.pk}"']
        for prefix, value in (("l", self.language), ("a", self.audience), ("c", self.category)):
            if value is not None:
                tags.append(f'"{prefix}{value}"')
        if self.canned:
            tags.append('"canned"')
        match = f"tags : ({' AND '.join(tags)}) AND ({self.match(title)})"
        if self.canned is False:
            match += ' NOT tags : "canned"'
        sql = "SELECT rowid FROM inquiries_article_fts WHERE inquiries_article_fts MATCH %s"
        params: list = [match]
        if skip:
            sql += " AND rowid NOT IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(list(skip)))
        return sql + " ORDER BY rank", params

    def articles(self, organization, *, limit: int, offset: int = 0) -> list[int]:
        """The ids of the page: the title tier, then — when it has too few — the rest."""
        found = self.ranked(organization, title=True, limit=limit + offset)
        if len(found) >= limit + offset:
            return found[offset:]
        rest = self.ranked(organization, title=False, limit=limit + offset - len(found), skip=found)
        return (found + rest)[offset:]


def _articles(ids: list[int]) -> list:
    from frontoffice.inquiries.models import Article

    by_id = Article.objects.select_related("category").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _languages(language: str | None) -> tuple[str, ...]:
    return (language,) if language in LANGUAGES else LANGUAGES


def _pk(obj) -> int | None:
    return getattr(obj, "pk", obj)


def _query(text: str, *, every: bool, language, audience, category, canned, words_max: int) -> _Query:
    words, unfinished = _query_words(text, _languages(language))
    return _Query(words[:words_max], unfinished and len(words) <= words_max, every, language, audience,
                  _pk(category), None if canned is None else bool(canned))


def suggest(organization, text: str, *, language: str | None = None, audience: str | None = None,
            category=None, canned: bool | None = None, limit: int = 5) -> list:
    """Active articles of ``organization`` for a whole question, best first (any of its words).

    ``language`` ("en"/"pl") keeps to articles in it (and stems the question in it only; None: both);
    ``audience`` ("public"/"internal"), ``category`` and ``canned`` narrow further.
    """
    if language is not None and language not in LANGUAGES:
        return []
    query = _query((text or "")[:2000], every=False, language=language, audience=audience, category=category,
                   canned=canned, words_max=SUGGEST_WORDS)
    return _articles(query.articles(organization, limit=limit)) if query.words else []


def search(organization, q: str, *, language: str | None = None, audience: str | None = None, category=None,
           canned: bool | None = None, limit: int = 20, offset: int = 0) -> list:
    """Active articles of ``organization`` matching what was typed, best first: every word (the last may be
    unfinished); when no article holds them all, any of them. An empty query lists them by question."""
    if language is not None and language not in LANGUAGES:
        return []
    filters = dict(language=language, audience=audience, category=category, canned=canned)
    query = _query((q or "")[:500], every=True, words_max=SUGGEST_WORDS, **filters)
    if not query.words:
        return _plain(organization, q, limit=limit, offset=offset, **filters)
    ids = query.articles(organization, limit=limit, offset=offset)
    if not ids and len(query.words) > 1 and (offset == 0 or not query.articles(organization, limit=1)):
        ids = dataclasses.replace(query, every=False).articles(organization, limit=limit, offset=offset)
    return _articles(ids)


def _plain(organization, q, *, language, audience, category, canned, limit: int, offset: int) -> list:
    """Nothing to search for: "" lists the articles by question; a query of stop words alone finds none."""
    from frontoffice.inquiries.models import Article

    if (q or "").strip():
        return []
    rows = Article.objects.filter(organization=organization, active=True).select_related("category")
    for field, value in (("language", language), ("audience", audience), ("category_id", _pk(category)),
                         ("is_canned_reply", canned)):
        if value is not None:
            rows = rows.filter(**{field: value})
    return list(rows.order_by("question", "id")[offset:offset + limit])
