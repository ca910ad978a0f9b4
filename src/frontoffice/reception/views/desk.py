"""The desk: the receptionist's screen (today's visitors, live), walk-ins and invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from frontoffice.clients import queries as client_queries
from frontoffice.clients.forms import with_focus
from frontoffice.clients.views import display
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Site
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page
from frontoffice.reception import queries, services
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.forms import InviteForm, WalkInForm, host_value
from frontoffice.reception.views.desk_rows import DeskRows

SESSION_SITE = "reception_site"
CLIENT_MATCHES = 8
TODAY_PAGE = 50
TODAY_LABELS = (("waiting", gettext_lazy("Waiting")), ("expected", gettext_lazy("Expected today")),
                ("held", gettext_lazy("Call a manager")), ("with_host", gettext_lazy("With their host")),
                ("left", gettext_lazy("Left today")))


# --- which site the desk is at -----------------------------------------------------------------

def desk_sites(request) -> list[Site]:
    """The sites the member works at (every active site of the organisation when none is set)."""
    return queries.desk_sites(request.org, request.member)


def pick_site(request) -> tuple[list[Site], Site | None]:
    """The member's sites and the one the desk shows: ``?site=`` (remembered), else the last one, else
    the first. A site id of another organisation is a 404."""
    sites = desk_sites(request)
    wanted = request.GET.get("site", "")
    if wanted:
        site = next((s for s in sites if str(s.pk) == wanted), None)
        if site is None and wanted.isdigit():
            site = request.org.sites.filter(pk=wanted).first()
        if site is None:
            raise Http404("no such site")
        if request.session.get(SESSION_SITE) != site.pk:  # no session write on every refresh
            request.session[SESSION_SITE] = site.pk
        return sites, site
    remembered = request.session.get(SESSION_SITE)
    site = next((s for s in sites if s.pk == remembered), sites[0] if sites else None)
    return sites, site


def can(member) -> dict[str, bool]:
    """The member's reception capabilities by short name, for templates: ``can.desk``, ``can.watchlist``…"""
    names = ("view", "desk", "invite", "watchlist", "evacuation", "kiosks")
    return {name: member.can(f"reception.{name}") for name in names}


# --- the desk screen ---------------------------------------------------------------------------

def _rows(request, now, back: str) -> DeskRows:
    return DeskRows(request, types={t.key: t for t in queries.visit_types(request.org)}, can=can(request.member),
                    back=back, now=now, wait_target_seconds=queries.wait_target_minutes(request.org) * 60)


def _board_context(request, site: Site | None) -> dict:
    now = timezone.now()
    board = queries.desk_screen(request.org, site=site, now=now)
    site_query = f"?site={site.pk}" if site else ""
    rows = _rows(request, now, reverse("reception:desk") + site_query)
    html = {name: rows.join(board[name], name) for name in ("held", "waiting", "expected", "with_host", "left")}
    return {"board": board, "rows": html, "site": site, "now": now, "can": rows.can,
            "more_url": {name: today_url(site, name) for name in queries.TODAY_LISTS}}


def today_url(site: Site | None, status: str = "") -> str:
    query = urlencode({k: v for k, v in (("site", site.pk if site else ""), ("status", status)) if v})
    return reverse("reception:today") + (f"?{query}" if query else "")


@require_GET
@member_required("reception.view")
def desk(request):
    sites, site = pick_site(request)
    return render(request, "reception/desk.html", {**_board_context(request, site), "sites": sites})


@require_GET
@member_required("reception.view")
def desk_live(request):
    """The lists of the desk screen alone: htmx fetches this every few seconds."""
    _sites, site = pick_site(request)
    return render(request, "reception/_desk_live.html", _board_context(request, site))


@require_GET
@member_required("reception.view")
def today(request):
    """Today's visits at the desk's site, one list of the desk (``?status=``) or all, a page at a time:
    where the desk's "… more" links lead."""
    _sites, site = pick_site(request)
    status = request.GET.get("status", "")
    status = status if status in queries.TODAY_LISTS else ""
    now = timezone.now()
    page = Paginator(queries.visits_today(request.org, site=site, now=now, status=status), TODAY_PAGE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    queries.with_waiting(rows, now, queries.wait_target_minutes(request.org))
    here = today_url(site, status)
    back = here + (("&" if "?" in here else "?") + f"page={page.number}" if page.number > 1 else "")
    counts = queries.desk_counts(request.org, site=site, now=now)
    return render(request, "reception/today.html", {
        "site": site, "now": now, "status": status, "page": page, "rows": _rows(request, now, back).join(rows),
        "here": here, "all_url": today_url(site),
        "lists": [(name, label, today_url(site, name), counts[name]) for name, label in TODAY_LABELS]})


# --- walk-ins ----------------------------------------------------------------------------------

def _client_matches(request, q: str, chosen):
    if len(q) < 2:
        return []
    found = client_queries.client_search(request.org, q, limit=CLIENT_MATCHES).items
    return display.rows([c for c in found if chosen is None or c.pk != chosen.pk])


def _chosen_client(request, form: WalkInForm):
    if form.is_bound and form.is_valid():
        return form.cleaned_data.get("client")
    raw = (form.data.get("client") if form.is_bound else request.GET.get("client")) or ""
    if not str(raw).isdigit():
        return None
    return client_queries.clients_of(request.org).filter(pk=raw).first()


@member_required("reception.desk")
def walk_in(request):
    """Someone at the desk now: find them among the clients as you type, or enter a new person."""
    _sites, site = pick_site(request)
    types = queries.visit_types(request.org)
    typed = request.GET.get("q", "").strip()[:100]
    form = WalkInForm(request.POST if request.method == "POST" else None, organization=request.org,
                      visit_types=types, initial={"q": typed, "visitor_name": "" if phones.looks_like_phone(typed)
                                                  else typed})
    if request.method == "POST" and form.is_valid():
        done = _walk_in(request, form, site)
        if done is not None:
            return done
    chosen = _chosen_client(request, form)
    q = (form.data.get("q") if form.is_bound else request.GET.get("q", "")) or ""
    if form.errors:
        form.fields["q"].widget.attrs.pop("autofocus", None)
        with_focus(form)
    context = {"form": form, "site": site, "chosen": chosen, "q": q.strip()[:100],
               "matches": _client_matches(request, q.strip()[:100], chosen)}
    return render_page(request, "reception/walk_in.html", context, partial="reception/_client_matches.html",
                       status=400 if form.errors else 200)


def _walk_in(request, form: WalkInForm, site: Site | None):
    """Check the visitor in; None when the service refused (the errors are on the form)."""
    if site is None:
        form.add_error(None, _("Add a site to the organisation first."))
        return None
    try:
        visit = services.visit_walk_in(actor=request.member, site=site, **form.service_fields())
    except WatchlistMatch as exc:
        messages.error(request, exc.message)
        return redirect("reception:desk")
    except (ValidationError, Conflict) as exc:
        _refuse(form, exc)
        return None
    messages.success(request, _("%(name)s is checked in, badge %(badge)s.") % {
        "name": visit.visitor_name, "badge": visit.badge_number or "—"})
    if form.cleaned_data.get("add_as_client") and visit.client_id is None:
        _make_client(request, visit)
    return redirect("reception:desk")


def _make_client(request, visit) -> None:
    try:
        client = services.visit_make_client(actor=request.member, visit=visit)
    except (ValidationError, Conflict) as exc:
        messages.warning(request, _("The visitor was not added as a client: %(why)s") % {
            "why": " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message})
    else:
        messages.success(request, _("%(name)s is a client now.") % {"name": client.display_name})


def _refuse(form, exc: ValidationError | Conflict) -> None:
    if isinstance(exc, Conflict):
        form.add_error(None, exc.message)
    else:
        form.add_service_errors(exc)


# --- invitations -------------------------------------------------------------------------------

@member_required("reception.invite")
def invite(request):
    """Invite a visitor: as their host, or for another member (an assistant for their executive)."""
    sites, site = pick_site(request)
    form = InviteForm(request.POST if request.method == "POST" else None, organization=request.org,
                      visit_types=queries.visit_types(request.org), sites=request.org.sites.filter(active=True),
                      initial={"host": host_value(request.member), "site": site})
    if form.is_bound and form.is_valid():
        try:
            visit = services.visit_invite(actor=request.member, **form.service_fields())
        except (ValidationError, Conflict) as exc:
            _refuse(form, exc)
        else:
            if form.cleaned_data["send_invitation"] and visit.visitor_email:
                messages.success(request, _("%(name)s is invited; the invitation is on its way to %(email)s.") % {
                    "name": visit.visitor_name, "email": visit.visitor_email})
            else:
                messages.success(request, _("%(name)s is expected.") % {"name": visit.visitor_name})
            return redirect("reception:visit", pk=visit.pk)
    return render(request, "reception/invite.html", {
        "form": with_focus(form, "visitor_name"), "sites": sites,
        "many_sites": form.fields["site"].queryset.count() > 1}, status=400 if form.errors else 200)
