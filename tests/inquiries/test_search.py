"""Knowledge-base search (inquiries/search.py): the same answers on both engines, the right article first."""

from __future__ import annotations

import pytest

from frontoffice.core import capabilities as caps
from frontoffice.inquiries import search
from frontoffice.inquiries.models import Article
from frontoffice.inquiries.services.articles import article_retire, article_save
from tests.inquiries.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

EN_ARTICLES = [
    ("How do I get a medical certificate?", "Book a short visit with your doctor; the certificate is printed at "
     "the desk the same day.", "sick note, certificate, school, sports"),
    ("What are your opening hours?", "We are open Monday to Friday 8:00–18:00 and Saturday 9:00–13:00.",
     "open, hours, weekend"),
    ("How can I get my test results?", "Results are in the patient portal two days after the test, or at the "
     "desk with an ID.", "laboratory, blood, results"),
    ("How much does a visit cost?", "A first visit costs 200 PLN; follow-ups 150 PLN. We take cards.",
     "price, fee, cost"),
    ("Can I bring my child to the school vaccination day?", "Yes: the school nurse sends the dates; bring the "
     "vaccination booklet.", "vaccination, children"),
    ("How do I cancel an appointment?", "Call us or use the link in your reminder e-mail at least a day ahead.",
     "cancel, reschedule"),
]
PL_ARTICLES = [
    ("Jak uzyskać zaświadczenie lekarskie?", "Umów krótką wizytę u lekarza; zaświadczenie wydajemy w recepcji.",
     "zwolnienie, szkoła"),
    ("Kiedy są wyniki badań krwi?", "Wyniki badań są w portalu pacjenta po dwóch dniach.", "laboratorium"),
    ("Ile kosztuje wizyta?", "Pierwsza wizyta kosztuje 200 zł.", "cennik, opłaty"),
    ("Jak odwołać wizytę?", "Zadzwoń do nas dzień wcześniej.", "odwołanie"),
]


def _write(owner, rows, language, **extra):
    return [article_save(actor=owner, question=q, answer=a, keywords=k, language=language,
                         audience=extra.get("audience", Article.Audience.INTERNAL),
                         is_canned_reply=extra.get("canned", False), category=extra.get("category"))
            for q, a, k in rows]


@pytest.fixture
def kb(owner):
    english = _write(owner, EN_ARTICLES, "en")
    polish = _write(owner, PL_ARTICLES, "pl")
    return {"en": english, "pl": polish}


def ids(articles):
    return [a.pk for a in articles]


# --- preparing text -------------------------------------------------------------------------------------

def test_search_text_has_stems_of_question_keywords_answer_and_plain_words():
    article = Article(question="Medical certificates for schools", keywords="Sick notes", answer="At the desk.",
                      language="en")
    question, keywords, answer, title_words, answer_words = search.search_text_for(article).split("\n")
    assert question.split() == ["medic", "certif", "school"]
    assert keywords.split() == ["sick", "note"]
    assert answer.split() == ["desk"]  # "at the" are stop words
    assert title_words.split() == ["medical", "certificates", "schools", "sick", "notes"]
    assert answer_words.split() == ["desk"]


def test_polish_words_keep_the_stem_as_written_and_as_folded():
    article = Article(question="Wyników badań", answer="x", language="pl")
    question = search.search_text_for(article).split("\n")[0].split()
    assert "wynik" in question and "wynikow" in question and "badan" in question


# --- suggestions from a whole question -----------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    ("how do i get a medical certificate for school", 0),
    ("When are you open on Saturday?", 1),
    ("hi, my blood test results are not in the portal yet", 2),
    ("what's the price of a first visit", 3),
    ("I need to cancel my appointment tomorrow", 5),
])
def test_suggest_ranks_the_right_english_article_first(kb, owner, question, expected):
    found = search.suggest(owner.organization, question)
    assert found and found[0].pk == kb["en"][expected].pk


@pytest.mark.parametrize("question, expected", [
    ("Dzień dobry, jak dostać zaświadczenie od lekarza do szkoły?", 0),
    ("dzien dobry, jak dostac zaswiadczenie od lekarza do szkoly", 0),  # typed without diacritics
    ("kiedy bedą moje wyniki krwi", 1),
    ("ile kosztują wizyty", 2),
    ("chcę odwołać wizytę", 3),
])
def test_suggest_ranks_the_right_polish_article_first(kb, owner, question, expected):
    found = search.suggest(owner.organization, question)
    assert found and found[0].pk == kb["pl"][expected].pk


def test_suggest_while_the_last_word_is_still_being_typed(kb, owner):
    assert search.suggest(owner.organization, "can I get a medical cert")[0].pk == kb["en"][0].pk
    assert search.suggest(owner.organization, "vaccinat")[0].pk == kb["en"][4].pk


def test_suggest_of_stop_words_or_nothing_is_empty(kb, owner):
    assert search.suggest(owner.organization, "how do i") == []
    assert search.suggest(owner.organization, "") == []
    assert search.suggest(owner.organization, "   ?!  ") == []


def test_suggest_keeps_to_the_language_audience_and_limit(kb, owner):
    org = owner.organization
    assert {a.language for a in search.suggest(org, "wizyta visit", language="pl")} == {"pl"}
    assert {a.language for a in search.suggest(org, "wizyta visit", language="en")} == {"en"}
    assert search.suggest(org, "visit", language="de") == []
    public = _write(owner, [("Where do I park?", "Behind the building, free for patients.", "parking, car")],
                    "en", audience=Article.Audience.PUBLIC)[0]
    assert ids(search.suggest(org, "parking visit", audience="public")) == [public.pk]
    assert public.pk not in ids(search.suggest(org, "parking visit", audience="internal"))
    assert len(search.suggest(org, "visit certificate results hours cancel", limit=2)) == 2


def test_suggest_narrows_to_category_and_canned_replies(kb, owner):
    org = owner.organization
    category = CategoryFactory(organization=org)
    canned = _write(owner, [("Thank you for your e-mail", "We will answer within a day.", "")], "en",
                    canned=True, category=category)[0]
    assert ids(search.suggest(org, "thank you e-mail", canned=True)) == [canned.pk]
    assert canned.pk not in ids(search.suggest(org, "thank you e-mail answer", canned=False))
    assert ids(search.suggest(org, "e-mail answer", category=category)) == [canned.pk]
    assert ids(search.suggest(org, "e-mail answer", category=category.pk)) == [canned.pk]


def test_other_organisations_articles_are_never_suggested(kb, owner, other_owner):
    theirs = _write(other_owner, EN_ARTICLES[:1], "en")[0]
    assert theirs.pk not in ids(search.suggest(owner.organization, "medical certificate"))
    assert ids(search.suggest(other_owner.organization, "medical certificate")) == [theirs.pk]


def test_retired_articles_are_not_found_and_edits_are_found_at_once(kb, owner):
    org = owner.organization
    article = kb["en"][1]
    article_retire(actor=owner, article=article)
    assert article.pk not in ids(search.suggest(org, "opening hours"))
    visit = kb["en"][3]
    article_save(actor=owner, article=visit, question="How much is a home visit?", answer="350 PLN.",
                 keywords="house call", language="en", audience="internal")
    assert search.suggest(org, "house call")[0].pk == visit.pk
    assert visit.pk not in ids(search.search(org, "cards"))


# --- search as you type --------------------------------------------------------------------------------------

def test_search_needs_every_word_and_the_last_may_be_unfinished(kb, owner):
    org = owner.organization
    assert ids(search.search(org, "test res")) == [kb["en"][2].pk]
    assert ids(search.search(org, "Zaświadcz")) == [kb["pl"][0].pk]
    assert ids(search.search(org, "zaswiadczenie lekarskie")) == [kb["pl"][0].pk]
    assert ids(search.search(org, "school vaccination")) == [kb["en"][4].pk]


def test_search_falls_back_to_any_word_when_none_has_all(kb, owner):
    found = search.search(owner.organization, "medical certificate for a swimming pool")
    assert found[0].pk == kb["en"][0].pk


def test_search_without_words_lists_by_question_and_pages(kb, owner):
    org = owner.organization
    listed = search.search(org, "")
    assert [a.question for a in listed] == sorted(a.question for a in listed)
    assert len(listed) == len(EN_ARTICLES) + len(PL_ARTICLES)
    assert ids(search.search(org, "", limit=3, offset=3)) == ids(listed[3:6])
    assert ids(search.search(org, "", language="pl")) == ids(sorted(kb["pl"], key=lambda a: a.question))
    assert search.search(org, "the and of") == []


def test_search_pages_with_offset(kb, owner):
    org = owner.organization
    both = ids(search.search(org, "visit", limit=10))
    assert len(both) >= 2
    assert ids(search.search(org, "visit", limit=1, offset=1)) == both[1:2]


def test_query_syntax_is_never_executed(kb, owner):
    org = owner.organization
    for text in ['"', "'", "a OR b", "NEAR(x y)", "col:value", "*", "x' | 'y", "\\", "o1 AND tags", "({[", "-x"]:
        search.search(org, text)
        search.suggest(org, text)


# --- keeping the index --------------------------------------------------------------------------------------

def test_rebuild_indexes_rows_written_directly(owner, make_member):
    org = owner.organization
    direct = ArticleFactory(organization=org, question="Where is the pharmacy?", answer="Ground floor.")
    assert search.suggest(org, "pharmacy") == []
    assert search.rebuild(org) == 1
    assert ids(search.suggest(org, "pharmacy")) == [direct.pk]
    direct.refresh_from_db()
    assert "pharmaci" in direct.search_text


def test_reindex_skips_retired_articles(owner):
    org = owner.organization
    retired = ArticleFactory(organization=org, question="Old fax number", active=False)
    assert search.reindex([retired]) == 1
    assert search.suggest(org, "fax") == []


def test_a_receptionist_article_is_searchable(org, make_member):
    author = make_member(org, caps.ADMIN_ASSISTANT)
    article = article_save(actor=author, question="Lost and found", answer="Ask at the desk.", language="en",
                           audience="public")
    assert ids(search.suggest(org, "I lost my umbrella, is there a lost property?")) == [article.pk]


# --- the two tiers ------------------------------------------------------------------------------------------

def test_question_matches_rank_before_answer_matches_and_answers_fill_in(owner):
    org = owner.organization
    in_answer = _write(owner, [("Where do I leave my coat?", "The wardrobe is next to the parking entrance.", "")],
                       "en")[0]
    in_question = _write(owner, [("Is there parking?", "Yes, behind the building.", "")], "en")[0]
    assert ids(search.suggest(org, "parking")) == [in_question.pk, in_answer.pk]
    assert ids(search.search(org, "parking")) == [in_question.pk, in_answer.pk]
    assert ids(search.search(org, "parking", limit=1, offset=1)) == [in_answer.pk]
    assert ids(search.suggest(org, "wardrobe")) == [in_answer.pk]


def test_the_fallback_to_any_word_pages_too(owner):
    org = owner.organization
    rows = _write(owner, [(f"Parking question {n}", "Answer.", "") for n in range(3)], "en")
    everything = ids(search.search(org, "parking swimming", limit=10))
    assert sorted(everything) == sorted(ids(rows))
    assert ids(search.search(org, "parking swimming", limit=2, offset=2)) == everything[2:]


@pytest.fixture
def analysed():
    """Statistics of the articles as the database keeps them (PostgreSQL weighs words by them)."""
    from django.db import connection

    def analyse():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inquiries_article")
        search.forget_statistics()

    yield analyse
    search.forget_statistics()


def test_a_rare_word_outweighs_a_common_one(owner, analysed):
    org = owner.organization
    _write(owner, [(f"Parking rule {n}", "Ask the desk.", "") for n in range(40)], "en")
    common = _write(owner, [("Parking for visitors", "Behind the building.", "")], "en")[0]
    rare = _write(owner, [("Is there a wardrobe?", "Next to the lift.", "")], "en")[0]
    analysed()
    if search.is_postgres():
        assert search._pg_statistics()[0]["park"] > 0.9  # the statistics the ranking reads
    found = ids(search.suggest(org, "parking wardrobe", limit=3))
    assert found[0] == rare.pk and common.pk not in found[:1]
    assert ids(search.suggest(org, "visitors parking", limit=1)) == [common.pk]
