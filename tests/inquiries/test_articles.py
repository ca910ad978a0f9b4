"""Knowledge-base articles (inquiries/services/articles.py): writing, changing, retiring, review dates."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.inquiries import search
from frontoffice.inquiries.models import Article
from frontoffice.inquiries.services.articles import article_retire, article_save, articles_for_review
from tests.inquiries.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def _save(actor, **fields):
    values = {"question": "Where can I park?", "answer": "Behind the building.", "language": "en",
              "audience": Article.Audience.PUBLIC} | fields
    return article_save(actor=actor, **values)


def test_new_article_is_stored_searchable_owned_by_its_author_and_logged(owner):
    category = CategoryFactory(organization=owner.organization)
    article = _save(owner, keywords="  car   parking ", category=category, review_on=date(2031, 1, 1),
                    is_canned_reply=True)
    article.refresh_from_db()
    assert (article.organization, article.owner, article.keywords, article.category) == \
        (owner.organization, owner, "car parking", category)
    assert article.active and article.is_canned_reply and article.review_on == date(2031, 1, 1)
    assert article.search_text.split("\n")[0] == "park"
    assert [a.pk for a in search.suggest(owner.organization, "parking")] == [article.pk]
    activity = Activity.objects.get(verb="article.created")
    assert (activity.actor, activity.subject_id, activity.data) == \
        (owner, str(article.pk), {"language": "en", "audience": "public"})


def test_owner_may_be_someone_else_of_the_organisation(owner, make_member):
    colleague = make_member(owner.organization, caps.MANAGER)
    assert _save(owner, owner=colleague).owner == colleague


def test_edit_records_the_changed_fields_and_reindexes(owner):
    article = _save(owner)
    edited = _save(owner, article=article, question="Where can I leave my bike?", answer="Behind the building.",
                   audience=Article.Audience.INTERNAL, owner=owner)
    assert edited.question == "Where can I leave my bike?"
    activity = Activity.objects.get(verb="article.updated")
    assert activity.data == {"fields": ["question", "audience"]}
    assert [a.pk for a in search.suggest(owner.organization, "bike")] == [article.pk]
    assert search.suggest(owner.organization, "park") == []


def test_edit_changing_nothing_records_nothing(owner):
    article = _save(owner)
    _save(owner, article=article, owner=owner)
    assert not Activity.objects.filter(verb="article.updated").exists()


@pytest.mark.parametrize("fields, field", [
    ({"question": "   "}, "question"),
    ({"question": "x" * 301}, "question"),
    ({"answer": ""}, "answer"),
    ({"answer": "x" * 20_001}, "answer"),
    ({"keywords": "k" * 301}, "keywords"),
    ({"language": "de"}, "language"),
    ({"audience": "everyone"}, "audience"),
    ({"review_on": "2031-01-01"}, "review_on"),
])
def test_bad_input_is_refused_by_field_and_changes_nothing(owner, fields, field):
    with pytest.raises(ValidationError) as error:
        _save(owner, **fields)
    assert field in error.value.message_dict
    assert not Article.objects.exists() and not Activity.objects.filter(verb__startswith="article.").exists()


def test_category_owner_and_article_of_another_organisation_are_refused(owner, other_owner):
    theirs = CategoryFactory(organization=other_owner.organization)
    with pytest.raises(ValidationError) as error:
        _save(owner, category=theirs)
    assert "category" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _save(owner, owner=other_owner)
    assert "owner" in error.value.message_dict
    their_article = _save(other_owner)
    with pytest.raises(ValidationError):
        _save(owner, article=their_article, question="Mine now")
    with pytest.raises(ValidationError):
        article_retire(actor=owner, article=their_article)
    their_article.refresh_from_db()
    assert their_article.question == "Where can I park?" and their_article.active


def test_a_former_colleague_cannot_own_an_article(owner, make_member):
    gone = make_member(owner.organization, caps.MANAGER, active=False)
    with pytest.raises(ValidationError) as error:
        _save(owner, owner=gone)
    assert "owner" in error.value.message_dict


def test_retire_takes_it_out_of_search_once_and_it_cannot_be_edited(owner):
    article = _save(owner)
    retired = article_retire(actor=owner, article=article)
    assert not retired.active
    assert search.suggest(owner.organization, "park") == []
    assert Activity.objects.filter(verb="article.retired", subject_id=str(article.pk)).count() == 1
    with pytest.raises(Conflict):
        article_retire(actor=owner, article=article)
    with pytest.raises(Conflict):
        _save(owner, article=article, question="Back again?")


def test_articles_for_review_are_the_members_own_past_their_date(owner, make_member):
    org = owner.organization
    colleague = make_member(org, caps.MANAGER)
    late = ArticleFactory(organization=org, owner=owner, review_on=date(2030, 1, 5))
    later = ArticleFactory(organization=org, owner=owner, review_on=date(2030, 2, 1))
    ArticleFactory(organization=org, owner=owner, review_on=date(2030, 2, 2))  # not yet
    ArticleFactory(organization=org, owner=owner, review_on=None)
    ArticleFactory(organization=org, owner=owner, review_on=date(2029, 1, 1), active=False)
    ArticleFactory(organization=org, owner=colleague, review_on=date(2029, 1, 1))
    due = articles_for_review(owner, today=date(2030, 2, 1))
    assert list(due) == [late, later]
