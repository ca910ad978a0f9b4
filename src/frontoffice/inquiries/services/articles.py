"""The knowledge base: writing, changing and retiring articles, and the articles due for review.

Every write keeps the article's search text and its full-text row current (``inquiries.search``) in the
same transaction, so an article is found the moment it is saved and never after it is retired.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from frontoffice.core.errors import Conflict
from frontoffice.core.models import Member
from frontoffice.core.services import activity_record
from frontoffice.inquiries import search
from frontoffice.inquiries.models import Article, Category

QUESTION_MAX = Article._meta.get_field("question").max_length
KEYWORDS_MAX = Article._meta.get_field("keywords").max_length
ANSWER_MAX = 20_000
# What an edit may change; the activity names the fields that did.
FIELDS = ("question", "answer", "keywords", "category", "language", "audience", "owner", "review_on",
          "is_canned_reply")


def _validate(organization, *, question: str, answer: str, keywords: str, category: Category | None,
              language: str, audience: str, owner: Member | None, review_on) -> None:
    errors = {}
    if not question:
        errors["question"] = _("Write the question the article answers.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("A question is at most %(max)s characters.") % {"max": QUESTION_MAX}
    if not answer:
        errors["answer"] = _("Write the answer.")
    elif len(answer) > ANSWER_MAX:
        errors["answer"] = _("An answer is at most %(max)s characters.") % {"max": ANSWER_MAX}
    if len(keywords) > KEYWORDS_MAX:
        errors["keywords"] = _("Keywords are at most %(max)s characters.") % {"max": KEYWORDS_MAX}
    if category is not None and category.organization_id != organization.pk:
        errors["category"] = _("Choose one of your organisation's categories.")
    if language not in search.LANGUAGES:
        errors["language"] = _("Choose English or Polish.")
    if audience not in Article.Audience.values:
        errors["audience"] = _("Choose staff only or public.")
    if owner is not None and (owner.organization_id != organization.pk or not owner.active):
        errors["owner"] = _("Choose one of your organisation's people.")
    if review_on is not None and not isinstance(review_on, date):
        errors["review_on"] = _("Enter a valid date.")
    if errors:
        raise ValidationError(errors)


def _store(article: Article) -> None:
    """Save ``article`` with its search text, and write its full-text row."""
    search.prepare(article)
    article.save()
    search.index(article)


@transaction.atomic
def article_save(*, actor: Member, article: Article | None = None, question: str, answer: str, keywords: str = "",
                 category: Category | None = None, language: str, audience: str, owner: Member | None = None,
                 review_on: date | None = None, is_canned_reply: bool = False) -> Article:
    """Write a new article (``article`` None: its owner is the actor unless given) or change one.

    A retired article is not changed (Conflict). The activity names the fields that changed.
    """
    organization = actor.organization
    if article is not None and article.organization_id != organization.pk:
        raise ValidationError({"article": _("Choose one of your organisation's articles.")})
    question, answer, keywords = (question or "").strip(), (answer or "").strip(), " ".join((keywords or "").split())
    _validate(organization, question=question, answer=answer, keywords=keywords, category=category,
              language=language, audience=audience, owner=owner, review_on=review_on)
    values = dict(question=question, answer=answer, keywords=keywords, category=category, language=language,
                  audience=audience, owner=owner, review_on=review_on, is_canned_reply=bool(is_canned_reply))
    if article is None:
        if values["owner"] is None:
            values["owner"] = actor
        article = Article(organization=organization, **values)
        _store(article)
        activity_record(organization=organization, actor=actor, verb="article.created", subject=article,
                        data={"language": language, "audience": audience})
        return article
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.active:
        raise Conflict(_("This article was retired."))
    changed = [name for name in FIELDS if getattr(article, name) != values[name]]
    if not changed:
        return article
    for name in changed:
        setattr(article, name, values[name])
    _store(article)
    activity_record(organization=organization, actor=actor, verb="article.updated", subject=article,
                    data={"fields": changed})
    return article


@transaction.atomic
def article_retire(*, actor: Member, article: Article) -> Article:
    """Take an article out of use: no longer suggested nor found; kept for the answers that used it."""
    if article.organization_id != actor.organization_id:
        raise ValidationError({"article": _("Choose one of your organisation's articles.")})
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.active:
        raise Conflict(_("This article was already retired."))
    article.active = False
    article.save(update_fields=["active", "updated_at"])
    search.index(article)
    activity_record(organization=actor.organization, actor=actor, verb="article.retired", subject=article)
    return article


def articles_for_review(member: Member, *, today: date) -> QuerySet:
    """The member's active articles whose review date has come, the longest overdue first."""
    return (Article.objects.filter(organization_id=member.organization_id, owner=member, active=True,
                                   review_on__lte=today)
            .select_related("category").order_by("review_on", "question", "id"))
