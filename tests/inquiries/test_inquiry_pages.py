"""The phone and walk-in screen (question → answer → close in one POST), an inquiry's page with its thread and
files, and the actions on it — each with what a bad input gets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontoffice.clients.models import Client
from frontoffice.core.models import Activity
from frontoffice.inquiries.models import ArticleUse, Attachment, Inquiry, InquiryMessage
from frontoffice.inquiries.services import inquiries as services
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory

NEW = reverse("inquiries:inquiry_new")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TASKS_EAGER = True
    settings.PUBLIC_URL = "https://office.example"


@pytest.fixture
def sent(monkeypatch):
    """The tasks the services enqueued (the e-mails are other parts' tasks)."""
    calls = []
    monkeypatch.setattr(services, "enqueue", lambda path, **kwargs: calls.append((path, kwargs)))
    return calls


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def billing(org, site):
    return DepartmentFactory(organization=org, site=site, name="Billing")


@pytest.fixture
def category(org, billing):
    return CategoryFactory(organization=org, key="billing", name="Billing", department=billing)


@pytest.fixture
def general(org):
    return CategoryFactory(organization=org, key="general", name="General")


@pytest.fixture
def anna(receptionist):
    return make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["601 100 200"],
                       emails=["anna@example.com"])


@pytest.fixture
def article(org):
    return ArticleFactory(organization=org, question="How do I get a copy of my invoice?",
                          answer="Invoices are in the patient portal under Billing.")


@pytest.fixture
def desk(signed_in, receptionist):
    return signed_in(receptionist)


def _new(**fields):
    return {"channel": "phone", "priority": "normal", "question": "Can I have a copy of my invoice?",
            "answer": "Invoices are in the portal.", "action": "close"} | fields


def _open(actor, category, client, **fields):
    return services.inquiry_open(actor=actor, channel=fields.pop("channel", "phone"), client=client,
                                 question=fields.pop("question", "Where is my invoice?"), category=category,
                                 **fields)


# --- the phone and walk-in screen ---------------------------------------------------------------

def test_the_screen_offers_the_categories_with_general_first_chosen(desk, general, category):
    page = desk.get(NEW)
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields["category"].queryset) == {general, category}
    assert form["category"].value() == general.pk and form["channel"].value() == "phone"
    body = page.content.decode()
    assert 'id="inq-client-name"' in body and 'id="inq-answer-close"' in body
    assert "inquiries/desk.js" in body


def test_the_first_visit_creates_the_verticals_categories(desk, org):
    assert not org.inquiry_categories.exists()
    desk.get(NEW)
    assert org.inquiry_categories.filter(key="general").exists()


def test_a_question_answered_from_an_article_and_closed_in_one_post(desk, receptionist, anna, category,
                                                                    article):
    page = desk.post(NEW, _new(client=anna.pk, category=category.pk, article=[article.pk],
                               answer="Invoices are in the patient portal under Billing. Yours too."))
    assert page.status_code == 302 and page["Location"] == NEW
    inquiry = Inquiry.objects.get()
    assert (inquiry.client, inquiry.category, inquiry.status) == (anna, category, Inquiry.Status.CLOSED)
    assert inquiry.opened_by == receptionist and inquiry.first_answered_by == receptionist
    assert inquiry.answered_in_first_contact
    [answer] = inquiry.messages.all()
    assert answer.kind == InquiryMessage.Kind.ANSWER and answer.body.endswith("Yours too.")
    assert ArticleUse.objects.get().article == article
    article.refresh_from_db()
    assert article.uses == 1
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"inquiry.opened", "inquiry.first_answered", "inquiry.answered", "inquiry.closed",
            "article.used"} <= verbs
    after = desk.get(NEW)  # ready for the next caller, with a link to this one
    assert after.context["last"] == inquiry
    assert "Answered and closed: Can I have a copy of my invoice?" in after.content.decode()


def test_answered_but_kept_open(desk, anna, category):
    desk.post(NEW, _new(client=anna.pk, category=category.pk, action="answer"))
    assert Inquiry.objects.get().status == Inquiry.Status.ANSWERED


def test_saved_for_later_goes_to_the_inquiry(desk, anna, category):
    page = desk.post(NEW, _new(client=anna.pk, category=category.pk, action="save", answer="",
                               channel="walk_in", subject="Invoice copy"))
    inquiry = Inquiry.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("inquiries:inquiry", args=[inquiry.pk])
    assert (inquiry.status, inquiry.channel, inquiry.subject) == (Inquiry.Status.OPEN, "walk_in",
                                                                  "Invoice copy")
    assert not inquiry.messages.exists()
    assert desk.get(NEW).context["form"]["channel"].value() == "walk_in"  # the next one is likely the same


def test_a_new_person_becomes_a_client(desk, category):
    desk.post(NEW, _new(client_name="  Maria   Konopnicka ", client_phone="601 200 300",
                        category=category.pk))
    client = Inquiry.objects.get().client
    assert (client.first_name, client.last_name) == ("Maria", "Konopnicka")
    assert [p.number for p in client.phones.all()] == ["+48601200300"]


def test_a_new_person_with_a_known_number_is_the_known_client(desk, anna, category):
    desk.post(NEW, _new(client_name="A. Nowak", client_phone="+48 601 100 200", category=category.pk))
    assert Inquiry.objects.get().client == anna and Client.objects.count() == 1


def test_the_screen_can_start_from_a_client(desk, anna, other_owner):
    page = desk.get(NEW, {"client": anna.pk})
    assert page.context["chosen_client"] == anna
    assert page.context["form"].fields["question"].widget.attrs.get("autofocus")  # the client is known
    assert page.context["form"]["client"].value() == anna.pk
    stranger = make_client(other_owner, first_name="Obcy", last_name="Klient")
    assert desk.get(NEW, {"client": stranger.pk}).status_code == 404


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"question": "  "}, "question", "This field is required."),
    ({"client": ""}, "client_name", "Find the client, or type the new client's name."),
    ({"answer": ""}, "answer", "Type the answer, or insert one of the suggested articles."),
    ({"action": "save"}, "answer", "Send the answer, or clear it"),
    ({"action": "explode"}, "action", "Select a valid choice."),
    ({"client": "", "client_name": "Jan Nowy", "client_phone": "12"}, "client_phone", ""),
    ({"client": "", "client_name": "Jan Nowy", "client_email": "not-an-address"}, "client_email", ""),
    ({"article": ["abc"]}, "article", "An inserted article is not in the knowledge base."),
    ({"category": ""}, "category", "This field is required."),
])
def test_bad_input_comes_back_with_what_was_typed_and_nothing_is_saved(desk, anna, category, fields, field,
                                                                        message):
    page = desk.post(NEW, _new(client=anna.pk, category=category.pk, subject="Kept subject") | fields)
    assert page.status_code == 400
    form = page.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    assert form["subject"].value() == "Kept subject"
    focused = [name for name, f in form.fields.items() if f.widget.attrs.get("autofocus")]
    assert focused == [{"client": "client_name", "article": "answer"}.get(field, field)]
    assert not Inquiry.objects.exists() and Client.objects.count() == 1
    assert not Activity.objects.filter(verb__startswith="inquiry.").exists()


def test_another_organisations_category_client_or_article_is_refused(desk, anna, category, other_owner,
                                                                     other_org):
    theirs = CategoryFactory(organization=other_org, key="general")
    their_client = make_client(other_owner, first_name="Obcy", last_name="Klient")
    their_article = ArticleFactory(organization=other_org)
    for fields, field in (({"category": theirs.pk}, "category"), ({"client": their_client.pk}, "client"),
                          ({"article": [their_article.pk]}, "article")):
        page = desk.post(NEW, _new(client=anna.pk, category=category.pk) | fields)
        assert page.status_code == 400 and field in page.context["form"].errors
    assert not Inquiry.objects.exists()


def test_an_answer_refused_by_the_service_leaves_no_half_opened_inquiry(desk, anna, category, monkeypatch):
    def refuse(**kwargs):
        from django.core.exceptions import ValidationError

        raise ValidationError({"text": "Too rude."})

    monkeypatch.setattr(services, "inquiry_answer", refuse)
    page = desk.post(NEW, _new(client=anna.pk, category=category.pk))
    assert page.status_code == 400 and page.context["form"].errors["answer"] == ["Too rude."]
    assert not Inquiry.objects.exists()


def test_the_inserted_articles_come_back_after_a_refusal(desk, anna, category, article):
    page = desk.post(NEW, _new(client=anna.pk, category=category.pk, article=[article.pk], question=""))
    assert page.status_code == 400
    assert page.context["articles"] == [article]
    assert f'name="article" value="{article.pk}"' in page.content.decode()


def test_a_member_who_does_not_answer_cannot_take_questions(signed_in, auditor, anna, category):
    assert signed_in(auditor).post(NEW, _new(client=anna.pk, category=category.pk)).status_code == 403
    assert not Inquiry.objects.exists()


# --- finding the client on the phone screen -----------------------------------------------------------

def test_the_client_field_finds_clients_by_name_or_number(desk, anna, other_owner):
    make_client(other_owner, first_name="Anna", last_name="Obca")
    url = reverse("inquiries:inquiry_client_matches")
    page = desk.get(url, {"q": "Nowak"})
    assert [c.pk for c in page.context["matches"]] == [anna.pk]
    body = page.content.decode()
    assert f'data-client="{anna.pk}"' in body and "+48 601 100 200" in body and "anna@example.com" in body
    assert [c.pk for c in desk.get(url, {"q": "601 100"}).context["matches"]] == [anna.pk]
    assert "Obca" not in desk.get(url, {"q": "Anna"}).content.decode()
    assert desk.get(url, {"q": "A"}).context["matches"] == []
    assert "Nobody found" in desk.get(url, {"q": "Zzzyx"}).content.decode()


# --- an inquiry's page -----------------------------------------------------------------------------

def test_the_page_shows_the_thread_once_with_notes_files_and_the_rating(desk, receptionist, org, category,
                                                                         anna):
    inquiry = _open(None, category, anna, organization=org, channel="email", contact_email="anna@example.com",
                    question="<script>alert('x')</script> Where is my invoice?")
    services.inquiry_note(actor=receptionist, inquiry=inquiry, text="Second time this month.")
    message = inquiry.messages.get(kind="inbound")
    Attachment.objects.create(organization=org, inquiry=inquiry, message=message, filename="scan.pdf",
                              content_type="application/pdf", size=3,
                              file=ContentFile(b"pdf", name="scan.pdf"))
    Inquiry.objects.filter(pk=inquiry.pk).update(rating=4, rating_comment="Quick, thanks.",
                                                 rated_at=timezone.now())
    page = desk.get(reverse("inquiries:inquiry", args=[inquiry.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('<div class="msg-body">&lt;script&gt;') == 1  # the first message is the question: once
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body
    assert "Second time this month." in body and "scan.pdf" in body
    assert "4 of 5" in body and "Quick, thanks." in body
    assert f"Q-{inquiry.reference}" in body
    assert 'id="inq-send-email"' in body  # it came by e-mail: the answer can go back by e-mail
    assert "opened an inquiry" in body  # who did what


def test_the_page_costs_a_fixed_number_of_queries(desk, receptionist, org, category, anna, article):
    inquiry = _open(None, category, anna, organization=org, channel="email", contact_email="anna@example.com")
    url = reverse("inquiries:inquiry", args=[inquiry.pk])

    def exchange():
        services.inquiry_answer(actor=receptionist, inquiry=inquiry, text="Here.", article_ids=[article.pk],
                                send_email=False)
        reply = services.inquiry_client_replied(inquiry=inquiry, body="Thanks, and?")
        message = reply.messages.filter(kind="inbound").last()
        Attachment.objects.create(organization=org, inquiry=inquiry, message=message, filename="a.pdf",
                                  size=1, content_type="application/pdf",
                                  file=ContentFile(b"a", name="a.pdf"))
        services.inquiry_note(actor=receptionist, inquiry=inquiry, text="Noted.")

    exchange()
    desk.get(url)
    with CaptureQueriesContext(connection) as few:
        desk.get(url)
    for _i in range(5):
        exchange()
    with CaptureQueriesContext(connection) as many:
        page = desk.get(url)
    assert page.content.decode().count('class="msg msg-') == 1 + 3 * 6
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_an_auditor_reads_but_has_no_answer_box(signed_in, auditor, receptionist, category, anna):
    inquiry = _open(receptionist, category, anna)
    page = signed_in(auditor).get(reverse("inquiries:inquiry", args=[inquiry.pk]))
    assert page.status_code == 200 and "inq-answer-form" not in page.content.decode()
    assert "answer_form" not in page.context


def test_a_file_is_a_download_for_members_only(desk, signed_in, receptionist, org, other_owner, category,
                                               anna):
    inquiry = _open(receptionist, category, anna)
    other = _open(receptionist, category, anna)
    attachment = Attachment.objects.create(organization=org, inquiry=inquiry, filename="page.html", size=27,
                                           content_type="text/html",
                                           file=ContentFile(b"<script>alert(1)</script>", name="page.html"))
    url = reverse("inquiries:inquiry_attachment", args=[inquiry.pk, attachment.pk])
    response = desk.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "page.html" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    elsewhere = reverse("inquiries:inquiry_attachment", args=[other.pk, attachment.pk])
    assert desk.get(elsewhere).status_code == 404
    assert signed_in(other_owner).get(url).status_code == 404
    Attachment.objects.filter(pk=attachment.pk).update(file="inquiries/gone.pdf")
    assert desk.get(url).status_code == 404


# --- answering from the page ------------------------------------------------------------------------

def test_an_email_inquiry_is_answered_and_the_answer_is_sent(desk, org, category, anna, article, sent):
    inquiry = _open(None, category, anna, organization=org, channel="email", contact_email="anna@example.com")
    page = desk.post(reverse("inquiries:inquiry_answer", args=[inquiry.pk]),
                     {"text": "It is in the portal.", "article": [article.pk], "send_email": "on",
                      "close": "on"})
    assert page.status_code == 302 and page["Location"] == reverse("inquiries:inquiry", args=[inquiry.pk])
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CLOSED and inquiry.answer == "It is in the portal."
    answer = inquiry.messages.get(kind="answer")
    assert ("frontoffice.inquiries.mail.send_answer", {"message_id": answer.pk}) in sent
    assert ArticleUse.objects.filter(inquiry=inquiry, article=article).exists()


def test_the_answer_need_not_be_emailed(desk, org, category, anna, sent):
    inquiry = _open(None, category, anna, organization=org, channel="email", contact_email="anna@example.com")
    desk.post(reverse("inquiries:inquiry_answer", args=[inquiry.pk]), {"text": "Told her on the phone."})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED
    assert not [path for path, _kwargs in sent if path.endswith("send_answer")]


def test_an_answer_to_a_closed_inquiry_is_refused_and_kept(desk, receptionist, category, anna):
    inquiry = _open(receptionist, category, anna)
    services.inquiry_close(actor=receptionist, inquiry=inquiry)
    page = desk.post(reverse("inquiries:inquiry_answer", args=[inquiry.pk]), {"text": "Late answer."})
    assert page.status_code == 409
    assert "This inquiry is closed; reopen it first." in page.content.decode()
    assert page.context["answer_form"]["text"].value() == "Late answer."
    assert not inquiry.messages.filter(kind="answer").exists()


@pytest.mark.parametrize("data", [{"text": "   "}, {"text": "Fine.", "article": ["x"]}])
def test_an_empty_answer_or_bad_article_is_refused(desk, receptionist, category, anna, data):
    inquiry = _open(receptionist, category, anna)
    page = desk.post(reverse("inquiries:inquiry_answer", args=[inquiry.pk]), data)
    assert page.status_code == 400 and page.context["answer_form"].errors
    assert not inquiry.messages.exists()


def test_a_closed_inquiry_shows_reopen_instead_of_the_answer_box(desk, receptionist, category, anna):
    inquiry = _open(receptionist, category, anna)
    services.inquiry_close(actor=receptionist, inquiry=inquiry)
    body = desk.get(reverse("inquiries:inquiry", args=[inquiry.pk])).content.decode()
    assert "inq-answer-form" not in body and 'id="inq-reopen"' in body and 'id="inq-forward"' not in body


# --- routing and status ---------------------------------------------------------------------------

def test_take_it_forward_change_wait_close_reopen_and_note(desk, receptionist, org, category, anna, general):
    inquiry = _open(receptionist, category, anna)
    url = lambda name: reverse(f"inquiries:{name}", args=[inquiry.pk])  # noqa: E731
    legal = DepartmentFactory(organization=org, name="Legal")

    assert desk.post(url("inquiry_assign"), {"member": receptionist.pk}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == receptionist
    assert "The inquiry is yours." in desk.get(url("inquiry")).content.decode()

    desk.post(url("inquiry_forward"), {"department": legal.pk, "note": "About a contract."})
    inquiry.refresh_from_db()
    assert (inquiry.department, inquiry.status) == (legal, Inquiry.Status.FORWARDED)
    assert inquiry.messages.get(kind="note").body == "About a contract."

    desk.post(url("inquiry_edit"), {"category": general.pk, "priority": "urgent"})
    inquiry.refresh_from_db()
    assert (inquiry.category, inquiry.priority, inquiry.department) == (general, "urgent", None)

    desk.post(url("inquiry_wait"), {"wait-text": "The invoice number, please."})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.WAITING

    desk.post(url("inquiry_close"))
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CLOSED

    desk.post(url("inquiry_reopen"), {"reopen-text": "She called again."})
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.reopened) == (Inquiry.Status.OPEN, 1)

    desk.post(url("inquiry_note"), {"note-text": "Check the March invoice."})
    assert inquiry.messages.filter(kind="note", body="Check the March invoice.").exists()
    verbs = list(Activity.objects.filter(subject_id=str(inquiry.pk)).values_list("verb", flat=True))
    for verb in ("inquiry.assigned", "inquiry.forwarded", "inquiry.updated", "inquiry.waiting",
                 "inquiry.closed", "inquiry.reopened", "inquiry.noted"):
        assert verb in verbs


def test_bad_actions_come_back_on_the_page(desk, receptionist, auditor, org, other_org, category, anna):
    inquiry = _open(receptionist, category, anna)
    url = lambda name: reverse(f"inquiries:{name}", args=[inquiry.pk])  # noqa: E731
    theirs = DepartmentFactory(organization=other_org, name="Theirs")
    page = desk.post(url("inquiry_forward"), {"department": theirs.pk})
    assert page.status_code == 400 and "department" in page.context["forward_form"].errors
    page = desk.post(url("inquiry_assign"), {"member": auditor.pk})  # reads only: does not answer
    assert page.status_code == 400
    assert "This person does not answer inquiries." in page.context["assign_form"].errors["member"]
    page = desk.post(url("inquiry_note"), {"note-text": ""})
    assert page.status_code == 400 and page.context["note_form"].errors
    page = desk.post(url("inquiry_edit"), {"category": "", "priority": "loud"})
    assert page.status_code == 400 and set(page.context["edit_form"].errors) == {"category", "priority"}
    page = desk.post(url("inquiry_reopen"), {"reopen-text": "Why not."})
    assert page.status_code == 409 and "This inquiry is open already." in page.content.decode()
    services.inquiry_close(actor=receptionist, inquiry=inquiry)
    page = desk.post(url("inquiry_close"))
    assert page.status_code == 409
    inquiry.refresh_from_db()
    assert (inquiry.department_id, inquiry.assigned_to_id, inquiry.status) == (
        category.department_id, None, Inquiry.Status.CLOSED)


def test_a_waiting_inquiry_offers_no_second_wait(desk, receptionist, category, anna):
    inquiry = _open(receptionist, category, anna)
    services.inquiry_wait(actor=receptionist, inquiry=inquiry)
    body = desk.get(reverse("inquiries:inquiry", args=[inquiry.pk])).content.decode()
    assert 'id="inq-wait"' not in body and 'id="inq-close"' in body


def test_the_due_time_shows_how_late_it_is(desk, receptionist, site, category, anna):
    inquiry = InquiryFactory(site=site, category=category, client=anna,
                             first_answer_due=timezone.now() - timedelta(hours=3, minutes=5))
    body = desk.get(reverse("inquiries:inquiry", args=[inquiry.pk])).content.decode()
    assert "overdue by 3 h" in body and "inq-due-big overdue" in body
