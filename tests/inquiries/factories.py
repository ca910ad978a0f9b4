"""Inquiries rows for tests, written directly (services are tested on their own; these set up scenes)."""

from __future__ import annotations

import factory
from django.utils import timezone

from frontoffice.inquiries.models import Article, Category, Inquiry
from tests.core.factories import OrganizationFactory, SiteFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    first_answer_hours = 4
    resolution_hours = 16


class InquiryFactory(factory.django.DjangoModelFactory):
    """An open phone question on a new site; pass ``client=`` (tests.clients.factories.make_client)."""

    class Meta:
        model = Inquiry

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    category = factory.SubFactory(CategoryFactory, organization=factory.SelfAttribute("..organization"))
    channel = Inquiry.Channel.PHONE
    subject = factory.Sequence(lambda n: f"Question {n}")
    question = "What are your opening hours?"
    status = Inquiry.Status.OPEN
    opened_at = factory.LazyFunction(timezone.now)


class ArticleFactory(factory.django.DjangoModelFactory):
    """An active internal article; services keep ``search_text``; set it yourself for search scenes."""

    class Meta:
        model = Article

    organization = factory.SubFactory(OrganizationFactory)
    question = factory.Sequence(lambda n: f"How do I do thing {n}?")
    answer = "Like this."
    language = "en"
    audience = Article.Audience.INTERNAL
