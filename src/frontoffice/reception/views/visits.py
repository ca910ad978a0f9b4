"""One visit: its page, the desk's actions on it (each a POST that goes back with a message), the badge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.permissions import member_required
from frontoffice.core.queries import activity_filtered, with_client_names
from frontoffice.reception import badges, queries, services
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.forms import CancelForm
from frontoffice.reception.models import Visit
from frontoffice.reception.views.desk import can

BADGE_SIZES = ("label", "a4")


def _visit(request, pk: int) -> Visit:
    return get_object_or_404(queries.visits_of(request.org), pk=pk)


def _back(request, visit: Visit):
    """To the page the action was started from (``next``), else the visit's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("reception:visit", pk=visit.pk)


def _visit_type(request, visit: Visit):
    return next((t for t in queries.visit_types(request.org) if t.key == visit.visit_type), None)


@require_GET
@member_required("reception.view")
def visit_detail(request, pk):
    visit = _visit(request, pk)
    log = activity_filtered(request.org).filter(subject_type=Visit._meta.label_lower, subject_id=str(visit.pk))
    return render(request, "reception/visit.html", {
        "visit": visit, "can": can(request.member), "visit_type": _visit_type(request, visit),
        "phone": phones.display(visit.visitor_phone) if visit.visitor_phone else "",
        "activity": with_client_names(request.org, log.order_by("occurred_at", "pk")),
        "acceptances": visit.acceptances.select_related("document"),
        "wait_target_seconds": queries.wait_target_minutes(request.org) * 60,
        "cancel_form": CancelForm()})


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)  # Conflict, WatchlistMatch


def _action(capability: str, call, done):
    """A POST on one visit: ``call(request, visit)`` runs one service; then back to where the button was,
    with ``done`` (formatted with the visitor's name) or the service's refusal."""

    @require_POST
    @member_required(capability)
    def view(request, pk):
        visit = _visit(request, pk)
        try:
            call(request, visit)
        except (WatchlistMatch, Conflict, ValidationError) as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(request, str(done) % {"name": visit.visitor_name})
        return _back(request, visit)

    return view


def _reason(request) -> str:
    form = CancelForm(request.POST)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    return form.cleaned_data["reason"]


DESK, WATCHLIST = "reception.desk", "reception.watchlist"

check_in = _action(DESK, lambda r, v: services.visit_check_in(actor=r.member, visit=v, via="desk"),
                   gettext_lazy("%(name)s is checked in."))
check_out = _action(DESK, lambda r, v: services.visit_check_out(actor=r.member, visit=v, via="desk"),
                    gettext_lazy("%(name)s has left."))
greet = _action(DESK, lambda r, v: services.visit_greet(actor=r.member, visit=v),
                gettext_lazy("%(name)s was greeted."))
host_met = _action(DESK, lambda r, v: services.visit_host_met(actor=r.member, visit=v, via="desk"),
                   gettext_lazy("%(name)s is with their host."))
cancel = _action(DESK, lambda r, v: services.visit_cancel(actor=r.member, visit=v, reason=_reason(r)),
                 gettext_lazy("The visit of %(name)s is cancelled."))
no_show = _action(DESK, lambda r, v: services.visit_no_show(actor=r.member, visit=v),
                  gettext_lazy("%(name)s is marked as a no-show."))
admit = _action(WATCHLIST, lambda r, v: services.visit_admit(actor=r.member, visit=v),
                gettext_lazy("%(name)s was admitted and is checked in."))
turn_away = _action(WATCHLIST, lambda r, v: services.visit_turn_away(actor=r.member, visit=v),
                    gettext_lazy("%(name)s was turned away."))


@require_POST
@member_required("reception.desk")
def make_client(request, pk):
    visit = _visit(request, pk)
    try:
        client = services.visit_make_client(actor=request.member, visit=visit)
    except (Conflict, ValidationError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("%(name)s is linked to the client record %(client)s.") % {
            "name": visit.visitor_name, "client": client.display_name})
    return _back(request, visit)


@require_GET
@member_required("reception.desk")
def badge(request, pk):
    visit = _visit(request, pk)
    size = request.GET.get("size", "label")
    if size not in BADGE_SIZES:
        return HttpResponseBadRequest(_("Unknown badge size: choose label or a4."))
    try:
        pdf = badges.badge_pdf(visit, size=size)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("reception:visit", args=[visit.pk]))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{visit.pk}-{size}.pdf"'
    return response
