"""The inquiries public rows of the access table (see tests/access_table.py).

The FAQ, the web form and the rating page are PUBLIC: no session is needed, and a staff session is
ignored (tests/inquiries/test_public.py proves it). Their URLs name the organisation by its published
slug and the rating by its signed token, not by ids a member could guess into, so they name no rows.
"""

from __future__ import annotations

from frontoffice.inquiries.models import Article, Channels, Inquiry
from frontoffice.inquiries.services.rating import rating_token
from tests.access_table import PUBLIC, Route
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory


def populate(world) -> None:
    Channels.objects.update_or_create(organization=world.org,
                                      defaults={"public_faq": True, "public_form": True})
    world.public_article = ArticleFactory(organization=world.org, audience=Article.Audience.PUBLIC,
                                          question="What are your opening hours?", answer="8 to 18.")
    world.public_category = CategoryFactory(organization=world.org, key="public-general", name="General")
    from tests.clients.factories import make_client

    asker = make_client(world.member("receptionist"), first_name="Rita", last_name="Rater")
    world.rated_inquiry = InquiryFactory(site=world.site, organization=world.org, client=asker,
                                         category=world.public_category, status=Inquiry.Status.ANSWERED,
                                         first_answered_at=world.public_article.created_at)


def _slug(world, member) -> list:
    return [world.org.slug]


def _feedback_args(world, member) -> list:
    return [world.org.slug, world.public_article.pk]


def _rating(world, member) -> list:
    return [rating_token(world.rated_inquiry)]


ROUTES = [
    Route("GET", "public:faq", None, kind=PUBLIC, args=_slug, tenant_ids=False),
    Route("POST", "public:faq_feedback", None, kind=PUBLIC, args=_feedback_args, tenant_ids=False,
          data=lambda w, m: {"helpful": "yes"}, ok=(302,)),
    Route("GET", "public:ask", None, kind=PUBLIC, args=_slug, tenant_ids=False),
    Route("POST", "public:ask", None, kind=PUBLIC, args=_slug, tenant_ids=False,
          data=lambda w, m: {"name": "", "question": ""}, ok=(400,)),
    Route("GET", "public:rate", None, kind=PUBLIC, args=_rating, tenant_ids=False),
    Route("POST", "public:rate", None, kind=PUBLIC, args=_rating, tenant_ids=False,
          data=lambda w, m: {"rating": "9"}, ok=(400,)),
]
