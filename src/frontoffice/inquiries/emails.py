"""E-mails of the inquiries app: "an inquiry for you" to a member given one, and the acknowledgement of a
question from the web form to the client (with the reference that threads the client's reply back). The
answer is ``mail.py``'s; "past their target" is ``tasks_overdue.py``'s.

Plain text and HTML, in the recipient's language. Building is separate from sending (``tasks.py``), so a
message can be looked at in tests and previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from frontoffice.core.models import Member, Organization
from frontoffice.inquiries.models import Channels, Inquiry


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def member_recipient(member: Member) -> Recipient | None:
    """A member who can be e-mailed (active, with an address), in their language."""
    user = member.user
    if not (member.active and user.is_active and user.email):
        return None
    return Recipient(user.email, user.language or member.organization.language)


def subject_token(inquiry: Inquiry) -> str:
    """The reference in a subject that threads the client's reply back: "[#Q-7F3K9M]"."""
    return f"[#Q-{inquiry.reference}]"


def inquiry_link(inquiry: Inquiry) -> str:
    return settings.PUBLIC_URL + reverse("inquiries:inquiry", args=[inquiry.pk])


def _when(inquiry: Inquiry, moment) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(inquiry.site.tz)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'TIME_FORMAT')}"


def _mail(subject: str, template: str, context: dict, to: str, from_email: str | None = None,
          reply_to: str = "") -> EmailMultiAlternatives:
    text = render_to_string(f"inquiries/email/{template}.txt", context)
    html = render_to_string(f"inquiries/email/{template}.html", context)
    mail = EmailMultiAlternatives(" ".join(subject.split()), text, from_email, [to],
                                  reply_to=[reply_to] if reply_to else None)
    mail.attach_alternative(html, "text/html")
    return mail


def assigned_notice(inquiry: Inquiry, recipient: Recipient) -> EmailMultiAlternatives:
    """"An inquiry for you": its subject, client, category and due time, with a link to it."""
    with translation.override(recipient.language):
        context = {"inquiry": inquiry, "organization": inquiry.organization, "client": inquiry.client.display_name,
                   "due": _when(inquiry, inquiry.first_answer_due if inquiry.first_answered_at is None
                                else inquiry.resolution_due),
                   "link": inquiry_link(inquiry)}
        subject = _("Inquiry for you: %(subject)s") % {"subject": inquiry.subject}
        return _mail(subject, "assigned", context, recipient.email)


def sender(organization: Organization) -> str:
    """The From of mail to clients: the organisation's inquiry address, else the application's."""
    address = Channels.objects.filter(organization=organization).values_list("address", flat=True).first()
    return formataddr((organization.name, address)) if address else settings.DEFAULT_FROM_EMAIL


def acknowledgement(inquiry: Inquiry, address: str) -> EmailMultiAlternatives:
    """To the client who asked on the web form: we have your question, this is its reference."""
    organization = inquiry.organization
    with translation.override(organization.language):
        context = {"inquiry": inquiry, "organization": organization, "token": subject_token(inquiry),
                   "client": inquiry.client.display_name}
        subject = _("We have received your question: %(subject)s") % {"subject": inquiry.subject}
        return _mail(f"{subject} {subject_token(inquiry)}", "acknowledgement", context, address,
                     from_email=sender(organization))
