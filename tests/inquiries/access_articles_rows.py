"""The inquiries knowledge-base rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.inquiries import search
from tests.access_table import Route
from tests.inquiries.factories import ArticleFactory, CategoryFactory


def populate(world) -> None:
    """An article (indexed, so it is suggested) and a category of world.org (under world.kb)."""
    category = CategoryFactory(organization=world.org, key="kb-certificates", name="KB certificates")
    article = ArticleFactory(organization=world.org, question="How do I get a medical certificate?",
                             answer="Book a short visit.", category=category)
    search.reindex([article])
    world.kb = SimpleNamespace(article=article, category=category)


def _article(world, member):
    return [world.kb.article.pk]


def _form(world, member):
    return {"question": "Where can I park?", "answer": "Behind the building.", "keywords": "car",
            "category": world.kb.category.pk, "language": "en", "audience": "public", "owner": member.pk,
            "review_on": "2031-01-31"}


ROUTES = [
    Route("GET", "inquiries:articles", "inquiries.view"),
    Route("GET", "inquiries:articles", "inquiries.view", query=lambda w, m: {"q": "certificate", "language": "en"},
          label="search"),
    Route("GET", "inquiries:articles", "inquiries.view", query=lambda w, m: {"category": w.kb.category.pk},
          tenant_ids=False, label="category"),
    Route("GET", "inquiries:article", "inquiries.view", args=_article),
    Route("GET", "inquiries:article_new", "inquiries.articles"),
    Route("POST", "inquiries:article_new", "inquiries.articles", data=_form, ok=(302,)),
    Route("GET", "inquiries:article_edit", "inquiries.articles", args=_article),
    Route("POST", "inquiries:article_edit", "inquiries.articles", args=_article, data=_form, ok=(302,)),
    Route("POST", "inquiries:article_retire", "inquiries.articles", args=_article, ok=(302,)),
    Route("GET", "inquiries:articles_review", "inquiries.view"),
    Route("GET", "inquiries:article_suggest", "inquiries.view",
          query=lambda w, m: {"text": "how do i get a medical certificate for school"}),
]
