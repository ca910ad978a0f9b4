"""Customer questions (inquiries) from every channel, their thread, the knowledge base and its feedback.

Every row belongs to an organisation. An inquiry always has a client (matched or quick-added: never an
orphan); its category routes it to a department and carries the response targets, counted in the site's
business hours.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontoffice.core.models import Department, Member, Organization, Site


def new_reference() -> str:
    """The token in a reply's subject ("[#Q-7F3K9M]") that threads the client's answer back: not the id,
    so it cannot be guessed into another inquiry (and it is checked against the organisation too)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(secrets.choice(alphabet) for _i in range(8))


class Category(models.Model):
    """What an inquiry is about: routes it to a department and sets its response targets (business hours)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inquiry_categories")
    key = models.SlugField(_("key"), max_length=40)  # from the vertical preset, or the owner's own
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("department"))
    first_answer_hours = models.DecimalField(_("first answer within (business hours)"), max_digits=6,
                                             decimal_places=2, default=4)
    resolution_hours = models.DecimalField(_("resolved within (business hours)"), max_digits=6, decimal_places=2,
                                           default=16)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("inquiry category")
        verbose_name_plural = _("inquiry categories")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="inquiry_category_key")]

    def __str__(self) -> str:
        return self.name


class Inquiry(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        WALK_IN = "walk_in", _("in person")
        EMAIL = "email", _("e-mail")
        WEB = "web", _("web form")
        LETTER = "letter", _("letter")

    class Status(models.TextChoices):
        # A context of their own: "answered" and "closed" say other things of a call or a site.
        OPEN = "open", pgettext_lazy("inquiry", "open")
        FORWARDED = "forwarded", pgettext_lazy("inquiry", "forwarded")
        WAITING = "waiting_for_client", pgettext_lazy("inquiry", "waiting for the client")
        ANSWERED = "answered", pgettext_lazy("inquiry", "answered")
        CLOSED = "closed", pgettext_lazy("inquiry", "closed")

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")
        URGENT = "urgent", _("urgent")

    OPEN_STATUSES = (Status.OPEN, Status.FORWARDED, Status.WAITING)

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="inquiries")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("site"))
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="inquiries",
                               verbose_name=_("client"))
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="inquiries",
                                 verbose_name=_("category"))
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="inquiries", verbose_name=_("department"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="assigned_inquiries", verbose_name=_("assigned to"))
    answer = models.TextField(_("answer"), blank=True)  # the latest answer given
    internal_notes = models.TextField(_("internal notes"), blank=True)
    contact_email = models.EmailField(_("reply to"), blank=True)  # e-mail/web channel: where answers go
    opened_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    first_answer_due = models.DateTimeField(_("first answer due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    first_answered_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)  # first-contact resolution: answered once, never reopened
    answered_in_first_contact = models.BooleanField(default=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)  # owner and manager told, once
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)  # 1-5, from the signed link
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    articles = models.ManyToManyField("Article", through="ArticleUse", related_name="inquiries", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "resolution_due"], name="inquiry_org_status_due"),
            models.Index(fields=["organization", "department", "status", "resolution_due"], name="inquiry_dept_due"),
            models.Index(fields=["organization", "assigned_to", "status"], name="inquiry_org_assigned"),
            models.Index(fields=["organization", "client", "-opened_at"], name="inquiry_org_client"),
            models.Index(fields=["organization", "-opened_at"], name="inquiry_org_opened"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class InquiryMessage(models.Model):
    """The inquiry's thread: what the client wrote (e-mail, web form), the answers sent, internal notes."""

    class Kind(models.TextChoices):
        INBOUND = "inbound", _("from the client")
        ANSWER = "answer", _("answer")
        NOTE = "note", _("internal note")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField()  # plain text; inbound HTML is reduced to text (and sanitised) before it is stored
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)  # Message-ID, for threading
    sent_at = models.DateTimeField(null=True, blank=True)  # answers: when the e-mail went out
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Attachment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(InquiryMessage, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments")
    file = models.FileField(upload_to="inquiries/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)


class Article(models.Model):
    """A knowledge-base answer. ``search_text`` is the folded, stemmed text the search reads (kept by the
    services on every save)."""

    class Audience(models.TextChoices):
        INTERNAL = "internal", _("staff only")
        PUBLIC = "public", _("public")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="articles")
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles",
                                 verbose_name=_("category"))
    language = models.CharField(_("language"), max_length=8, default="en")
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.INTERNAL)
    owner = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))
    review_on = models.DateField(_("review by"), null=True, blank=True)
    is_canned_reply = models.BooleanField(_("canned e-mail reply"), default=False)
    active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(blank=True)
    uses = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article")
        ordering = ["question"]
        indexes = [
            models.Index(fields=["organization", "active", "audience"], name="article_org_audience"),
            models.Index(fields=["organization", "owner", "review_on"], name="article_org_review"),
        ]

    def __str__(self) -> str:
        return self.question


class ArticleUse(models.Model):
    """An article used in an answer (copied into the reply, perhaps edited)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="article_uses")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_uses")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)


class ArticleFeedback(models.Model):
    """"Was this helpful?" on the public FAQ: no login; the address is kept hashed only for the rate limit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    source_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)


class Channels(models.Model):
    """The organisation's inquiry channels: the mailbox (IMAP to read; answers go out by the application's
    SMTP from its address), the inbound-mail webhook, the public FAQ page and the web form."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="inquiry_channels")
    address = models.EmailField(_("inquiry address"), blank=True)
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_ssl = models.BooleanField(_("TLS"), default=True)
    imap_user = models.CharField(_("user name"), max_length=200, blank=True)
    imap_password = models.CharField(_("password"), max_length=200, blank=True)  # never shown back
    imap_folder = models.CharField(_("folder"), max_length=100, default="INBOX")
    # The inbound-mail webhook's secret, in its URL; only its SHA-256 is kept (compared in constant time).
    inbound_token_hash = models.CharField(max_length=64, blank=True)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    default_category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    public_faq = models.BooleanField(_("publish the FAQ page"), default=False)
    public_form = models.BooleanField(_("accept questions from the web form"), default=False)

    class Meta:
        verbose_name = _("inquiry channels")
