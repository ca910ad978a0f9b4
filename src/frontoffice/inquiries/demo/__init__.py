"""The demo office's questions: the knowledge base, the channels, and a working week of inquiries.

The set-up goes through the services, as an owner would make it: the vertical's categories
(``presets.categories_ensure``), the channels with the public FAQ page and the web form on
(``channels_save``), 30-odd knowledge-base articles in the office's language (``article_save``: real
answers — opening hours, prices, what to bring, certificates, test results, invoices —, some public, a
few canned e-mail replies, some past their review date), "was this helpful?" votes on the FAQ
(``article_feedback_give``), and two questions asked just now (``inquiry_open``).

The history — the last five working days of questions from every channel, answered in the first
contact, forwarded, answered late, reopened by the client's reply, waiting for the client, overdue, rated —
is written as rows with their own times and each step's activity at the moment it happened, as
``calls/demo.py`` and ``reception/demo.py`` do: the services stamp "now", which a week of history cannot
use. The rows have the shapes the services give them (``services/inquiries.py``).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from frontoffice.clients.models import Client, ClientEmail
from frontoffice.core import capabilities as caps
from frontoffice.core.models import WEEKDAYS, Department, Member, Organization, Site
from frontoffice.core.services import activity_record
from frontoffice.inquiries.demo.articles import Entry, articles_for
from frontoffice.inquiries.models import Article, ArticleUse, Category, Inquiry, InquiryMessage

PHONE, WALK_IN, EMAIL, WEB, LETTER = (Inquiry.Channel.PHONE, Inquiry.Channel.WALK_IN, Inquiry.Channel.EMAIL,
                                      Inquiry.Channel.WEB, Inquiry.Channel.LETTER)
WRITTEN = (EMAIL, WEB, LETTER)
EMAILED = (EMAIL, WEB)


@dataclass(frozen=True)
class Scene:
    """One question of the week: opened ``day`` working days ago at ``at`` (the site's local time)."""

    day: int
    at: str
    channel: str
    story: str  # first_contact, answered, closed, forwarded_closed, late, reopened, waiting, overdue, forwarded
    answer_after: int = 20  # minutes from opening to the (first) answer
    rating: int | None = None
    comment: int | None = None  # which of the language's rating comments
    assigned: bool = False  # given to the desk


SCENES = (
    Scene(5, "08:20", PHONE, "first_contact", answer_after=4),
    Scene(5, "10:40", EMAIL, "closed", answer_after=95, rating=5),
    Scene(4, "09:15", WALK_IN, "first_contact", answer_after=6),
    Scene(4, "13:30", WEB, "answered", answer_after=50, rating=4, comment=0),
    Scene(4, "14:10", PHONE, "forwarded_closed", answer_after=70),
    Scene(3, "09:45", EMAIL, "late", rating=2, comment=1),
    Scene(3, "11:20", LETTER, "closed", answer_after=180),
    Scene(3, "14:00", EMAIL, "reopened", answer_after=40, rating=4, comment=2),
    Scene(2, "08:50", PHONE, "first_contact", answer_after=3),
    Scene(2, "10:30", EMAIL, "waiting", answer_after=35),
    Scene(2, "12:50", WEB, "overdue"),
    Scene(1, "09:10", PHONE, "forwarded"),
    Scene(1, "11:40", EMAIL, "overdue", assigned=True),
    Scene(1, "13:20", WALK_IN, "first_contact", answer_after=5),
    Scene(1, "14:30", EMAIL, "answered", answer_after=25),
    Scene(1, "15:05", WEB, "closed", answer_after=30, rating=5, comment=3),
)

TEXTS = {
    "pl": {
        "hello": "Dzień dobry,",
        "forward": "Przekazuję do Państwa działu — klient prosi o odpowiedź jeszcze dziś.",
        "wait_answer": "Aby załatwić sprawę, potrzebujemy jeszcze skanu dokumentu, o który Pan/Pani pyta "
                       "(albo jego numeru). Prosimy o odpowiedź na tę wiadomość.",
        "wait_note": "Czekamy na dokument od klienta.",
        "reply": "Dziękuję za odpowiedź, ale to nie rozwiązuje mojej sprawy — czy mogę prosić o telefon?",
        "second_answer": "Zgodnie z dzisiejszą rozmową telefoniczną sprawa jest załatwiona. Dziękujemy!",
        "comments": ("Szybko i konkretnie, dziękuję!", "Długo czekałam na odpowiedź.",
                     "Ostatecznie wszystko wyjaśnione, dziękuję za telefon.", "Bardzo miła obsługa."),
        "feedback": ("Bardzo przydatne, dziękuję.", "Brakuje informacji o weekendach."),
        "address": "pytania",
    },
    "en": {
        "hello": "Hello,",
        "forward": "Passing this to you — the client would like an answer today.",
        "wait_answer": "To deal with this we need one more thing from you: please reply with a scan of the "
                       "document you mention (or its reference number).",
        "wait_note": "Waiting for the client's document.",
        "reply": "Thanks, but that doesn't quite answer my question — could someone call me, please?",
        "second_answer": "As agreed on the phone this morning, this is now sorted out. Thank you!",
        "comments": ("Quick and clear, thank you!", "I had to wait a long time for an answer.",
                     "Sorted in the end — thanks for calling me.", "Very helpful, thank you."),
        "feedback": ("Very useful, thanks.", "Nothing about Saturdays here."),
        "address": "questions",
    },
}


def _texts(organization: Organization) -> dict:
    return TEXTS["pl" if organization.language == "pl" else "en"]


# --- the set-up, through the services ------------------------------------------------------------------

def _categories(organization: Organization) -> dict[str, Category]:
    from frontoffice.inquiries.presets import categories_ensure

    categories_ensure(organization)
    return {c.key: c for c in Category.objects.filter(organization=organization, active=True).select_related(
        "department")}


def _category(categories: dict[str, Category], key: str) -> Category | None:
    return categories.get(key) or categories.get("general") or next(iter(categories.values()), None)


def _channels(organization: Organization, owner: Member, site: Site, categories: dict[str, Category]) -> None:
    from frontoffice.core.demo import OFFICES
    from frontoffice.inquiries.services.categories import channels_save

    office = OFFICES.get(organization.vertical, OFFICES["general"])
    channels_save(actor=owner, address=f"{_texts(organization)['address']}@{office.domain}", site=site,
                  default_category=_category(categories, "general"), public_faq=True, public_form=True)


def _articles(organization: Organization, members: dict[str, Member], categories: dict[str, Category],
              today: date) -> dict[str, Article]:
    """The knowledge base, by question. The administrative assistant owns most articles (the review list is
    theirs); the manager owns the rest."""
    from frontoffice.inquiries.services.articles import article_save

    author = members.get(caps.ADMIN_ASSISTANT) or members[caps.OWNER]
    others = members.get(caps.MANAGER) or author
    language = "pl" if organization.language == "pl" else "en"
    saved = {}
    for n, entry in enumerate(articles_for(organization.vertical)):
        owner = author if entry.review_due or n % 3 else others
        review_on = today - timedelta(days=3 + n % 20) if entry.review_due else today + timedelta(days=60 + 9 * n)
        saved[entry.question] = article_save(
            actor=author, question=entry.question, answer=entry.answer, keywords=entry.keywords,
            category=_category(categories, entry.category), language=language,
            audience=Article.Audience.PUBLIC if entry.public else Article.Audience.INTERNAL, owner=owner,
            review_on=review_on, is_canned_reply=entry.canned)
    return saved


def _feedback(articles: dict[str, Article], texts: dict, rng: random.Random) -> None:
    """A few visitors of the public FAQ said whether an answer helped."""
    from frontoffice.inquiries.services.feedback import article_feedback_give

    public = [a for a in articles.values() if a.audience == Article.Audience.PUBLIC and not a.is_canned_reply]
    for n, article in enumerate(public[:8]):
        for vote in range(2 + (n * 5) % 7):
            helpful = vote % 4 != 3
            comment = texts["feedback"][0 if helpful else 1] if vote in (1, 3) else ""
            article_feedback_give(article=article, helpful=helpful, comment=comment,
                                  source_hash=f"{rng.getrandbits(256):064x}")


# --- the week, as rows with their own times ------------------------------------------------------------

def _working_days(site: Site, today: date, count: int) -> list[date]:
    """The ``count`` days before ``today`` on which the site opens, the most recent first."""
    days, day = [], today
    hours = site.opening_hours or {}
    while len(days) < count and (today - day).days < 60:
        day -= timedelta(days=1)
        if hours.get(WEEKDAYS[day.weekday()]):
            days.append(day)
    return days


class _Week:
    """Writes the scenes with the rows and activities the services would have left at the time."""

    def __init__(self, organization: Organization, members: dict[str, Member], site: Site,
                 categories: dict[str, Category], articles: dict[str, Article], now: datetime):
        self.organization, self.site, self.categories, self.articles, self.now = (
            organization, site, categories, articles, now)
        self.texts = _texts(organization)
        self.desk = members.get(caps.RECEPTIONIST) or members[caps.OWNER]
        self.manager = members.get(caps.MANAGER) or members[caps.OWNER]
        self.rng = random.Random(organization.pk)
        self.entries = [e for e in articles_for(organization.vertical) if e.asked]
        self.days = _working_days(site, now.astimezone(site.tz).date(), max(s.day for s in SCENES))
        self.by_email = list(Client.objects.filter(organization=organization, merged_into__isnull=True,
                                                   erased_at__isnull=True, emails__isnull=False)
                             .order_by("pk").distinct()[:60])
        self.by_phone = list(Client.objects.filter(organization=organization, merged_into__isnull=True,
                                                   erased_at__isnull=True, phones__isnull=False)
                             .order_by("-pk").distinct()[:60])
        self.domain = organization.slug.replace("-", "") + ".demo.example"

    # what the scene is about, and who asks -------------------------------------------------------------

    def question(self, n: int) -> tuple[Entry, str]:
        entry = self.entries[n % len(self.entries)]
        return entry, entry.asked[(n // len(self.entries)) % len(entry.asked)]

    def client(self, n: int, channel: str) -> Client | None:
        pool = self.by_email if channel in EMAILED or not self.by_phone else self.by_phone
        pool = pool or self.by_phone
        return pool[(n * 7) % len(pool)] if pool else None

    def answerer(self, department: Department | None) -> Member:
        if department is not None:
            for member in department.members.filter(active=True).order_by("pk"):
                if member != self.desk and member.can("inquiries.answer"):
                    return member
        return self.manager

    def other_department(self, department: Department | None) -> Department | None:
        return (self.organization.departments.filter(active=True).exclude(pk=getattr(department, "pk", None))
                .order_by("pk").first())

    # rows and activities --------------------------------------------------------------------------------

    def record(self, inquiry: Inquiry, verb: str, actor: Member | None, at: datetime, data: dict, *,
               actor_kind: str | None = None, subject=None) -> None:
        activity_record(organization=self.organization, site=self.site, actor=actor, verb=verb,
                        subject=subject or inquiry, client_id=inquiry.client_id, label="", data=data,
                        actor_kind=actor_kind, occurred_at=at)

    def message(self, inquiry: Inquiry, kind: str, body: str, at: datetime, author: Member | None = None) -> \
            InquiryMessage:
        emailed = inquiry.channel in EMAILED
        message_id = ""
        if kind == InquiryMessage.Kind.INBOUND and emailed:
            message_id = f"<{secrets.token_hex(8)}@mail.{self.domain}>"
        elif kind == InquiryMessage.Kind.ANSWER and emailed:
            message_id = f"<q-{inquiry.reference.lower()}-{secrets.token_hex(4)}@{self.domain}>"
        return InquiryMessage.objects.create(
            organization=self.organization, inquiry=inquiry, kind=kind, author=author, body=body,
            email_message_id=message_id, created_at=at,
            sent_at=at + timedelta(seconds=40) if kind == InquiryMessage.Kind.ANSWER and emailed else None)

    def open(self, scene: Scene, n: int) -> tuple[Inquiry, Article | None] | None:
        from frontoffice.inquiries.services.inquiries import due_times, subject_from

        entry, asked = self.question(n)
        client = self.client(n, scene.channel)
        category = _category(self.categories, entry.category)
        if client is None or category is None or scene.day > len(self.days):
            return None
        day = self.days[scene.day - 1]
        opened = datetime.combine(day, time.fromisoformat(scene.at), tzinfo=self.site.tz).astimezone(UTC)
        opened += timedelta(seconds=self.rng.randrange(60))
        first_due, resolution_due = due_times(self.site, category, opened)
        by_desk = scene.channel in (PHONE, WALK_IN, LETTER)
        email = ""
        if scene.channel in EMAILED:
            email = ClientEmail.objects.filter(client=client).order_by("position", "pk").values_list(
                "email", flat=True).first() or ""
        inquiry = Inquiry.objects.create(
            organization=self.organization, site=self.site, channel=scene.channel, client=client,
            subject=subject_from(asked), question=asked, category=category, department_id=category.department_id,
            assigned_to=self.desk if scene.assigned else None, contact_email=email,
            opened_by=self.desk if by_desk else None, opened_at=opened, first_answer_due=first_due,
            resolution_due=resolution_due)
        if scene.channel in WRITTEN:
            self.message(inquiry, InquiryMessage.Kind.INBOUND, asked, opened)
        self.record(inquiry, "inquiry.opened", self.desk if by_desk else None, opened, {
            "channel": scene.channel, "category_id": category.pk, "department_id": category.department_id,
            "priority": inquiry.priority, "assigned_to": inquiry.assigned_to_id, "attachments": 0},
            actor_kind=None if by_desk else "client")
        return inquiry, self.articles.get(entry.question)

    def answer(self, inquiry: Inquiry, member: Member, at: datetime, text: str, *, article: Article | None,
               close: bool) -> None:
        emailed = inquiry.channel in EMAILED
        if emailed:  # the e-mail signs it with the member's and the organisation's names
            text = f"{self.texts['hello']}\n\n{text}"
        message = self.message(inquiry, InquiryMessage.Kind.ANSWER, text, at, author=member)
        first = inquiry.first_answered_at is None
        if first:
            inquiry.first_answered_at, inquiry.first_answered_by = at, member
            inquiry.answered_in_first_contact = (
                inquiry.channel in (PHONE, WALK_IN) and inquiry.opened_by_id == member.pk
                and inquiry.reopened == 0 and at - inquiry.opened_at <= timedelta(minutes=30))
            self.record(inquiry, "inquiry.first_answered", member, at, {
                "seconds": round((at - inquiry.opened_at).total_seconds()),
                "within_target": inquiry.first_answer_due is None or at <= inquiry.first_answer_due,
                "first_contact": inquiry.answered_in_first_contact})
        inquiry.answer, inquiry.answered_at, inquiry.answered_by = text, at, member
        inquiry.status = Inquiry.Status.CLOSED if close else Inquiry.Status.ANSWERED
        inquiry.closed_at = at if close else None
        inquiry.save()
        self.record(inquiry, "inquiry.answered", member, at, {
            "message_id": message.pk, "first": first, "close": close,
            "articles": [article.pk] if article else [], "emailed": emailed})
        if close:
            self.record(inquiry, "inquiry.closed", member, at, {
                "seconds_open": round((at - inquiry.opened_at).total_seconds()), "answered": True,
                "within_target": inquiry.resolution_due is None or at <= inquiry.resolution_due,
                "first_contact": inquiry.answered_in_first_contact})
        if article is not None:
            ArticleUse.objects.create(organization=self.organization, inquiry=inquiry, article=article,
                                      member=member, used_at=at)
            Article.objects.filter(pk=article.pk).update(uses=F("uses") + 1)
            self.record(inquiry, "article.used", member, at, {"inquiry_id": inquiry.pk}, subject=article)

    def forward(self, inquiry: Inquiry, at: datetime) -> Member:
        to = self.other_department(inquiry.department)
        if to is None:
            return self.answerer(inquiry.department)
        before = inquiry.department_id
        inquiry.department, inquiry.status = to, Inquiry.Status.FORWARDED
        inquiry.save()
        InquiryMessage.objects.create(organization=self.organization, inquiry=inquiry,
                                      kind=InquiryMessage.Kind.NOTE, author=self.desk,
                                      body=self.texts["forward"], created_at=at)
        self.record(inquiry, "inquiry.forwarded", self.desk, at, {
            "from_department": before, "to_department": to.pk, "unassigned": False, "with_note": True})
        return self.answerer(to)

    def wait(self, inquiry: Inquiry, member: Member, at: datetime) -> None:
        self.answer(inquiry, member, at, self.texts["wait_answer"], article=None, close=False)
        later = at + timedelta(seconds=30)
        InquiryMessage.objects.create(organization=self.organization, inquiry=inquiry,
                                      kind=InquiryMessage.Kind.NOTE, author=member, body=self.texts["wait_note"],
                                      created_at=later)
        inquiry.status = Inquiry.Status.WAITING
        inquiry.save()
        self.record(inquiry, "inquiry.waiting", member, later, {"before": Inquiry.Status.ANSWERED})

    def client_replies(self, inquiry: Inquiry, at: datetime) -> None:
        message = self.message(inquiry, InquiryMessage.Kind.INBOUND, self.texts["reply"], at)
        before = inquiry.status
        inquiry.status, inquiry.closed_at = Inquiry.Status.OPEN, None
        inquiry.reopened += 1
        inquiry.answered_in_first_contact = False
        inquiry.save()
        self.record(inquiry, "inquiry.client_replied", None, at,
                    {"message_id": message.pk, "before": before, "attachments": 0}, actor_kind="client")

    def rate(self, inquiry: Inquiry, scene: Scene) -> None:
        at = min(inquiry.answered_at + timedelta(hours=2, minutes=self.rng.randrange(50)),
                 self.now - timedelta(minutes=5))
        comment = self.texts["comments"][scene.comment] if scene.comment is not None else ""
        inquiry.rating, inquiry.rating_comment, inquiry.rated_at = scene.rating, comment, at
        inquiry.save()
        self.record(inquiry, "inquiry.rated", None, at, {
            "rating": scene.rating, "answered_by": inquiry.answered_by_id, "with_comment": bool(comment)},
            actor_kind="client")

    def overdue(self, inquiry: Inquiry) -> None:
        """Late (no first answer by its due time, or not resolved by its due time): the periodic job told the
        one who has it and the managers, once, a few minutes after."""
        if inquiry.first_answered_at is None and inquiry.first_answer_due and inquiry.first_answer_due < self.now:
            late, due = "first_answer", inquiry.first_answer_due
        elif inquiry.resolution_due and inquiry.resolution_due < self.now:
            late, due = "resolution", inquiry.resolution_due
        else:
            return
        at = min(due + timedelta(minutes=5), self.now)
        inquiry.overdue_notified_at = at
        inquiry.save()
        self.record(inquiry, "inquiry.overdue", inquiry.assigned_to, at, {
            "late": late, "due": due.isoformat(), "department": inquiry.department_id,
            "assigned_to": inquiry.assigned_to_id}, actor_kind=None if inquiry.assigned_to else "system")

    def write(self, scene: Scene, n: int) -> None:
        opened = self.open(scene, n)
        if opened is None:
            return
        inquiry, article = opened
        text = article.answer if article else self.texts["second_answer"]
        first_at = inquiry.opened_at + timedelta(minutes=scene.answer_after, seconds=self.rng.randrange(60))
        story = scene.story
        if story == "first_contact":
            self.answer(inquiry, self.desk, first_at, text, article=article, close=True)
        elif story in ("answered", "closed"):
            self.answer(inquiry, self.answerer(inquiry.department), first_at, text, article=article,
                        close=story == "closed")
        elif story in ("forwarded", "forwarded_closed"):
            member = self.forward(inquiry, inquiry.opened_at + timedelta(minutes=4))
            if story == "forwarded_closed":
                self.answer(inquiry, member, first_at, text, article=article, close=True)
        elif story == "late":
            late_at = (inquiry.first_answer_due or first_at) + timedelta(hours=3, minutes=self.rng.randrange(40))
            self.answer(inquiry, self.answerer(inquiry.department), min(late_at, self.now - timedelta(hours=1)),
                        text, article=article, close=True)
        elif story == "reopened":
            member = self.answerer(inquiry.department)
            self.answer(inquiry, member, first_at, text, article=article, close=True)
            replied = first_at + timedelta(hours=18)
            self.client_replies(inquiry, replied)
            self.answer(inquiry, member, replied + timedelta(hours=2), self.texts["second_answer"], article=None,
                        close=True)
        elif story == "waiting":
            self.wait(inquiry, self.answerer(inquiry.department), first_at)
        if scene.rating and inquiry.answered_at is not None:
            self.rate(inquiry, scene)
        if inquiry.is_open:
            self.overdue(inquiry)


def _asked_now(week: _Week) -> None:
    """Two questions of this very moment, through the service: one on the phone at the desk, given to the
    receptionist, and one from the web form (acknowledged by e-mail)."""
    from frontoffice.inquiries.services.inquiries import inquiry_open

    for channel, n in ((PHONE, len(SCENES)), (WEB, len(SCENES) + 1)):
        entry, asked = week.question(n)
        client = week.client(n, channel)
        category = _category(week.categories, entry.category)
        if client is None or category is None:
            continue
        if channel == PHONE:
            inquiry_open(actor=week.desk, site=week.site, channel=channel, client=client, question=asked,
                         category=category, assigned_to=week.desk)
        else:
            email = ClientEmail.objects.filter(client=client).order_by("position", "pk").values_list(
                "email", flat=True).first() or ""
            inquiry_open(actor=None, organization=week.organization, site=week.site, channel=channel,
                         client=client, question=asked, category=category, contact_email=email)


@transaction.atomic
def load(organization: Organization, members: dict[str, Member]) -> None:
    """The demo loader (``core.demo.DEMO_LOADERS``): the channels, the knowledge base and the week's
    inquiries. Once: an organisation with articles or inquiries is left as it is."""
    if (Article.objects.filter(organization=organization).exists()
            or Inquiry.objects.filter(organization=organization).exists()):
        return
    site = organization.sites.filter(active=True).order_by("pk").first()
    owner = members.get(caps.OWNER)
    if site is None or owner is None:
        return
    now = timezone.now().replace(microsecond=0)
    categories = _categories(organization)
    if not categories:
        return
    _channels(organization, owner, site, categories)
    articles = _articles(organization, members, categories, now.astimezone(site.tz).date())
    _feedback(articles, _texts(organization), random.Random(organization.pk))
    week = _Week(organization, members, site, categories, articles, now)
    for n, scene in enumerate(SCENES):
        week.write(scene, n)
    _asked_now(week)
