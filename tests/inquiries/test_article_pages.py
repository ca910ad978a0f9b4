"""The knowledge-base pages (inquiries/views/articles.py): list and search, one article, writing, retiring,
review, and the suggestions partial."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.inquiries.models import Article, ArticleFeedback
from frontoffice.inquiries.services.articles import article_retire, article_save
from tests.inquiries.factories import CategoryFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _article(actor, question="How do I get a medical certificate?", answer="Book a short visit; it is printed "
             "at the desk.", **fields):
    values = {"language": "en", "audience": Article.Audience.INTERNAL} | fields
    return article_save(actor=actor, question=question, answer=answer, **values)


@pytest.fixture
def assistant(org, make_member):
    return make_member(org, caps.ADMIN_ASSISTANT)


@pytest.fixture
def kb(assistant):
    return {
        "certificate": _article(assistant),
        "hours": _article(assistant, "What are your opening hours?", "Monday to Friday, 8 to 18."),
        "canned": _article(assistant, "Thank you for writing", "We will answer within a day.", is_canned_reply=True),
        "polish": _article(assistant, "Jak odwołać wizytę?", "Zadzwoń dzień wcześniej.", language="pl"),
    }


def _form(**fields):
    return {"question": "Where can I park?", "answer": "Behind the building.", "keywords": "car", "language": "en",
            "audience": "public"} | fields


# --- the list -------------------------------------------------------------------------------------------

def test_list_shows_every_article_in_use_by_question(signed_in, receptionist, kb):
    response = signed_in(receptionist).get(reverse("inquiries:articles"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["rows"]] == [kb[k].pk for k in ("certificate", "polish", "canned", "hours")]
    assert "New article" not in response.content.decode()  # a receptionist reads, does not write


def test_search_as_you_type_returns_the_results_partial(signed_in, receptionist, kb):
    response = signed_in(receptionist).get(reverse("inquiries:articles"), {"q": "certif"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>" not in html and "articles-table" in html
    assert [a.pk for a in response.context["rows"]] == [kb["certificate"].pk]
    assert "How do I get a medical certificate?" in html


def test_filters_narrow_the_list(signed_in, receptionist, assistant, kb):
    client = signed_in(receptionist)
    assert [a.pk for a in client.get(reverse("inquiries:articles"), {"language": "pl"}).context["rows"]] == \
        [kb["polish"].pk]
    assert [a.pk for a in client.get(reverse("inquiries:articles"), {"state": "canned"}).context["rows"]] == \
        [kb["canned"].pk]
    article_retire(actor=assistant, article=kb["hours"])
    retired = client.get(reverse("inquiries:articles"), {"state": "retired"})
    assert [a.pk for a in retired.context["rows"]] == [kb["hours"].pk]
    category = CategoryFactory(organization=assistant.organization)
    assert client.get(reverse("inquiries:articles"), {"state": "retired", "category": category.pk,
                                                      "q": "hours"}).context["rows"] == []
    assert kb["hours"].pk not in [a.pk for a in client.get(reverse("inquiries:articles")).context["rows"]]


@pytest.mark.parametrize("query", [{"language": "xx"}, {"offset": "-5"}, {"offset": "many"}, {"category": "abc"},
                                   {"state": "everything"}, {"audience": "?"}, {"q": "x" * 500}])
def test_bad_filters_fall_back_to_their_defaults(signed_in, receptionist, kb, query):
    response = signed_in(receptionist).get(reverse("inquiries:articles"), query)
    assert response.status_code == 200


def test_another_organisations_category_filters_nothing_of_theirs(signed_in, receptionist, other_org, kb):
    theirs = CategoryFactory(organization=other_org)
    response = signed_in(receptionist).get(reverse("inquiries:articles"), {"category": theirs.pk})
    assert response.status_code == 200 and len(response.context["rows"]) == 4


def test_list_pages_with_more_and_a_pinned_query_count(signed_in, receptionist, assistant,
                                                       django_assert_max_num_queries):
    category = CategoryFactory(organization=assistant.organization)
    for n in range(55):
        _article(assistant, f"Question {n:02d} about parking", "Answer.", category=category)
    client = signed_in(receptionist)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("inquiries:articles"))
    assert len(first.context["rows"]) == 50 and first.context["more"]
    rest = client.get(reverse("inquiries:articles"), {"offset": 50}, **HTMX)
    assert len(rest.context["rows"]) == 5 and not rest.context["more"]
    assert "<table" not in rest.content.decode()  # the rows only
    with django_assert_max_num_queries(12):
        client.get(reverse("inquiries:articles"), {"q": "parking"})


# --- one article ----------------------------------------------------------------------------------------

def test_article_page_shows_the_answer_and_readers_comments(signed_in, receptionist, kb):
    article = kb["certificate"]
    ArticleFeedback.objects.create(organization=article.organization, article=article, helpful=False,
                                   comment="<b>Too short</b>", source_hash="x")
    html = signed_in(receptionist).get(reverse("inquiries:article", args=[article.pk])).content.decode()
    assert "Book a short visit" in html and "&lt;b&gt;Too short&lt;/b&gt;" in html
    assert reverse("inquiries:article_edit", args=[article.pk]) not in html


def test_another_organisations_article_is_not_found(signed_in, other_owner, kb):
    client = signed_in(other_owner)
    pk = kb["certificate"].pk
    assert client.get(reverse("inquiries:article", args=[pk])).status_code == 404
    assert client.get(reverse("inquiries:article_edit", args=[pk])).status_code == 404
    assert client.post(reverse("inquiries:article_edit", args=[pk]), _form()).status_code == 404
    assert client.post(reverse("inquiries:article_retire", args=[pk])).status_code == 404
    assert Article.objects.get(pk=pk).active


# --- writing --------------------------------------------------------------------------------------------

def test_new_article_is_saved_and_found_at_once(signed_in, assistant, org):
    category = CategoryFactory(organization=org)
    client = signed_in(assistant)
    form = client.get(reverse("inquiries:article_new"))
    assert form.context["form"].initial["owner"] == assistant.pk
    response = client.post(reverse("inquiries:article_new"), _form(category=category.pk, review_on="2031-02-01"))
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == reverse("inquiries:article", args=[article.pk])
    assert (article.category, article.audience, article.review_on, article.owner) == \
        (category, "public", date(2031, 2, 1), assistant)  # no owner chosen: the author
    found = client.get(reverse("inquiries:article_suggest"), {"text": "where do I park my car"})
    assert found.context["articles"][0].pk == article.pk


@pytest.mark.parametrize("fields, field", [
    ({"question": ""}, "question"), ({"answer": "  "}, "answer"), ({"language": "de"}, "language"),
    ({"audience": "all"}, "audience"), ({"review_on": "31/31/2031"}, "review_on"), ({"owner": "999999"}, "owner"),
    ({"question": "q" * 301}, "question"),
])
def test_bad_input_keeps_what_was_typed_and_saves_nothing(signed_in, assistant, fields, field):
    response = signed_in(assistant).post(reverse("inquiries:article_new"), _form(**fields))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert "Behind the building." in response.content.decode() or field == "answer"
    assert not Article.objects.exists()


def test_a_category_of_another_organisation_is_refused(signed_in, assistant, other_org):
    theirs = CategoryFactory(organization=other_org)
    response = signed_in(assistant).post(reverse("inquiries:article_new"), _form(category=theirs.pk))
    assert response.status_code == 400 and "category" in response.context["form"].errors
    assert not Article.objects.exists()


def test_receptionist_may_not_write(signed_in, receptionist, kb):
    client = signed_in(receptionist)
    assert client.get(reverse("inquiries:article_new")).status_code == 403
    assert client.post(reverse("inquiries:article_new"), _form()).status_code == 403
    assert client.post(reverse("inquiries:article_retire", args=[kb["hours"].pk])).status_code == 403


def test_edit_changes_the_article(signed_in, assistant, kb):
    article = kb["hours"]
    client = signed_in(assistant)
    assert client.get(reverse("inquiries:article_edit", args=[article.pk])).context["form"].initial["question"] == \
        "What are your opening hours?"
    response = client.post(reverse("inquiries:article_edit", args=[article.pk]),
                           _form(question="When are you open?", answer="Mon–Fri 8–18.", audience="internal"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.question, article.answer, article.owner) == ("When are you open?", "Mon–Fri 8–18.", None)


def test_edit_with_bad_input_changes_nothing(signed_in, assistant, kb):
    article = kb["hours"]
    response = signed_in(assistant).post(reverse("inquiries:article_edit", args=[article.pk]), _form(answer=""))
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.answer == "Monday to Friday, 8 to 18."


def test_a_retired_article_is_not_edited(signed_in, assistant, kb):
    article = kb["hours"]
    article_retire(actor=assistant, article=article)
    client = signed_in(assistant)
    assert client.get(reverse("inquiries:article_edit", args=[article.pk])).status_code == 302
    response = client.post(reverse("inquiries:article_edit", args=[article.pk]), _form())
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    article.refresh_from_db()
    assert article.question == "What are your opening hours?"


def test_retire_once_then_told_it_already_was(signed_in, assistant, kb):
    article = kb["hours"]
    client = signed_in(assistant)
    url = reverse("inquiries:article_retire", args=[article.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    article.refresh_from_db()
    assert not article.active
    followed = client.post(url, follow=True)
    assert "already retired" in followed.content.decode()


# --- review ---------------------------------------------------------------------------------------------

def test_review_lists_my_articles_past_their_date(signed_in, assistant, make_member, org):
    today = timezone.localdate()
    mine = _article(assistant, "Old prices", "50 PLN.", review_on=today - timedelta(days=3), owner=assistant)
    _article(assistant, "New prices", "60 PLN.", review_on=today + timedelta(days=3), owner=assistant)
    colleague = make_member(org, caps.MANAGER)
    _article(assistant, "Their prices", "70 PLN.", review_on=today - timedelta(days=3), owner=colleague)
    response = signed_in(assistant).get(reverse("inquiries:articles_review"))
    assert [a.pk for a in response.context["rows"]] == [mine.pk]
    assert signed_in(assistant).get(reverse("inquiries:articles")).context["review_count"] == 1


# --- suggestions ----------------------------------------------------------------------------------------

def test_suggestions_rank_the_right_article_first_with_an_insert_button(signed_in, receptionist, kb):
    response = signed_in(receptionist).get(reverse("inquiries:article_suggest"),
                                           {"text": "how do i get a medical certificate for school"}, **HTMX)
    assert response.status_code == 200
    assert response.context["articles"][0].pk == kb["certificate"].pk
    html = response.content.decode()
    assert f'data-article-id="{kb["certificate"].pk}"' in html
    assert 'data-answer="Book a short visit; it is printed at the desk."' in html
    assert 'data-target="id_answer"' in html


def test_suggestions_take_the_question_parameter_and_a_target(signed_in, receptionist, kb):
    response = signed_in(receptionist).get(reverse("inquiries:article_suggest"),
                                           {"question": "opening hours", "target": "inq-answer"})
    assert response.context["articles"][0].pk == kb["hours"].pk
    assert 'data-target="inq-answer"' in response.content.decode()


def test_suggestions_of_nothing_are_empty(signed_in, receptionist, kb):
    response = signed_in(receptionist).get(reverse("inquiries:article_suggest"), {"text": "  "})
    assert response.status_code == 200 and response.context["articles"] == []


def test_suggested_answers_are_escaped(signed_in, assistant):
    _article(assistant, "Scripted answer", 'Click <script>alert("x")</script> here')
    html = signed_in(assistant).get(reverse("inquiries:article_suggest"), {"text": "scripted"}).content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_suggestions_filter_by_language_and_audience(signed_in, receptionist, assistant, kb):
    public = _article(assistant, "Where is the car park?", "Behind us.", audience="public")
    client = signed_in(receptionist)
    polish = client.get(reverse("inquiries:article_suggest"), {"text": "odwołać wizytę hours", "language": "pl"})
    assert [a.pk for a in polish.context["articles"]] == [kb["polish"].pk]
    only_public = client.get(reverse("inquiries:article_suggest"), {"text": "car park hours", "audience": "public"})
    assert [a.pk for a in only_public.context["articles"]] == [public.pk]


@pytest.mark.parametrize("query", [{"language": "xx"}, {"audience": "everyone"}, {"category": "abc"},
                                   {"category": "999999"}, {"target": "x\" onclick=\"alert(1)"}, {"target": "1abc"}])
def test_bad_suggestion_parameters_are_a_400(signed_in, receptionist, kb, query):
    response = signed_in(receptionist).get(reverse("inquiries:article_suggest"), {"text": "hours"} | query)
    assert response.status_code == 400 and response.context["articles"] == []
    assert "onclick" not in response.content.decode()


def test_suggestions_never_show_another_organisations_articles(signed_in, other_owner, kb):
    response = signed_in(other_owner).get(reverse("inquiries:article_suggest"), {"text": "medical certificate"})
    assert response.status_code == 200 and response.context["articles"] == []


def test_suggestions_by_category_of_another_organisation_are_refused(signed_in, other_owner, org, kb):
    ours = CategoryFactory(organization=org)
    response = signed_in(other_owner).get(reverse("inquiries:article_suggest"),
                                          {"text": "hours", "category": ours.pk})
    assert response.status_code == 400


def test_global_search_finds_articles(receptionist, kb):
    from frontoffice.inquiries.views.articles import global_search

    found = global_search(receptionist, "certificate", 8)
    assert [r.url for r in found] == [reverse("inquiries:article", args=[kb["certificate"].pk])]
    assert global_search(receptionist, "  ", 8) == []
