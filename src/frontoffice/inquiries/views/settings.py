"""Inquiry settings: the categories (where each routes, its response targets) and the channels (the
mailbox, the inbound-mail webhook, the public FAQ page and the web form).

Each view parses a form, calls one service and renders; a refusal goes back on the form with what was
typed, and nothing is changed. The webhook's token is shown once, in the response to the POST that made
it: it is neither stored nor put in a redirect or a message.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.core.forms import add_service_errors
from frontoffice.core.permissions import member_required
from frontoffice.inquiries.forms.settings import CategoryForm, ChannelsForm
from frontoffice.inquiries.models import Category, Channels
from frontoffice.inquiries.services import categories as services

_FAILED = object()


def _attempt(form, save):
    """Run a service for valid input: its result, or ``_FAILED`` with the refusal put on the form."""
    try:
        return save()
    except ValidationError as exc:
        add_service_errors(form, exc)
    return _FAILED


# --- categories ----------------------------------------------------------------------------------

@require_GET
@member_required("inquiries.manage")
def settings_categories(request):
    services.categories_ensure(request.org)
    categories = Category.objects.filter(organization=request.org).select_related("department")
    return render(request, "inquiries/settings_categories.html",
                  {"categories": categories, "tab": "categories"})


@member_required("inquiries.manage")
def category_edit(request, pk=None):
    category = get_object_or_404(Category, organization=request.org, pk=pk) if pk is not None else None
    form = CategoryForm.for_category(category, request.POST if request.method == "POST" else None,
                                     organization=request.org)

    def save():
        return services.category_save(actor=request.member, category=category, **form.service_fields())

    saved = _attempt(form, save) if form.is_bound and form.is_valid() else _FAILED
    if saved is not _FAILED:
        messages.success(request, _("The category %(name)s is saved.") % {"name": saved.name})
        return redirect("inquiries:settings_categories")
    return render(request, "inquiries/settings_category_form.html",
                  {"form": form, "category": category, "tab": "categories"},
                  status=400 if form.is_bound else 200)


# --- channels ------------------------------------------------------------------------------------

def _public_url(name: str, *args) -> str:
    try:
        return settings.PUBLIC_URL + reverse(name, args=args)
    except NoReverseMatch:  # the public pages are not mounted (a stripped-down install)
        return ""


def _embed(ask_url: str, title: str) -> str:
    """The web form's iframe, as text to copy (shown escaped, never rendered here)."""
    return (f'<iframe src="{escape(ask_url)}?embed=1" title="{escape(title)}" width="100%" height="640" '
            f'style="border:0" loading="lazy"></iframe>')


def _channels_page(request, form: ChannelsForm, channels: Channels, *, status: int = 200,
                   new_token: str = ""):
    slug = request.org.slug
    ask_url = _public_url("public:ask", slug)
    return render(request, "inquiries/settings_channels.html", {
        "form": form, "channels": channels, "tab": "channels",
        "faq_url": _public_url("public:faq", slug), "ask_url": ask_url,
        "embed": _embed(ask_url, request.org.name) if ask_url else "",
        "inbound_url": _public_url("public:inbound_mail", new_token) if new_token else "",
        "public_url_is_local": settings.PUBLIC_URL.startswith(("http://127.", "http://localhost")),
    }, status=status)


@member_required("inquiries.manage")
def settings_channels(request):
    channels = services.channels_of(request.org)
    form = ChannelsForm.for_channels(channels, request.POST if request.method == "POST" else None,
                                     organization=request.org)
    if form.is_bound and form.is_valid() and _attempt(form, lambda: services.channels_save(
            actor=request.member, **form.service_fields())) is not _FAILED:
        messages.success(request, _("The inquiry channels are saved."))
        return redirect("inquiries:settings_channels")
    return _channels_page(request, form, channels, status=400 if form.is_bound else 200)


@require_POST
@member_required("inquiries.manage")
def channels_token(request):
    """A new inbound-mail webhook address (the old one stops working), shown this once."""
    raw = services.inbound_token_rotate(actor=request.member)
    channels = services.channels_of(request.org)
    form = ChannelsForm.for_channels(channels, organization=request.org)
    return _channels_page(request, form, channels, new_token=raw)


@require_POST
@member_required("inquiries.manage")
def channels_token_revoke(request):
    services.inbound_token_revoke(actor=request.member)
    messages.success(request, _("The inbound-mail webhook is switched off."))
    return redirect("inquiries:settings_channels")
