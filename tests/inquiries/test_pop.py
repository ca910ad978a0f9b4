"""The switchboard's screen pop: the caller's open questions and the answers they probably ring about."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.core.registry import Registry, registry
from frontoffice.inquiries import pop
from frontoffice.inquiries.models import Article, Inquiry
from frontoffice.inquiries.services.articles import article_save
from tests.calls.factories import CallFactory, LineFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def line(site):
    return LineFactory(site=site)


@pytest.fixture
def caller(receptionist):
    return make_client(receptionist, first_name="Anna", last_name="Pytająca", phones=["+48601100200"])


def _inquiry(site, client, **fields):
    return InquiryFactory(site=site, client=client, **fields)


# --- open questions ----------------------------------------------------------------------------------

def test_open_questions_lists_the_callers_open_inquiries_most_urgent_first(site, line, caller, receptionist,
                                                                           other_org, other_owner):
    now = timezone.now()
    later = _inquiry(site, caller, subject="Invoice copy", first_answer_due=now + timedelta(hours=5),
                     status=Inquiry.Status.FORWARDED)
    late = _inquiry(site, caller, subject="Test results", first_answer_due=now - timedelta(hours=2))
    answered = _inquiry(site, caller, subject="Certificate", first_answer_due=now - timedelta(days=2),
                        first_answered_at=now - timedelta(days=2), resolution_due=now + timedelta(hours=1),
                        status=Inquiry.Status.WAITING)
    _inquiry(site, caller, subject="Closed long ago", status=Inquiry.Status.CLOSED)
    _inquiry(site, make_client(receptionist, first_name="Someone", last_name="Else"), subject="Not theirs")
    # Another organisation's row pointing at this client id (the services cannot make it): never shown.
    _inquiry(other_org.sites.get(), caller, subject="Theirs")
    section = pop.open_questions(receptionist, CallFactory(line=line, client=caller))
    assert section.key == "inquiries" and section.title == "Open questions"
    subjects = [line.text for line in section.lines]
    assert subjects == ["Test results", "Certificate", "Invoice copy", "Take a new question"]
    assert section.lines[0].url == reverse("inquiries:inquiry", args=[late.pk])
    assert "overdue since" in section.lines[0].detail and section.lines[0].detail.startswith("open")
    # The first answer was given: what is due now is the resolution, in an hour.
    assert section.lines[1].url == reverse("inquiries:inquiry", args=[answered.pk])
    assert section.lines[1].detail.startswith("waiting for the client") and "overdue" not in section.lines[1].detail
    assert "due " in section.lines[2].detail and "overdue" not in section.lines[2].detail
    assert section.lines[2].url == reverse("inquiries:inquiry", args=[later.pk])
    assert section.lines[3].url == reverse("inquiries:inquiry_new") + f"?client={caller.pk}"


def test_more_than_three_open_questions_link_to_the_rest_on_the_desk(site, line, caller, receptionist):
    for n in range(5):
        _inquiry(site, caller, subject=f"Question {n}")
    lines = pop.open_questions(receptionist, CallFactory(line=line, client=caller)).lines
    assert len(lines) == 5  # three, the rest, a new one
    assert lines[3].text == "and 2 more open"
    assert lines[3].url == reverse("inquiries:desk") + f"?client={caller.pk}&status=open"


def test_a_caller_without_open_questions_and_who_may_take_one(site, line, caller, receptionist, auditor):
    _inquiry(site, caller, status=Inquiry.Status.CLOSED)
    call = CallFactory(line=line, client=caller)
    desk = pop.open_questions(receptionist, call)
    assert [(line.text, bool(line.url)) for line in desk.lines] == [("No open questions.", False),
                                                                    ("Take a new question", True)]
    looking = pop.open_questions(auditor, call)  # may see inquiries, not take them
    assert looking.lines == () and looking.empty == "No open questions."


def test_an_unknown_or_withheld_caller_has_no_open_questions_section(line, receptionist):
    assert pop.open_questions(receptionist, CallFactory(line=line)) is None
    assert pop.open_questions(receptionist, CallFactory(line=line, from_number="")) is None


# --- suggested answers -------------------------------------------------------------------------------

def _article(member, question, answer, **fields):
    return article_save(actor=member, question=question, answer=answer, language="en",
                        audience=Article.Audience.PUBLIC, **fields)


def test_suggested_answers_come_from_the_callers_most_urgent_open_question(org, site, line, caller, owner,
                                                                          receptionist):
    certificate = _article(owner, "How do I get a medical certificate for school?",
                           "Book a visit with your family doctor and bring the child's health book. " * 5)
    _article(owner, "What are your opening hours?", "Monday to Friday, 8:00 to 16:00.")
    _inquiry(site, caller, subject="Certificate", question="My son needs a certificate for school sports",
             first_answer_due=timezone.now() - timedelta(minutes=5))
    section = pop.suggested_answers(receptionist, CallFactory(line=line, client=caller))
    assert section.key == "inquiries_articles" and section.title == "Suggested answers"
    first = section.lines[0]
    assert first.text == certificate.question
    assert first.detail.startswith("Book a visit with your family doctor") and first.detail.endswith("…")
    assert len(first.detail) <= pop.ANSWER_CHARS
    assert first.url == reverse("inquiries:article", args=[certificate.pk])


def test_without_an_open_question_the_departments_most_used_answers_are_suggested(org, site, line, receptionist):
    lab = DepartmentFactory(organization=org, name="Laboratory")
    results = CategoryFactory(organization=org, department=lab)
    elsewhere = CategoryFactory(organization=org)
    ArticleFactory(organization=org, category=results, question="Fasting before a blood test?", uses=3)
    ArticleFactory(organization=org, category=results, question="When are blood results ready?", uses=9)
    ArticleFactory(organization=org, category=results, question="Retired one", uses=50, active=False)
    ArticleFactory(organization=org, category=elsewhere, question="Parking?", uses=99)
    call = CallFactory(line=line, department=lab)  # a new caller who chose the laboratory in the menu
    lines = pop.suggested_answers(receptionist, call).lines
    assert [line.text for line in lines] == ["When are blood results ready?", "Fasting before a blood test?"]


def test_an_open_question_nothing_fits_falls_back_to_the_departments_answers(org, site, line, caller,
                                                                             receptionist):
    lab = DepartmentFactory(organization=org, name="Laboratory")
    ArticleFactory(organization=org, category=CategoryFactory(organization=org, department=lab),
                   question="When are blood results ready?", uses=2)
    _inquiry(site, caller, subject="Xyzzy", question="plugh xyzzy")
    lines = pop.suggested_answers(receptionist, CallFactory(line=line, client=caller, department=lab)).lines
    assert [line.text for line in lines] == ["When are blood results ready?"]


def test_no_suggestions_without_anything_to_go_on(org, line, receptionist, other_org):
    lab = DepartmentFactory(organization=org, name="Laboratory")
    assert pop.suggested_answers(receptionist, CallFactory(line=line)) is None
    assert pop.suggested_answers(receptionist, CallFactory(line=line, department=lab)) is None
    # Another organisation's articles never show, even in a category pointing at this department.
    theirs = CategoryFactory(organization=other_org, department=lab)
    ArticleFactory(organization=other_org, category=theirs, question="Theirs", uses=5)
    assert pop.suggested_answers(receptionist, CallFactory(line=line, department=lab)) is None


def test_suggestions_never_come_from_another_organisations_knowledge_base(site, line, caller, receptionist,
                                                                         other_owner):
    _article(other_owner, "How do I get a medical certificate for school?", "Theirs.")
    _inquiry(site, caller, question="certificate for school")
    assert pop.suggested_answers(receptionist, CallFactory(line=line, client=caller)) is None


# --- in the screen pop -------------------------------------------------------------------------------

@pytest.fixture
def sections(monkeypatch):
    """The two sections registered as wiring.register does, whatever is wired at the moment."""
    board = Registry()
    board.add_pop_section("inquiries", pop.open_questions, order=40, capability="inquiries.view")
    board.add_pop_section("inquiries_articles", pop.suggested_answers, order=45, capability="inquiries.view")
    monkeypatch.setattr(registry, "pop_sections", board.pop_sections)


@pytest.mark.usefixtures("sections")
def test_the_screen_pop_shows_the_sections(site, line, caller, owner, receptionist, signed_in,
                                           django_assert_max_num_queries):
    _article(owner, "When will my blood test results be ready?", "Usually the same day after 14:00.")
    _inquiry(site, caller, subject="Blood results", question="When will my blood results be ready?")
    call = CallFactory(line=line, client=caller)
    browser = signed_in(receptionist)
    response = browser.get(reverse("calls:call_pop", args=[call.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-section="inquiries"' in page and "Blood results" in page and "Take a new question" in page
    assert 'data-section="inquiries_articles"' in page and "Usually the same day after 14:00." in page
    assert page.index('data-section="inquiries"') < page.index('data-section="inquiries_articles"')


def test_the_inquiries_app_registers_its_sections():
    """wiring.register (the lead's) adds both, for everyone who may see inquiries."""
    wired = {key: (capability, provider) for _order, key, capability, provider in registry.pop_sections}
    assert wired["inquiries"] == ("inquiries.view", pop.open_questions)
    assert wired["inquiries_articles"] == ("inquiries.view", pop.suggested_answers)

