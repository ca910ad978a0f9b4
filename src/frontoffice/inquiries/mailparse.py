"""Reading an inbound e-mail safely: the standard library's parser (policy ``default``), the text part
preferred and HTML reduced to plain text (never kept as HTML), control and direction characters removed,
attachments kept within limits and dangerous ones refused (by name, declared type and first bytes).

Nothing here touches the database: ``parse`` turns bytes into a ``Parsed``; ``mail.receive`` decides what
it becomes.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from frontoffice.inquiries.models import InquiryMessage
from frontoffice.inquiries.services.inquiries import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENTS_MAX_BYTES,
    DANGEROUS_EXTENSIONS,
    QUESTION_MAX,
    NewAttachment,
)

MESSAGE_MAX_BYTES = 30 * 1024 * 1024  # a whole message, as the webhook and the poller take it
HTML_MAX_CHARS = 2_000_000  # more HTML than this is cut before it is reduced to text
NOTES_ROOM = 4000  # what the desk's notes about a message (refused files, addresses) may take of a question
TEXT_MAX = QUESTION_MAX - NOTES_ROOM
REFUSALS_LISTED = 10  # refused files named one by one; past that, counted
MESSAGE_ID_MAX = InquiryMessage._meta.get_field("email_message_id").max_length
REFERENCE = re.compile(r"\[#Q-([0-9A-Za-z]{4,12})\]")
_MESSAGE_IDS = re.compile(r"<[^<>\s]{1,250}>")
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|odp|pd|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# C0 controls but tab and newline, DEL, and the bidirectional overrides that make "exe.pdf" read "fdp.exe".
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Beyond the extensions every channel refuses (services.inquiries): more that run code when opened.
REFUSED_EXTENSIONS = DANGEROUS_EXTENSIONS | frozenset({
    "msc", "wsc", "ps1xml", "psc1", "psd1", "bash", "csh", "ksh", "command", "run", "bin", "elf", "deb",
    "rpm", "dmg", "pkg", "appx", "msix", "appref-ms", "application", "gadget", "inf", "scf", "url", "website",
    "settingcontent-ms", "library-ms", "chm", "mht", "mhtml", "shtml", "xht", "svgz", "swf", "xsl", "xslt",
    "img", "vhd", "vhdx", "xlsb", "xla", "pot", "pps", "ppa", "sldx", "xll", "wbk",
})
REFUSED_TYPES = frozenset({
    "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
    "application/x-executable", "application/vnd.microsoft.portable-executable", "application/x-msi",
    "application/x-ms-installer", "application/x-sh", "application/x-shellscript", "application/x-csh",
    "application/x-bat", "application/javascript", "application/x-javascript", "text/javascript",
    "text/vbscript", "application/hta", "text/html", "application/xhtml+xml", "image/svg+xml",
    "application/java-archive", "application/x-java-archive",
})
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                  b"\xcf\xfa\xed\xfe")
_PAGE_MAGIC = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<head", b"<body", b"<iframe")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VBA_STREAM = "_VBA_PROJECT".encode("utf-16-le")
_OOXML = frozenset({"docx", "xlsx", "pptx", "dotx", "xltx", "potx"})

DANGEROUS, TOO_LARGE, OVER_TOTAL = "dangerous", "too_large", "over_total"


# --- parsing --------------------------------------------------------------------------------------

@dataclass
class Parsed:
    """What receive needs of one e-mail, already cleaned."""

    message_id: str
    sender: str  # the From address, lower-case; "" when there is no usable one
    sender_name: str
    reply_to: str  # the Reply-To address, "" when none
    subject: str
    text: str
    references: list[str]  # In-Reply-To first, then References newest first
    automatic: bool  # an out-of-office reply, a bounce: not a person writing
    attachments: list[NewAttachment] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (filename, DANGEROUS/TOO_LARGE/OVER_TOTAL)
    cut: bool = False  # the text was longer than a question may be: the whole of it is attached


def parse(raw: bytes | Message) -> Parsed:
    """Read one RFC 822 message (bytes, or a parsed ``email.message.Message``)."""
    if isinstance(raw, (bytes, bytearray)):
        data = bytes(raw)
        message = BytesParser(policy=policy.default).parsebytes(data)
    elif isinstance(raw, EmailMessage):
        message, data = raw, None
    else:  # a compat32 Message: the default policy's API (get_body, header objects) needs a re-parse
        data = raw.as_bytes()
        message = BytesParser(policy=policy.default).parsebytes(data)
    sender_name, sender = _address(message, "From")
    _name, reply_to = _address(message, "Reply-To")
    body = _body_part(message)
    text = _part_text(body) if body is not None else ""
    attachments, refused, extra = _attachments(message, body)
    text = clean_text("\n\n".join(filter(None, [text, *extra])))
    parsed = Parsed(
        message_id=_message_id(message, data), sender=sender, sender_name=sender_name,
        reply_to=reply_to, subject=clean_line(_header(message, "Subject")), text=text,
        references=_references(message), automatic=_is_automatic(message, sender))
    _keep(parsed, attachments, refused)
    return parsed


def _header(message: Message, name: str) -> str:
    try:
        value = message[name]
    except Exception:  # a header the parser cannot model: its raw text will do
        value = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    return str(value) if value is not None else ""


def clean_line(value: str) -> str:
    return " ".join(_CONTROL.sub("", value or "").split())


def valid_address(address: str) -> str:
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _address(message: Message, name: str) -> tuple[str, str]:
    """(display name, address) of the first mailbox in the header; ("", "") when there is none."""
    try:
        addresses = message[name].addresses if message[name] is not None else ()
        first = addresses[0] if addresses else None
        display, address = (first.display_name, first.addr_spec) if isinstance(first, Address) else ("", "")
    except Exception:
        display, address = parseaddr(_header(message, name))
    return clean_line(display)[:200], valid_address(address)


def _message_id(message: Message, data: bytes | None) -> str:
    found = _MESSAGE_IDS.findall(_header(message, "Message-ID"))
    if found and len(found[0]) <= MESSAGE_ID_MAX:
        return found[0]
    # None (or a broken one): a stand-in from the content, so the same message received twice is known.
    digest = hashlib.sha256(data if data is not None else message.as_bytes()).hexdigest()[:40]
    return f"<{digest}@frontoffice.invalid>"


def _references(message: Message) -> list[str]:
    ids = _MESSAGE_IDS.findall(_header(message, "In-Reply-To"))
    ids += reversed(_MESSAGE_IDS.findall(_header(message, "References")))
    return list(dict.fromkeys(ids))[:50]


def _is_automatic(message: Message, sender: str) -> bool:
    """RFC 3834 auto-replies, the common vacation markers and delivery reports."""
    auto = _header(message, "Auto-Submitted").strip().lower()
    return bool(
        (auto and not auto.startswith("no"))
        or _header(message, "X-Autoreply") or _header(message, "X-Autorespond")
        or message.get_content_type() == "multipart/report"
        or sender.split("@")[0] == "mailer-daemon")


def _body_part(message: Message) -> Message | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except Exception:
        return None


def _bytes(part: Message) -> bytes:
    try:
        return part.get_payload(decode=True) or b""
    except Exception:
        return b""


def _part_text(part: Message) -> str:
    """A text part as plain text: decoded by its charset (or as UTF-8), HTML reduced to text."""
    try:
        text = part.get_content()
    except Exception:  # an unknown or lying charset
        text = _bytes(part).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text


def clean_text(text: str) -> str:
    """Plain text fit to store and show: one kind of newline, no control characters, no blank-line runs."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- HTML to text -----------------------------------------------------------------------------------

class _HtmlText(HTMLParser):
    """Only the text a reader would see: no scripts, styles or head; block elements become line breaks;
    a link keeps its address beside its words. Entities are decoded; what comes out is text, not markup."""

    SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math", "iframe",
                         "object", "embed", "select", "textarea", "xml"})
    BLOCKS = frozenset({"address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
                        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                        "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
                        "thead", "tfoot", "tr", "ul"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []
        self.pre = 0
        self.link: tuple[str, int] | None = None  # (href, where its words start in out)

    def handle_starttag(self, tag, attrs):
        if tag == "body":  # a head never closed must not swallow the body
            self.skipping.clear()
        if tag in self.SKIPPED:
            self.skipping.append(tag)
        if self.skipping:
            return
        if tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "pre":
            self.pre += 1
        if tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href.lower().startswith(("http://", "https://", "mailto:")):
                self.link = (href, len(self.out))

    def handle_startendtag(self, tag, attrs):
        if tag in self.SKIPPED:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            if tag in self.skipping:
                del self.skipping[self.skipping.index(tag):]
            return
        if self.skipping:
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "a" and self.link is not None:
            href, start = self.link
            words = "".join(self.out[start:]).strip()
            shown = href[7:] if href.lower().startswith("mailto:") else href
            if words and shown not in words:
                self.out.append(f" ({shown})")
            self.link = None
        if tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if self.skipping:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if self._line_start():
                data = data.lstrip(" ")
        if data:
            self.out.append(data)

    def _line_start(self) -> bool:
        last = next((piece for piece in reversed(self.out) if piece), "\n")
        return last.endswith("\n")

    def text(self) -> str:
        lines = (line.rstrip() for line in "".join(self.out).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def html_to_text(html: str) -> str:
    """The readable text of an HTML e-mail body, as plain text."""
    reader = _HtmlText()
    try:
        reader.feed(html[:HTML_MAX_CHARS])
        reader.close()
    except Exception:  # HTMLParser copes with nearly anything; if not, the words without the tags
        return re.sub(r"<[^>]*>", " ", html[:HTML_MAX_CHARS])
    return reader.text()


# --- attachments ------------------------------------------------------------------------------------

def _leaves(message: Message):
    """(part, whether it is one of alternatives) of every part that is not a container, in order; an
    attached message is one part (kept whole as .eml), not opened."""
    stack = [(message, False)]
    while stack:
        part, alternative = stack.pop(0)
        content_type = part.get_content_type()
        if part.is_multipart() and not content_type.startswith("message/"):
            inner = alternative or content_type == "multipart/alternative"
            stack[0:0] = [(child, inner) for child in part.get_payload()]
        else:
            yield part, alternative


def _attachments(message: Message, body: Message | None) -> tuple[list[NewAttachment], list[tuple[str, str]],
                                                                   list[str]]:
    """(files, refused, more text): more text is an inline text part beside the body (some mailers split
    a message around an inline picture)."""
    files: list[NewAttachment] = []
    refused: list[tuple[str, str]] = []
    texts: list[str] = []
    for number, (part, alternative) in enumerate(_leaves(message), start=1):
        if part is body:
            continue
        content_type = part.get_content_type()
        named = bool(_raw_filename(part)) or part.get_content_disposition() == "attachment"
        if content_type in ("text/plain", "text/html") and not named:
            if not alternative and part is not message:  # an alternative says the body again
                texts.append(_part_text(part))
            continue
        if content_type.startswith("message/"):
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else _bytes(part)
        else:
            data = _bytes(part)
        if not data or content_type in ("message/delivery-status", "application/pgp-signature"):
            continue
        filename = safe_filename(_raw_filename(part), content_type, number)
        reason = refusal(filename, content_type, data)
        if reason:
            refused.append((filename, reason))
        else:
            files.append(NewAttachment(filename, _stored_type(filename), data))
    return files, refused, texts


def _raw_filename(part: Message) -> str:
    try:
        return part.get_filename() or ""
    except Exception:
        return ""


def safe_filename(name: str, content_type: str, number: int) -> str:
    """A name that is only a name: no folders, no control or direction characters, at most 150 characters
    with its extension kept."""
    name = _CONTROL.sub("", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split()).strip(" .")
    if not name:
        extension = ".eml" if content_type.startswith("message/") else (
            mimetypes.guess_extension(content_type) or ".bin")
        name = f"attachment-{number}{extension}"
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:140] + dot + extension[:9]) if dot and len(extension) <= 9 else name[:150]
    return name


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def refusal(filename: str, content_type: str, data: bytes) -> str | None:
    """DANGEROUS when the file runs code or renders as a page (by its name, its declared type or its first
    bytes), TOO_LARGE over 10 MB; None when it may be kept."""
    if (_extension(filename) in REFUSED_EXTENSIONS or content_type in REFUSED_TYPES
            or "macroenabled" in content_type or _looks_dangerous(filename, data)):
        return DANGEROUS
    if len(data) > ATTACHMENT_MAX_BYTES:
        return TOO_LARGE
    return None


def _looks_dangerous(filename: str, data: bytes) -> bool:
    head = data[:1024]
    if head.startswith(_PROGRAM_MAGIC):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(_PAGE_MAGIC) or (text.startswith(b"<?xml") and b"<svg" in text):
        return True
    if head.startswith(_OLE_MAGIC):  # an old Office file: its macros live in a _VBA_PROJECT stream
        return _VBA_STREAM in data
    if head.startswith(b"PK\x03\x04") and _extension(filename) in _OOXML:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:  # reads the directory only
                return any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    return False


def _stored_type(filename: str) -> str:
    # From the name, not the sender's claim: what the desk is served matches what the file says it is.
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _keep(parsed: Parsed, files: list[NewAttachment], refused: list[tuple[str, str]]) -> None:
    """Keep what fits in 25 MB in order; the text past what a question may hold goes whole in a file."""
    if len(parsed.text) > TEXT_MAX:
        files = [NewAttachment("message.txt", "text/plain", parsed.text.encode("utf-8")), *files]
        parsed.text, parsed.cut = parsed.text[:TEXT_MAX].rstrip() + "…", True
    total = 0
    for item in files:
        if total + len(item.content) > ATTACHMENTS_MAX_BYTES:
            refused.append((item.filename, OVER_TOTAL))
            continue
        total += len(item.content)
        parsed.attachments.append(item)
    parsed.refused = refused


def base_subject(subject: str) -> str:
    """The subject without reply prefixes or references: what a new inquiry's subject is, and what
    "Re: … [#Q-REF]" is built around."""
    return clean_line(_REPLY_PREFIX.sub("", REFERENCE.sub(" ", subject or "")))
