"""Who is on site, the roll call PDF, and an evacuation run from a phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.core.errors import Conflict
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page
from frontoffice.reception import badges, queries, services
from frontoffice.reception.forms import MarkSafeForm, SiteForm
from frontoffice.reception.models import Evacuation
from frontoffice.reception.views.desk import can, desk_sites


def _sites_shown(request):
    """``?site=`` alone, else every site the member works at."""
    wanted = request.GET.get("site", "")
    if wanted:
        site = request.org.sites.filter(pk=wanted).first() if wanted.isdigit() else None
        if site is None:
            raise Http404("no such site")
        return [site], site
    return desk_sites(request), None


@require_GET
@member_required("reception.view")
def on_site(request):
    """Everyone on site now, per site; htmx refreshes the lists."""
    sites, chosen = _sites_shown(request)
    groups = queries.on_site_by_site(request.org, sites)
    context = {"groups": groups, "chosen": chosen, "now": timezone.now(), "can": can(request.member)}
    return render_page(request, "reception/on_site.html", context, partial="reception/_on_site_live.html")


@require_GET
@member_required("reception.desk")
def roll_call_pdf(request):
    site = None
    wanted = request.GET.get("site", "")
    if wanted:
        site = get_object_or_404(request.org.sites, pk=wanted) if wanted.isdigit() else None
        if site is None:
            raise Http404("no such site")
    board = queries.on_site(request.org, site=site)
    now = timezone.now()
    pdf = badges.roll_call_pdf(request.org, site, board.visits, now, evacuation=board.evacuation)
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime(now, site.tz if site else request.org.tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'inline; filename="roll-call-{stamp}.pdf"'
    return response


# --- evacuation --------------------------------------------------------------------------------

def _evacuation(request, pk: int) -> Evacuation:
    return get_object_or_404(Evacuation.objects.filter(organization=request.org).select_related("site"), pk=pk)


@require_POST
@member_required("reception.evacuation")
def evacuation_start(request):
    form = SiteForm(request.POST, sites=request.org.sites.filter(active=True))
    if not form.is_valid():
        raise Http404("no such site")
    try:
        evacuation = services.evacuation_start(actor=request.member, site=form.cleaned_data["site"])
    except (Conflict, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, Conflict) else " ".join(exc.messages))
        return redirect("reception:on_site")
    messages.warning(request, _("Roll call started at %(site)s: mark each person safe.") % {
        "site": evacuation.site.name})
    return redirect("reception:evacuation", pk=evacuation.pk)


@require_GET
@member_required("reception.evacuation")
def evacuation(request, pk):
    """The roll call on a phone: one big button per person still to find."""
    evacuation = _evacuation(request, pk)
    marks = {m.visit_id: m for m in evacuation.marks.select_related(
        "marked_by__user", "visit__host_member__user", "visit__host_department")}
    # Everyone on site now, and whoever was marked safe and has left since.
    people = {v.pk: v for v in queries.on_site(request.org, site=evacuation.site).visits}
    for mark in marks.values():
        people.setdefault(mark.visit_id, mark.visit)
    people = sorted(people.values(), key=lambda v: (v.pk in marks, v.visitor_name.lower(), v.pk))
    return render(request, "reception/evacuation.html", {
        "evacuation": evacuation, "people": [(v, marks.get(v.pk)) for v in people],
        "safe": sum(1 for v in people if v.pk in marks), "total": len(people)})


@require_POST
@member_required("reception.evacuation")
def evacuation_mark(request, pk):
    evacuation = _evacuation(request, pk)
    form = MarkSafeForm(request.POST)
    visit = None
    if form.is_valid():
        visit = queries.visits_of(request.org).filter(pk=form.cleaned_data["visit"], site=evacuation.site).first()
    if visit is None:
        messages.error(request, _("That person is not on this roll call."))
        return redirect("reception:evacuation", pk=evacuation.pk)
    try:
        services.evacuation_mark_safe(actor=request.member, evacuation=evacuation, visit=visit)
    except (Conflict, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, Conflict) else " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is safe.") % {"name": visit.visitor_name})
    return redirect("reception:evacuation", pk=evacuation.pk)  # the top: who is still to find comes first


@require_POST
@member_required("reception.evacuation")
def evacuation_end(request, pk):
    evacuation = _evacuation(request, pk)
    try:
        services.evacuation_end(actor=request.member, evacuation=evacuation)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("reception:evacuation", pk=evacuation.pk)
    messages.success(request, _("The roll call at %(site)s is over.") % {"site": evacuation.site.name})
    return redirect("reception:on_site")
