"""The inquiries desk in a real Chromium: a phone question answered from a suggested article in one screen, by
keyboard; a question e-mailed to the inbound-mail webhook answered from its page — the answer reaching a real
SMTP server (aiosmtpd) — and the client's reply, posted to the webhook, threading back to the same inquiry; a
question left unanswered past its target announced once by the scheduler, its notice leading to the page."""

from __future__ import annotations

import re
import time
import urllib.request
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from frontoffice.core import capabilities as caps
from frontoffice.core import periodic
from frontoffice.inquiries.models import ArticleUse, Inquiry, InquiryMessage
from frontoffice.inquiries.presets import categories_ensure
from frontoffice.inquiries.services.articles import article_save
from frontoffice.inquiries.services.categories import channels_save, inbound_token_rotate
from tests.browser import harness
from tests.browser.mailserver import inbox  # noqa: F401 (fixture)
from tests.clients.factories import make_client


ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CERTIFICATE = ("Medical certificates for school are issued at the reception desk on weekdays, 8:00–16:00. "
               "Bring the pupil's ID card; there is no fee.")
PARKING = "Yes: the car park behind the building is free for patients."


@pytest.fixture
def office(org, make_member):
    site = org.sites.get()
    site.opening_hours = ALWAYS_OPEN
    site.save()
    owner = make_member(org, caps.OWNER, user__full_name="Olga Właścicielka")
    desk = make_member(org, caps.RECEPTIONIST, user__full_name="Zofia Wójcik")
    categories_ensure(org)
    anna = make_client(desk, first_name="Anna", last_name="Dzwoniąca", phones=["601 100 200"],
                       emails=["anna@example.com"])
    return owner, desk, anna


def _settles(check, timeout: float = 10):
    """Wait until ``check()`` is true (the browser's request, or a task's thread, has finished)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the change did not arrive in time"
        time.sleep(0.05)


def test_a_phone_question_is_answered_from_a_suggested_article_in_one_screen(page, signed_in_as, office):
    owner, desk, anna = office
    general = owner.organization.inquiry_categories.get(key="general")
    article = article_save(actor=owner, question="How do I get a medical certificate for school?",
                           answer=CERTIFICATE, keywords="certificate, school, sick note", category=general,
                           language="en", audience="internal")
    article_save(actor=owner, question="What are your opening hours?", answer="Monday to Friday, 8:00–18:00.",
                 language="en", audience="public")
    signed_in_as(page, desk)
    page.goto(reverse("inquiries:desk"))
    expect(page.locator("#inq-new")).to_be_visible()

    started = time.monotonic()
    page.keyboard.press("n")  # the caller is on the line
    expect(page.locator("#inq-client-name")).to_be_focused()
    page.keyboard.type("Dzwoni")
    expect(page.locator("#inq-client-matches")).to_contain_text("Anna Dzwoniąca")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#inq-chosen")).to_contain_text("Anna Dzwoniąca")
    expect(page.locator("#inq-question")).to_be_focused()
    page.keyboard.type("how do i get a medical certificate for school")
    first = page.locator("#inq-suggestions [data-article-insert]").first
    expect(page.locator("#inq-suggestions")).to_contain_text("How do I get a medical certificate for school?")
    expect(first).to_be_visible()
    page.keyboard.press("Alt+1")  # the first suggestion into the answer box
    expect(page.locator("#inq-answer")).to_have_value(CERTIFICATE)
    expect(page.locator("#inq-answer")).to_be_focused()
    expect(page.locator("#inq-used")).to_contain_text("How do I get a medical certificate for school?")
    page.keyboard.type(" Your daughter's is ready tomorrow.")  # the answer stays editable
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("Answered and closed: how do i get a medical")
    took = time.monotonic() - started
    assert took < 30, f"answering a known question took {took:.1f} s"
    expect(page.locator("#inq-client-name")).to_be_focused()  # ready for the next caller

    inquiry = Inquiry.objects.get()
    assert (inquiry.client, inquiry.status, inquiry.channel) == (anna, Inquiry.Status.CLOSED, "phone")
    assert inquiry.answered_in_first_contact and inquiry.first_answered_by == desk
    assert inquiry.answer == CERTIFICATE + " Your daughter's is ready tomorrow."
    assert list(ArticleUse.objects.values_list("article_id", flat=True)) == [article.pk]
    assert harness.log_of(page).problems() == []


def test_a_new_caller_without_javascript_help_still_gets_a_clear_refusal(page, signed_in_as, office):
    _owner, desk, _anna = office
    signed_in_as(page, desk)
    page.goto(reverse("inquiries:inquiry_new"))
    page.locator("#inq-question").fill("Do you take new patients?")
    page.locator("#inq-answer-close").click()
    expect(page.locator(".field.has-error")).to_have_count(2)  # who asks, and the answer
    expect(page.locator("#inq-question")).to_have_value("Do you take new patients?")
    assert not Inquiry.objects.exists()


def _raw_mail(*, subject: str, body: str, message_id: str, in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = "Anna Dzwoniąca <anna@example.com>"
    message["To"] = "questions@alpha.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    message.set_content(body)
    return message.as_bytes()


def _post_to_webhook(live_server, token: str, raw: bytes) -> None:
    request = urllib.request.Request(live_server.url + reverse("public:inbound_mail", args=[token]), data=raw,
                                     method="POST", headers={"Content-Type": "message/rfc822"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own test server)
        assert response.status == 200


def test_an_emailed_question_is_answered_and_the_reply_threads_back(page, signed_in_as, live_server, inbox,
                                                                    office, settings):
    # The answer's e-mail task runs in the request: on SQLite the test database is one in-memory database
    # shared by the threads, whose table locks would fail a task thread writing while a page is read.
    settings.TASKS_EAGER = True
    owner, desk, anna = office
    parking = article_save(actor=owner, question="Is there a car park near the clinic?", language="en",
                           answer=PARKING,
                           keywords="parking, car", audience="public")
    channels_save(actor=owner, address="questions@alpha.example")
    token = inbound_token_rotate(actor=owner)
    _post_to_webhook(live_server, token, _raw_mail(
        subject="Parking for my appointment", message_id=make_msgid(domain="example.com"),
        body="Hello,\nis there a car park near the clinic?\n\nAnna"))
    inquiry = Inquiry.objects.get()
    assert (inquiry.client, inquiry.channel, inquiry.contact_email) == (anna, "email", "anna@example.com")

    signed_in_as(page, desk)
    page.goto(reverse("inquiries:desk"))
    page.get_by_role("link", name="Parking for my appointment").click()
    expect(page.locator(".msg-question")).to_contain_text("is there a car park near the clinic?")
    expect(page.locator("#inq-send-email")).to_be_checked()
    page.locator("#inq-suggestions [data-article-insert]").first.click()  # suggested from the question
    expect(page.locator("#inq-answer")).to_have_value(PARKING)
    page.locator("#inq-answer").press("End")
    page.keyboard.type(" See you on Monday!")
    page.locator("#inq-answer-open").click()
    expect(page.locator(".messages")).to_contain_text("Answered.")

    sent = inbox.wait_for("anna@example.com")
    assert f"[#Q-{inquiry.reference}]" in sent["Subject"]
    assert "the car park behind the building is free" in sent.get_body(("plain",)).get_content()
    answer = InquiryMessage.objects.get(kind="answer")
    assert answer.body.endswith("free for patients. See you on Monday!")
    assert list(ArticleUse.objects.values_list("article_id", flat=True)) == [parking.pk]
    _settles(lambda: InquiryMessage.objects.filter(pk=answer.pk, sent_at__isnull=False).exists())
    assert answer.inquiry_id == inquiry.pk

    _post_to_webhook(live_server, token, _raw_mail(
        subject=f"Re: {sent['Subject']}", message_id=make_msgid(domain="example.com"),
        in_reply_to=sent["Message-ID"],
        body="Thank you! Is it open on Saturdays too?\n\n> Yes: the car park…"))
    assert Inquiry.objects.count() == 1  # threaded back: no new inquiry
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN

    page.reload()
    expect(page.locator(".msg-inbound").last).to_contain_text("Is it open on Saturdays too?")
    expect(page.locator(".msg-answer")).to_contain_text("e-mailed at")
    assert harness.log_of(page).problems() == []


def test_an_overdue_question_notifies_once(page, signed_in_as, live_server, inbox, office, settings):
    settings.TASKS_EAGER = True  # the notices go out in the scheduler's round, not in a task thread
    owner, desk, anna = office
    signed_in_as(page, desk)
    page.goto(reverse("inquiries:desk"))
    expect(page.locator("#inq-new")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#inq-client-name")).to_be_focused()
    page.keyboard.type("Dzwoni")
    expect(page.locator("#inq-client-matches")).to_contain_text("Anna Dzwoniąca")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#inq-question").fill("Can my appointment move to Thursday afternoon?")
    page.locator("#inq-save").click()  # to be sorted out after the call
    expect(page.locator(".messages")).to_be_visible()
    inquiry = Inquiry.objects.get()
    assert inquiry.status == Inquiry.Status.OPEN and inquiry.first_answer_due is not None
    page.goto(reverse("inquiries:inquiry", args=[inquiry.pk]))
    page.locator("#inq-take").click()  # saved unassigned; the receptionist takes it
    _settles(lambda: Inquiry.objects.filter(pk=inquiry.pk, assigned_to=desk).exists())
    # The browser leaves before this thread writes: on SQLite the test database is one in-memory database
    # whose table locks would fail a page's request (a late suggestion, a poll) reading at the same time.
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")

    # Nobody answers; the target passes and the scheduler's rounds come five minutes apart.
    late = timezone.now() - timedelta(minutes=1)
    Inquiry.objects.filter(pk=inquiry.pk).update(first_answer_due=late, resolution_due=late + timedelta(hours=8))
    assert "inquiries.overdue" in periodic.run_due(timezone.now())
    notice = inbox.wait_for(desk.user.email)
    assert "Can my appointment move to Thursday" in notice.get_body(("plain",)).get_content()
    inbox.wait_for(owner.user.email)  # an office without managers tells its owners
    assert "inquiries.overdue" in periodic.run_due(timezone.now() + timedelta(minutes=6))
    assert "inquiries.overdue" in periodic.run_due(timezone.now() + timedelta(minutes=12))
    to_desk = [m for m in inbox.messages if desk.user.email in str(m["To"])]
    to_owner = [m for m in inbox.messages if owner.user.email in str(m["To"])]
    assert (len(to_desk), len(to_owner)) == (1, 1)

    link = re.search(r"https?://\S+/inquiries/\S+", notice.get_body(("plain",)).get_content()).group(0)
    page.goto(link)
    expect(page.locator(".inq-due-big.overdue")).to_be_visible()
    page.goto(reverse("inquiries:desk"))
    expect(page.locator(".inq-overdue-link")).to_contain_text("1 overdue")
    expect(page.locator(f"#inquiry-{inquiry.pk}.overdue")).to_be_visible()
    assert harness.log_of(page).problems() == []
