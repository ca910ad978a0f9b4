"""An inquiry's life (inquiries/services/inquiries.py): opened from every channel with a client, answered,
routed, waiting, closed, reopened, noted, and the client's reply threading back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from frontoffice.clients.models import Client
from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.inquiries.models import ArticleUse, Attachment, Inquiry, InquiryMessage
from frontoffice.inquiries.services import inquiries as services
from frontoffice.inquiries.services import intake
from frontoffice.inquiries.services.inquiries import (
    NewAttachment,
    inquiry_answer,
    inquiry_assign,
    inquiry_client_replied,
    inquiry_close,
    inquiry_forward,
    inquiry_note,
    inquiry_open,
    inquiry_reopen,
    inquiry_update,
    inquiry_wait,
)
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory

MONDAY_10 = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Warsaw; the site is open Mon–Fri 08:00–16:00


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TASKS_EAGER = True
    settings.PUBLIC_URL = "https://office.example"


@pytest.fixture
def sent(monkeypatch):
    """The tasks the services enqueued (the answer e-mail is another part's task)."""
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
    return CategoryFactory(organization=org, key="billing", name="Billing", department=billing,
                           first_answer_hours=4, resolution_hours=16)


@pytest.fixture
def client_(receptionist):
    return make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["601 100 200"],
                       emails=["anna@example.com"])


def open_(actor, category, client, **fields):
    return inquiry_open(actor=actor, channel=fields.pop("channel", "phone"), client=client,
                        question=fields.pop("question", "How much is a certificate?"), category=category, **fields)


# --- opening ------------------------------------------------------------------------------------

@time_machine.travel(MONDAY_10, tick=False)
def test_a_phone_question_is_routed_timed_and_recorded(receptionist, category, client_, billing):
    inquiry = open_(receptionist, category, client_, question="How much is a certificate?\nFor school.")
    assert inquiry.department == billing and inquiry.status == Inquiry.Status.OPEN
    assert inquiry.subject == "How much is a certificate?" and inquiry.opened_by == receptionist
    assert inquiry.site == receptionist.sites.get()
    # 4 business hours from Monday 10:00 is 14:00; 16 are Monday 6 + Tuesday 8 + Wednesday 2: 10:00.
    assert inquiry.first_answer_due == datetime(2030, 7, 1, 12, 0, tzinfo=UTC)
    assert inquiry.resolution_due == datetime(2030, 7, 3, 8, 0, tzinfo=UTC)
    assert not inquiry.messages.exists()  # the desk typed the question: not the client's own words
    activity = Activity.objects.get(verb="inquiry.opened")
    assert activity.actor == receptionist and activity.client_id == client_.pk
    assert activity.subject_label == "" and activity.data["channel"] == "phone"
    assert activity.data["department_id"] == billing.pk


def test_a_question_late_on_friday_is_due_on_monday(receptionist, category, client_):
    category.first_answer_hours = 1
    with time_machine.travel(datetime(2030, 7, 5, 13, 55, tzinfo=UTC), tick=False):  # Friday 15:55 local
        inquiry = open_(receptionist, category, client_)
    assert inquiry.first_answer_due == datetime(2030, 7, 8, 6, 55, tzinfo=UTC)  # Monday 08:55 local


def test_a_long_first_line_makes_a_short_subject(receptionist, category, client_):
    inquiry = open_(receptionist, category, client_, question="\n  " + "word " * 40)
    assert len(inquiry.subject) == 80 and inquiry.subject.endswith("…")
    assert open_(receptionist, category, client_, subject="  Given   subject ").subject == "Given subject"


def test_a_new_person_is_quick_added_as_a_client(receptionist, category):
    inquiry = inquiry_open(actor=receptionist, channel="walk_in", question="Do you take new patients?",
                           category=category,
                           new_client={"full_name": "Maria Konopnicka", "phone": "601 200 300", "email": ""})
    client = inquiry.client
    assert (client.first_name, client.last_name) == ("Maria", "Konopnicka")
    assert [p.number for p in client.phones.all()] == ["+48601200300"]
    assert client.created_by == receptionist
    assert Activity.objects.filter(verb="client.created", client_id=client.pk).exists()


@pytest.mark.parametrize("contact", [{"phone": "+48 601-100-200"}, {"email": "ANNA@example.com"}])
def test_an_exact_phone_or_email_match_is_reused_not_duplicated(receptionist, category, client_, contact):
    before = Client.objects.count()
    inquiry = inquiry_open(actor=receptionist, channel="phone", question="Hello?", category=category,
                           new_client={"full_name": "A. Nowak", **contact})
    assert inquiry.client == client_ and Client.objects.count() == before


def test_an_erased_client_is_not_matched(receptionist, category, client_):
    Client.objects.filter(pk=client_.pk).update(erased_at=MONDAY_10)
    inquiry = inquiry_open(actor=receptionist, channel="phone", question="Hello?", category=category,
                           new_client={"full_name": "Anna Nowak", "phone": "601 100 200"})
    assert inquiry.client != client_


def test_an_email_question_has_a_client_a_thread_and_an_address(org, category, sent):
    inquiry = inquiry_open(actor=None, organization=org, channel="email", question="Is the lab open on Sunday?",
                           category=category, new_client={"full_name": "", "email": "Piotr@Example.com"},
                           message_id="<abc@mail.example>",
                           attachments=[NewAttachment("scan.pdf", "application/pdf", b"%PDF-1.4")])
    client = inquiry.client
    assert client.created_by is None and client.last_name == "piotr"  # no name given: the address names them
    assert [e.email for e in client.emails.all()] == ["piotr@example.com"]
    assert inquiry.contact_email == "piotr@example.com" and inquiry.opened_by is None
    [message] = inquiry.messages.all()
    assert message.kind == InquiryMessage.Kind.INBOUND and message.email_message_id == "<abc@mail.example>"
    [attachment] = Attachment.objects.filter(inquiry=inquiry)
    assert attachment.message == message and attachment.size == 8 and attachment.file.read() == b"%PDF-1.4"
    opened = Activity.objects.get(verb="inquiry.opened")
    assert opened.actor is None and opened.actor_kind == "client"
    assert Activity.objects.get(verb="client.created").actor_kind == "system"
    assert sent == []  # no acknowledgement by e-mail to an e-mail: autoresponders would answer each other


def test_a_web_question_is_acknowledged_once_with_its_reference(org, category):
    inquiry = inquiry_open(actor=None, organization=org, channel="web", question="Can I book online?",
                           category=category,
                           new_client={"full_name": "Ewa Lis", "phone": "", "email": "ewa@example.com"})
    [sent] = mail.outbox
    assert sent.to == ["ewa@example.com"] and f"[#Q-{inquiry.reference}]" in sent.subject
    assert "Can I book online?" in sent.body
    assert Activity.objects.filter(verb="inquiry.acknowledged", subject_id=str(inquiry.pk)).count() == 1
    from frontoffice.inquiries.tasks import send_acknowledgement

    send_acknowledgement(inquiry_id=inquiry.pk)
    assert len(mail.outbox) == 1


def test_an_upload_is_kept_and_a_dangerous_file_refused(receptionist, category, client_):
    upload = SimpleUploadedFile("../../photo of form.jpg", b"\xff\xd8data", content_type="image/jpeg")
    inquiry = open_(receptionist, category, client_, attachments=[upload])
    [attachment] = inquiry.attachments.all()
    assert attachment.filename == "photo_of_form.jpg" and attachment.message is None
    with pytest.raises(ValidationError) as refused:
        open_(receptionist, category, client_, attachments=[SimpleUploadedFile("run.exe", b"MZ")])
    assert "attachments" in refused.value.message_dict
    assert Inquiry.objects.count() == 1


def test_a_file_over_10_mb_is_refused(receptionist, category, client_, monkeypatch):
    monkeypatch.setattr(intake, "ATTACHMENT_MAX_BYTES", 10)
    with pytest.raises(ValidationError) as refused:
        open_(receptionist, category, client_, attachments=[NewAttachment("big.pdf", "application/pdf", b"x" * 11)])
    assert "attachments" in refused.value.message_dict


def bad(field, call):
    with pytest.raises(ValidationError) as refused:
        call()
    assert field in refused.value.message_dict, refused.value.message_dict


def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(receptionist, category, client_, other_org,
                                                                   make_member, site):
    from tests.core.factories import SiteFactory

    clients_before = Client.objects.count()
    foreign_category = CategoryFactory(organization=other_org)
    stranger = make_member(other_org, caps.RECEPTIONIST)
    bad("question", lambda: open_(receptionist, category, client_, question="   "))
    bad("category", lambda: open_(receptionist, foreign_category, client_))
    bad("category", lambda: open_(receptionist, None, client_))
    bad("client", lambda: open_(receptionist, category, None))
    bad("client", lambda: open_(receptionist, category, make_client(stranger)))
    bad("assigned_to", lambda: open_(receptionist, category, client_, assigned_to=stranger))
    bad("site", lambda: open_(receptionist, category, client_, site=SiteFactory(organization=other_org)))
    bad("channel", lambda: open_(receptionist, category, client_, channel="fax"))
    bad("priority", lambda: open_(receptionist, category, client_, priority="asap"))
    bad("contact_email", lambda: open_(receptionist, category, client_, contact_email="nope"))
    bad("subject", lambda: open_(receptionist, category, client_, subject="x" * 201))
    new = {"full_name": "Jan Nowy", "phone": "", "email": ""}
    bad("phone", lambda: inquiry_open(actor=receptionist, channel="phone", question="?", category=category,
                                      new_client=new | {"phone": "12"}))
    bad("email", lambda: inquiry_open(actor=receptionist, channel="phone", question="?", category=category,
                                      new_client=new | {"email": "jan@"}))
    bad("full_name", lambda: inquiry_open(actor=receptionist, channel="phone", question="?", category=category,
                                          new_client=new | {"full_name": " "}))
    category.active = False
    category.save()
    bad("category", lambda: open_(receptionist, category, client_))
    assert not Inquiry.objects.exists()
    assert Client.objects.count() == clients_before + 1  # only the stranger's client, made above


def test_an_auditor_cannot_be_given_inquiries(receptionist, category, client_, auditor):
    bad("assigned_to", lambda: open_(receptionist, category, client_, assigned_to=auditor))


def test_someone_given_a_new_inquiry_by_another_is_emailed(receptionist, category, client_, make_member):
    colleague = make_member(receptionist.organization, caps.CLERK)
    colleague.user.email = "clerk@example.com"
    colleague.user.save()
    inquiry = open_(receptionist, category, client_, assigned_to=colleague)
    [sent] = mail.outbox
    assert sent.to == ["clerk@example.com"] and inquiry.subject in sent.subject
    assert f"https://office.example/inquiries/{inquiry.pk}/" in sent.body
    mail.outbox.clear()
    open_(colleague, category, client_, assigned_to=colleague)  # taking it oneself: nobody to tell
    assert mail.outbox == []


# --- answering ------------------------------------------------------------------------------------

@pytest.fixture
def inquiry(receptionist, category, client_):
    with time_machine.travel(MONDAY_10, tick=False):
        return open_(receptionist, category, client_)


def test_the_first_answer_is_timed_recorded_and_counted_as_first_contact(receptionist, inquiry, sent):
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        inquiry_answer(actor=receptionist, inquiry=inquiry, text=" 50 zł, ready the same day. ")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED and inquiry.answer == "50 zł, ready the same day."
    assert inquiry.first_answered_at == MONDAY_10 + timedelta(minutes=5)
    assert inquiry.first_answered_by == receptionist and inquiry.answered_by == receptionist
    assert inquiry.answered_in_first_contact and inquiry.closed_at is None
    [message] = inquiry.messages.all()
    assert message.kind == InquiryMessage.Kind.ANSWER and message.author == receptionist
    first = Activity.objects.get(verb="inquiry.first_answered")
    assert first.data == {"seconds": 300, "within_target": True, "first_contact": True}
    answered = Activity.objects.get(verb="inquiry.answered")
    assert answered.data["first"] and not answered.data["emailed"] and answered.client_id == inquiry.client_id
    assert sent == []  # a phone question with no address: the answer was given on the phone


def test_answer_and_close_in_one_go(receptionist, inquiry, sent):
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes.", close=True)
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CLOSED and inquiry.closed_at is not None
    assert Activity.objects.get(verb="inquiry.closed").data["answered"] is True


@pytest.mark.parametrize("later, by_other", [(timedelta(minutes=31), False), (timedelta(minutes=1), True)])
def test_not_first_contact_when_late_or_by_someone_else(receptionist, make_member, inquiry, later, by_other):
    actor = make_member(receptionist.organization, caps.CLERK) if by_other else receptionist
    with time_machine.travel(MONDAY_10 + later, tick=False):
        inquiry_answer(actor=actor, inquiry=inquiry, text="Yes.")
    inquiry.refresh_from_db()
    assert not inquiry.answered_in_first_contact


def test_a_second_answer_is_not_a_first_answer(receptionist, inquiry):
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="First.")
    first_at = Inquiry.objects.get(pk=inquiry.pk).first_answered_at
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="And more.")
    inquiry.refresh_from_db()
    assert inquiry.first_answered_at == first_at and inquiry.answer == "And more."
    assert Activity.objects.filter(verb="inquiry.first_answered").count() == 1
    assert Activity.objects.filter(verb="inquiry.answered").count() == 2


def test_answers_from_articles_are_counted(receptionist, inquiry, org):
    first, second = ArticleFactory(organization=org), ArticleFactory(organization=org, uses=4)
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="From the book.", article_ids=[str(second.pk), first.pk])
    assert sorted(ArticleUse.objects.values_list("article_id", flat=True)) == sorted([first.pk, second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.uses, second.uses) == (1, 5)
    assert set(Activity.objects.filter(verb="article.used").values_list("subject_id", flat=True)) == {
        str(first.pk), str(second.pk)}
    assert list(inquiry.articles.order_by("pk")) == sorted([first, second], key=lambda a: a.pk)


def test_an_answer_refused_changes_nothing(receptionist, inquiry, other_org):
    foreign = ArticleFactory(organization=other_org)
    bad("text", lambda: inquiry_answer(actor=receptionist, inquiry=inquiry, text="  "))
    bad("article_ids", lambda: inquiry_answer(actor=receptionist, inquiry=inquiry, text="Hi", article_ids=[foreign.pk]))
    bad("article_ids", lambda: inquiry_answer(actor=receptionist, inquiry=inquiry, text="Hi", article_ids=["x"]))
    bad("send_email", lambda: inquiry_answer(actor=receptionist, inquiry=inquiry, text="Hi", send_email=True))
    assert not inquiry.messages.exists() and not ArticleUse.objects.exists()
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.OPEN


def test_a_closed_inquiry_cannot_be_answered(receptionist, inquiry):
    inquiry_close(actor=receptionist, inquiry=inquiry)
    with pytest.raises(Conflict):
        inquiry_answer(actor=receptionist, inquiry=inquiry, text="Too late.")
    assert not inquiry.messages.exists()


def test_an_answer_to_an_address_is_emailed_after_commit(receptionist, inquiry, sent):
    inquiry.contact_email = "anna@example.com"
    inquiry.save()
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Here you are.")
    message = inquiry.messages.get()
    assert sent == [("frontoffice.inquiries.mail.send_answer", {"message_id": message.pk})]
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Said on the phone.", send_email=False)
    assert len(sent) == 1


@pytest.mark.parametrize("channel, emailed", [("email", True), ("web", True), ("phone", False), ("letter", False)])
def test_the_clients_address_is_used_for_written_channels_only(receptionist, category, client_, sent, channel,
                                                               emailed):
    inquiry = open_(receptionist, category, client_, channel=channel)
    sent.clear()
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Answer.")
    assert bool(sent) is emailed


# --- changing, routing, states ----------------------------------------------------------------------

def test_a_new_category_routes_again_and_recomputes_the_due_times(receptionist, inquiry, org, site):
    records = DepartmentFactory(organization=org, site=site, name="Records")
    slow = CategoryFactory(organization=org, key="records", department=records, first_answer_hours=8,
                           resolution_hours=40)
    inquiry_update(actor=receptionist, inquiry=inquiry, category=slow, priority="high", internal_notes="VIP")
    inquiry.refresh_from_db()
    assert inquiry.department == records and inquiry.priority == "high" and inquiry.internal_notes == "VIP"
    assert inquiry.first_answer_due == datetime(2030, 7, 2, 8, 0, tzinfo=UTC)  # Mon 6 h + Tue 2 h: 10:00
    changes = Activity.objects.get(verb="inquiry.updated").data["changes"]
    assert changes["category"][1] == slow.pk and changes["department"][1] == records.pk
    assert changes["internal_notes"] is True  # the notes themselves stay out of the log


def test_update_refuses_unknown_fields_and_bad_values(receptionist, inquiry, other_org):
    bad("status", lambda: inquiry_update(actor=receptionist, inquiry=inquiry, status="closed"))
    bad("subject", lambda: inquiry_update(actor=receptionist, inquiry=inquiry, subject=" "))
    bad("priority", lambda: inquiry_update(actor=receptionist, inquiry=inquiry, priority="now"))
    bad("category", lambda: inquiry_update(actor=receptionist, inquiry=inquiry,
                                           category=CategoryFactory(organization=other_org)))
    bad("category", lambda: inquiry_update(actor=receptionist, inquiry=inquiry, category=None))
    assert not Activity.objects.filter(verb="inquiry.updated").exists()


def test_assigning_records_and_tells_the_new_owner(receptionist, inquiry, make_member, other_org):
    clerk = make_member(receptionist.organization, caps.CLERK)
    clerk.user.email = "clerk@example.com"
    clerk.user.save()
    inquiry_assign(actor=receptionist, inquiry=inquiry, member=clerk)
    assert Inquiry.objects.get(pk=inquiry.pk).assigned_to == clerk
    assert Activity.objects.get(verb="inquiry.assigned").data == {"before": None, "after": clerk.pk}
    assert mail.outbox[0].to == ["clerk@example.com"]
    inquiry_update(actor=receptionist, inquiry=inquiry, assigned_to=None)
    assert Inquiry.objects.get(pk=inquiry.pk).assigned_to is None
    bad("assigned_to", lambda: inquiry_assign(actor=receptionist, inquiry=inquiry,
                                              member=make_member(other_org, caps.CLERK)))


def test_forwarding_moves_it_to_the_department_with_a_note(receptionist, inquiry, org, site, make_member):
    records = DepartmentFactory(organization=org, site=site, name="Records")
    inquiry_assign(actor=receptionist, inquiry=inquiry, member=receptionist)
    inquiry_forward(actor=receptionist, inquiry=inquiry, department=records, note="Needs the archive.")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.FORWARDED and inquiry.department == records
    assert inquiry.assigned_to is None  # not a member of Records
    [note] = inquiry.messages.all()
    assert note.kind == InquiryMessage.Kind.NOTE and note.body == "Needs the archive."
    data = Activity.objects.get(verb="inquiry.forwarded").data
    assert data["to_department"] == records.pk and data["unassigned"] is True
    with pytest.raises(Conflict):
        inquiry_forward(actor=receptionist, inquiry=inquiry, department=records)


def test_forwarding_refuses_another_organisations_department(receptionist, inquiry, other_org):
    bad("department", lambda: inquiry_forward(actor=receptionist, inquiry=inquiry,
                                              department=DepartmentFactory(organization=other_org)))
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.OPEN


def test_wait_close_reopen(receptionist, inquiry):
    inquiry_wait(actor=receptionist, inquiry=inquiry, note="Asked for the invoice number.")
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.WAITING
    with pytest.raises(Conflict):
        inquiry_wait(actor=receptionist, inquiry=inquiry)
    with pytest.raises(Conflict):
        inquiry_reopen(actor=receptionist, inquiry=inquiry)
    inquiry_close(actor=receptionist, inquiry=inquiry)
    with pytest.raises(Conflict):
        inquiry_close(actor=receptionist, inquiry=inquiry)
    inquiry_reopen(actor=receptionist, inquiry=inquiry, reason="Client called again.")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN and inquiry.reopened == 1 and inquiry.closed_at is None
    assert [m.body for m in inquiry.messages.all()] == ["Asked for the invoice number.", "Client called again."]
    assert Activity.objects.get(verb="inquiry.reopened").data == {"times": 1, "with_reason": True,
                                                                  "answered_by": None}


def test_reopening_takes_away_first_contact_resolution(receptionist, inquiry):
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes.", close=True)
    assert Inquiry.objects.get(pk=inquiry.pk).answered_in_first_contact
    inquiry_reopen(actor=receptionist, inquiry=inquiry)
    assert Activity.objects.get(verb="inquiry.reopened").data["answered_by"] == receptionist.pk
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes, really.")
    assert not Inquiry.objects.get(pk=inquiry.pk).answered_in_first_contact


def test_a_note_is_internal_and_recorded(receptionist, inquiry):
    note = inquiry_note(actor=receptionist, inquiry=inquiry, text="Called twice already.")
    assert note.kind == InquiryMessage.Kind.NOTE
    assert Activity.objects.get(verb="inquiry.noted").data == {"message_id": note.pk}
    bad("text", lambda: inquiry_note(actor=receptionist, inquiry=inquiry, text=""))


def test_an_actor_of_another_organisation_is_refused(inquiry, other_owner):
    with pytest.raises(ValueError):
        inquiry_close(actor=other_owner, inquiry=inquiry)


# --- the client writes back ---------------------------------------------------------------------

def test_the_clients_reply_reopens_the_conversation(receptionist, inquiry):
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Bring your ID.")
    inquiry_client_replied(inquiry=inquiry, body="Is a passport fine?", message_id="<r1@mail.example>",
                           attachments=[NewAttachment("id.png", "image/png", b"\x89PNG")])
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN and inquiry.reopened == 0
    reply = inquiry.messages.last()
    assert reply.kind == InquiryMessage.Kind.INBOUND and reply.email_message_id == "<r1@mail.example>"
    assert reply.attachments.get().filename == "id.png"
    activity = Activity.objects.get(verb="inquiry.client_replied")
    assert activity.actor is None and activity.actor_kind == "client" and activity.data["before"] == "answered"
    inquiry_client_replied(inquiry=inquiry, body="Is a passport fine?", message_id="<r1@mail.example>")
    assert inquiry.messages.filter(kind="inbound").count() == 1  # the same e-mail twice: once


def test_a_reply_to_a_closed_inquiry_reopens_it_and_a_forwarded_one_stays_put(receptionist, inquiry, org, site):
    inquiry_close(actor=receptionist, inquiry=inquiry)
    inquiry_client_replied(inquiry=inquiry, body="Not solved!")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN and inquiry.reopened == 1
    inquiry_forward(actor=receptionist, inquiry=inquiry, department=DepartmentFactory(organization=org))
    inquiry_client_replied(inquiry=inquiry, body="Any news?")
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.FORWARDED


def test_an_empty_reply_is_refused(inquiry):
    bad("body", lambda: inquiry_client_replied(inquiry=inquiry, body="  "))


def test_the_factory_inquiry_works_with_the_services(receptionist, client_):
    inquiry = InquiryFactory(client=client_, site=receptionist.sites.get())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes.")
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.ANSWERED
