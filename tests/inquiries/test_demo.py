"""The demo office's questions: its knowledge base, channels, and a working week of inquiries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db.models import Count, Sum

from frontoffice.core import capabilities as caps
from frontoffice.core import demo as core_demo
from frontoffice.core.hours import is_open, site_hours
from frontoffice.core.models import Activity, Member
from frontoffice.inquiries import demo, search
from frontoffice.inquiries.demo.articles import ARTICLES, articles_for
from frontoffice.inquiries.models import (
    Article,
    ArticleFeedback,
    ArticleUse,
    Category,
    Channels,
    Inquiry,
    InquiryMessage,
)
from frontoffice.inquiries.services.articles import articles_for_review
from frontoffice.inquiries.services.overdue import notify_overdue

# A Wednesday, 14:30 in Warsaw: the week before it had five working days.
WEDNESDAY = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
VERTICALS = ["medical", "legal", "education", "small_business"]


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    settings.TASKS_EAGER = True


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def members_by_role(organization) -> dict[str, Member]:
    by_role: dict[str, Member] = {}
    for member in Member.objects.filter(organization=organization).select_related("user").order_by("pk"):
        for role in member.roles:
            by_role.setdefault(role, member)
    return by_role


def demo_office(vertical: str = "medical"):
    organization, _logins = core_demo.load_office(vertical)
    demo.load(organization, members_by_role(organization))  # idempotent, whether wired as a loader or not
    return organization


@pytest.fixture
def office(db, frozen):
    return demo_office()


# --- the set-up ------------------------------------------------------------------------------------

@pytest.mark.parametrize("vertical", VERTICALS)
def test_demo_office_has_categories_channels_and_a_knowledge_base(db, frozen, vertical):
    organization = demo_office(vertical)
    language = "pl" if organization.language == "pl" else "en"
    categories = Category.objects.filter(organization=organization)
    assert categories.count() >= 4 and categories.filter(key="general").exists()
    articles = Article.objects.filter(organization=organization, active=True)
    assert 30 <= articles.count() <= 60
    assert set(articles.values_list("language", flat=True)) == {language}
    assert articles.filter(audience=Article.Audience.PUBLIC).count() >= 20
    assert articles.filter(audience=Article.Audience.INTERNAL).exists()
    assert articles.filter(is_canned_reply=True).count() >= 3
    assert not articles.filter(category=None).exists()
    assert set(articles.values_list("category__organization", flat=True)) == {organization.pk}
    assert all(article.search_text for article in articles)  # written through the service: searchable
    channels = Channels.objects.get(organization=organization)
    assert channels.public_faq and channels.public_form and channels.address
    assert channels.site is not None and channels.default_category.key == "general"
    assert not channels.inbound_token_hash and not channels.imap_host  # nothing to connect in a demo


def test_some_articles_are_due_for_review_and_listed_for_their_owner(office):
    assistant = members_by_role(office)[caps.ADMIN_ASSISTANT]
    due = list(articles_for_review(assistant, today=WEDNESDAY.date()))
    assert len(due) == sum(entry.review_due for entry in articles_for("medical"))
    later = Article.objects.filter(organization=office, review_on__gt=WEDNESDAY.date())
    assert later.exists() and not Article.objects.filter(organization=office, review_on=None).exists()


def test_the_public_faq_has_votes_counted_on_the_articles(office):
    feedback = ArticleFeedback.objects.filter(organization=office)
    assert feedback.filter(helpful=True).exists() and feedback.filter(helpful=False).exists()
    assert feedback.exclude(comment="").exists()
    totals = Article.objects.filter(organization=office).aggregate(yes=Sum("helpful_yes"), no=Sum("helpful_no"))
    assert totals == {"yes": feedback.filter(helpful=True).count(), "no": feedback.filter(helpful=False).count()}
    assert not feedback.exclude(article__audience=Article.Audience.PUBLIC).exists()


@pytest.mark.parametrize("vertical", VERTICALS)
def test_clients_questions_find_the_right_article_first(db, frozen, vertical):
    """How clients ask (chatty, with typos, without diacritics) suggests the article that answers it."""
    organization = demo_office(vertical)
    asked = [(text, entry.question) for entry in articles_for(vertical) for text in entry.asked]
    first = [text for text, question in asked
             if [a.question for a in search.suggest(organization, text, limit=1)] == [question]]
    assert len(first) >= 0.9 * len(asked), sorted({t for t, _q in asked} - set(first))


# --- the week ----------------------------------------------------------------------------------------

def test_a_week_of_inquiries_from_every_channel_in_every_state(office):
    inquiries = Inquiry.objects.filter(organization=office)
    assert inquiries.count() == len(demo.SCENES) + 2
    assert set(inquiries.values_list("channel", flat=True)) == set(Inquiry.Channel.values)
    assert set(inquiries.values_list("status", flat=True)) == set(Inquiry.Status.values)
    assert inquiries.filter(answered_in_first_contact=True).count() == sum(
        scene.story == "first_contact" for scene in demo.SCENES)
    assert inquiries.filter(reopened=1, status=Inquiry.Status.CLOSED).exists()
    assert inquiries.exclude(department=None).exists()
    assert not inquiries.exclude(client__organization=office).exists()  # never an orphan, never another's
    assert Activity.objects.filter(organization=office, verb="inquiry.forwarded").count() == 2


def test_history_happened_in_opening_hours_on_past_working_days(office):
    site = office.sites.get()
    hours = site_hours(site, since=(WEDNESDAY - timedelta(days=14)).date())
    history = Inquiry.objects.filter(organization=office, opened_at__lt=WEDNESDAY)
    assert history.count() == len(demo.SCENES)
    days = set()
    for inquiry in history:
        assert is_open(hours, inquiry.opened_at), inquiry.opened_at
        days.add(inquiry.opened_at.astimezone(site.tz).date())
        assert inquiry.first_answer_due is not None and inquiry.first_answer_due > inquiry.opened_at
        for moment in (inquiry.first_answered_at, inquiry.answered_at, inquiry.closed_at, inquiry.rated_at):
            assert moment is None or inquiry.opened_at < moment < WEDNESDAY
    assert len(days) == 5 and WEDNESDAY.astimezone(site.tz).date() not in days


def test_asked_just_now_through_the_services(office):
    now = Inquiry.objects.filter(organization=office, opened_at=WEDNESDAY).order_by("pk")
    phone, web = now
    desk = members_by_role(office)[caps.RECEPTIONIST]
    assert (phone.channel, phone.opened_by, phone.assigned_to) == ("phone", desk, desk)
    assert (web.channel, web.opened_by, web.contact_email != "") == ("web", None, True)
    assert web.messages.get().kind == InquiryMessage.Kind.INBOUND
    assert any(web.reference in message.subject + message.body for message in mail.outbox)  # acknowledged


def test_threads_answers_and_articles_used(office):
    inquiries = Inquiry.objects.filter(organization=office)
    for inquiry in inquiries.filter(channel__in=("email", "web", "letter")):
        first = inquiry.messages.order_by("created_at", "pk").first()
        assert (first.kind, first.body, first.created_at) == ("inbound", inquiry.question, inquiry.opened_at)
    for inquiry in inquiries.exclude(first_answered_at=None):
        answers = inquiry.messages.filter(kind=InquiryMessage.Kind.ANSWER).order_by("created_at")
        assert answers.first().created_at == inquiry.first_answered_at
        assert answers.last().body == inquiry.answer and answers.last().author == inquiry.answered_by
        if inquiry.channel in ("email", "web"):
            assert not answers.filter(sent_at=None).exists()
            assert inquiry.answer.startswith(demo.TEXTS[office.language]["hello"])
    uses = ArticleUse.objects.filter(organization=office)
    assert uses.count() >= 8
    counted = dict(uses.values_list("article").annotate(n=Count("id")).order_by())
    assert {a.pk: a.uses for a in Article.objects.filter(organization=office, uses__gt=0)} == counted


def test_ratings_came_from_answers_sent_by_e_mail(office):
    rated = Inquiry.objects.filter(organization=office).exclude(rating=None)
    assert rated.count() == sum(bool(scene.rating) for scene in demo.SCENES)
    assert set(rated.values_list("channel", flat=True)) <= {"email", "web"}
    assert {r.rating for r in rated} >= {2, 4, 5} and rated.exclude(rating_comment="").exists()
    activities = Activity.objects.filter(organization=office, verb="inquiry.rated")
    assert activities.count() == rated.count() and not activities.exclude(actor=None).exists()


def test_late_questions_were_notified_once(office):
    notified = Inquiry.objects.filter(organization=office).exclude(overdue_notified_at=None)
    assert notified.exists() and not notified.exclude(status__in=Inquiry.OPEN_STATUSES).exists()
    assert Activity.objects.filter(organization=office, verb="inquiry.overdue").count() == notified.count()
    # The periodic job finds nothing more to tell: the demo's late ones were told already.
    assert notify_overdue(organization=office, now=WEDNESDAY) == []


def test_every_step_is_in_the_activity_log_when_it_happened(office):
    for inquiry in Inquiry.objects.filter(organization=office):
        opened = Activity.objects.get(organization=office, verb="inquiry.opened", subject_id=str(inquiry.pk))
        assert opened.occurred_at == inquiry.opened_at and opened.client_id == inquiry.client_id
        if inquiry.first_answered_at:
            first = Activity.objects.get(organization=office, verb="inquiry.first_answered",
                                         subject_id=str(inquiry.pk))
            assert first.occurred_at == inquiry.first_answered_at and first.actor == inquiry.first_answered_by


def test_loading_again_changes_nothing(office):
    counts = (Article.objects.count(), Inquiry.objects.count(), Activity.objects.count())
    demo.load(office, members_by_role(office))
    assert (Article.objects.count(), Inquiry.objects.count(), Activity.objects.count()) == counts


def test_every_vertical_has_a_knowledge_base_of_its_own():
    assert set(ARTICLES) >= {"medical", "legal", "education", "small_business", "general"}
    for vertical, entries in ARTICLES.items():
        questions = [entry.question for entry in entries]
        assert len(questions) == len(set(questions)), vertical
        assert sum(bool(entry.asked) for entry in entries) >= len(demo.SCENES) // 2
