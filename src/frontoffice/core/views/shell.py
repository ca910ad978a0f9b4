"""The shell around every page: dashboard, organisation switch, language, global search, errors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from frontoffice.core import queries
from frontoffice.core.context_processors import shell as shell_context
from frontoffice.core.fragments import CSRF_HOLE, MemberFragments, fill_holes, hole, shell_key
from frontoffice.core.middleware import SESSION_ORG_KEY, membership_for
from frontoffice.core.permissions import member_required
from frontoffice.core.registry import registry
from frontoffice.core.services import user_set_language
from frontoffice.core.views.helpers import render_page


@member_required("dashboard.view")
def dashboard(request):
    today = timezone.localdate(timezone=request.org.tz)
    panels = registry.panels_for(request.member)
    # The page as it was, unless something changed since (core/fragments.py); cards that may not be kept
    # are rendered now, into the holes the kept page left for them.
    fragments = MemberFragments(request, today)
    body = fragments.get_or_render(
        "dashboard", "core/_dashboard_body.html", lambda: _dashboard_context(request, today, panels))
    if all(panel.cached for panel in panels) and not len(messages.get_messages(request)):
        # Nothing on it is this request's own but the CSRF token and the path: the whole page is kept too.
        page = fragments.get_or_render("dashboard-page:" + shell_key(request), "core/dashboard.html", lambda: {
            **shell_context(request), "request": request, "today": today, "body": body, "messages": (),
            "csrf_token": CSRF_HOLE, "keep_holes": True})
        return HttpResponse(fill_holes(request, page))
    for panel in panels:
        if not panel.cached:
            body = body.replace(hole(f"panel.{panel.key}"), _panel_now(request, panel))
    return render(request, "core/dashboard.html", {"today": today, "body": mark_safe(body)})


def _dashboard_context(request, today, panels) -> dict:
    member, org = request.member, request.org
    cards = [{"template": panel.template, "panel": panel.context(request) if panel.context else {}} if panel.cached
             else {"hole": hole(f"panel.{panel.key}")} for panel in panels]
    mine = queries.activity_filtered(org, actor=member, since=today).select_related(None)[:10]
    return {"member": member, "org": org, "terms": org.preset.terms, "today": today, "panels": cards,
            "my_activity": queries.with_client_names(org, mine)}


def _panel_now(request, panel) -> str:
    return loader.render_to_string(panel.template, {"panel": panel.context(request) if panel.context else {}},
                                   request)


@require_POST
@member_required()
def switch_organization(request):
    try:
        wanted = int(request.POST.get("organization", ""))
    except ValueError:
        wanted = None
    member = membership_for(request.user, wanted, request.memberships) if wanted else None
    if member is None or member.organization_id != wanted:
        messages.error(request, _("You are not a member of that organisation."))
        return redirect("core:dashboard")
    request.session[SESSION_ORG_KEY] = member.organization_id
    messages.success(request, _("You are now working in %(org)s.") % {"org": member.organization.name})
    return redirect("core:dashboard")


@require_POST
def set_language(request):
    """Django's language switch, remembered on the user so it follows them to other devices."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


@require_GET
@member_required("search.use")
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    results = registry.search_for(request.member, q) if len(q) >= 2 else []
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"results": [r.__dict__ for r in results]})
    return render_page(request, "core/search.html", {"q": q, "results": results},
                       partial="core/_search_results.html")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def error_403(request, exception=None):
    return render(request, "core/errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "core/errors/404.html", status=404)


def error_500(request):
    # Rendered without context processors: the error may be the database itself.
    return HttpResponse(loader.render_to_string("core/errors/500.html"), status=500)


def csrf_failure(request, reason=""):
    if request.path.startswith("/kiosk/"):  # a kiosk starts again at its welcome screen, never a staff page
        return redirect("kiosk:welcome")
    return render(request, "core/errors/403_csrf.html", status=403)
