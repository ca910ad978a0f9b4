"""The public pages with the Django test client: the FAQ and its "was this helpful?", the web form (with its
spam defences and rate limit, embedded or not) and the rating link; no session needed, a staff session
ignored, every bad input answered clearly with nothing changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.inquiries.models import Article, ArticleFeedback, Category, Channels, Inquiry
from frontoffice.inquiries.public import forms as public_forms
from frontoffice.inquiries.public import ratelimit
from frontoffice.inquiries.services.articles import article_save
from frontoffice.inquiries.services.rating import rating_token
from tests.clients.factories import make_client
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory

WARSAW = ZoneInfo("Europe/Warsaw")
MORNING = datetime(2030, 3, 12, 9, 30, tzinfo=WARSAW)  # a Tuesday


@pytest.fixture(autouse=True)
def _morning(settings):
    settings.TASKS_EAGER = True  # the acknowledgement goes out in the request, into mail.outbox
    cache.clear()  # the web form's counts live in the cache
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def channels(org):
    return Channels.objects.create(organization=org, public_faq=True, public_form=True)


@pytest.fixture
def general(org):
    return CategoryFactory(organization=org, key="general", name="General", position=1)


@pytest.fixture
def billing(org):
    return CategoryFactory(organization=org, key="billing", name="Billing", position=2)


def _article(owner, question, answer, *, language="en", audience=Article.Audience.PUBLIC, category=None,
             keywords=""):
    return article_save(actor=owner, question=question, answer=answer, keywords=keywords, category=category,
                        language=language, audience=audience)


@pytest.fixture
def hours(owner, general):
    return _article(owner, "What are your opening hours?",
                    "Monday to Friday, 8:00 to 18:00.\nClosed on holidays.",
                    category=general, keywords="open, time")


@pytest.fixture
def invoice(owner, billing):
    return _article(owner, "How do I get an invoice?", "Ask at the desk or write to billing@alpha.example.",
                    category=billing)


def faq_url(org, **query):
    url = reverse("public:faq", args=[org.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def feedback_url(article):
    return reverse("public:faq_feedback", args=[article.organization.slug, article.pk])


def ask_url(org, **query):
    url = reverse("public:ask", args=[org.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- the FAQ -------------------------------------------------------------------------------------


def test_faq_is_not_available_unless_the_organisation_publishes_it(org, other_org, hours):
    browser = Client()
    assert browser.get(faq_url(org)).status_code == 404  # no channels at all
    Channels.objects.create(organization=org, public_faq=False, public_form=True)
    response = browser.get(faq_url(org))
    assert response.status_code == 404
    assert b"What are your opening hours" not in response.content
    assert browser.get("/public/nobody-here/faq/").status_code == 404


def test_faq_lists_the_published_answers_by_topic(org, other_org, owner, channels, hours, invoice,
                                                  make_member):
    _article(owner, "Where do staff park?", "Behind the building.", audience=Article.Audience.INTERNAL)
    retired = _article(owner, "Do you take cheques?", "No.")
    Article.objects.filter(pk=retired.pk).update(active=False)
    ArticleFactory(organization=other_org, audience=Article.Audience.PUBLIC, question="Beta's secret answer?")

    response = Client().get(faq_url(org))

    assert response.status_code == 200
    page = response.content.decode()
    assert "What are your opening hours?" in page and "How do I get an invoice?" in page
    assert "Monday to Friday, 8:00 to 18:00.<br>Closed on holidays." in page
    assert "Where do staff park" not in page and "cheques" not in page and "Beta&#x27;s secret" not in page
    assert page.index("General") < page.index("opening hours") < page.index("Billing") < page.index("invoice")
    assert 'class="topbar"' not in page  # no shell: nobody is signed in


def test_faq_page_costs_a_fixed_number_of_queries(org, owner, channels, general, billing,
                                                 django_assert_max_num_queries):
    for number in range(30):
        _article(owner, f"Question number {number}?", "Answer.", category=general if number % 2 else billing)
    with django_assert_max_num_queries(3):  # the channels, "any in this language?", the answers
        response = Client().get(faq_url(org))
    assert response.content.decode().count('class="faq-item"') == 30


def test_faq_answers_are_text_never_html(org, owner, channels):
    _article(owner, "Is <b>this</b> bold?", "<script>alert(1)</script> no")
    page = Client().get(faq_url(org)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; no" in page


def test_faq_search_ranks_the_right_answer_first(org, channels, hours, invoice):
    response = Client().get(faq_url(org, q="invoices"))
    page = response.content.decode()
    assert "How do I get an invoice?" in page
    assert "opening hours" not in page
    assert "1 answer found" in page


def test_faq_search_with_htmx_answers_the_results_only(org, channels, hours, invoice):
    response = Client().get(faq_url(org, q="opening"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and f'id="article-{invoice.pk}"' not in page
    assert f'id="article-{hours.pk}"' in page


def test_faq_search_that_finds_nothing_offers_the_web_form(org, channels, hours):
    page = Client().get(faq_url(org, q="parking")).content.decode()
    assert "We found no answer to that" in page
    assert reverse("public:ask", args=[org.slug]) in page


def test_faq_speaks_the_organisations_language_and_switches(org, owner, channels):
    org.language = "pl"
    org.save()
    _article(owner, "Jak umówić wizytę?", "Zadzwoń do rejestracji.", language="pl")
    _article(owner, "How do I book a visit?", "Call the desk.", language="en")
    browser = Client()

    polish = browser.get(faq_url(org)).content.decode()
    assert '<html lang="pl">' in polish
    assert "Jak umówić wizytę?" in polish and "How do I book" not in polish

    english = browser.get(faq_url(org, lang="en")).content.decode()
    assert '<html lang="en">' in english
    assert "How do I book a visit?" in english and "Jak umówić" not in english
    assert "?lang=en" in english  # the feedback and search keep the visitor's language
    assert 'name="lang" value="en"' in english


def test_faq_in_a_language_without_answers_shows_them_all(org, owner, channels):
    _article(owner, "Jak umówić wizytę?", "Zadzwoń do rejestracji.", language="pl")
    page = Client().get(faq_url(org, lang="en")).content.decode()
    assert "Jak umówić wizytę?" in page


def test_faq_ignores_a_staff_session(org, channels, hours, owner, signed_in):
    page = signed_in(owner).get(faq_url(org)).content.decode()
    assert 'class="topbar"' not in page
    assert owner.user.full_name not in page
    assert "Sign out" not in page


# --- "was this helpful?" -------------------------------------------------------------------------


def test_yes_is_counted_kept_and_thanked_without_javascript(org, channels, hours):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    response = browser.post(feedback_url(hours),
                            {"helpful": "yes", "comment": "  Clear, thanks  ", "q": "hours"})

    assert response.status_code == 302
    assert response["Location"] == faq_url(org) + f"?q=hours&thanks={hours.pk}#article-{hours.pk}"
    hours.refresh_from_db()
    assert (hours.helpful_yes, hours.helpful_no) == (1, 0)
    feedback = ArticleFeedback.objects.get()
    assert feedback.organization == org and feedback.helpful and feedback.comment == "Clear, thanks"
    assert "203.0.113.7" not in feedback.source_hash and len(feedback.source_hash) == 64
    page = browser.get(response["Location"]).content.decode()
    assert "Thank you for telling us." in page
    assert not Activity.objects.filter(verb__startswith="article.").exclude(verb="article.created").exists()


def test_no_with_htmx_swaps_in_the_thanks(org, channels, hours):
    response = Client().post(feedback_url(hours), {"helpful": "no"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and f'id="feedback-{hours.pk}"' in page and "Thank you for telling us." in page
    hours.refresh_from_db()
    assert (hours.helpful_yes, hours.helpful_no) == (0, 1)


def test_feedback_keeps_the_visitors_language(org, channels, hours):
    org.language = "pl"
    org.save()
    response = Client().post(feedback_url(hours), {"helpful": "yes", "lang": "en"})
    assert response["Location"].startswith(faq_url(org) + "?lang=en&thanks=")


def test_one_feedback_per_answer_per_day_from_one_source(org, channels, hours, invoice, _morning):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    assert browser.post(feedback_url(hours), {"helpful": "yes"}).status_code == 302

    again = browser.post(feedback_url(hours), {"helpful": "no"})
    assert again.status_code == 429
    assert "already told us about this answer today" in again.content.decode()
    htmx_again = browser.post(feedback_url(hours), {"helpful": "no"}, headers={"HX-Request": "true"})
    assert htmx_again.status_code == 429 and "<html" not in htmx_again.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.1").post(feedback_url(hours), {"helpful": "no"}).status_code == 302
    assert browser.post(feedback_url(invoice), {"helpful": "yes"}).status_code == 302

    _morning.shift(timedelta(days=1, minutes=1))
    assert browser.post(feedback_url(hours), {"helpful": "no"}).status_code == 302
    hours.refresh_from_db()
    assert (hours.helpful_yes, hours.helpful_no) == (1, 2)


def test_at_most_thirty_feedbacks_an_hour_from_one_source(org, owner, channels, _morning):
    articles = [_article(owner, f"Question number {n}?", "Answer.")
                for n in range(ratelimit.FEEDBACK_PER_HOUR + 1)]
    browser = Client(REMOTE_ADDR="203.0.113.7")
    for article in articles[:-1]:
        assert browser.post(feedback_url(article), {"helpful": "yes"}).status_code == 302

    refused = browser.post(feedback_url(articles[-1]), {"helpful": "yes"})
    assert refused.status_code == 429
    assert "many answers from your connection" in refused.content.decode()
    assert ArticleFeedback.objects.count() == ratelimit.FEEDBACK_PER_HOUR

    _morning.shift(timedelta(hours=1, minutes=1))
    assert browser.post(feedback_url(articles[-1]), {"helpful": "yes"}).status_code == 302


@pytest.mark.parametrize("data, message", [
    ({}, "Please choose Yes or No."),
    ({"helpful": "maybe"}, "Select a valid choice"),
    ({"helpful": "yes", "comment": "x" * 1001}, "at most 1000 characters"),
])
def test_bad_feedback_is_refused_and_counts_nothing(org, channels, hours, data, message):
    response = Client().post(feedback_url(hours), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    hours.refresh_from_db()
    assert (hours.helpful_yes, hours.helpful_no) == (0, 0) and not ArticleFeedback.objects.exists()


def test_feedback_reaches_only_published_answers_of_that_organisation(org, other_org, owner, channels, hours):
    internal = _article(owner, "Staff parking?", "Behind.", audience=Article.Audience.INTERNAL)
    theirs = ArticleFactory(organization=other_org, audience=Article.Audience.PUBLIC)
    Channels.objects.create(organization=other_org, public_faq=True)
    browser = Client()
    assert browser.post(feedback_url(internal), {"helpful": "yes"}).status_code == 404
    wrong_org = reverse("public:faq_feedback", args=[org.slug, theirs.pk])
    assert browser.post(wrong_org, {"helpful": "yes"}).status_code == 404
    Article.objects.filter(pk=hours.pk).update(active=False)
    assert browser.post(feedback_url(hours), {"helpful": "yes"}).status_code == 404
    assert not ArticleFeedback.objects.exists()


def test_feedback_is_closed_with_the_faq(org, channels, hours):
    channels.public_faq = False
    channels.save()
    assert Client().post(feedback_url(hours), {"helpful": "yes"}).status_code == 404
    assert not ArticleFeedback.objects.exists()


def test_feedback_needs_the_csrf_token_and_a_post(org, channels, hours):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(feedback_url(hours), {"helpful": "yes"}).status_code == 403
    assert browser.get(feedback_url(hours)).status_code == 405
    assert not ArticleFeedback.objects.exists()


def test_feedback_from_a_signed_in_member_is_anonymous_too(org, channels, hours, owner, signed_in):
    response = signed_in(owner).post(feedback_url(hours), {"helpful": "yes"})
    assert response.status_code == 302
    assert ArticleFeedback.objects.get().helpful


# --- where a visitor comes from ------------------------------------------------------------------


class _Request:
    def __init__(self, **meta):
        self.META = meta


def test_the_source_is_a_keyed_hash_and_ipv6_counts_by_network(settings):
    first = ratelimit.source_hash(_Request(REMOTE_ADDR="2001:db8:1:2::1"))
    same_network = ratelimit.source_hash(_Request(REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    other_network = ratelimit.source_hash(_Request(REMOTE_ADDR="2001:db8:1:3::1"))
    assert first == same_network != other_network
    assert ratelimit.source_hash(_Request(REMOTE_ADDR="::ffff:203.0.113.7")) == \
        ratelimit.source_hash(_Request(REMOTE_ADDR="203.0.113.7"))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert ratelimit.source_hash(_Request(REMOTE_ADDR="2001:db8:1:2::1")) != first


def test_behind_the_proxy_the_address_it_saw_counts_not_what_the_visitor_claims(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    request = _Request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert ratelimit.client_address(request) == "203.0.113.7"
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert ratelimit.client_address(request) == "10.0.0.2"


# --- the web form --------------------------------------------------------------------------------


def _form_data(browser, org, **fields):
    """What a person sends after reading the form (its stamp taken from the page) a few seconds later."""
    page = browser.get(ask_url(org, **fields.pop("query", {}))).content.decode()
    stamp = page.split('name="stamp" value="', 1)[1].split('"', 1)[0]
    return {"stamp": stamp, "name": "Anna Nowak", "email": "anna@example.org", "phone": "",
            "category": fields.pop("category").pk, "question": "Can I get my test results by e-mail?\nThanks",
            "website": "", **fields}


def _send(browser, org, traveller, **fields):
    data = _form_data(browser, org, **fields)
    traveller.shift(timedelta(seconds=10))
    return browser.post(ask_url(org, **fields.pop("post_query", {})), data)


def test_web_form_is_not_available_unless_switched_on(org, general):
    assert Client().get(ask_url(org)).status_code == 404
    Channels.objects.create(organization=org, public_faq=True, public_form=False)
    assert Client().get(ask_url(org)).status_code == 404
    assert Client().post(ask_url(org), {"name": "x"}).status_code == 404
    assert not Inquiry.objects.exists()


def test_web_form_offers_the_organisations_active_topics(org, other_org, channels, general, billing):
    Category.objects.filter(pk=billing.pk).update(active=False)
    CategoryFactory(organization=other_org, name="Beta topic")
    channels.default_category = general
    channels.save()
    page = Client().get(ask_url(org)).content.decode()
    assert f'<option value="{general.pk}" selected>General</option>' in page
    assert "Billing" not in page and "Beta topic" not in page
    assert 'name="website"' in page and 'class="public-hp" aria-hidden="true"' in page


def test_web_form_gives_an_organisation_without_topics_its_presets(org, channels):
    page = Client().get(ask_url(org)).content.decode()
    assert Category.objects.filter(organization=org).exists()
    assert "<option" in page


def test_a_question_becomes_a_web_inquiry_with_a_client_and_an_acknowledgement(org, channels, general,
                                                                                _morning):
    browser = Client()
    response = _send(browser, org, _morning, category=general)

    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.organization == org and inquiry.channel == Inquiry.Channel.WEB
    assert inquiry.subject == "Can I get my test results by e-mail?"
    assert inquiry.category == general and inquiry.contact_email == "anna@example.org"
    assert inquiry.client.organization_id == org.pk and inquiry.opened_by is None
    opened = Activity.objects.get(verb="inquiry.opened")
    assert opened.actor_id is None and opened.client_id == inquiry.client_id
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert inquiry.reference in mail.outbox[0].subject + mail.outbox[0].body

    thanks = browser.get(response["Location"]).content.decode()
    assert "we have your question" in thanks and f"Q-{inquiry.reference}" in thanks


def test_a_question_with_a_phone_only_is_taken(org, channels, general, _morning):
    response = _send(Client(), org, _morning, category=general, email="", phone="600 100 200")
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.contact_email == ""
    assert inquiry.client.phones.get().number == "+48600100200"
    assert mail.outbox == []


def test_the_thank_you_page_cannot_be_used_to_look_up_references(org, channels, general):
    page = Client().get(ask_url(org, sent=signing.dumps("FORGED01", salt="other"))).content.decode()
    assert "we have your question" in page and "FORGED01" not in page


@pytest.mark.parametrize("fields, field_error", [
    ({"name": "  "}, "Please type your name."),
    ({"email": "", "phone": ""}, "Give us an e-mail address or a phone number"),
    ({"email": "not-an-address"}, "Enter a valid email address."),
    ({"phone": "12"}, "phone"),
    ({"question": "   "}, "Please type your question."),
    ({"question": "x" * 5001}, "at most 5000 characters"),
    ({"category": None}, "Choose a topic"),
])
def test_bad_questions_are_refused_with_what_was_typed_kept(org, channels, general, _morning, fields,
                                                            field_error):
    browser = Client()
    data = _form_data(browser, org, category=general)
    data.update({key: value for key, value in fields.items() if value is not None})
    if fields.get("category", general) is None:
        data.pop("category")
    _morning.shift(timedelta(seconds=10))

    response = browser.post(ask_url(org), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert field_error.lower() in page.lower()
    assert "Anna Nowak" in page or "name" in fields
    assert not Inquiry.objects.exists()


def test_a_topic_of_another_organisation_is_refused(org, other_org, channels, general, _morning):
    theirs = CategoryFactory(organization=other_org)
    response = _send(Client(), org, _morning, category=theirs)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_the_honeypot_takes_nothing_and_says_thank_you(org, channels, general, _morning):
    browser = Client()
    response = _send(browser, org, _morning, category=general, website="http://spam.example")
    assert response.status_code == 302
    assert not Inquiry.objects.exists() and mail.outbox == []
    assert "we have your question" in browser.get(response["Location"]).content.decode()


def test_a_form_sent_back_within_seconds_is_shown_again(org, channels, general):
    browser = Client()
    data = _form_data(browser, org, category=general)
    response = browser.post(ask_url(org), data)  # no time to type
    assert response.status_code == 400
    page = response.content.decode()
    assert "That was quick!" in page and "Can I get my test results by e-mail?" in page
    assert not Inquiry.objects.exists()


def test_a_quick_form_with_mistakes_shows_only_the_mistakes(org, channels, general):
    browser = Client()
    data = _form_data(browser, org, category=general) | {"name": ""}
    response = browser.post(ask_url(org), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please type your name." in page and "That was quick" not in page


@pytest.mark.parametrize("stamp", ["", "garbage", "forged:stamp"])
def test_a_form_without_a_good_stamp_is_shown_again(org, channels, general, _morning, stamp):
    browser = Client()
    data = _form_data(browser, org, category=general) | {"stamp": stamp}
    _morning.shift(timedelta(seconds=10))
    response = browser.post(ask_url(org), data)
    assert response.status_code == 400
    assert "Please check your question and send it again." in response.content.decode()
    assert not Inquiry.objects.exists()


def test_a_stamp_from_another_source_is_refused(org, channels, general, _morning):
    data = _form_data(Client(REMOTE_ADDR="198.51.100.1"), org, category=general)
    _morning.shift(timedelta(seconds=10))
    response = Client(REMOTE_ADDR="203.0.113.7").post(ask_url(org), data)
    assert response.status_code == 400
    assert not Inquiry.objects.exists()


def test_a_form_left_open_for_a_day_is_shown_again(org, channels, general, _morning):
    browser = Client()
    data = _form_data(browser, org, category=general)
    _morning.shift(timedelta(seconds=public_forms.MAX_FORM_AGE + 60))
    response = browser.post(ask_url(org), data)
    assert response.status_code == 400
    assert "open for a long time" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_at_most_five_questions_an_hour_from_one_source(org, channels, general, _morning):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    _morning.move_to(MORNING.replace(minute=0))  # the start of a counting window
    for number in range(ratelimit.QUESTIONS_PER_HOUR):
        sent = _send(browser, org, _morning, category=general, email=f"p{number}@example.org")
        assert sent.status_code == 302

    refused = _send(browser, org, _morning, category=general, email="sixth@example.org")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "several questions from your connection" in page and "sixth@example.org" in page
    assert Inquiry.objects.count() == ratelimit.QUESTIONS_PER_HOUR
    assert _send(Client(REMOTE_ADDR="198.51.100.1"), org, _morning, category=general).status_code == 302

    _morning.shift(timedelta(hours=1))
    assert _send(browser, org, _morning, category=general, email="later@example.org").status_code == 302


def test_the_web_form_does_not_need_the_csrf_cookie_but_only_takes_posts_and_gets(org, channels, general,
                                                                                 _morning):
    browser = Client(enforce_csrf_checks=True)  # framed on another site, the browser withholds the cookie
    assert _send(browser, org, _morning, category=general).status_code == 302
    assert browser.put(ask_url(org)).status_code == 405


def test_a_question_from_a_signed_in_member_is_still_the_visitors(org, channels, general, owner, signed_in,
                                                                   _morning):
    response = _send(signed_in(owner), org, _morning, category=general)
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.opened_by is None and inquiry.channel == Inquiry.Channel.WEB
    assert Activity.objects.get(verb="inquiry.opened").actor_id is None


def test_only_the_embedded_form_may_be_framed(org, channels, general):
    page = Client().get(ask_url(org))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]

    embedded = Client().get(ask_url(org, embed=1))
    assert "X-Frame-Options" not in embedded and embedded["X-Robots-Tag"] == "noindex"
    assert "frame-ancestors *" in embedded["Content-Security-Policy"]
    assert "script-src 'self'" in embedded["Content-Security-Policy"]
    html = embedded.content.decode()
    assert 'class="public-head"' not in html and "public-embed" in html
    assert f'action="{ask_url(org, embed=1)}"' in html

    faq = Client().get(faq_url(org))
    assert faq["X-Frame-Options"] == "DENY"


def test_the_embedded_form_stays_embedded_after_sending(org, channels, general, _morning):
    browser = Client()
    response = _send(browser, org, _morning, category=general, query={"embed": 1}, post_query={"embed": 1})
    assert response.status_code == 302 and "embed=1" in response["Location"]
    thanks = browser.get(response["Location"])
    assert "X-Frame-Options" not in thanks and "we have your question" in thanks.content.decode()


def test_the_web_form_speaks_the_visitors_language(org, channels, general, _morning):
    org.language = "pl"
    org.save()
    browser = Client()
    page = browser.get(ask_url(org, lang="en")).content.decode()
    assert '<html lang="en">' in page and 'name="lang" value="en"' in page
    assert '<html lang="pl">' in browser.get(ask_url(org)).content.decode()


# --- the rating ----------------------------------------------------------------------------------


@pytest.fixture
def answered(org, general, receptionist):
    client = make_client(receptionist, first_name="Rita", last_name="Rater", emails=["rita@example.org"])
    return InquiryFactory(site=org.sites.get(), organization=org, client=client, category=general,
                          status=Inquiry.Status.ANSWERED, first_answered_at=MORNING, answered_by=receptionist,
                          subject="My private test results")


def rate_url(inquiry, **query):
    url = reverse("public:rate", args=[rating_token(inquiry)])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_rating_link_works_once(answered, receptionist):
    browser = Client()
    page = browser.get(rate_url(answered))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Q-{answered.reference}" in html and "My private test results" not in html

    response = browser.post(rate_url(answered), {"rating": "4", "comment": "Quick and kind."})

    assert response.status_code == 302
    assert "Thank you for your rating" in browser.get(response["Location"]).content.decode()
    answered.refresh_from_db()
    assert (answered.rating, answered.rating_comment) == (4, "Quick and kind.")
    rated = Activity.objects.get(verb="inquiry.rated")
    assert rated.actor_id is None and rated.data["answered_by"] == receptionist.pk

    again = browser.get(rate_url(answered)).content.decode()
    assert "Already rated" in again
    second = browser.post(rate_url(answered), {"rating": "1"})
    assert second.status_code == 409 and "Already rated" in second.content.decode()
    answered.refresh_from_db()
    assert answered.rating == 4
    assert Activity.objects.filter(verb="inquiry.rated").count() == 1


def test_the_rating_link_can_preselect_a_rating_without_sending_it(answered):
    html = Client().get(rate_url(answered, rating=5)).content.decode()
    assert 'value="5" id="id_rating_4" required checked' in html
    assert html.count("checked") == 1
    answered.refresh_from_db()
    assert answered.rated_at is None


@pytest.mark.parametrize("data, message", [
    ({}, "Please choose a rating from 1 to 5."),
    ({"rating": "0"}, "Please choose a rating from 1 to 5."),
    ({"rating": "6"}, "Please choose a rating from 1 to 5."),
    ({"rating": "five"}, "Please choose a rating from 1 to 5."),
    ({"rating": "5", "comment": "x" * 2001}, "at most 2000 characters"),
])
def test_a_bad_rating_is_refused_and_the_link_still_works(answered, data, message):
    response = Client().post(rate_url(answered), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    answered.refresh_from_db()
    assert answered.rated_at is None


def test_a_tampered_rating_link_is_not_available(answered):
    token = rating_token(answered)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    forged = signing.dumps({"i": answered.pk, "o": answered.organization_id}, salt="another salt")
    for bad in (tampered, forged, "nonsense"):
        for response in (Client().get(reverse("public:rate", args=[bad])),
                         Client().post(reverse("public:rate", args=[bad]), {"rating": "5"})):
            assert response.status_code == 404
            assert "This page is not available" in response.content.decode()
            assert answered.organization.name not in response.content.decode()
    answered.refresh_from_db()
    assert answered.rated_at is None


def test_an_expired_rating_link_says_so(answered, _morning):
    url = rate_url(answered)
    _morning.shift(timedelta(days=61))
    response = Client().get(url)
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_an_unanswered_inquiry_cannot_be_rated_yet(answered):
    Inquiry.objects.filter(pk=answered.pk).update(first_answered_at=None, status=Inquiry.Status.OPEN)
    response = Client().post(rate_url(answered), {"rating": "5"})
    assert response.status_code == 409
    assert "not answered this question yet" in response.content.decode()
    answered.refresh_from_db()
    assert answered.rated_at is None


def test_the_rating_needs_the_csrf_token(answered):
    assert Client(enforce_csrf_checks=True).post(rate_url(answered), {"rating": "5"}).status_code == 403
    answered.refresh_from_db()
    assert answered.rated_at is None


def test_a_rating_from_a_signed_in_member_is_the_clients(answered, owner, signed_in):
    browser = signed_in(owner)
    page = browser.get(rate_url(answered)).content.decode()
    assert 'class="topbar"' not in page
    assert browser.post(rate_url(answered), {"rating": "2"}).status_code == 302
    assert Activity.objects.get(verb="inquiry.rated").actor_id is None


def test_the_rating_page_speaks_the_organisations_language(answered):
    answered.organization.language = "pl"
    answered.organization.save()
    assert '<html lang="pl">' in Client().get(rate_url(answered)).content.decode()
    assert '<html lang="en">' in Client().get(rate_url(answered, lang="en")).content.decode()


# --- two-factor ----------------------------------------------------------------------------------


def test_an_owner_owing_a_second_factor_still_sees_public_pages_as_anyone(org, channels, hours, make_member,
                                                                       signed_in):
    org.require_two_factor = True
    org.save()
    owner = make_member(org, caps.OWNER)
    response = signed_in(owner).get(faq_url(org))
    assert response.status_code == 200
