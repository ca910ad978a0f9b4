"""The IMAP poller (inquiries/imap.py) against a mailbox in memory: ``FakeIMAP`` is a real ``imaplib.IMAP4``
whose socket is replaced by a small IMAP server, so imaplib's own commands and reply parsing run."""

from __future__ import annotations

import base64
import imaplib
import re

import pytest
from django.core.management import CommandError, call_command

from frontoffice.inquiries import imap
from frontoffice.inquiries.models import Channels, Inquiry
from tests.inquiries.mail_fixtures import mail_bytes, make_channels

PASSWORD = 'pa"ss \\word'


class Mailbox:
    """The server's side: messages by UID, their \\Seen flags, and the commands it was sent."""

    def __init__(self, *, user="questions@alpha.example", password=PASSWORD, folder="INBOX"):
        self.user, self.password, self.folder = user, password, folder
        self.messages: dict[int, bytes] = {}
        self.seen: set[int] = set()
        self.commands: list[str] = []
        self.fetched: list[str] = []  # what each UID FETCH asked for
        self.refuse: set[str] = set()  # commands to answer NO
        self.implicit_tls = False
        self.authenticating: str | None = None  # the tag of an AUTHENTICATE waiting for its data
        self.connections = 0

    def add(self, raw: bytes, *, seen: bool = False) -> int:
        uid = max(self.messages, default=100) + 1
        self.messages[uid] = raw
        if seen:
            self.seen.add(uid)
        return uid

    def unseen(self) -> list[int]:
        return sorted(set(self.messages) - self.seen)

    # --- the protocol ---

    def answer(self, line: str) -> bytes:
        if self.authenticating is not None:  # the client's answer to our "+" of AUTHENTICATE PLAIN
            tag, self.authenticating = self.authenticating, None
            _authzid, user, password = base64.b64decode(line).decode().split("\0")
            if (user, password) != (self.user, self.password):
                return f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n".encode()
            return f"{tag} OK AUTHENTICATE completed\r\n".encode()
        tag, _space, rest = line.partition(" ")
        words = rest.split(" ")
        command = words[0].upper()
        if command == "UID":
            command = "UID " + words[1].upper()
            words = words[1:]
        self.commands.append(command)
        if command in self.refuse:
            return f"{tag} NO [UNAVAILABLE] {command} refused\r\n".encode()
        if command == "AUTHENTICATE" and words[1:] == ["PLAIN"]:
            self.authenticating = tag
            return b"+ \r\n"
        handler = getattr(self, "_" + command.replace(" ", "_").lower(), None)
        if handler is None:
            return f"{tag} BAD unknown command\r\n".encode()
        return handler(words[1:]) + f"{tag} OK {command} completed\r\n".encode()

    def _capability(self, args):
        return b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n"

    def _starttls(self, args):
        return b""

    def _login(self, args):
        user, password = args[0], " ".join(args[1:])
        unquoted = re.sub(r'\\(.)', r"\1", password[1:-1]) if password.startswith('"') else password
        if user.strip('"') != self.user or unquoted != self.password:
            raise _No("[AUTHENTICATIONFAILED] Invalid credentials")
        return b""

    def _select(self, args):
        if " ".join(args) != f'"{self.folder}"':
            raise _No("[NONEXISTENT] No such mailbox")
        return f"* {len(self.messages)} EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n".encode()

    def _logout(self, args):
        return b"* BYE logging out\r\n"

    def _uid_search(self, args):
        assert args == ["UNSEEN"]
        return ("* SEARCH " + " ".join(str(uid) for uid in self.unseen())).rstrip().encode() + b"\r\n"

    def _uid_fetch(self, args):
        uids, what = [int(uid) for uid in args[0].split(",")], " ".join(args[1:])
        self.fetched.append(what)
        out = b""
        for number, uid in enumerate(uids, start=1):
            raw = self.messages[uid]
            if what == "(RFC822.SIZE)":
                out += f"* {number} FETCH (UID {uid} RFC822.SIZE {len(raw)})\r\n".encode()
                continue
            if what == "(BODY.PEEK[HEADER])":
                raw, item = raw[:raw.index(b"\n\n") + 2] if b"\n\n" in raw else raw, "BODY[HEADER]"
            else:
                assert what == "(BODY.PEEK[])"  # never a fetch that marks the message read by itself
                item = "BODY[]"
            out += f"* {number} FETCH (UID {uid} {item} {{{len(raw)}}}\r\n".encode() + raw + b")\r\n"
        return out

    def _uid_store(self, args):
        assert args[1:] == ["+FLAGS", "(\\Seen)"]
        self.seen.add(int(args[0]))
        return f"* 1 FETCH (UID {args[0]} FLAGS (\\Seen))\r\n".encode()


class _No(Exception):
    pass


class FakeIMAP(imaplib.IMAP4):
    """imaplib's client, talking to ``mailbox`` instead of a socket."""

    mailbox: Mailbox

    def open(self, host="", port=imaplib.IMAP4_PORT, timeout=None):
        self.host, self.port, self.timeout = host, port, timeout
        self.mailbox.connections += 1
        self._to_client = bytearray(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
        self._from_client = b""

    def send(self, data):
        self._from_client += data
        while b"\r\n" in self._from_client:
            line, self._from_client = self._from_client.split(b"\r\n", 1)
            tag = line.split(b" ", 1)[0].decode()
            try:
                self._to_client += self.mailbox.answer(line.decode())
            except _No as refusal:
                self._to_client += f"{tag} NO {refusal}\r\n".encode()

    def read(self, size):
        data = bytes(self._to_client[:size])
        del self._to_client[:size]
        return data

    def readline(self):
        end = self._to_client.find(b"\n") + 1 or len(self._to_client)
        return self.read(end)

    def shutdown(self):
        pass

    def starttls(self, ssl_context=None):
        assert ssl_context is not None and ssl_context.verify_mode.name == "CERT_REQUIRED"
        typ, data = self._simple_command("STARTTLS")
        self._get_capabilities()
        return typ, data


class FakeIMAP4SSL(FakeIMAP):
    def __init__(self, host="", port=imaplib.IMAP4_SSL_PORT, *, ssl_context=None, timeout=None):
        assert ssl_context is not None and ssl_context.check_hostname
        self.mailbox.implicit_tls = True
        super().__init__(host, port, timeout)


@pytest.fixture
def mailbox(monkeypatch):
    box = Mailbox()
    monkeypatch.setattr(FakeIMAP, "mailbox", box, raising=False)
    monkeypatch.setattr(imaplib, "IMAP4", FakeIMAP)
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeIMAP4SSL)
    return box


@pytest.fixture
def channels(org):
    return make_channels(org, imap_host="imap.alpha.example", imap_port=993, imap_ssl=True,
                         imap_user="questions@alpha.example", imap_password=PASSWORD)


def _message(n: int, **fields) -> bytes:
    return mail_bytes(subject=f"Question {n}", message_id=f"<q{n}@mail.example.com>", body=f"Text {n}",
                      **fields)


# --- taking messages -----------------------------------------------------------------------------------

def test_unread_messages_become_inquiries_and_are_marked_read(org, channels, mailbox):
    mailbox.add(_message(0), seen=True)
    mailbox.add(_message(1))
    mailbox.add(_message(2))
    assert imap.poll(org) == 2
    assert sorted(Inquiry.objects.values_list("subject", flat=True)) == ["Question 1", "Question 2"]
    assert mailbox.unseen() == []
    assert mailbox.implicit_tls
    assert mailbox.commands[:4] == ["CAPABILITY", "LOGIN", "SELECT", "UID SEARCH"]
    assert mailbox.commands[-1] == "LOGOUT"
    channels.refresh_from_db()
    assert channels.last_polled_at is not None and channels.last_error == ""


def test_without_implicit_tls_starttls_comes_before_the_password(org, channels, mailbox):
    Channels.objects.filter(pk=channels.pk).update(imap_ssl=False, imap_port=143)
    mailbox.add(_message(1))
    assert imap.poll(org) == 1
    assert not mailbox.implicit_tls
    assert mailbox.commands.index("STARTTLS") < mailbox.commands.index("LOGIN")


def test_a_password_that_is_not_ascii_signs_in_with_authenticate_plain(org, channels, mailbox):
    mailbox.password = "zażółć-gęślą"
    Channels.objects.filter(pk=channels.pk).update(imap_password="zażółć-gęślą")
    mailbox.add(_message(1))
    assert imap.poll(org) == 1
    assert "AUTHENTICATE" in mailbox.commands and "LOGIN" not in mailbox.commands

    Channels.objects.filter(pk=channels.pk).update(imap_password="zażółć-źle")
    assert imap.poll(org) == 0
    channels.refresh_from_db()
    assert channels.last_error == "The mailbox refused: [AUTHENTICATIONFAILED] Invalid credentials"


def test_a_folder_name_is_quoted_in_modified_utf_7(org, channels, mailbox):
    assert imap.mailbox_name("Zapytania klientów") == '"Zapytania klient&APM-w"'
    assert imap.mailbox_name('R&D "new"') == '"R&-D \\"new\\""'
    assert imap.mailbox_name("") == '"INBOX"'
    Channels.objects.filter(pk=channels.pk).update(imap_folder="Zapytania klientów")
    mailbox.folder = "Zapytania klient&APM-w"
    mailbox.add(_message(1))
    assert imap.poll(org) == 1


def test_at_most_the_limit_is_taken_in_one_round(org, channels, mailbox):
    for n in range(3):
        mailbox.add(_message(n))
    assert imap.poll(org, limit=2) == 2
    assert len(mailbox.unseen()) == 1
    assert imap.poll(org, limit=2) == 1
    assert Inquiry.objects.count() == 3


def test_a_reply_in_the_mailbox_threads_back(org, channels, mailbox):
    mailbox.add(_message(1))
    imap.poll(org)
    inquiry = Inquiry.objects.get()
    reply = mail_bytes(subject=f"Re: Question 1 [#Q-{inquiry.reference}]", message_id="<r@x>", body="More")
    mailbox.add(reply)
    imap.poll(org)
    assert Inquiry.objects.count() == 1 and inquiry.messages.count() == 2


def test_a_message_over_30_mb_is_noted_with_its_headers_only(org, channels, mailbox, monkeypatch):
    monkeypatch.setattr(imap, "MESSAGE_MAX_BYTES", 2000)
    mailbox.add(_message(1, attachments=[("scan.pdf", b"%PDF" + b"0" * 5000, "application/pdf")]))
    assert imap.poll(org) == 1
    assert mailbox.fetched == ["(RFC822.SIZE)", "(BODY.PEEK[HEADER])"] and mailbox.unseen() == []
    inquiry = Inquiry.objects.get()
    assert inquiry.subject == "Question 1" and inquiry.client.emails.get().email == "anna@example.com"
    assert inquiry.question.startswith("This e-mail was too large to take")
    assert not inquiry.attachments.exists()


# --- trouble ------------------------------------------------------------------------------------------

def test_a_wrong_password_is_kept_as_the_error_and_nothing_is_read(org, channels, mailbox):
    Channels.objects.filter(pk=channels.pk).update(imap_password="wrong")
    mailbox.add(_message(1))
    assert imap.poll(org) == 0
    channels.refresh_from_db()
    assert channels.last_error == "The mailbox refused: [AUTHENTICATIONFAILED] Invalid credentials"
    assert "wrong" not in channels.last_error
    assert mailbox.unseen() and not Inquiry.objects.exists()


def test_an_unreachable_server_is_kept_as_the_error(org, channels, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(imaplib, "IMAP4_SSL", refuse)
    assert imap.poll(org) == 0
    channels.refresh_from_db()
    assert channels.last_error == "Cannot reach the mailbox: [Errno 111] Connection refused"
    assert channels.last_polled_at is not None


def test_a_message_that_cannot_be_taken_stays_unread_and_the_others_are_taken(
        org, channels, mailbox, monkeypatch):
    bad = mailbox.add(_message(1))
    mailbox.add(_message(2))
    real = imap.receive

    def receive(organization, raw, *, source):
        if b"Question 1" in raw:
            raise RuntimeError("disk full")
        return real(organization, raw, source=source)

    monkeypatch.setattr(imap, "receive", receive)
    assert imap.poll(org) == 1
    assert mailbox.unseen() == [bad]
    channels.refresh_from_db()
    assert channels.last_error == "A message could not be taken: disk full"

    monkeypatch.setattr(imap, "receive", real)
    assert imap.poll(org) == 1
    assert Inquiry.objects.count() == 2
    channels.refresh_from_db()
    assert channels.last_error == ""


def test_a_message_taken_but_not_marked_read_is_not_taken_twice(org, channels, mailbox):
    mailbox.add(_message(1))
    mailbox.refuse = {"UID STORE"}
    assert imap.poll(org) == 0
    assert Inquiry.objects.count() == 1 and mailbox.unseen()
    mailbox.refuse = set()
    assert imap.poll(org) == 1
    assert Inquiry.objects.count() == 1 and not mailbox.unseen()


def test_a_missing_folder_is_kept_as_the_error(org, channels, mailbox):
    Channels.objects.filter(pk=channels.pk).update(imap_folder="Nope")
    assert imap.poll(org) == 0
    channels.refresh_from_db()
    assert channels.last_error == "The mailbox refused: [NONEXISTENT] No such mailbox"


def test_an_organisation_without_a_mailbox_is_not_polled(org, mailbox):
    make_channels(org)
    assert imap.poll(org) == 0
    assert mailbox.connections == 0


# --- the periodic job and the command ---------------------------------------------------------------------

def test_poll_all_reads_every_configured_mailbox_and_reports_a_failure_after_the_others(
        org, other_org, channels, mailbox, monkeypatch):
    make_channels(other_org, address="desk@beta.example", imap_host="imap.beta.example",
                  imap_user="questions@alpha.example", imap_password=PASSWORD)
    mailbox.add(_message(1))
    assert imap.poll_all() == 1  # the first organisation took it; the second found it read
    assert mailbox.connections == 2

    real = imap.poll

    def poll(organization, **kwargs):
        if organization == org:
            raise RuntimeError("bug")
        return real(organization, **kwargs)

    monkeypatch.setattr(imap, "poll", poll)
    mailbox.add(_message(2))
    with pytest.raises(RuntimeError, match=f"organisations \\[{org.pk}\\]"):
        imap.poll_all()
    assert Inquiry.objects.filter(organization=other_org).count() == 1


def test_the_command_polls_and_reports(org, channels, mailbox, capsys):
    mailbox.add(_message(1))
    call_command("inquiries_poll")
    assert "alpha: 1 message(s) taken" in capsys.readouterr().out
    call_command("inquiries_poll", "--org", "alpha")
    with pytest.raises(CommandError, match="no organisation"):
        call_command("inquiries_poll", "--org", "nobody")
    Channels.objects.filter(pk=channels.pk).update(imap_password="wrong")
    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("inquiries_poll")
    assert "Invalid credentials" in capsys.readouterr().err


def test_the_command_says_when_an_organisation_has_no_mailbox(org):
    make_channels(org)
    with pytest.raises(CommandError, match="no mailbox"):
        call_command("inquiries_poll", "--org", "alpha")
