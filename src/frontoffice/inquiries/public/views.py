"""The pages anyone may open, with no account: an organisation's FAQ (with "was this helpful?"), its web
form for questions (embeddable in the organisation's own site), and the 1-5 rating behind the signed link
in an answer's e-mail.

None of them acts for a member: a staff session the browser may carry is ignored (as at the kiosk), so
the pages show nothing a member could see and everything written is the visitor's. They speak the
organisation's language unless the visitor picks the other (``?lang=``), and show its time zone.
An organisation without the page switched on, an unknown one and a bad link all get the same "not
available" page.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontoffice.core.errors import Conflict
from frontoffice.core.middleware import SecurityHeadersMiddleware
from frontoffice.core.views.helpers import render_page
from frontoffice.inquiries import search
from frontoffice.inquiries.models import Article, Category, Channels, Inquiry
from frontoffice.inquiries.presets import categories_ensure
from frontoffice.inquiries.public import ratelimit
from frontoffice.inquiries.public.forms import AskForm, FeedbackForm, RateForm
from frontoffice.inquiries.services import rating
from frontoffice.inquiries.services.feedback import article_feedback_give
from frontoffice.inquiries.services.inquiries import inquiry_open

FAQ_LIMIT = 200  # a FAQ longer than this is searched, not read
SEARCH_LIMIT = 30
QUERY_MAX = 200
SENT_SALT = "frontoffice.inquiries.public.sent"
SENT_MAX_AGE = 3600
EMBED_POLICY = SecurityHeadersMiddleware.POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")

REFUSALS = {
    ratelimit.ARTICLE_TODAY: _("You have already told us about this answer today. Thank you!"),
    ratelimit.TOO_MANY: _("We have had many answers from your connection in the last hour. Please try again "
                          "later."),
}
NOT_ANSWERED = _("We have not answered this question yet. You can rate our answer once you have it.")
TOO_MANY_QUESTIONS = _("We have had several questions from your connection in the last hour. Please try "
                       "again later, or call us.")


# --- the frame every public page shares ----------------------------------------------------------


def public_page(view):
    """The view acts for nobody: whatever session the browser carries, no member, no organisation of
    theirs, none of their pending messages."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.member = None
        request.org = None
        request.memberships = []
        return view(request, *args, **kwargs)

    return wrapper


def published(switch: str):
    """The view is an organisation's page that it may switch off (``Channels.public_faq``/``public_form``):
    it acts for nobody (``public_page``), gets the organisation's channels in place of its slug and speaks
    its language; unknown or switched off, the page is "not available"."""

    def decorator(view):
        @wraps(view)
        @public_page
        def wrapper(request, slug, *args, **kwargs):
            channels = (Channels.objects.select_related("organization")
                        .filter(organization__slug=slug, **{switch: True}).first())
            if channels is None:
                return _not_available(request)
            _speak(request, channels.organization)
            return view(request, channels, *args, **kwargs)

        return wrapper

    return decorator


def _language(request, organization) -> str:
    chosen = request.POST.get("lang") or request.GET.get("lang") or ""
    return chosen if chosen in dict(settings.LANGUAGES) else (organization.language or settings.LANGUAGE_CODE)


def _speak(request, organization) -> str:
    """Answer in the visitor's chosen language (else the organisation's), in the organisation's time zone."""
    language = _language(request, organization)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    timezone.activate(organization.tz)
    return language


def _query(language: str, organization, **params) -> str:
    """A query string carrying the language when it is not the organisation's own (and ``params``)."""
    params = {"lang": language if language != organization.language else "", **params}
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return "?" + urlencode(params) if params else ""


def _page(request, organization, template: str, context: dict | None = None, *, status: int = 200,
          partial: str | None = None, embed: bool = False, here: str | None = None):
    """Render a public page; ``here`` is the page the language links reload (default: this one)."""
    language = translation.get_language()
    match = request.resolver_match
    base = here or reverse(match.view_name, kwargs=match.kwargs)
    languages = [(code, name, base + _query(code, organization, **_kept(request, embed)))
                 for code, name in settings.LANGUAGES]
    response = render_page(request, template, {
        "organization": organization, "language": language, "languages": languages,
        "lang_param": language if language != organization.language else "", "embed": embed,
        "messages": (), **(context or {}),
    }, status=status, partial=partial)
    if template != "inquiries/public/faq.html":
        response["X-Robots-Tag"] = "noindex"
    return response


def _kept(request, embed: bool) -> dict:
    """What a language link keeps of the page it switches: the search, the embedding."""
    q = request.GET.get("q") or request.POST.get("q") or ""
    return {"q": q[:QUERY_MAX], "embed": "1" if embed else ""}


def _not_available(request, organization=None, *, reason: str = "", status: int = 404):
    if organization is not None:
        _speak(request, organization)
    response = render(request, "inquiries/public/not_available.html", {
        "organization": organization, "reason": reason, "embed": request.GET.get("embed") == "1",
        "messages": (),
    }, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- the FAQ -------------------------------------------------------------------------------------


def faq_articles(organization, *, q: str, language: str) -> list[Article]:
    """The public answers in ``language``; all of them when it has none. A query ranks them."""
    public = organization.articles.filter(active=True, audience=Article.Audience.PUBLIC)
    if not public.filter(language=language).exists():
        language = None
    if q:
        found = search.search(organization, q, language=language, audience=Article.Audience.PUBLIC,
                              limit=SEARCH_LIMIT)
        return found or (search.search(organization, q, audience=Article.Audience.PUBLIC, limit=SEARCH_LIMIT)
                         if language else [])
    if language:
        public = public.filter(language=language)
    return list(public.select_related("category")
                .order_by(F("category__position").asc(nulls_last=True), "category__name", "question", "id")
                [:FAQ_LIMIT])


@require_GET
@published("public_faq")
def faq(request, channels):
    organization = channels.organization
    language = translation.get_language()
    q = " ".join(request.GET.get("q", "").split())[:QUERY_MAX]
    thanks = request.GET.get("thanks", "")
    return _page(request, organization, "inquiries/public/faq.html", {
        "q": q, "articles": faq_articles(organization, q=q, language=language),
        "thanks": int(thanks) if thanks.isdigit() else None, "feedback_form": FeedbackForm(),
        "ask_url": (reverse("public:ask", args=[organization.slug]) + _query(language, organization)
                    if channels.public_form else ""),
    }, partial="inquiries/public/_faq_results.html")


@require_POST
@published("public_faq")
def faq_feedback(request, channels, article_id):
    """Yes or no (and a comment) for one answer. Without JavaScript the browser goes back to the FAQ
    with a thank-you under the answer; with htmx the answer's box is swapped for it."""
    organization = channels.organization
    article = (organization.articles.filter(pk=article_id, active=True, audience=Article.Audience.PUBLIC)
               .first())
    if article is None:
        return _not_available(request, organization)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_answer(request, organization, article, form=form, status=400)
    source = ratelimit.source_hash(request)
    refusal = ratelimit.feedback_refusal(article, source, now=timezone.now())
    if refusal:
        return _feedback_answer(request, organization, article, form=form, refusal=REFUSALS[refusal],
                                status=429)
    try:
        article_feedback_give(article=article, helpful=form.is_helpful, comment=form.cleaned_data["comment"],
                              source_hash=source)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _feedback_answer(request, organization, article, form=form, status=400)
    if request.htmx:
        return _feedback_answer(request, organization, article, thanked=True)
    query = _query(translation.get_language(), organization, q=request.POST.get("q", "")[:QUERY_MAX],
                   thanks=article.pk)
    return redirect(reverse("public:faq", args=[organization.slug]) + query + f"#article-{article.pk}")


def _feedback_answer(request, organization, article, *, form=None, refusal: str = "", thanked: bool = False,
                     status: int = 200):
    return _page(request, organization, "inquiries/public/feedback.html", {
        "article": article, "feedback_form": form or FeedbackForm(), "refusal": refusal, "thanked": thanked,
        "q": request.POST.get("q", "")[:QUERY_MAX],
    }, status=status, partial="inquiries/public/_feedback.html",
        here=reverse("public:faq", args=[organization.slug]))


# --- the web form --------------------------------------------------------------------------------


@csrf_exempt  # the form's signed stamp stands in for the CSRF cookie, which a framed form cannot count on
@require_http_methods(["GET", "POST"])
@published("public_form")
def ask(request, channels):
    organization = channels.organization
    embed = request.GET.get("embed") == "1"
    if request.method == "GET" and "sent" in request.GET:
        return _ask_page(request, organization, {"sent": True, "reference": _sent_reference(request)},
                         embed=embed)
    source = ratelimit.source_hash(request)
    categories = _public_categories(organization)
    if request.method == "GET":
        form = AskForm(organization=organization, source=source, categories=categories,
                       initial={"category": channels.default_category_id})
        return _ask_page(request, organization, {"form": form}, embed=embed)
    form = AskForm(request.POST, organization=organization, source=source, categories=categories)
    if form.is_spam:
        return _sent(organization, None, embed)
    if not form.is_valid():
        return _ask_page(request, organization, {"form": form}, status=400, embed=embed)
    if not ratelimit.question_allowed(organization, source, now=timezone.now()):
        return _ask_page(request, organization, {"form": form, "refusal": TOO_MANY_QUESTIONS}, status=429,
                         embed=embed)
    try:
        inquiry = _open(channels, form)
    except ValidationError as exc:
        _add_errors(form, exc, names={"full_name": "name", "contact_email": "email"})
        return _ask_page(request, organization, {"form": form}, status=400, embed=embed)
    return _sent(organization, inquiry, embed)


def _public_categories(organization):
    categories_ensure(organization)  # once: an organisation that never opened the inquiries pages
    return Category.objects.filter(organization=organization, active=True).order_by("position", "name")


def _open(channels: Channels, form: AskForm) -> Inquiry:
    return inquiry_open(actor=None, organization=channels.organization, site=channels.site,
                        channel=Inquiry.Channel.WEB, **form.service_arguments())


def _sent(organization, inquiry: Inquiry | None, embed: bool):
    """After the question is taken: the thank-you (with the reference, signed into the address so the page
    can be reloaded but not used to look references up)."""
    sent = signing.dumps(inquiry.reference, salt=SENT_SALT) if inquiry is not None else ""
    query = _query(translation.get_language(), organization, sent=sent or "1", embed="1" if embed else "")
    return redirect(reverse("public:ask", args=[organization.slug]) + query)


def _sent_reference(request) -> str:
    try:
        return signing.loads(request.GET.get("sent", ""), salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        return ""


def _ask_page(request, organization, context: dict, *, status: int = 200, embed: bool = False):
    response = _page(request, organization, "inquiries/public/ask.html", {
        "action": reverse("public:ask", args=[organization.slug])
        + _query(translation.get_language(), organization, embed="1" if embed else ""), **context,
    }, status=status, embed=embed)
    if embed:  # the organisation's own site may frame this page, and only this one
        response.xframe_options_exempt = True
        response["Content-Security-Policy"] = EMBED_POLICY
    return response


# --- the rating ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@public_page
def rate(request, token):
    """The 1-5 rating and a comment, once per answered inquiry; a link tampered with, expired or of a
    removed inquiry gets the "not available" page (with the reason) and reveals nothing."""
    try:
        inquiry = rating.inquiry_for_token(token)
    except ValidationError as exc:
        return _not_available(request, reason=_first_message(exc))
    organization = inquiry.organization
    _speak(request, organization)
    if inquiry.rated_at is not None:
        thanked = request.method == "GET" and request.GET.get("thanks") == "1"
        return _rate_page(request, inquiry, {"rated": True, "thanked": thanked},
                          status=409 if request.method == "POST" else 200)
    if inquiry.first_answered_at is None:
        return _rate_page(request, inquiry, {"problem": NOT_ANSWERED},
                          status=409 if request.method == "POST" else 200)
    if request.method == "GET":
        preset = request.GET.get("rating", "")
        form = RateForm(initial={"rating": int(preset)} if preset in {"1", "2", "3", "4", "5"} else None)
        return _rate_page(request, inquiry, {"form": form})
    return _rate_post(request, inquiry, token)


def _rate_post(request, inquiry: Inquiry, token: str):
    form = RateForm(request.POST)
    if not form.is_valid():
        return _rate_page(request, inquiry, {"form": form}, status=400)
    try:
        rating.inquiry_rate(token=token, rating=form.cleaned_data["rating"],
                            comment=form.cleaned_data["comment"])
    except Conflict as exc:  # rated meanwhile, from another tab
        inquiry.refresh_from_db(fields=["rated_at"])
        rated = inquiry.rated_at is not None
        return _rate_page(request, inquiry, {"rated": rated, "problem": "" if rated else exc.message},
                          status=409)
    except ValidationError as exc:
        if "token" in getattr(exc, "error_dict", {}):
            return _not_available(request, reason=_first_message(exc))
        _add_errors(form, exc)
        return _rate_page(request, inquiry, {"form": form}, status=400)
    query = _query(translation.get_language(), inquiry.organization, thanks="1")
    return redirect(reverse("public:rate", args=[token]) + query)


def _rate_page(request, inquiry: Inquiry, context: dict, *, status: int = 200):
    return _page(request, inquiry.organization, "inquiries/public/rate.html", {"inquiry": inquiry, **context},
                 status=status)


# --- helpers -------------------------------------------------------------------------------------


def _first_message(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else ""


def _add_errors(form, exc: ValidationError, *, names: dict | None = None) -> None:
    """A service's errors on the form's fields (renamed by ``names``); the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        field = (names or {}).get(field, field)
        form.add_error(field if field in form.fields else None, messages)
