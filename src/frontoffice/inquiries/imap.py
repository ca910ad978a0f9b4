"""Reading an organisation's inquiry mailbox over IMAP (``imaplib``): every unread message becomes an
inquiry or a reply (``mail.receive``) and is then marked read.

Always encrypted: implicit TLS (``IMAP4_SSL``, port 993) or, with TLS off in the settings, STARTTLS before the
password is sent; certificates are verified. Messages are fetched with ``BODY.PEEK[]`` so a message that
could not be taken stays unread for the next round (the same Message-ID twice adds nothing, so a message
taken but not marked read is not taken twice). One over 30 MB is not downloaded: its headers are, with a
note in place of its body. What went wrong is kept on ``Channels.last_error`` for the settings page.

``poll_all`` is the periodic job (every 2 minutes); ``manage.py inquiries_poll`` runs it by hand.
"""

from __future__ import annotations

import base64
import imaplib
import logging
import re
import ssl
from email import policy
from email.parser import BytesParser

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.core.models import Organization
from frontoffice.inquiries.mail import receive
from frontoffice.inquiries.mailparse import MESSAGE_MAX_BYTES
from frontoffice.inquiries.models import Channels

logger = logging.getLogger(__name__)

POLL_LIMIT = 100  # messages per round: a full mailbox is worked through over a few rounds
TIMEOUT = 30  # seconds for the connection and each reply
ERROR_MAX = 2000
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
IMAP_ERRORS = (imaplib.IMAP4.error, OSError)  # ssl.SSLError and socket timeouts are OSErrors


class MailboxError(Exception):
    pass


def connect(channels: Channels) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if channels.imap_ssl:
        return imaplib.IMAP4_SSL(channels.imap_host, channels.imap_port, ssl_context=context, timeout=TIMEOUT)
    connection = imaplib.IMAP4(channels.imap_host, channels.imap_port, timeout=TIMEOUT)
    try:
        connection.starttls(ssl_context=context)
    except BaseException:
        connection.shutdown()
        raise
    return connection


def mailbox_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 §5.1.3), quoted."""
    out, pending = [], []

    def flush():
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            pending.clear()

    for char in name or "INBOX":
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return '"' + "".join(out).replace("\\", "\\\\").replace('"', '\\"') + '"'


def login(connection: imaplib.IMAP4, user: str, password: str) -> None:
    """LOGIN; AUTHENTICATE PLAIN (RFC 4616, UTF-8) when the name or password is not ASCII, which LOGIN
    cannot carry."""
    if (user + password).isascii():
        _ok(connection.login(user, password))
    else:
        credentials = f"\0{user}\0{password}".encode()
        _ok(connection.authenticate("PLAIN", lambda _challenge: credentials))


def _ok(answer: tuple) -> list:
    status, data = answer
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode(errors="replace")
        raise MailboxError(detail or status)
    return data


def _unseen(connection: imaplib.IMAP4) -> list[bytes]:
    data = _ok(connection.uid("SEARCH", None, "UNSEEN"))
    return b" ".join(item for item in data if item).split()


def _sizes(connection: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, int]:
    sizes = {}
    for item in _ok(connection.uid("FETCH", b",".join(uids), "(RFC822.SIZE)")):
        line = item[0] if isinstance(item, tuple) else item
        uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
        if uid and size:
            sizes[uid.group(1)] = int(size.group(1))
    return sizes


def _literal(connection: imaplib.IMAP4, uid: bytes, what: str) -> bytes:
    for item in _ok(connection.uid("FETCH", uid, f"({what})")):
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    raise MailboxError(f"message {uid.decode()}: no content")


def _too_large(organization: Organization, header: bytes, size: int):
    """The message's own headers (so it threads and its sender is known) with a note for its body."""
    message = BytesParser(policy=policy.compat32).parsebytes(header, headersonly=True)
    for name in ("Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version"):
        del message[name]
    with translation.override(organization.language):
        note = _("This e-mail was too large to take (%(size)s MB; at most %(max)s MB), so its text and files "
                 "are not here. Ask the sender to send it again in smaller parts.") % {
            "size": round(size / 1024 / 1024, 1), "max": MESSAGE_MAX_BYTES // 1024 // 1024}
    message["MIME-Version"] = "1.0"
    message.set_payload(note, charset="utf-8")
    return message


def _take(connection: imaplib.IMAP4, organization: Organization, uid: bytes, size: int | None) -> None:
    if size is not None and size > MESSAGE_MAX_BYTES:
        raw = _too_large(organization, _literal(connection, uid, "BODY.PEEK[HEADER]"), size)
    else:
        raw = _literal(connection, uid, "BODY.PEEK[]")
    receive(organization, raw, source="imap")
    _ok(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"))


def poll(organization: Organization, *, limit: int = POLL_LIMIT) -> int:
    """Take the unread messages of the organisation's mailbox (up to ``limit``); how many were taken.
    Never raises for the mailbox's or a message's trouble: that is kept on ``Channels.last_error``."""
    channels = Channels.objects.filter(organization=organization).first()
    if channels is None or not channels.imap_host:
        return 0
    with translation.override(organization.language):  # the errors are read on its settings page
        return _poll(channels, organization, limit)


def _poll(channels: Channels, organization: Organization, limit: int) -> int:
    taken, errors = 0, []
    try:
        connection = connect(channels)
    except IMAP_ERRORS as exc:
        _finish(channels, [_("Cannot reach the mailbox: %(error)s") % {"error": _describe(exc)}])
        return 0
    try:
        login(connection, channels.imap_user, channels.imap_password)
        _ok(connection.select(mailbox_name(channels.imap_folder)))
        uids = _unseen(connection)[:limit]
        sizes = _sizes(connection, uids) if uids else {}
        for uid in uids:
            try:
                _take(connection, organization, uid, sizes.get(uid))
                taken += 1
            except (*IMAP_ERRORS, MailboxError):
                raise
            except Exception as exc:  # this message only: it stays unread, the others are taken
                logger.exception("inquiry mailbox of organisation %s: message %s not taken",
                                 organization.pk, uid)
                errors.append(_("A message could not be taken: %(error)s") % {"error": _describe(exc)})
    except (*IMAP_ERRORS, MailboxError) as exc:
        errors.append(_("The mailbox refused: %(error)s") % {"error": _describe(exc)})
    finally:
        try:
            connection.logout()
        except Exception:  # already gone: nothing more to say to it
            pass
    _finish(channels, errors)
    return taken


def _describe(exc: Exception) -> str:
    """The error's words: imaplib's come as bytes from the server."""
    parts = getattr(exc, "messages", None) or ([str(exc)] if isinstance(exc, OSError) else exc.args)
    words = " ".join(p.decode(errors="replace") if isinstance(p, bytes) else str(p) for p in parts)
    return words or exc.__class__.__name__


def _finish(channels: Channels, errors: list[str]) -> None:
    Channels.objects.filter(pk=channels.pk).update(last_polled_at=timezone.now(),
                                                   last_error="\n".join(errors)[:ERROR_MAX])


def poll_all() -> int:
    """Every 2 minutes: every organisation with a mailbox set up."""
    total, failed = 0, []
    ids = list(Channels.objects.exclude(imap_host="").values_list("organization_id", flat=True))
    for organization in Organization.objects.filter(pk__in=ids).order_by("pk"):
        try:
            total += poll(organization)
        except Exception:  # a fault of ours with one organisation must not stop the others
            logger.exception("inquiry mailbox polling failed for organisation %s", organization.pk)
            failed.append(organization.pk)
    if failed:
        raise RuntimeError(f"inquiry mailbox polling failed for organisations {failed}")
    return total
