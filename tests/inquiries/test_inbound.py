"""The inbound-mail webhook (inquiries/public/inbound.py): a provider POSTs the raw message, the URL's token
names the organisation; anything else is refused and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from frontoffice.inquiries.models import Attachment, Inquiry, InquiryMessage
from frontoffice.inquiries.public import inbound
from tests.inquiries.mail_fixtures import INBOUND_TOKEN, channels, mail_bytes, make_channels  # noqa: F401

MB = 1024 * 1024


def _url(token: str = INBOUND_TOKEN) -> str:
    return reverse("public:inbound_mail", args=[token])


def _post_form(fields: dict, token: str = INBOUND_TOKEN, client: Client | None = None):
    return (client or Client()).post(_url(token), fields)


def _post_raw(body: bytes, content_type: str = "message/rfc822", token: str = INBOUND_TOKEN):
    return Client().generic("POST", _url(token), body, content_type=content_type)


def test_sendgrid_raw_mode_field_opens_an_inquiry_in_the_token_s_organisation(org, channels, other_org):
    make_channels(other_org, address="desk@beta.example", token="their-token-0123456789")
    fields = {"email": mail_bytes().decode(), "to": "questions@alpha.example", "spam_score": "0.1"}
    response = _post_form(fields)
    assert response.status_code == 200
    inquiry = Inquiry.objects.get()
    assert inquiry.organization == org and inquiry.channel == Inquiry.Channel.EMAIL
    assert inquiry.question == "When are you open on Saturday?"


@pytest.mark.parametrize("content_type", ["message/rfc822", "application/octet-stream"])
def test_the_message_may_come_as_a_file_field(org, channels, content_type):
    raw = mail_bytes(subject="Zażółć gęślą jaźń")
    upload = SimpleUploadedFile("message.eml", raw, content_type=content_type)
    assert _post_form({"email": upload}).status_code == 200
    assert Inquiry.objects.get().subject == "Zażółć gęślą jaźń"


def test_mailgun_body_mime_field_is_taken(org, channels):
    fields = {"body-mime": mail_bytes().decode(), "recipient": "questions@alpha.example"}
    assert _post_form(fields).status_code == 200
    assert Inquiry.objects.filter(organization=org).count() == 1


def test_mailgun_s_raw_route_address_ending_in_mime_is_taken(org, channels):
    url = reverse("public:inbound_mail_mime", args=[INBOUND_TOKEN])
    assert url.endswith(f"/{INBOUND_TOKEN}/mime")
    fields = {"body-mime": mail_bytes().decode(), "recipient": "questions@alpha.example"}
    assert Client().post(url, fields).status_code == 200
    assert Inquiry.objects.filter(organization=org).count() == 1
    wrong = reverse("public:inbound_mail_mime", args=["not-the-token-0123456789"])
    assert Client().post(wrong, fields).status_code == 403
    assert Inquiry.objects.count() == 1


def test_a_raw_rfc822_body_is_taken(org, channels):
    assert _post_raw(mail_bytes()).status_code == 200
    assert Inquiry.objects.count() == 1


def test_a_message_larger_than_django_s_form_limit_is_taken_whole(org, channels, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 13 * MB
    scan = b"%PDF-1.4\n" + bytes(range(256)) * (9 * MB // 256)
    raw = mail_bytes(attachments=[("scan.pdf", scan, "application/pdf")])
    assert len(raw) > 12 * MB
    assert _post_form({"email": raw.decode()}).status_code == 200
    assert Attachment.objects.get().file.read() == scan


def test_the_same_message_posted_twice_adds_nothing(org, channels):
    assert _post_raw(mail_bytes()).status_code == 200
    assert _post_raw(mail_bytes()).status_code == 200
    assert Inquiry.objects.count() == 1 and InquiryMessage.objects.count() == 1


def test_the_client_s_reply_posted_later_threads_back(org, channels):
    _post_raw(mail_bytes())
    inquiry = Inquiry.objects.get()
    reply = mail_bytes(subject=f"Re: Opening hours [#Q-{inquiry.reference}]", message_id="<r1@x>",
                       body="Thanks!")
    assert _post_raw(reply).status_code == 200
    assert Inquiry.objects.count() == 1
    bodies = list(inquiry.messages.values_list("body", flat=True))
    assert bodies == ["When are you open on Saturday?", "Thanks!"]


def test_csrf_does_not_apply_to_the_provider(org, channels):
    response = _post_form({"email": mail_bytes().decode()}, client=Client(enforce_csrf_checks=True))
    assert response.status_code == 200


# --- refused ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["wrong-token", "x" * 300, INBOUND_TOKEN.upper(), INBOUND_TOKEN[:-1]])
def test_a_bad_token_is_403_and_changes_nothing(org, channels, token):
    assert _post_form({"email": mail_bytes().decode()}, token=token).status_code == 403
    assert not Inquiry.objects.exists()


def test_an_organisation_without_a_token_cannot_be_reached(org):
    make_channels(org, token="")
    assert _post_raw(mail_bytes(), token="anything").status_code == 403
    assert not Inquiry.objects.exists()


def test_a_staff_session_does_not_stand_in_for_the_token(org, channels, owner, signed_in):
    response = _post_form({"email": mail_bytes().decode()}, token="wrong-token", client=signed_in(owner))
    assert response.status_code == 403


def test_get_is_not_allowed(org, channels):
    assert Client().get(_url()).status_code == 405


def test_more_than_30_mb_is_413(org, channels):
    assert _post_raw(b"X" * (31 * MB)).status_code == 413
    assert not Inquiry.objects.exists()


def test_a_body_longer_than_declared_limit_is_413_even_unannounced(org, channels, monkeypatch):
    monkeypatch.setattr(inbound, "REQUEST_MAX_BYTES", 1000)
    assert _post_raw(mail_bytes(body="x" * 5000)).status_code == 413


@pytest.mark.parametrize(("body", "content_type"), [
    (b"", "message/rfc822"),
    (b"hello, this is not an e-mail", "message/rfc822"),
    (b'{"email": "x"}', "application/json"),
    (b"from=a&subject=b", "application/x-www-form-urlencoded"),
])
def test_a_body_that_is_not_a_message_is_400(org, channels, body, content_type):
    assert _post_raw(body, content_type).status_code == 400
    assert not Inquiry.objects.exists()


def test_a_form_without_the_message_field_is_400(org, channels):
    assert _post_form({"text": "Hello", "from": "anna@example.com"}).status_code == 400
    assert not Inquiry.objects.exists()


def test_when_the_set_up_cannot_take_it_the_provider_is_asked_to_retry(org, channels):
    org.inquiry_categories.update(active=False)
    response = _post_raw(mail_bytes())
    assert response.status_code == 503 and response["Retry-After"]
    channels.refresh_from_db()
    assert channels.last_error == "There is no active inquiry category to file e-mail under."
    assert not Inquiry.objects.exists()

    org.inquiry_categories.update(active=True)  # set right: the provider's retry is taken
    assert _post_raw(mail_bytes()).status_code == 200
    channels.refresh_from_db()
    assert channels.last_error == "" and Inquiry.objects.count() == 1


def test_the_access_table_rows_hold(org, monkeypatch):
    from types import SimpleNamespace
    from urllib.parse import urlencode

    from tests.inquiries import access_mail_rows

    world = SimpleNamespace(org=org)
    access_mail_rows.populate(world)
    for route in access_mail_rows.ROUTES:
        body = urlencode(route.body(world, None) or {})
        response = Client().generic(route.method, route.url(world, None), body,
                                    content_type="application/x-www-form-urlencoded")
        assert response.status_code in route.ok, route.id
