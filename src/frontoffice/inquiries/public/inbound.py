"""The inbound-mail webhook: a mail provider (SendGrid's Inbound Parse, Mailgun routes, Postmark, a local
MTA with curl) POSTs each message for the organisation's inquiry address here.

``POST /public/inbound/<token>/`` (or ``…/<token>/mime``, the form Mailgun needs): the token in the URL is the organisation's secret (only its SHA-256 is
kept; compared in constant time). The body is either ``multipart/form-data`` with the raw RFC 822 message in
an ``email`` field (SendGrid's "raw" mode; Mailgun's ``body-mime`` is taken too), as text or as a file, or
the message itself as ``message/rfc822``. Answers: 403 for a bad token, 413 over 30 MB, 400 when there is no
message to read, 503 (so the provider tries again later) when the organisation's set-up cannot take it yet,
200 when it is taken (or was taken before, or was an automatic reply dropped on purpose).

The body is read here, not by Django's form parser: that parser holds text fields to
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (10 MB), and a raw message with its attachments is larger.
"""

from __future__ import annotations

import hmac
import logging
from email import policy
from email.parser import BytesParser

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from frontoffice.core.errors import Conflict
from frontoffice.inquiries.mail import receive
from frontoffice.inquiries.mailparse import MESSAGE_MAX_BYTES
from frontoffice.inquiries.models import Channels
from frontoffice.inquiries.services.categories import inbound_token_hash

logger = logging.getLogger(__name__)

REQUEST_MAX_BYTES = MESSAGE_MAX_BYTES + 64 * 1024  # the message and the provider's few form fields
MESSAGE_FIELDS = ("email", "body-mime")
TOKEN_MAX = 200


class _TooLarge(Exception):
    pass


def _channels_for(token: str) -> Channels | None:
    if not token or len(token) > TOKEN_MAX:
        return None
    digest = inbound_token_hash(token)
    channels = (Channels.objects.select_related("organization").filter(inbound_token_hash=digest)
                .exclude(inbound_token_hash="").first())
    if channels is None or not hmac.compare_digest(channels.inbound_token_hash, digest):
        return None
    return channels


def _body(request) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > REQUEST_MAX_BYTES:
        raise _TooLarge
    body = request.read(REQUEST_MAX_BYTES + 1)
    if len(body) > REQUEST_MAX_BYTES:
        raise _TooLarge
    return body


def _form_message(content_type: str, body: bytes) -> bytes | None:
    """The raw message in a multipart/form-data body: the first of the known fields, text or file."""
    form = BytesParser(policy=policy.compat32).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not form.is_multipart():
        return None
    fields = {}
    for part in form.get_payload():
        name = part.get_param("name", header="content-disposition")
        if name in MESSAGE_FIELDS and name not in fields:
            if part.is_multipart():  # declared message/rfc822: the parser opened it; give it back whole
                inner = part.get_payload()
                fields[name] = inner[0].as_bytes() if inner else b""
            else:
                fields[name] = part.get_payload(decode=True) or b""
    return next((fields[name] for name in MESSAGE_FIELDS if fields.get(name)), None)


def _message(request, body: bytes) -> bytes | None:
    content_type = request.META.get("CONTENT_TYPE", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        raw = _form_message(content_type, body)
    elif kind == "message/rfc822":
        raw = body
    else:
        return None
    if not raw or len(raw) > MESSAGE_MAX_BYTES:
        return None
    head = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    return raw if head.get("From") or head.get("Message-ID") else None  # not mail: a stray POST


@csrf_exempt
@require_POST
def inbound_mail(request, token: str):
    channels = _channels_for(token)
    if channels is None:
        return HttpResponseForbidden()
    try:
        body = _body(request)
    except _TooLarge:
        return HttpResponse(status=413)
    raw = _message(request, body)
    if raw is None:
        return HttpResponseBadRequest()
    organization = channels.organization
    try:
        receive(organization, raw, source="webhook")
    except (ValidationError, Conflict) as exc:  # the set-up (a category, a site) is missing: keep it coming
        Channels.objects.filter(pk=channels.pk).update(last_error=_error(exc))
        logger.warning("inbound mail for organisation %s not taken: %s", organization.pk, exc)
        return HttpResponse(status=503, headers={"Retry-After": "600"})
    if channels.last_error and not channels.imap_host:  # the webhook is this office's only way in: it works
        Channels.objects.filter(pk=channels.pk).update(last_error="")
    return HttpResponse("OK", content_type="text/plain")


def _error(exc: Exception) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return "; ".join(str(message) for message in messages)[:1000]
