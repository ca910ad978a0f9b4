"""What comes in with a question or a reply: the client it is from (an existing one, or found by an exact
phone or e-mail, or quick-added through the clients app: never an orphan) and its files (kept, unless too
big or of a type that runs code)."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client, ClientEmail, ClientPhone
from frontoffice.clients.validation import ClientInput
from frontoffice.core import phones
from frontoffice.core.models import Member, Organization
from frontoffice.core.ownership import require_own
from frontoffice.core.services import activity_record
from frontoffice.inquiries.models import Attachment, Inquiry, InquiryMessage

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX_BYTES = 25 * 1024 * 1024
# Files that run code when opened (or render as a page that can): refused from every channel.
DANGEROUS_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "dll", "jar", "js", "jse", "vbs", "vbe",
    "wsf", "wsh", "ps1", "psm1", "sh", "hta", "lnk", "reg", "html", "htm", "xhtml", "svg", "docm", "dotm",
    "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "ppsm", "sldm", "iso", "apk", "app",
})


@dataclass(frozen=True)
class NewAttachment:
    """A file that came with a question or a reply (an e-mail part); uploads may be passed as they are."""

    filename: str
    content_type: str
    content: bytes


# --- the client: an existing one, or found or quick-added from what the person gave -------------

def live_client(organization: Organization, client: Client) -> Client:
    require_own(organization, "client", client)
    if client.merged_into_id is not None or client.erased_at is not None:
        raise ValidationError({"client": _("That client record is no longer in use; search again.")})
    return client


def matching_client(organization: Organization, *, phone: str = "", email: str = "") -> Client | None:
    """The organisation's live client with exactly this phone (E.164) or e-mail: the one with both when
    there is one, else the most recently changed. None when nothing matches."""
    by_phone = set(ClientPhone.objects.filter(organization=organization, number=phone)
                   .values_list("client_id", flat=True)) if phone else set()
    by_email = set(ClientEmail.objects.filter(organization=organization, email=email)
                   .values_list("client_id", flat=True)) if email else set()
    ids = (by_phone & by_email) or (by_phone | by_email)
    if not ids:
        return None
    return (Client.objects.filter(organization=organization, pk__in=ids, merged_into__isnull=True,
                                  erased_at__isnull=True).order_by("-updated_at", "-pk").first())


def client_for(organization: Organization, actor: Member | None, new_client: dict) -> Client:
    """The client a new person is: an exact phone or e-mail match is reused, else a quick-added record."""
    name = " ".join(str(new_client.get("full_name") or "").split())
    raw_phone = str(new_client.get("phone") or "").strip()
    email = str(new_client.get("email") or "").strip().lower()
    phone = ""
    if raw_phone:
        try:
            phone = phones.normalize(raw_phone, organization.country)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages[0]}) from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    found = matching_client(organization, phone=phone, email=email)
    if found is not None:
        return found
    if not name and actor is None:  # a message with no sender's name: the address names them for now
        name = email.split("@")[0] if email else raw_phone
    if not name:
        raise ValidationError({"full_name": _("Enter the person's name.")})
    first, _sep, last = name[:200].rpartition(" ")
    data = ClientInput(first_name=first[:100], last_name=last[:100], phones=[phone] if phone else [],
                       emails=[email] if email else [])
    try:
        return _create_client(organization, actor, data)
    except ValidationError as exc:
        raise _client_errors(exc) from None


def _create_client(organization: Organization, actor: Member | None, data: ClientInput) -> Client:
    from frontoffice.clients import services as client_services

    return client_services.client_create(actor=actor, organization=organization, data=data, source="quick")


def _client_errors(exc: ValidationError) -> ValidationError:
    """The clients app names its fields (last_name, phones, emails); the inquiry forms name theirs."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {"first_name": "full_name", "last_name": "full_name", "phones": "phone", "emails": "email"}
    errors: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        errors.setdefault(names.get(field, field), []).extend(messages)
    return ValidationError(errors)


# --- attachments ------------------------------------------------------------------------------

def _as_new(item) -> NewAttachment:
    """A ``NewAttachment`` as it is; an upload (Django ``File``) read into one."""
    if isinstance(item, NewAttachment):
        return item
    size = getattr(item, "size", None)
    if size is not None and size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachments": _("A file may be at most 10 MB.")})
    name = os.path.basename(getattr(item, "name", "") or "file")
    content_type = getattr(item, "content_type", "") or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return NewAttachment(name, content_type, item.read())


def attachment_refusal(filename: str, size: int) -> str | None:
    """Why a file is not kept (too big, or a type that runs code), or None when it may be."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in DANGEROUS_EXTENSIONS:
        return _("Files of type .%(ext)s are not accepted.") % {"ext": extension}
    if size > ATTACHMENT_MAX_BYTES:
        return _("A file may be at most 10 MB.")
    return None


def clean_attachments(attachments) -> list[NewAttachment]:
    """The files, read and checked: one refused file refuses them all (a form shows why; mail sorts its own
    refused parts out before, and notes them)."""
    files = [_as_new(item) for item in attachments or ()]
    for item in files:
        refusal = attachment_refusal(item.filename, len(item.content))
        if refusal:
            raise ValidationError({"attachments": f"{item.filename}: {refusal}"})
    if sum(len(item.content) for item in files) > ATTACHMENTS_MAX_BYTES:
        raise ValidationError({"attachments": _("The files together may be at most 25 MB.")})
    return files


def store_attachments(inquiry: Inquiry, message: InquiryMessage | None, files: list[NewAttachment]) -> None:
    for item in files:
        filename = get_valid_filename(os.path.basename(item.filename))[:200] or "file"
        Attachment.objects.create(organization_id=inquiry.organization_id, inquiry=inquiry, message=message,
                                  file=ContentFile(item.content, name=filename), filename=filename,
                                  content_type=(item.content_type or "application/octet-stream")[:100],
                                  size=len(item.content))
