"""E-mail in and out of the inquiries desk.

In: ``receive`` takes one RFC 822 message (from the IMAP poller or the inbound-mail webhook), read safely by
``mailparse``, and makes it a new inquiry or the client's reply on one. The sender is matched to a client by
address (else quick-added: never an orphan). A reply threads back by In-Reply-To/References naming one of
our messages, or by the subject's ``[#Q-REF]``, and only ever into an inquiry of the same organisation: a
reference of another organisation's is treated as no reference at all. The same Message-ID twice adds
nothing. Automatic mail (out-of-office replies, bounces) and our own mail coming back are dropped, so two
robots cannot keep writing to each other. A refused attachment is noted in the message, which is kept.

Out: ``send_answer`` (a task) e-mails an answer once, with the reference in the subject, a Message-ID kept on
the message (so the client's reply threads back) and, when the inquiry is answered or closed, the rating link.
"""

from __future__ import annotations

import logging
from email.message import Message
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontoffice.clients.models import ClientEmail
from frontoffice.core.models import Organization
from frontoffice.core.services import activity_record
from frontoffice.inquiries import emails
from frontoffice.inquiries.mailparse import (
    DANGEROUS,
    OVER_TOTAL,
    REFERENCE,
    REFUSALS_LISTED,
    TOO_LARGE,
    Parsed,
    base_subject,
    parse,
    valid_address,
)
from frontoffice.inquiries.models import Category, Channels, Inquiry, InquiryMessage
from frontoffice.inquiries.presets import categories_ensure
from frontoffice.inquiries.services.inquiries import (
    answer_address,
    inquiry_client_replied,
    inquiry_open,
    matching_client,
    subject_from,
)
from frontoffice.inquiries.services.rating import rating_link

logger = logging.getLogger(__name__)

SUBJECT_MAX = Inquiry._meta.get_field("subject").max_length


# --- receiving --------------------------------------------------------------------------------------

def receive(organization: Organization, raw: bytes | Message, *, source: str) -> Inquiry | None:
    """Make one e-mail an inquiry of ``organization``, or the client's reply on one; the inquiry, or None
    when the message was automatic or our own coming back. ``source``: "imap" or "webhook" (for the log)."""
    parsed = parse(raw)
    if parsed.automatic:
        logger.info("inquiries mail (%s, org %s): automatic message %s dropped", source, organization.pk,
                    parsed.message_id)
        return None
    with transaction.atomic():
        # One message at a time per organisation: a webhook retry and the poller cannot both take it.
        channels = Channels.objects.select_for_update().filter(organization=organization).first()
        if parsed.sender and parsed.sender in _own_addresses(channels):
            logger.info("inquiries mail (%s, org %s): our own message %s dropped", source, organization.pk,
                        parsed.message_id)
            return None
        seen = (InquiryMessage.objects.select_related("inquiry")
                .filter(organization=organization, email_message_id=parsed.message_id).first())
        if seen is not None:  # taken before; or one of our answers, copied back to the mailbox
            return seen.inquiry if seen.kind == InquiryMessage.Kind.INBOUND else None
        inquiry = thread(organization, parsed)
        with translation.override(organization.language):
            if inquiry is not None:
                return inquiry_client_replied(inquiry=inquiry, body=_reply_text(inquiry, parsed),
                                              attachments=parsed.attachments, message_id=parsed.message_id)
            return _open(organization, channels, parsed)


def _own_addresses(channels: Channels | None) -> set[str]:
    addresses = {valid_address(parseaddr(settings.DEFAULT_FROM_EMAIL)[1])}
    if channels is not None and channels.address:
        addresses.add(channels.address.lower())
    return addresses - {""}


def thread(organization: Organization, parsed: Parsed) -> Inquiry | None:
    """The inquiry of ``organization`` the message answers: by the Message-IDs it replies to, else by the
    reference in its subject. Another organisation's ids and references find nothing."""
    if parsed.references:
        found = (InquiryMessage.objects.select_related("inquiry")
                 .filter(organization=organization, inquiry__organization=organization,
                         email_message_id__in=parsed.references)
                 .order_by("-created_at", "-pk").first())
        if found is not None:
            return found.inquiry
    for reference in REFERENCE.findall(parsed.subject):
        inquiry = Inquiry.objects.filter(organization=organization, reference=reference.upper()).first()
        if inquiry is not None:
            return inquiry
    return None


def _notes(parsed: Parsed) -> list[str]:
    reasons = {DANGEROUS: _("files of this type can run programs"), TOO_LARGE: _("larger than 10 MB"),
               OVER_TOTAL: _("the message's files passed 25 MB")}
    notes = [_("[Attachment not kept: %(name)s — %(reason)s]") % {"name": name, "reason": reasons[reason]}
             for name, reason in parsed.refused[:REFUSALS_LISTED]]
    if len(parsed.refused) > REFUSALS_LISTED:
        more = len(parsed.refused) - REFUSALS_LISTED
        notes.append(ngettext("[%(count)s more attachment not kept]", "[%(count)s more attachments not kept]",
                              more) % {"count": more})
    if parsed.cut:
        notes.insert(0, _("[The message was longer; its whole text is in the attached message.txt]"))
    return notes


def _text(parsed: Parsed, before: tuple[str, ...] | list[str] = ()) -> str:
    text = parsed.text or (_("(The e-mail had no text; see its attachments.)") if parsed.attachments
                           else _("(The e-mail had no text.)"))
    return "\n\n".join([*before, text, *_notes(parsed)])


def _reply_to_note(parsed: Parsed) -> list[str]:
    # Answers go to the sender (the address the client is matched by), not to a Reply-To: a forged From with
    # someone else's Reply-To must not draw a client's answer out to a stranger. The desk is told.
    if parsed.sender and parsed.reply_to and parsed.reply_to != parsed.sender:
        return [_("[The sender asks for answers at %(address)s; they go to %(sender)s]")
                % {"address": parsed.reply_to, "sender": parsed.sender}]
    return []


def _reply_text(inquiry: Inquiry, parsed: Parsed) -> str:
    known = {inquiry.contact_email.lower()} | set(
        ClientEmail.objects.filter(organization=inquiry.organization_id, client=inquiry.client_id)
        .values_list("email", flat=True))
    if parsed.sender and parsed.sender not in known:
        return _text(parsed, [_("[Sent from %(address)s]") % {"address": parsed.sender}])
    return _text(parsed)


def _category(organization: Organization, channels: Channels | None) -> Category:
    chosen = channels.default_category if channels is not None else None
    if chosen is not None and chosen.active and chosen.organization_id == organization.pk:
        return chosen
    categories_ensure(organization)
    active = Category.objects.filter(organization=organization, active=True)
    chosen = active.filter(key="general").first() or active.order_by("position", "pk").first()
    if chosen is None:
        raise ValidationError({"category": _("There is no active inquiry category to file e-mail under.")})
    return chosen


def _open(organization: Organization, channels: Channels | None, parsed: Parsed) -> Inquiry:
    client = matching_client(organization, email=parsed.sender) if parsed.sender else None
    site = channels.site if channels is not None and channels.site_id else None
    subject = base_subject(parsed.subject)[:SUBJECT_MAX] or subject_from(parsed.text) or _("(no subject)")
    return inquiry_open(
        actor=None, organization=organization, site=site, channel=Inquiry.Channel.EMAIL, client=client,
        new_client=None if client else {"full_name": parsed.sender_name or _("E-mail sender"), "phone": "",
                                        "email": parsed.sender},
        subject=subject, question=_text(parsed, _reply_to_note(parsed)),
        category=_category(organization, channels), contact_email=parsed.sender or parsed.reply_to,
        attachments=parsed.attachments, message_id=parsed.message_id)


# --- sending the answer -----------------------------------------------------------------------------

def _thread_ids(message: InquiryMessage) -> tuple[str, list[str]]:
    """(the client's last Message-ID before this answer, the thread's Message-IDs oldest first)."""
    rows = list(InquiryMessage.objects
                .filter(inquiry_id=message.inquiry_id, created_at__lte=message.created_at)
                .exclude(pk=message.pk).exclude(email_message_id="").exclude(kind=InquiryMessage.Kind.NOTE)
                .order_by("created_at", "pk").values_list("kind", "email_message_id"))
    last_inbound = next((mid for kind, mid in reversed(rows) if kind == InquiryMessage.Kind.INBOUND), "")
    return last_inbound, [mid for _kind, mid in rows][-20:]


def answer_email(message: InquiryMessage, *, to: str, channels: Channels | None) -> EmailMultiAlternatives:
    """The answer as an e-mail (not sent): "Re: <subject> [#Q-REF]", threaded on the client's last message."""
    inquiry = message.inquiry
    organization = inquiry.organization
    from_header = emails.sender(organization)
    domain = parseaddr(from_header)[1].rpartition("@")[2] or "localhost"
    in_reply_to, references = _thread_ids(message)
    with translation.override(organization.language):
        done = inquiry.status in (Inquiry.Status.ANSWERED, Inquiry.Status.CLOSED)
        context = {
            "answer": message.body, "organization": organization, "reference": emails.subject_token(inquiry),
            "question": inquiry.question[:2000],
            "author": message.author.user.full_name if message.author else "",
            "rating_link": rating_link(inquiry) if done and inquiry.rating is None else "",
        }
        text = render_to_string("inquiries/email/answer.txt", context)
        html = render_to_string("inquiries/email/answer.html", context)
    subject = f"Re: {base_subject(inquiry.subject)} {emails.subject_token(inquiry)}"
    headers = {"Message-ID": make_msgid(domain=domain)}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    reply_to = [channels.address] if channels is not None and channels.address else None
    mail = EmailMultiAlternatives(subject, text, from_header, [to], headers=headers, reply_to=reply_to)
    mail.attach_alternative(html, "text/html")
    return mail


def send_answer(message_id: int) -> None:
    """Task: e-mail an answer to the client, once. Its Message-ID is kept before sending (a second run sees
    it and stops) and given back if sending fails, so a retry can send it; ``sent_at`` once it went out."""
    message = (InquiryMessage.objects.select_related("inquiry__organization", "inquiry__site", "author__user")
               .filter(pk=message_id, kind=InquiryMessage.Kind.ANSWER, sent_at__isnull=True,
                       email_message_id="").first())
    if message is None:
        return
    inquiry = message.inquiry
    to = answer_address(inquiry)
    if not to:
        logger.info("inquiry answer %s: no address to e-mail it to", message.pk)
        return
    channels = Channels.objects.filter(organization_id=inquiry.organization_id).first()
    mail = answer_email(message, to=to, channels=channels)
    message_header = mail.extra_headers["Message-ID"]
    unsent = InquiryMessage.objects.filter(pk=message.pk, sent_at__isnull=True)
    if not unsent.filter(email_message_id="").update(email_message_id=message_header):
        return
    try:
        mail.send()
    except Exception:
        unsent.filter(email_message_id=message_header).update(email_message_id="")
        raise
    with transaction.atomic():
        unsent.update(sent_at=timezone.now())
        activity_record(organization=inquiry.organization, site=inquiry.site, actor=None,
                        verb="inquiry.answer_emailed", subject=inquiry, client_id=inquiry.client_id, label="",
                        data={"message_id": message.pk})
