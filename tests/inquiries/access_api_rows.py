"""The inquiries API's rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from types import SimpleNamespace

from frontoffice.core import capabilities as caps
from tests.access_table import API, Route
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory


def populate(world) -> None:
    """A category routed to a department, an open inquiry in it, a second department to forward to and an
    article (under world.inquiries_api)."""
    owner = world.member(caps.OWNER)
    department = DepartmentFactory(organization=world.org, site=world.site, name="Apirow registration")
    billing = DepartmentFactory(organization=world.org, site=world.site, name="Apirow billing")
    category = CategoryFactory(organization=world.org, key="apirow-general", name="Apirow general",
                               department=department)
    client = make_client(owner, first_name="Apirow", last_name="Asker")
    inquiry = InquiryFactory(site=world.site, category=category, department=department, client=client,
                             subject="Apirow opening hours")
    article = ArticleFactory(organization=world.org, question="Apirow: when are you open?",
                             answer="Monday to Friday, 8 to 18.")
    world.inquiries_api = SimpleNamespace(category=category, client=client, inquiry=inquiry, billing=billing,
                                          article=article)


def _inquiry(world, member):
    return [world.inquiries_api.inquiry.pk]


def _new_inquiry(world, member):
    return {"client_id": world.inquiries_api.client.pk, "category_id": world.inquiries_api.category.pk,
            "question": "Apirow: do you take walk-ins?", "site_id": world.site.pk}


def _answer(world, member):
    return {"text": "Monday to Friday, 8 to 18.", "article_ids": [world.inquiries_api.article.pk]}


def _new_article(world, member):
    return {"question": "Apirow: where do I park?", "answer": "Behind the building.", "language": "en"}


ROUTES = [
    Route("GET", "api:inquiry_list", "inquiries.view", kind=API, query=lambda w, m: {"status": "open"}),
    Route("POST", "api:inquiry_create", "inquiries.answer", kind=API, data=_new_inquiry, ok=(201,)),
    Route("GET", "api:inquiry_get", "inquiries.view", kind=API, args=_inquiry),
    Route("PATCH", "api:inquiry_patch", "inquiries.answer", kind=API, args=_inquiry,
          data=lambda w, m: {"priority": "high"}),
    Route("POST", "api:inquiry_answer_post", "inquiries.answer", kind=API, args=_inquiry, data=_answer),
    Route("POST", "api:inquiry_forward_post", "inquiries.answer", kind=API, args=_inquiry,
          data=lambda w, m: {"department_id": w.inquiries_api.billing.pk, "note": "Apirow: an invoice"}),
    Route("GET", "api:article_list", "inquiries.view", kind=API, query=lambda w, m: {"language": "en"}),
    Route("POST", "api:article_create", "inquiries.articles", kind=API, data=_new_article, ok=(201,)),
    Route("GET", "api:article_search", "inquiries.view", kind=API, query=lambda w, m: {"q": "open"}),
]
