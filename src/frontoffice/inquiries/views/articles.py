"""The knowledge-base pages: the list with search as you type, one article, writing and retiring, the
articles due for review, and the suggestions partial the answer screens and the calls screen pop load.

Each view parses a form, calls one service or query and renders; a refusal of the service goes back on the
form with what was typed, and nothing is changed.
"""

from __future__ import annotations

import re

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.core.errors import Conflict
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page
from frontoffice.inquiries import search
from frontoffice.inquiries.forms.articles import ArticleFilterForm, ArticleForm
from frontoffice.inquiries.models import Article, ArticleFeedback, Category
from frontoffice.inquiries.services.articles import article_retire, article_save, articles_for_review

PAGE = 50
SUGGESTIONS = 5
TEXT_MAX = 2000
_ELEMENT_ID = re.compile(r"^[A-Za-z][\w-]{0,63}$")


def _listing(organization, form: ArticleFilterForm) -> tuple[list, int, bool]:
    """(the page of articles, its offset, whether more follow)."""
    offset = form.value("offset") or 0
    q = (form.value("q") or "").strip()
    filters = {"language": form.value("language"), "audience": form.value("audience"),
               "category": form.value("category")}
    state = form.value("state") or form.ACTIVE
    if state == form.RETIRED:
        rows = Article.objects.filter(organization=organization, active=False).select_related("category")
        rows = rows.filter(**{key: value for key, value in filters.items() if value is not None})
        if q:
            rows = rows.filter(question__icontains=q)
        found = list(rows.order_by("question", "id")[offset:offset + PAGE + 1])
    else:
        found = search.search(organization, q, canned=True if state == form.CANNED else None, limit=PAGE + 1,
                              offset=offset, **filters)
    return found[:PAGE], offset, len(found) > PAGE


@require_GET
@member_required("inquiries.view")
def articles(request):
    form = ArticleFilterForm(request.GET, organization=request.org)
    form.is_valid()  # every field is optional; a bad value falls back to its default
    rows, offset, more = _listing(request.org, form)
    query = request.GET.copy()
    query.pop("offset", None)
    context = {"form": form, "rows": rows, "q": form.value("q") or "", "more": more, "next_offset": offset + PAGE,
               "query": query.urlencode(), "can_write": request.member.can("inquiries.articles"),
               "retired": form.value("state") == form.RETIRED,
               "review_count": articles_for_review(request.member, today=timezone.localdate()).count()}
    partial = "inquiries/articles_rows.html" if offset else "inquiries/articles_results.html"
    return render_page(request, "inquiries/articles.html", context, partial=partial)


@require_GET
@member_required("inquiries.view")
def article(request, pk):
    found = get_object_or_404(Article.objects.select_related("category", "owner__user"), organization=request.org,
                              pk=pk)
    feedback = (ArticleFeedback.objects.filter(organization=request.org, article=found).exclude(comment="")
                .order_by("-created_at", "-id")[:10])
    return render(request, "inquiries/articles_detail.html", {
        "article": found, "feedback": feedback, "can_write": request.member.can("inquiries.articles")})


def _form_page(request, form: ArticleForm, article: Article | None = None, status: int = 200):
    return render(request, "inquiries/articles_form.html", {"form": form, "article": article}, status=status)


def _save(request, form: ArticleForm, article: Article | None):
    """Save through the service; None (and the errors on the form) when it refuses."""
    try:
        return article_save(actor=request.member, article=article, **form.service_fields())
    except ValidationError as exc:
        form.add_service_errors(exc)
    except Conflict as exc:
        form.add_error(None, exc.message)
    return None


@member_required("inquiries.articles")
def article_new(request):
    if request.method != "POST":
        return _form_page(request, ArticleForm.blank(request.org, request.member))
    form = ArticleForm(request.POST, organization=request.org)
    saved = _save(request, form, None) if form.is_valid() else None
    if saved is None:
        return _form_page(request, form, status=400)
    flash.success(request, _("The article was saved."))
    return redirect("inquiries:article", pk=saved.pk)


@member_required("inquiries.articles")
def article_edit(request, pk):
    found = get_object_or_404(Article, organization=request.org, pk=pk)
    if request.method != "POST":
        if not found.active:
            flash.info(request, _("This article was retired."))
            return redirect("inquiries:article", pk=found.pk)
        return _form_page(request, ArticleForm.for_article(found), found)
    form = ArticleForm(request.POST, organization=request.org)
    saved = _save(request, form, found) if form.is_valid() else None
    if saved is None:
        return _form_page(request, form, found, status=400)
    flash.success(request, _("The article was saved."))
    return redirect("inquiries:article", pk=saved.pk)


@require_POST
@member_required("inquiries.articles")
def article_retire_view(request, pk):
    found = get_object_or_404(Article, organization=request.org, pk=pk)
    try:
        article_retire(actor=request.member, article=found)
    except Conflict as exc:
        flash.info(request, exc.message)
    else:
        flash.success(request, _("The article was retired: it is no longer suggested nor found."))
    return redirect("inquiries:article", pk=found.pk)


@require_GET
@member_required("inquiries.view")
def articles_review(request):
    rows = articles_for_review(request.member, today=timezone.localdate())
    return render(request, "inquiries/articles_review.html", {
        "rows": rows, "can_write": request.member.can("inquiries.articles")})


def _suggest_filters(request) -> dict | None:
    """The suggestion filters from the query string; None when one is not valid."""
    params = request.GET
    language, audience, category = params.get("language") or None, params.get("audience") or None, None
    if language is not None and language not in search.LANGUAGES:
        return None
    if audience is not None and audience not in Article.Audience.values:
        return None
    if params.get("category"):
        if not params["category"].isdigit():
            return None
        category = Category.objects.filter(organization=request.org, pk=params["category"]).first()
        if category is None:
            return None
    return {"language": language, "audience": audience, "category": category}


@require_GET
@member_required("inquiries.view")
def article_suggest(request):
    """The suggestions partial for ``?text=`` (or ``?question=``): articles answering it, each with an "Insert"
    button that copies the answer into the element ``?target=`` (an id; default ``id_answer``) and adds the
    article's id to that element's form as ``article_ids`` (inquiries/static/inquiries/suggest.js)."""
    text = (request.GET.get("text") or request.GET.get("question") or "")[:TEXT_MAX]
    target = request.GET.get("target") or "id_answer"
    filters = _suggest_filters(request)
    if filters is None or not _ELEMENT_ID.match(target):
        return render(request, "inquiries/_suggestions.html", {"articles": [], "target": "", "bad": True},
                      status=400)
    found = search.suggest(request.org, text, limit=SUGGESTIONS, **filters) if text.strip() else []
    return render(request, "inquiries/_suggestions.html", {"articles": found, "target": target, "text": text})


def global_search(member, q: str, limit: int) -> list:
    """The knowledge base's results in the top bar's search (registered in wiring, capability inquiries.view)."""
    from frontoffice.core.registry import SearchResult

    kind = _("Knowledge base")
    return [SearchResult(kind, found.question, reverse("inquiries:article", args=[found.pk]),
                         found.answer[:80])
            for found in search.search(member.organization, q, limit=limit)] if q.strip() else []
