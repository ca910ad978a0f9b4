"""An inquiry's life: opened (from any channel, always with a client), answered, forwarded, waiting for the
client, closed, reopened; internal notes; the client's reply threading back.

Every function validates, changes the inquiry, records the activity (with the client's id: inquiries are on
the client's timeline; no label, since a subject may be personal) and schedules its e-mail once the write has
committed (``core.tasks.enqueue``):

- the answer to the client (``inquiries.mail.send_answer``) when the inquiry has an address to answer to;
- the acknowledgement of a question from the web form (``tasks.send_acknowledgement``, with the reference);
- "an inquiry for you" to a member given an inquiry by someone else (``tasks.notify_assigned``).

The thread (``InquiryMessage``): what the client wrote (e-mail, web form, letter: the question itself is the
first inbound message, carrying its Message-ID and attachments; a phone or walk-in question is the
inquiry's ``question`` only), every answer, and internal notes (a forward's or a reopening's reason too).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client, ClientEmail
from frontoffice.core.errors import Conflict
from frontoffice.core.hours import add_business_hours, site_hours
from frontoffice.core.models import Department, Member, Organization, Site
from frontoffice.core.services import activity_record
from frontoffice.core.tasks import enqueue
from frontoffice.inquiries.models import Article, ArticleUse, Category, Inquiry, InquiryMessage
from frontoffice.inquiries.services.intake import (  # noqa: F401  (mail.py imports some from here too)
    ATTACHMENT_MAX_BYTES,
    ATTACHMENTS_MAX_BYTES,
    DANGEROUS_EXTENSIONS,
    NewAttachment,
    clean_attachments,
    client_for,
    live_client,
    matching_client,
    require_own,
    store_attachments,
)

SEND_ANSWER_TASK = "frontoffice.inquiries.mail.send_answer"
ACKNOWLEDGE_TASK = "frontoffice.inquiries.tasks.send_acknowledgement"
ASSIGNED_TASK = "frontoffice.inquiries.tasks.notify_assigned"

QUESTION_MAX = 20_000
TEXT_MAX = 20_000
SUBJECT_MAX = Inquiry._meta.get_field("subject").max_length
SUBJECT_FROM_QUESTION = 80
FIRST_CONTACT = timedelta(minutes=30)
FIRST_CONTACT_CHANNELS = (Inquiry.Channel.PHONE, Inquiry.Channel.WALK_IN)
# Channels where the client wrote the question themselves: it opens the thread as their first message.
WRITTEN_CHANNELS = (Inquiry.Channel.EMAIL, Inquiry.Channel.WEB, Inquiry.Channel.LETTER)
EMAIL_CHANNELS = (Inquiry.Channel.EMAIL, Inquiry.Channel.WEB)


# --- helpers -----------------------------------------------------------------------------------

def _record(inquiry: Inquiry, verb: str, actor: Member | None, data: dict | None = None, *,
            actor_kind: str | None = None) -> None:
    activity_record(organization=inquiry.organization, site=inquiry.site, actor=actor, verb=verb, subject=inquiry,
                    client_id=inquiry.client_id, label="", data=data or {}, actor_kind=actor_kind)


def lock(inquiry: Inquiry) -> Inquiry:
    """Lock the inquiry's row for this transaction and bring the caller's instance up to date from it."""
    fresh = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    for field in Inquiry._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        if getattr(inquiry, field.attname) != value:
            setattr(inquiry, field.attname, value)
    return inquiry


def _acting(actor: Member, inquiry: Inquiry) -> None:
    if actor.organization_id != inquiry.organization_id:
        raise ValueError("the actor belongs to another organisation")


def _require_open(inquiry: Inquiry) -> None:
    if inquiry.status == Inquiry.Status.CLOSED:
        raise Conflict(_("This inquiry is closed; reopen it first."))


def _text(value: str, field: str, empty: str, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: empty})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": limit}})
    return text


def _note(inquiry: Inquiry, actor: Member | None, text: str) -> InquiryMessage | None:
    text = (text or "").strip()[:TEXT_MAX]
    if not text:
        return None
    return InquiryMessage.objects.create(organization_id=inquiry.organization_id, inquiry=inquiry,
                                         kind=InquiryMessage.Kind.NOTE, author=actor, body=text)


def subject_from(question: str) -> str:
    """The question's first non-empty line, cut to 80 characters."""
    line = next((line.strip() for line in question.splitlines() if line.strip()), "")
    return line if len(line) <= SUBJECT_FROM_QUESTION else line[:SUBJECT_FROM_QUESTION - 1].rstrip() + "…"


def due_times(site: Site, category: Category, start: datetime) -> tuple[datetime | None, datetime | None]:
    """(first answer due, resolution due): the category's targets counted in the site's business hours."""
    hours = site_hours(site, since=start.astimezone(site.tz).date() - timedelta(days=1))
    return (add_business_hours(hours, start, Decimal(category.first_answer_hours)),
            add_business_hours(hours, start, Decimal(category.resolution_hours)))


def _check_assignee(organization: Organization, member: Member | None) -> None:
    if member is None:
        return
    require_own(organization, "assigned_to", member)
    if not member.active:
        raise ValidationError({"assigned_to": _("This person no longer works here.")})
    if not member.can("inquiries.answer"):
        raise ValidationError({"assigned_to": _("This person does not answer inquiries.")})


def _check_category(organization: Organization, category: Category | None) -> None:
    if category is None:
        raise ValidationError({"category": _("Choose what the question is about.")})
    require_own(organization, "category", category)
    if not category.active:
        raise ValidationError({"category": _("This category is no longer used; choose another.")})


# --- opening ----------------------------------------------------------------------------------

def _site(organization: Organization, actor: Member | None, site: Site | None, category: Category) -> Site:
    if site is not None:
        require_own(organization, "site", site)
        return site
    chosen = None
    if actor is not None:
        chosen = actor.sites.filter(active=True).order_by("pk").first()
    if chosen is None and category.department_id and category.department.site_id:
        chosen = category.department.site
    chosen = chosen or organization.sites.filter(active=True).order_by("pk").first()
    if chosen is None:
        raise ValidationError({"site": _("Set up a site first.")})
    return chosen


def _contact_email(value: str) -> str:
    address = (value or "").strip().lower()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"contact_email": _("Enter a valid e-mail address.")}) from None
    return address


def _organization(actor: Member | None, organization: Organization | None) -> Organization:
    if actor is not None:
        if organization is not None and organization.pk != actor.organization_id:
            raise ValueError("the actor belongs to another organisation")
        return actor.organization
    if organization is None:
        raise ValueError("inquiry_open needs an actor or an organisation")
    return organization


def _client(organization: Organization, actor: Member | None, client: Client | None,
            new_client: dict | None) -> Client:
    if client is not None:
        return live_client(organization, client)
    if new_client:
        return client_for(organization, actor, new_client)
    raise ValidationError({"client": _("Choose the client or enter the person's details.")})


@transaction.atomic
def inquiry_open(*, actor: Member | None, organization: Organization | None = None, site: Site | None = None,
                 channel: str, client: Client | None = None, new_client: dict | None = None, subject: str = "",
                 question: str, category: Category | None, priority: str = Inquiry.Priority.NORMAL,
                 assigned_to: Member | None = None, contact_email: str = "", attachments=(),
                 message_id: str = "") -> Inquiry:
    """Open an inquiry for an existing client (``client``) or for a person given as ``new_client``
    ({"full_name", "phone", "email"}: an exact phone or e-mail match is reused, else a client is quick-added).

    ``actor`` None is a question that came in by itself (e-mail, web form): pass ``organization``. Its
    department comes from the category; its due times from the category's targets in the site's business
    hours. A web-form question with an address to answer to is acknowledged by e-mail. ``message_id``: the
    e-mail's Message-ID, kept on the first inbound message for threading.
    """
    organization = _organization(actor, organization)
    if channel not in Inquiry.Channel.values:
        raise ValidationError({"channel": _("Choose how the question came in.")})
    if priority not in Inquiry.Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    question = _text(question, "question", _("Write the question."), QUESTION_MAX)
    subject = " ".join((subject or "").split()) or subject_from(question)
    if len(subject) > SUBJECT_MAX:
        raise ValidationError({"subject": _("At most %(max)s characters.") % {"max": SUBJECT_MAX}})
    _check_category(organization, category)
    _check_assignee(organization, assigned_to)
    contact_email = _contact_email(contact_email)
    files = clean_attachments(attachments)
    site = _site(organization, actor, site, category)
    client = _client(organization, actor, client, new_client)
    if not contact_email and new_client and channel in EMAIL_CHANNELS:
        contact_email = _contact_email(new_client.get("email") or "")
    opened_at = timezone.now()
    first_due, resolution_due = due_times(site, category, opened_at)
    inquiry = Inquiry.objects.create(
        organization=organization, site=site, channel=channel, client=client, subject=subject, question=question,
        category=category, department_id=category.department_id, priority=priority, assigned_to=assigned_to,
        contact_email=contact_email, opened_by=actor, opened_at=opened_at, first_answer_due=first_due,
        resolution_due=resolution_due)
    message = None
    if channel in WRITTEN_CHANNELS:  # the client's own words open the thread
        message = InquiryMessage.objects.create(organization=organization, inquiry=inquiry,
                                                kind=InquiryMessage.Kind.INBOUND, body=question,
                                                email_message_id=(message_id or "")[:255], created_at=opened_at)
    store_attachments(inquiry, message, files)
    _record(inquiry, "inquiry.opened", actor, {
        "channel": channel, "category_id": category.pk, "department_id": category.department_id,
        "priority": priority, "assigned_to": assigned_to.pk if assigned_to else None, "attachments": len(files)},
        actor_kind=None if actor is not None else "client")
    if channel == Inquiry.Channel.WEB and (contact_email or _client_email(inquiry)):
        enqueue(ACKNOWLEDGE_TASK, inquiry_id=inquiry.pk)
    if assigned_to is not None and assigned_to != actor:
        enqueue(ASSIGNED_TASK, inquiry_id=inquiry.pk, member_id=assigned_to.pk)
    return inquiry


# --- answering --------------------------------------------------------------------------------

def _client_email(inquiry: Inquiry) -> str:
    return (ClientEmail.objects.filter(client_id=inquiry.client_id).order_by("position", "pk")
            .values_list("email", flat=True).first() or "")


def answer_address(inquiry: Inquiry) -> str:
    """Where an answer goes by e-mail: the inquiry's reply-to address; for a question that came by e-mail
    or the web form, else the client's first address. "" when the answer is not e-mailed."""
    if inquiry.contact_email:
        return inquiry.contact_email
    if inquiry.channel in EMAIL_CHANNELS:
        return _client_email(inquiry)
    return ""


def _articles(organization: Organization, article_ids) -> list[Article]:
    try:
        ids = list(dict.fromkeys(int(pk) for pk in article_ids or ()))
    except (TypeError, ValueError):
        raise ValidationError({"article_ids": _("Choose articles of the knowledge base.")}) from None
    if not ids:
        return []
    found = list(Article.objects.filter(organization=organization, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"article_ids": _("Choose articles of the knowledge base.")})
    return sorted(found, key=lambda article: ids.index(article.pk))


def _first_contact(inquiry: Inquiry, actor: Member, now: datetime) -> bool:
    """Answered in the same contact: a phone or walk-in question answered by whoever took it, within 30
    minutes, never reopened."""
    return (inquiry.channel in FIRST_CONTACT_CHANNELS and inquiry.opened_by_id == actor.pk
            and inquiry.reopened == 0 and now - inquiry.opened_at <= FIRST_CONTACT)


@transaction.atomic
def inquiry_answer(*, actor: Member, inquiry: Inquiry, text: str, article_ids=(), close: bool = False,
                   send_email: bool | None = None) -> Inquiry:
    """Answer the client (and close the inquiry with ``close``). The answer is e-mailed when there is an
    address for it (``answer_address``), unless ``send_email`` is False; ``send_email`` True with no
    address is refused. ``article_ids``: the knowledge-base articles the answer was taken from."""
    _acting(actor, inquiry)
    lock(inquiry)
    _require_open(inquiry)
    text = _text(text, "text", _("Write the answer."))
    articles = _articles(inquiry.organization, article_ids)
    address = answer_address(inquiry) if send_email is not False else ""
    if send_email and not address:
        raise ValidationError({"send_email": _("There is no e-mail address to send the answer to.")})
    now = timezone.now()
    message = InquiryMessage.objects.create(organization_id=inquiry.organization_id, inquiry=inquiry,
                                            kind=InquiryMessage.Kind.ANSWER, author=actor, body=text, created_at=now)
    first = inquiry.first_answered_at is None
    if first:
        inquiry.first_answered_at, inquiry.first_answered_by = now, actor
        inquiry.answered_in_first_contact = _first_contact(inquiry, actor, now)
    inquiry.answer, inquiry.answered_at, inquiry.answered_by = text, now, actor
    inquiry.status = Inquiry.Status.CLOSED if close else Inquiry.Status.ANSWERED
    if close:
        inquiry.closed_at = now
    inquiry.save()
    if first:
        _record(inquiry, "inquiry.first_answered", actor, {
            "seconds": max(0, round((now - inquiry.opened_at).total_seconds())),
            "within_target": inquiry.first_answer_due is None or now <= inquiry.first_answer_due,
            "first_contact": inquiry.answered_in_first_contact})
    _record(inquiry, "inquiry.answered", actor, {
        "message_id": message.pk, "first": first, "close": close, "articles": [a.pk for a in articles],
        "emailed": bool(address)})
    if close:
        _record(inquiry, "inquiry.closed", actor, _closing_data(inquiry, now))
    _use_articles(inquiry, actor, articles, now)
    if address:
        enqueue(SEND_ANSWER_TASK, message_id=message.pk)
    return inquiry


def _use_articles(inquiry: Inquiry, actor: Member, articles: list[Article], now: datetime) -> None:
    if not articles:
        return
    ArticleUse.objects.bulk_create([ArticleUse(organization_id=inquiry.organization_id, inquiry=inquiry,
                                               article=article, member=actor, used_at=now) for article in articles])
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(uses=F("uses") + 1)
    for article in articles:
        activity_record(organization=inquiry.organization, site=inquiry.site, actor=actor, verb="article.used",
                        subject=article, client_id=inquiry.client_id, data={"inquiry_id": inquiry.pk})


def _closing_data(inquiry: Inquiry, now: datetime) -> dict:
    return {"seconds_open": max(0, round((now - inquiry.opened_at).total_seconds())),
            "answered": inquiry.first_answered_at is not None,
            "within_target": inquiry.resolution_due is None or now <= inquiry.resolution_due,
            "first_contact": inquiry.answered_in_first_contact}


# --- changing, routing, assigning ---------------------------------------------------------------

UPDATE_FIELDS = ("subject", "category", "priority", "assigned_to", "internal_notes")


@transaction.atomic
def inquiry_update(*, actor: Member, inquiry: Inquiry, **fields) -> Inquiry:
    """Change the subject, category (which routes it again and recomputes the due times), priority,
    assignee or internal notes."""
    unknown = set(fields) - set(UPDATE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    _acting(actor, inquiry)
    lock(inquiry)
    organization = inquiry.organization
    assignee = fields.pop("assigned_to", inquiry.assigned_to)
    if "subject" in fields:
        fields["subject"] = " ".join(str(fields["subject"] or "").split())
        if not fields["subject"]:
            raise ValidationError({"subject": _("The inquiry needs a subject.")})
        if len(fields["subject"]) > SUBJECT_MAX:
            raise ValidationError({"subject": _("At most %(max)s characters.") % {"max": SUBJECT_MAX}})
    if "priority" in fields and fields["priority"] not in Inquiry.Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    if "internal_notes" in fields:
        fields["internal_notes"] = str(fields["internal_notes"] or "").strip()[:TEXT_MAX]
    category = fields.get("category")
    if "category" in fields and (category is None or category.pk != inquiry.category_id):
        _check_category(organization, category)
    changed = {}
    for name, value in fields.items():
        attname = "category_id" if name == "category" else name
        before = getattr(inquiry, attname)
        after = value.pk if name == "category" else value
        if before != after:
            changed[name] = [before, after] if name != "internal_notes" else True
            setattr(inquiry, name, value)
    if "category" in changed:
        changed["department"] = [inquiry.department_id, category.department_id]
        inquiry.department_id = category.department_id
        _recompute_due(inquiry)
    if changed:
        inquiry.save()
        _record(inquiry, "inquiry.updated", actor, {"changes": changed})
    if (assignee.pk if assignee else None) != inquiry.assigned_to_id:
        _assign(actor, inquiry, assignee)
    return inquiry


def _recompute_due(inquiry: Inquiry) -> None:
    inquiry.first_answer_due, inquiry.resolution_due = due_times(inquiry.site, inquiry.category, inquiry.opened_at)
    now = timezone.now()
    late = ((inquiry.first_answered_at is None and inquiry.first_answer_due and inquiry.first_answer_due < now)
            or (inquiry.resolution_due and inquiry.resolution_due < now))
    if not late:  # on time again under the new targets: going late again is news again
        inquiry.overdue_notified_at = None


def _assign(actor: Member, inquiry: Inquiry, member: Member | None) -> None:
    _check_assignee(inquiry.organization, member)
    before = inquiry.assigned_to_id
    inquiry.assigned_to = member
    inquiry.save(update_fields=["assigned_to", "updated_at"])
    _record(inquiry, "inquiry.assigned", actor, {"before": before, "after": member.pk if member else None})
    if member is not None and member != actor:
        enqueue(ASSIGNED_TASK, inquiry_id=inquiry.pk, member_id=member.pk)


@transaction.atomic
def inquiry_assign(*, actor: Member, inquiry: Inquiry, member: Member | None) -> Inquiry:
    """Give the inquiry to a member who answers inquiries (None: to nobody). Someone given it by another
    is e-mailed."""
    _acting(actor, inquiry)
    lock(inquiry)
    _require_open(inquiry)
    if (member.pk if member else None) != inquiry.assigned_to_id:
        _assign(actor, inquiry, member)
    return inquiry


@transaction.atomic
def inquiry_forward(*, actor: Member, inquiry: Inquiry, department: Department, note: str = "") -> Inquiry:
    """Hand the inquiry to another department: it waits in that department's queue; whoever had it keeps it
    only when they belong to the new department too."""
    _acting(actor, inquiry)
    lock(inquiry)
    _require_open(inquiry)
    if department is None:
        raise ValidationError({"department": _("Choose the department.")})
    require_own(inquiry.organization, "department", department)
    if not department.active:
        raise ValidationError({"department": _("This department is closed; choose another.")})
    if department.pk == inquiry.department_id and inquiry.status == Inquiry.Status.FORWARDED:
        raise Conflict(_("The inquiry is with this department already."), field="department")
    before = inquiry.department_id
    unassigned = bool(inquiry.assigned_to_id) and not department.members.filter(pk=inquiry.assigned_to_id).exists()
    inquiry.department, inquiry.status = department, Inquiry.Status.FORWARDED
    if unassigned:
        inquiry.assigned_to = None
    inquiry.save()
    _note(inquiry, actor, note)
    _record(inquiry, "inquiry.forwarded", actor, {"from_department": before, "to_department": department.pk,
                                                  "unassigned": unassigned, "with_note": bool(note.strip())})
    return inquiry


@transaction.atomic
def inquiry_wait(*, actor: Member, inquiry: Inquiry, note: str = "") -> Inquiry:
    """The desk needs something from the client first (a document, a date): the inquiry waits for them."""
    _acting(actor, inquiry)
    lock(inquiry)
    _require_open(inquiry)
    if inquiry.status == Inquiry.Status.WAITING:
        raise Conflict(_("This inquiry is already waiting for the client."))
    before = inquiry.status
    inquiry.status = Inquiry.Status.WAITING
    inquiry.save(update_fields=["status", "updated_at"])
    _note(inquiry, actor, note)
    _record(inquiry, "inquiry.waiting", actor, {"before": before})
    return inquiry


@transaction.atomic
def inquiry_close(*, actor: Member, inquiry: Inquiry) -> Inquiry:
    _acting(actor, inquiry)
    lock(inquiry)
    _require_open(inquiry)
    now = timezone.now()
    inquiry.status, inquiry.closed_at = Inquiry.Status.CLOSED, now
    inquiry.save(update_fields=["status", "closed_at", "updated_at"])
    _record(inquiry, "inquiry.closed", actor, _closing_data(inquiry, now))
    return inquiry


@transaction.atomic
def inquiry_reopen(*, actor: Member, inquiry: Inquiry, reason: str = "") -> Inquiry:
    """Open an answered or closed inquiry again: it no longer counts as resolved in the first contact."""
    _acting(actor, inquiry)
    lock(inquiry)
    if inquiry.is_open:
        raise Conflict(_("This inquiry is open already."))
    _reopen(inquiry)
    _note(inquiry, actor, reason)
    # Whose answer did not settle it: the analysis counts reopenings against it (DESIGN §7).
    _record(inquiry, "inquiry.reopened", actor, {"times": inquiry.reopened, "with_reason": bool(reason.strip()),
                                                 "answered_by": inquiry.answered_by_id})
    return inquiry


def _reopen(inquiry: Inquiry) -> None:
    inquiry.status, inquiry.closed_at = Inquiry.Status.OPEN, None
    inquiry.reopened += 1
    inquiry.answered_in_first_contact = False
    inquiry.save(update_fields=["status", "closed_at", "reopened", "answered_in_first_contact", "updated_at"])


@transaction.atomic
def inquiry_note(*, actor: Member, inquiry: Inquiry, text: str) -> InquiryMessage:
    """An internal note in the thread: for colleagues, never sent to the client."""
    _acting(actor, inquiry)
    text = _text(text, "text", _("Write the note."))
    message = _note(inquiry, actor, text)
    _record(inquiry, "inquiry.noted", actor, {"message_id": message.pk})
    return message


# --- the client writes back -------------------------------------------------------------------

@transaction.atomic
def inquiry_client_replied(*, inquiry: Inquiry, body: str, attachments=(), message_id: str = "") -> Inquiry:
    """The client's reply (an e-mail threaded back by its reference): added to the thread; an answered,
    waiting or closed inquiry is open again (a closed one counts as reopened: the client was not done).
    The same Message-ID twice adds nothing."""
    message_id = (message_id or "")[:255]
    lock(inquiry)
    if message_id and InquiryMessage.objects.filter(organization_id=inquiry.organization_id,
                                                    email_message_id=message_id).exists():
        return inquiry
    body = (body or "").strip()[:QUESTION_MAX]
    files = clean_attachments(attachments)
    if not body and not files:
        raise ValidationError({"body": _("The reply is empty.")})
    message = InquiryMessage.objects.create(organization_id=inquiry.organization_id, inquiry=inquiry,
                                            kind=InquiryMessage.Kind.INBOUND, body=body, email_message_id=message_id)
    store_attachments(inquiry, message, files)
    before = inquiry.status
    if before == Inquiry.Status.CLOSED:
        _reopen(inquiry)
    elif before in (Inquiry.Status.ANSWERED, Inquiry.Status.WAITING):
        inquiry.status = Inquiry.Status.OPEN
        inquiry.save(update_fields=["status", "updated_at"])
    _record(inquiry, "inquiry.client_replied", None, {
        "message_id": message.pk, "before": before, "attachments": len(files),
        "reopened": before == Inquiry.Status.CLOSED, "answered_by": inquiry.answered_by_id}, actor_kind="client")
    return inquiry

