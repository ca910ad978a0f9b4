"""The public inquiry pages in a real Chromium: the FAQ records "helpful" (with htmx and without
JavaScript); a question asked through the web form framed on another site becomes an inquiry, its answer's
e-mail carries the rating link, and that link works once."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from playwright.sync_api import expect

from frontoffice.core import capabilities as caps
from frontoffice.inquiries.models import Article, ArticleFeedback, Channels, Inquiry
from frontoffice.inquiries.public import forms as public_forms
from frontoffice.inquiries.services.articles import article_save
from frontoffice.inquiries.services.inquiries import inquiry_answer
from tests.inquiries.factories import CategoryFactory


@pytest.fixture
def public_office(org, make_member, settings, live_server):
    settings.TASKS_EAGER = True  # e-mails go out in the request, into mail.outbox
    settings.PUBLIC_URL = live_server.url
    owner = make_member(org, caps.OWNER)
    general = CategoryFactory(organization=org, key="general", name="General")
    channels = Channels.objects.create(organization=org, public_faq=True, public_form=True,
                                       default_category=general)
    for question, answer in [
        ("What are your opening hours?", "Monday to Friday, 8:00 to 18:00."),
        ("How do I get an invoice?", "Ask at the desk, or write to billing@alpha.example."),
        ("How can I get my test results?", "Three working days after the test, at the desk with an ID."),
    ]:
        article_save(actor=owner, question=question, answer=answer, category=general, language="en",
                     audience=Article.Audience.PUBLIC)
    return owner, channels


@pytest.fixture
def office_website(org, live_server):
    """The office's own web site framing the form with the snippet the settings page gives: another site
    than the application's (live_server is "localhost"), served for real on this machine (Chromium keeps
    a page with no address from framing a local one)."""
    snippet = (f'<!doctype html><title>Contact us</title><h1>Alpha Clinic</h1><iframe src="{live_server.url}'
               f'/public/{org.slug}/ask/?embed=1" width="600" height="700"></iframe>').encode()

    class Site(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(snippet)))
            self.end_headers()
            self.wfile.write(snippet)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/contact"
    server.shutdown()
    server.server_close()


def _faq(page, org):
    page.goto(f"/public/{org.slug}/faq/")
    expect(page.get_by_role("heading", name="Questions and answers")).to_be_visible()


def test_the_faq_records_helpful_once_a_day(page, org, public_office):
    _faq(page, org)
    page.get_by_role("searchbox").press_sequentially("invoic", delay=30)
    results = page.locator("#faq-results")
    expect(results.locator(".faq-item")).to_have_count(1)
    expect(results).to_contain_text("1 answer found")
    item = results.locator(".faq-item").first
    expect(item.locator(".faq-answer")).to_contain_text("billing@alpha.example")  # the best match is open

    item.get_by_text("Add a comment").click()
    item.locator("textarea[name=comment]").fill("Clear, thank you")
    item.get_by_role("button", name="Yes").click()
    expect(item.get_by_role("status")).to_have_text("Thank you for telling us.")

    article = Article.objects.get(question="How do I get an invoice?")
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    assert ArticleFeedback.objects.get().comment == "Clear, thank you"
    assert page.url.endswith(f"/public/{org.slug}/faq/")  # htmx: no reload

    _faq(page, org)  # the same visitor again: thanked, not counted twice
    again = page.locator(".faq-item", has_text="How do I get an invoice?")
    again.get_by_text("How do I get an invoice?").click()
    again.get_by_role("button", name="No").click()
    expect(again.get_by_role("status")).to_contain_text("already told us about this answer today")
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    assert not page.locator("header.topbar").count()


def test_the_faq_works_without_javascript(open_page, org, public_office):
    page = open_page(java_script_enabled=False)
    _faq(page, org)
    item = page.locator(".faq-item", has_text="What are your opening hours?")
    item.get_by_text("What are your opening hours?").click()
    item.get_by_role("button", name="No").click()

    expect(page).to_have_url(re.compile(r"/faq/\?thanks=\d+#article-\d+$"))
    expect(page.locator(".faq-item", has_text="What are your opening hours?").get_by_role("status")
           ).to_have_text("Thank you for telling us.")
    article = Article.objects.get(question="What are your opening hours?")
    assert (article.helpful_yes, article.helpful_no) == (0, 1)


def test_a_framed_web_form_question_is_answered_and_its_rating_link_works_once(page, org, public_office,
                                                                               office_website, monkeypatch):
    owner, _channels = public_office
    monkeypatch.setattr(public_forms, "MIN_FILL_SECONDS", 0)  # a robot types fast; the test need not wait
    page.goto(office_website)
    form = page.frame_locator("iframe")
    expect(form.get_by_role("heading", name="Ask us a question")).to_be_visible()

    form.get_by_label("Your name").fill("Anna Nowak")
    form.get_by_label("E-mail").fill("anna@example.org")
    form.get_by_label("Your question").fill("Can I get my test results by e-mail?")
    form.get_by_role("button", name="Send my question").click()

    expect(form.get_by_role("heading", name="Thank you, we have your question")).to_be_visible()
    inquiry = Inquiry.objects.get()
    expect(form.locator(".public-reference")).to_contain_text(f"Q-{inquiry.reference}")
    assert inquiry.channel == Inquiry.Channel.WEB and inquiry.contact_email == "anna@example.org"
    assert inquiry.client.organization_id == org.pk
    acknowledgement = next(m for m in mail.outbox if m.to == ["anna@example.org"])
    assert inquiry.reference in acknowledgement.subject + acknowledgement.body

    inquiry_answer(actor=owner, inquiry=inquiry, text="Yes: we e-mail them within three working days.",
                   close=True)
    answer = next(m for m in mail.outbox if m is not acknowledgement and m.to == ["anna@example.org"])
    link = re.search(r"https?://\S+/public/rate/[^/\s]+/", answer.body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Rate our answer")).to_be_visible()
    page.locator("label.rating-option", has_text="4").click()
    page.get_by_label("Anything you would like to tell us? (optional)").fill("Quick and kind.")
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_role("heading", name="Thank you for your rating")).to_be_visible()
    inquiry.refresh_from_db()
    assert (inquiry.rating, inquiry.rating_comment) == (4, "Quick and kind.")

    page.goto(link)
    expect(page.get_by_role("heading", name="Already rated")).to_be_visible()
    expect(page.get_by_role("button", name="Send my rating")).to_have_count(0)
    page.goto(link[:-4] + "xyz/")
    expect(page.get_by_role("heading", name="This page is not available")).to_be_visible()
