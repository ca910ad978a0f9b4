"""The e-mail the calls app sends: "a message for you" (a message taken at the desk, or a voicemail with its
recording link), in plain text and HTML, in the recipient's language.

Building is separate from sending (``tasks.py``), so a message can be looked at in tests and previews.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from frontoffice.calls.models import Message
from frontoffice.core import phones


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def recipients(message: Message) -> list[Recipient]:
    """Who hears about ``message``: the member; else the department's own address; else its active members."""
    organization = message.organization
    if message.for_member_id:
        member = message.for_member
        if member.active and member.user.is_active and member.user.email:
            return [Recipient(member.user.email, member.user.language or organization.language)]
        return []
    department = message.for_department
    if department is None:
        return []
    if department.email:
        return [Recipient(department.email, organization.language)]
    members = department.members.filter(active=True, user__is_active=True).exclude(user__email="").select_related(
        "user").order_by("pk")
    return [Recipient(m.user.email, m.user.language or organization.language) for m in members]


def _caller(message: Message) -> str:
    name = message.client.display_name if message.client_id else message.caller_name
    number = phones.display(message.caller_number) if message.caller_number else ""
    if name and number:
        return f"{name} ({number})"
    return name or number or _("a caller who did not leave a number")


def message_notice(message: Message, recipient: Recipient) -> EmailMultiAlternatives:
    """"A message for you" (or "a voicemail for you"), with a link to the messages page."""
    organization = message.organization
    tz = message.site.tz if message.site_id else organization.tz
    with translation.override(recipient.language):
        local = message.created_at.astimezone(tz)
        context = {
            "message": message, "organization": organization, "caller": _caller(message),
            "recipient": message.for_member.user.full_name if message.for_member_id else message.for_department.name,
            "when": f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'TIME_FORMAT')}",
            "link": settings.PUBLIC_URL + reverse("calls:messages") + f"#message-{message.pk}",
            "urgent": message.urgency == Message.Urgency.URGENT,
            "voicemail": message.kind == Message.Kind.VOICEMAIL,
        }
        if context["voicemail"]:
            subject = _("Voicemail from %(caller)s") % {"caller": context["caller"]}
        else:
            subject = _("Message from %(caller)s") % {"caller": context["caller"]}
        if context["urgent"]:
            subject = _("Urgent: %(subject)s") % {"subject": subject}
        text = render_to_string("calls/email/message.txt", context)
        html = render_to_string("calls/email/message.html", context)
    mail = EmailMultiAlternatives(subject, text, None, [recipient.email])
    mail.attach_alternative(html, "text/html")
    return mail
