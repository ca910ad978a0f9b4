"""The inquiries API: inquiries (list, take, read, change, answer, forward) and the knowledge base (list,
write, search).

Handlers parse, check the capability, look rows up in the member's organisation and call the same services
and queries as the pages. Ids in a body or a filter that are not of the organisation are refused with 400
naming the field; ids in the path, with 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status

from frontoffice.clients.queries import clients_of
from frontoffice.core.apiutils import fields_as_sent, own, require
from frontoffice.core.pagination import paginate_desc
from frontoffice.core.schemas import ErrorOut
from frontoffice.inquiries import search
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.queries.lists import UNASSIGNED, by_urgency, inquiries_of
from frontoffice.inquiries.schemas import (
    AnswerIn,
    ArticleFilter,
    ArticleIn,
    ArticleList,
    ArticleOut,
    ArticlePage,
    ArticleSearch,
    ForwardIn,
    InquiryDetailOut,
    InquiryFilter,
    InquiryIn,
    InquiryPage,
    InquiryPatch,
)
from frontoffice.inquiries.services.articles import article_save
from frontoffice.inquiries.services.inquiries import (
    inquiry_answer,
    inquiry_forward,
    inquiry_open,
    inquiry_update,
)

inquiries_router = Router(tags=["inquiries"])
articles_router = Router(tags=["inquiries"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

# The services name model fields; the API's caller sent ids.
_SENT_AS = {"category": "category_id", "client": "client_id", "site": "site_id",
            "assigned_to": "assigned_to_id", "department": "department_id", "owner": "owner_id",
            "full_name": "new_client.full_name", "phone": "new_client.phone", "email": "new_client.email"}

_LISTED = ("client", "category", "department", "assigned_to__user", "opened_by__user",
           "first_answered_by__user", "answered_by__user")


# --- looking rows up ---------------------------------------------------------------------------

def _inquiry_or_404(request, inquiry_id: int) -> Inquiry:
    """The inquiry with its thread, annotated as the lists are (``overdue``)."""
    rows = by_urgency(request.org.inquiries.filter(pk=inquiry_id), timezone.now())
    inquiry = (rows.select_related(*_LISTED)
               .prefetch_related("messages__author__user", "attachments", "article_uses__article",
                                 "article_uses__member__user")
               .first())
    if inquiry is None:
        raise Http404
    return inquiry


def _inquiry_for_change(request, inquiry_id: int) -> Inquiry:
    inquiry = request.org.inquiries.filter(pk=inquiry_id).first()
    if inquiry is None:
        raise Http404
    inquiry.organization = request.org  # the same row, already loaded: spares the services a query
    return inquiry


def _assigned(request, assigned):
    if assigned in (None, UNASSIGNED):
        return assigned
    if assigned == "me":
        return request.member
    return own(request.org.members, int(assigned), "assigned")


def _statuses(status: str | None):
    return Inquiry.OPEN_STATUSES if status == "open_any" else status


# --- inquiries ---------------------------------------------------------------------------------

@inquiries_router.get("", response={200: InquiryPage, **ERRORS}, summary="Inquiries",
                      description="Newest first. Pass `next_cursor` back as `cursor` for the next page.")
def inquiry_list(request, filters: Query[InquiryFilter]):
    require(request, "inquiries.view")
    rows = inquiries_of(request.org, status=_statuses(filters.status), overdue=filters.overdue,
                        category=own(request.org.inquiry_categories, filters.category, "category"),
                        assigned=_assigned(request, filters.assigned),
                        client=own(clients_of(request.org, archived=None), filters.client, "client"),
                        department=own(request.org.departments, filters.department, "department"))
    page = paginate_desc(rows.select_related(*_LISTED), key="opened_at", cursor=filters.cursor,
                         limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@inquiries_router.post("", response={201: InquiryDetailOut, **ERRORS}, summary="Take an inquiry",
                       description="For an existing client (`client_id`) or one quick-added with it "
                                   "(`new_client`; a client with exactly that phone or e-mail is reused). "
                                   "The category routes it to its department and sets the due times, "
                                   "counted in the site's business hours.")
def inquiry_create(request, payload: InquiryIn):
    require(request, "inquiries.answer")
    with fields_as_sent(_SENT_AS):
        inquiry = inquiry_open(
            actor=request.member, site=own(request.org.sites, payload.site_id, "site_id"),
            channel=payload.channel,
            client=own(clients_of(request.org), payload.client_id, "client_id"),
            new_client=payload.new_client.dict() if payload.new_client else None, subject=payload.subject,
            question=payload.question,
            category=own(request.org.inquiry_categories, payload.category_id, "category_id"),
            priority=payload.priority,
            assigned_to=own(request.org.members, payload.assigned_to_id, "assigned_to_id"),
            contact_email=payload.contact_email)
    return Status(201, _inquiry_or_404(request, inquiry.pk))


@inquiries_router.get("/{inquiry_id}", response={200: InquiryDetailOut, **ERRORS},
                      summary="One inquiry, with its thread")
def inquiry_get(request, inquiry_id: int):
    require(request, "inquiries.view")
    return _inquiry_or_404(request, inquiry_id)


@inquiries_router.patch("/{inquiry_id}", response={200: InquiryDetailOut, **ERRORS},
                        summary="Change an inquiry",
                        description="Only the fields sent change. A new category re-routes it to the "
                                    "category's department and recomputes its due times.")
def inquiry_patch(request, inquiry_id: int, payload: InquiryPatch):
    require(request, "inquiries.answer")
    inquiry = _inquiry_for_change(request, inquiry_id)
    fields = payload.dict(exclude_unset=True)
    if "category_id" in fields:
        fields["category"] = own(request.org.inquiry_categories, fields.pop("category_id"), "category_id")
    if "assigned_to_id" in fields:
        fields["assigned_to"] = own(request.org.members, fields.pop("assigned_to_id"), "assigned_to_id")
    with fields_as_sent(_SENT_AS):
        inquiry_update(actor=request.member, inquiry=inquiry, **fields)
    return _inquiry_or_404(request, inquiry_id)


@inquiries_router.post("/{inquiry_id}/answer", response={200: InquiryDetailOut, **ERRORS},
                       summary="Answer an inquiry",
                       description="Records the answer in the thread and e-mails it when the inquiry has an "
                                   "address to answer (unless `send_email` is false). `close` closes it too. "
                                   "409 for a closed inquiry.")
def inquiry_answer_post(request, inquiry_id: int, payload: AnswerIn):
    require(request, "inquiries.answer")
    inquiry = _inquiry_for_change(request, inquiry_id)
    with fields_as_sent(_SENT_AS):
        inquiry_answer(actor=request.member, inquiry=inquiry, text=payload.text,
                       article_ids=payload.article_ids, close=payload.close,
                       send_email=payload.send_email)
    return _inquiry_or_404(request, inquiry_id)


@inquiries_router.post("/{inquiry_id}/forward", response={200: InquiryDetailOut, **ERRORS},
                       summary="Forward an inquiry to a department",
                       description="The department's queue takes it over; the note goes into the thread as "
                                   "an internal note. 409 for a closed inquiry.")
def inquiry_forward_post(request, inquiry_id: int, payload: ForwardIn):
    require(request, "inquiries.answer")
    inquiry = _inquiry_for_change(request, inquiry_id)
    with fields_as_sent(_SENT_AS):
        inquiry_forward(actor=request.member, inquiry=inquiry, note=payload.note,
                        department=own(request.org.departments, payload.department_id, "department_id"))
    return _inquiry_or_404(request, inquiry_id)


# --- the knowledge base ------------------------------------------------------------------------

def _article_rows(request):
    return request.org.articles.select_related("category", "owner__user")


@articles_router.get("", response={200: ArticlePage, **ERRORS}, summary="Knowledge-base articles",
                     description="Newest first; retired ones with `active=false`.")
def article_list(request, filters: Query[ArticleFilter]):
    require(request, "inquiries.view")
    rows = _article_rows(request).filter(active=filters.active)
    category = own(request.org.inquiry_categories, filters.category, "category")
    for field, value in (("audience", filters.audience), ("language", filters.language),
                         ("category", category), ("is_canned_reply", filters.canned)):
        if value is not None:
            rows = rows.filter(**{field: value})
    page = paginate_desc(rows, key="created_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@articles_router.post("", response={201: ArticleOut, **ERRORS}, summary="Write an article")
def article_create(request, payload: ArticleIn):
    require(request, "inquiries.articles")
    with fields_as_sent(_SENT_AS):
        article = article_save(
            actor=request.member, question=payload.question, answer=payload.answer, keywords=payload.keywords,
            category=own(request.org.inquiry_categories, payload.category_id, "category_id"),
            language=payload.language or request.org.language, audience=payload.audience,
            owner=own(request.org.members, payload.owner_id, "owner_id"), review_on=payload.review_on,
            is_canned_reply=payload.is_canned_reply)
    return Status(201, _article_rows(request).get(pk=article.pk))


@articles_router.get("/search", response={200: ArticleList, **ERRORS}, summary="Search the knowledge base",
                     description="Diacritics folded, English and Polish word forms matched; the best "
                                 "answers first. Active articles only.")
def article_search(request, filters: Query[ArticleSearch]):
    require(request, "inquiries.view")
    found = search.search(request.org, filters.q, language=filters.language, audience=filters.audience,
                          category=own(request.org.inquiry_categories, filters.category, "category"),
                          canned=filters.canned, limit=filters.limit)
    prefetch_related_objects(found, "owner__user")
    return {"items": found}
