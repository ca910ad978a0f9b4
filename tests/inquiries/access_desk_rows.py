"""The inquiries desk rows of the access table (see tests/access_table.py): the desk, the phone screen and its
client search, an inquiry's page and files, and the actions on it."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from frontoffice.core import capabilities as caps
from frontoffice.inquiries.models import Attachment, Inquiry
from tests.access_table import Route
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import CategoryFactory, InquiryFactory

FILE_NAME = "inquiries/access/letter.pdf"


def populate(world) -> None:
    """A category, a client, an open and a closed inquiry with a file, of world.org (under
    world.inquiry_desk)."""
    owner = world.member(caps.OWNER)
    client = make_client(owner, first_name="Olga", last_name="Pytająca")
    category = CategoryFactory(organization=world.org, key="desk-billing", name="Desk billing")
    inquiry = InquiryFactory(site=world.site, category=category, client=client, subject="Invoice copy")
    closed = InquiryFactory(site=world.site, category=category, client=client, status=Inquiry.Status.CLOSED)
    world.inquiry_desk = SimpleNamespace(
        client=client, category=category, inquiry=inquiry, closed=closed,
        department=DepartmentFactory(organization=world.org, name="Desk accounts"),
        attachment=Attachment.objects.create(organization=world.org, inquiry=inquiry, file=FILE_NAME,
                                             filename="letter.pdf", content_type="application/pdf", size=9),
    )


def _inquiry(world, member):
    return [world.inquiry_desk.inquiry.pk]


def _closed(world, member):
    return [world.inquiry_desk.closed.pk]


def _attachment(world, member):
    """The file is written when asked for, since each test has its own media folder."""
    if not default_storage.exists(FILE_NAME):
        default_storage.save(FILE_NAME, ContentFile(b"%PDF-1.4\n"))
    return [world.inquiry_desk.inquiry.pk, world.inquiry_desk.attachment.pk]


def _new(world, member):
    scene = world.inquiry_desk
    return {"client": scene.client.pk, "category": scene.category.pk, "channel": "phone",
            "priority": "normal", "question": "Can I have a copy of my invoice?",
            "answer": "Yes: it is on its way.", "action": "close"}


ROUTES = [
    Route("GET", "inquiries:desk", "inquiries.view"),
    Route("GET", "inquiries:desk", "inquiries.view", query=lambda w, m: {"status": "open", "q": "Invoice"},
          label="filtered"),
    Route("GET", "inquiries:inquiry_new", "inquiries.answer"),
    Route("GET", "inquiries:inquiry_new", "inquiries.answer",
          query=lambda w, m: {"client": w.inquiry_desk.client.pk}, tenant_ids=True, label="for a client"),
    Route("POST", "inquiries:inquiry_new", "inquiries.answer", data=_new, ok=(302,)),
    Route("GET", "inquiries:inquiry_client_matches", "inquiries.answer", query=lambda w, m: {"q": "Olga"}),
    Route("GET", "inquiries:inquiry", "inquiries.view", args=_inquiry),
    Route("GET", "inquiries:inquiry_attachment", "inquiries.view", args=_attachment),
    Route("POST", "inquiries:inquiry_answer", "inquiries.answer", args=_inquiry, ok=(302,),
          data=lambda w, m: {"text": "Sent by post today."}),
    Route("POST", "inquiries:inquiry_forward", "inquiries.answer", args=_inquiry, ok=(302,),
          data=lambda w, m: {"department": w.inquiry_desk.department.pk, "note": "Theirs."}),
    Route("POST", "inquiries:inquiry_assign", "inquiries.answer", args=_inquiry, ok=(302,),
          data=lambda w, m: {"member": m.pk}),
    Route("POST", "inquiries:inquiry_edit", "inquiries.answer", args=_inquiry, ok=(302,),
          data=lambda w, m: {"category": w.inquiry_desk.category.pk, "priority": "high"}),
    Route("POST", "inquiries:inquiry_wait", "inquiries.answer", args=_inquiry, ok=(302,),
          data=lambda w, m: {"wait-text": "The invoice number, please."}),
    Route("POST", "inquiries:inquiry_close", "inquiries.answer", args=_inquiry, ok=(302,)),
    Route("POST", "inquiries:inquiry_reopen", "inquiries.answer", args=_closed, ok=(302,),
          data=lambda w, m: {"reopen-text": "The client called again."}),
    Route("POST", "inquiries:inquiry_note", "inquiries.answer", args=_inquiry, ok=(302,),
          data=lambda w, m: {"note-text": "Second time this month."}),
]
