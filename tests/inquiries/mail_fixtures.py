"""What the e-mail channel's tests share: an organisation's channels and real RFC 822 messages."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from frontoffice.inquiries.models import Channels
from frontoffice.inquiries.presets import categories_ensure
from frontoffice.inquiries.services.categories import inbound_token_hash

INBOUND_TOKEN = "in-Zq8Xv2mL0pR4tY7wB1nC5dF9gH3jK6"
ADDRESS = "questions@alpha.example"


def make_channels(organization, *, address: str = ADDRESS, token: str = "", **fields) -> Channels:
    categories_ensure(organization)
    general = organization.inquiry_categories.get(key="general")
    return Channels.objects.create(
        organization=organization, address=address, default_category=general,
        inbound_token_hash=inbound_token_hash(token) if token else "", **fields)


@pytest.fixture
def channels(org):
    return make_channels(org, token=INBOUND_TOKEN)


def mail_bytes(*, sender: str = "Anna Nowak <anna@example.com>", to: str = ADDRESS,
               subject: str = "Opening hours", body: str | None = "When are you open on Saturday?",
               message_id: str | None = "<m1@mail.example.com>", html: str | None = None, attachments=(),
               headers: dict | None = None) -> bytes:
    """One e-mail as a mail client would send it: a text part (and an HTML alternative), attachments
    (name, bytes, content type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Fri, 07 Mar 2025 17:55:00 +0100"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
