"""The inquiries app's background e-mail (inquiries/tasks.py, emails.py): "an inquiry for you" and the
web-form acknowledgement."""

from __future__ import annotations

import pytest
from django.core import mail

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.inquiries import tasks
from frontoffice.inquiries.models import Channels, Inquiry
from tests.clients.factories import make_client
from tests.inquiries.factories import InquiryFactory


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PUBLIC_URL = "https://office.example"
    settings.DEFAULT_FROM_EMAIL = "frontoffice <noreply@office.example>"


@pytest.fixture
def clerk(org, make_member):
    member = make_member(org, caps.CLERK)
    member.user.email = "clerk@example.com"
    member.user.save()
    return member


@pytest.fixture
def inquiry(receptionist, clerk):
    client = make_client(receptionist, first_name="Anna", last_name="Nowak", emails=["anna@example.com"])
    return InquiryFactory(client=client, site=receptionist.sites.get(), assigned_to=clerk, channel="web",
                          subject="Parking <near> you?", question="Is there parking?\n<script>x</script>")


def test_the_new_owner_is_told_with_a_link(inquiry, clerk):
    tasks.notify_assigned(inquiry_id=inquiry.pk, member_id=clerk.pk)
    [sent] = mail.outbox
    assert sent.to == ["clerk@example.com"] and sent.subject == "Inquiry for you: Parking <near> you?"
    assert "Anna Nowak" in sent.body and f"https://office.example/inquiries/{inquiry.pk}/" in sent.body
    [(html, kind)] = sent.alternatives
    assert kind == "text/html" and "Parking &lt;near&gt; you?" in html


def test_nobody_is_told_about_an_inquiry_no_longer_theirs(inquiry, clerk, receptionist):
    Inquiry.objects.filter(pk=inquiry.pk).update(assigned_to=receptionist)
    tasks.notify_assigned(inquiry_id=inquiry.pk, member_id=clerk.pk)
    Inquiry.objects.filter(pk=inquiry.pk).update(assigned_to=clerk, status=Inquiry.Status.CLOSED)
    tasks.notify_assigned(inquiry_id=inquiry.pk, member_id=clerk.pk)
    tasks.notify_assigned(inquiry_id=0, member_id=clerk.pk)
    assert mail.outbox == []


def test_a_member_without_an_address_is_skipped(inquiry, clerk):
    clerk.user.is_active = False
    clerk.user.save()
    tasks.notify_assigned(inquiry_id=inquiry.pk, member_id=clerk.pk)
    assert mail.outbox == []


def test_the_acknowledgement_goes_once_from_the_inquiry_address(inquiry, org):
    Channels.objects.create(organization=org, address="questions@alpha.example")
    tasks.send_acknowledgement(inquiry_id=inquiry.pk)
    tasks.send_acknowledgement(inquiry_id=inquiry.pk)
    [sent] = mail.outbox
    assert sent.to == ["anna@example.com"] and sent.from_email == "Alpha Clinic <questions@alpha.example>"
    assert sent.subject == f"We have received your question: Parking <near> you? [#Q-{inquiry.reference}]"
    assert "<script>x</script>" in sent.body  # the text part is text
    [(html, _kind)] = sent.alternatives
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    activity = Activity.objects.get(verb="inquiry.acknowledged")
    assert activity.actor is None and activity.client_id == inquiry.client_id and activity.subject_label == ""


def test_no_address_no_acknowledgement(inquiry):
    Inquiry.objects.filter(pk=inquiry.pk).update(channel="phone")
    tasks.send_acknowledgement(inquiry_id=inquiry.pk)
    assert mail.outbox == [] and not Activity.objects.filter(verb="inquiry.acknowledged").exists()


def test_the_acknowledgement_is_in_the_organisations_default_sender_without_a_mailbox(inquiry):
    tasks.send_acknowledgement(inquiry_id=inquiry.pk)
    assert mail.outbox[0].from_email == "frontoffice <noreply@office.example>"
