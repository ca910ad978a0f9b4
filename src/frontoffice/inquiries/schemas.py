"""The shapes of the inquiries API. Pydantic checks the shape of a request (types, sizes, choices); the
inquiries services check what it means (a client of the organisation, an inquiry still open, articles of
the organisation)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from frontoffice.core.schemas import MemberRef, member_ref
from frontoffice.inquiries.models import Article, Inquiry, InquiryMessage

Id = Annotated[int, Field(ge=1)]
Cursor = Annotated[str, StringConstraints(max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Email = EmailStr | Literal[""]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]

# The models' choices, so that the API names every one of them (and only them).
Status = Literal[tuple(Inquiry.Status.values)]
Channel = Literal[tuple(Inquiry.Channel.values)]
Priority = Literal[tuple(Inquiry.Priority.values)]
MessageKind = Literal[tuple(InquiryMessage.Kind.values)]
Audience = Literal[tuple(Article.Audience.values)]
Language = Literal["en", "pl"]


# --- inquiries ---------------------------------------------------------------------------------

class ClientRef(Schema):
    client_id: int
    name: str


class CategoryRef(Schema):
    category_id: int
    key: str
    name: str


def category_ref(category) -> dict | None:
    if category is None:
        return None
    return {"category_id": category.pk, "key": category.key, "name": category.name}


class InquiryOut(Schema):
    id: int
    reference: str = Field(description="The token in an e-mail's subject (\"[#Q-7F3K9M2A]\") that threads "
                                       "the client's reply back")
    channel: Channel
    status: Status
    priority: Priority
    subject: str
    question: str
    client: ClientRef
    category: CategoryRef
    department_id: int | None = Field(description="Where it is routed (by its category, or forwarded)")
    department: str | None = Field(description="The department's name")
    site_id: int
    assigned_to: MemberRef | None
    contact_email: str = Field(description="Where answers are e-mailed (e-mail and web form)")
    answer: str = Field(description="The latest answer given")
    opened_by: MemberRef | None = Field(description="Empty for e-mail and the web form")
    opened_at: dt.datetime
    first_answer_due: dt.datetime | None = Field(description="The first-answer target, counted in the site's "
                                                             "business hours")
    resolution_due: dt.datetime | None
    overdue: bool = Field(description="Open and past its first-answer target (unanswered) or its resolution "
                                      "target")  # annotated by queries.lists.by_urgency
    first_answered_at: dt.datetime | None
    first_answered_by: MemberRef | None
    answered_at: dt.datetime | None
    answered_by: MemberRef | None
    closed_at: dt.datetime | None
    reopened: int = Field(description="How many times it was reopened")
    answered_in_first_contact: bool = Field(description="Answered in the contact that brought it, never "
                                                        "reopened")
    rating: int | None = Field(description="1-5, given by the client from the link in the answer")
    rating_comment: str
    rated_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_client(obj: Inquiry) -> dict:
        return {"client_id": obj.client_id, "name": str(obj.client)}

    @staticmethod
    def resolve_category(obj: Inquiry) -> dict:
        return category_ref(obj.category)

    @staticmethod
    def resolve_department(obj: Inquiry) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_assigned_to(obj: Inquiry) -> dict | None:
        return member_ref(obj.assigned_to)

    @staticmethod
    def resolve_opened_by(obj: Inquiry) -> dict | None:
        return member_ref(obj.opened_by)

    @staticmethod
    def resolve_first_answered_by(obj: Inquiry) -> dict | None:
        return member_ref(obj.first_answered_by)

    @staticmethod
    def resolve_answered_by(obj: Inquiry) -> dict | None:
        return member_ref(obj.answered_by)


class AttachmentOut(Schema):
    id: int
    message_id: int | None
    filename: str
    content_type: str
    size: int = Field(description="Bytes")
    created_at: dt.datetime


class ThreadMessageOut(Schema):
    id: int
    kind: MessageKind
    author: MemberRef | None = Field(description="Empty for what the client wrote")
    body: str = Field(description="Plain text: HTML mail is reduced to text before it is stored")
    created_at: dt.datetime
    sent_at: dt.datetime | None = Field(description="Answers: when the e-mail went out")

    @staticmethod
    def resolve_author(obj: InquiryMessage) -> dict | None:
        return member_ref(obj.author)


class ArticleUseOut(Schema):
    article_id: int
    question: str
    member: MemberRef | None
    used_at: dt.datetime

    @staticmethod
    def resolve_question(obj) -> str:
        return obj.article.question

    @staticmethod
    def resolve_member(obj) -> dict | None:
        return member_ref(obj.member)


class InquiryDetailOut(InquiryOut):
    internal_notes: str
    messages: list[ThreadMessageOut] = Field(description="The thread, oldest first: the client's messages, "
                                                         "the answers and internal notes")
    attachments: list[AttachmentOut]
    articles_used: list[ArticleUseOut]

    @staticmethod
    def resolve_messages(obj: Inquiry) -> list:
        return list(obj.messages.all())

    @staticmethod
    def resolve_attachments(obj: Inquiry) -> list:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_articles_used(obj: Inquiry) -> list:
        return list(obj.article_uses.all())


class InquiryPage(Schema):
    items: list[InquiryOut]
    next_cursor: str | None


class InquiryFilter(Schema):
    status: Status | Literal["open_any"] | None = Field(
        None, description="One status, or `open_any`: open, forwarded or waiting for the client")
    category: Id | None = Field(None, description="A category id")
    # one pattern rather than a union of types, so a bad value is one error naming the filter
    assigned: Annotated[str, StringConstraints(pattern=r"^(me|none|[1-9][0-9]{0,17})$")] | None = Field(
        None, description="A member id, `me`, or `none` (nobody assigned)")
    client: Id | None = Field(None, description="A client id")
    department: Id | None = Field(None, description="A department id")
    overdue: bool | None = Field(None, description="true: open and past a target; false: the others")
    cursor: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class NewClientIn(Schema):
    """A client quick-added with the inquiry; an existing client with exactly this phone or e-mail is
    reused instead."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name
    phone: Phone = ""
    email: Email = ""


class InquiryIn(Schema):
    """A question taken at the desk (phone, in person, a letter) or entered for another channel. The client
    is an existing one (`client_id`) or quick-added (`new_client`)."""

    model_config = ConfigDict(extra="forbid")

    question: Body
    category_id: Id = Field(description="Routes it to the category's department and sets its targets")
    client_id: Id | None = None
    new_client: NewClientIn | None = None
    channel: Channel = "phone"
    subject: Line = Field("", description="The question's first line when left out")
    priority: Priority = "normal"
    assigned_to_id: Id | None = None
    contact_email: Email = Field("", description="Where answers are e-mailed")
    site_id: Id | None = Field(None, description="Whose business hours count; left out: your first site")


class InquiryPatch(Schema):
    """Only the fields sent change. A new category re-routes the inquiry and recomputes its targets;
    ``assigned_to_id: null`` unassigns it."""

    model_config = ConfigDict(extra="forbid")

    subject: Name = None
    category_id: Id = None
    priority: Priority = None
    assigned_to_id: Id | None = None
    internal_notes: Notes = None


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Body
    article_ids: Annotated[list[Id], Field(max_length=20)] = Field(
        default_factory=list, description="Knowledge-base articles the answer was taken from (their use is "
                                          "counted)")
    close: bool = Field(False, description="Close the inquiry with this answer")
    send_email: bool | None = Field(None, description="false: do not e-mail it; left out: e-mailed when the "
                                                      "inquiry has an address to answer")


class ForwardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    department_id: Id
    note: Notes = ""


# --- articles ----------------------------------------------------------------------------------

class ArticleOut(Schema):
    id: int
    question: str
    answer: str
    keywords: str
    category: CategoryRef | None
    language: str
    audience: Audience
    owner: MemberRef | None = Field(description="Who keeps it up to date")
    review_on: dt.date | None = Field(description="Listed for its owner to review from this day")
    is_canned_reply: bool = Field(description="Offered as a ready e-mail reply")
    active: bool = Field(description="false: retired")
    uses: int = Field(description="Answers it was used in")
    helpful_yes: int = Field(description="\"Was this helpful?\" on the public FAQ")
    helpful_no: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_category(obj: Article) -> dict | None:
        return category_ref(obj.category)

    @staticmethod
    def resolve_owner(obj: Article) -> dict | None:
        return member_ref(obj.owner)


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleList(Schema):
    items: list[ArticleOut]


class ArticleFilter(Schema):
    audience: Audience | None = None
    language: Language | None = None
    category: Id | None = Field(None, description="A category id")
    canned: bool | None = Field(None, description="true: canned e-mail replies only")
    active: bool = Field(True, description="false: the retired ones")
    cursor: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class ArticleSearch(Schema):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="Words, or a whole question: the best answers come first")
    audience: Audience | None = None
    language: Language | None = Field(None, description="Articles in this language (and the words read in it "
                                                        "only); left out: both")
    category: Id | None = Field(None, description="A category id")
    canned: bool | None = Field(None, description="true: canned e-mail replies only")
    limit: int = Field(10, ge=1, le=50)


class ArticleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    answer: Body
    keywords: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    category_id: Id | None = None
    language: Language | None = Field(None, description="The organisation's language when left out")
    audience: Audience = "internal"
    owner_id: Id | None = Field(None, description="The member who keeps it up to date")
    review_on: dt.date | None = None
    is_canned_reply: bool = False
