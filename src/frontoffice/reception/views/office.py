"""The back office of reception: the watchlist, deliveries, kiosks and the documents visitors accept.

Each view parses a form, calls one service and renders; a refusal of the service (``ValidationError``
or ``Conflict``) goes back on the form with what was typed, and nothing is changed.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.core.errors import Conflict
from frontoffice.core.forms import add_service_errors
from frontoffice.core.permissions import member_required
from frontoffice.reception import presets, services
from frontoffice.reception.models import VisitDocument
from frontoffice.reception.views.office_forms import (
    DeliveryForm,
    DocumentForm,
    KioskForm,
    PickupForm,
    WatchlistForm,
    image_type,
)

RECENTLY_PICKED_UP = timedelta(days=7)
RECENT_LIMIT = 50
JUST_IN = timedelta(minutes=1)
CARRIERS = ("DHL", "DPD", "FedEx", "GLS", "InPost", "Poczta Polska", "UPS")  # suggestions; any name will do
_FAILED = object()


def _attempt(form, call):
    """Run a service for a valid form: its result, or ``_FAILED`` with the refusal put on the form."""
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
    except Conflict as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return _FAILED


def _status(form) -> int:
    return 400 if form.errors else 200


def _form_page(request, form, save, *, template: str, context: dict, done, to):
    """The common shape of a form page: for a valid posted form run ``save``; when it works, say
    ``done(saved)`` and go to ``to`` (a URL name, or ``to(saved)``), else show the form again."""
    if form.is_bound and form.is_valid():
        saved = _attempt(form, save)
        if saved is not _FAILED:
            messages.success(request, done(saved))
            return redirect(to(saved) if callable(to) else to)
    return render(request, template, {"form": form, **context}, status=_status(form))


# --- the watchlist -----------------------------------------------------------------------------

def _watchlist(request):
    return request.org.watchlist_entries.filter(active=True)


@require_GET
@member_required("reception.watchlist")
def watchlist(request):
    entries = _watchlist(request).select_related("added_by__user")
    return render(request, "reception/office/watchlist.html", {"entries": entries})


@member_required("reception.watchlist")
def watchlist_edit(request, pk=None):
    entry = get_object_or_404(_watchlist(request), pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    form = WatchlistForm.for_entry(entry, data) if entry else WatchlistForm(data)

    def save():
        if entry is None:
            return services.watchlist_add(actor=request.member, **form.cleaned_data)
        return services.watchlist_update(actor=request.member, entry=entry, **form.cleaned_data)

    return _form_page(request, form, save, template="reception/office/watchlist_form.html",
                      context={"entry": entry}, to="reception:watchlist",
                      done=lambda saved: _("%(name)s is on the watchlist.") % {"name": saved.full_name})


@require_POST
@member_required("reception.watchlist")
def watchlist_remove(request, pk):
    entry = get_object_or_404(_watchlist(request), pk=pk)
    services.watchlist_remove(actor=request.member, entry=entry)
    messages.success(request, _("%(name)s was taken off the watchlist.") % {"name": entry.full_name})
    return redirect("reception:watchlist")


# --- deliveries --------------------------------------------------------------------------------

def _deliveries(request):
    return request.org.deliveries.select_related("site", "recipient__user", "received_by__user",
                                                 "handed_over_by__user")


def _deliveries_url(request, site) -> str:
    """The list, of ``site`` when the organisation has several."""
    url = reverse("reception:deliveries")
    several = request.org.sites.filter(active=True).count() > 1
    return url + "?" + urlencode({"site": site.pk}) if several else url


def _chosen_site(request):
    """The site picked with ``?site=``; None (every site) for none, or for one that is not ours."""
    value = request.GET.get("site", "")
    return request.org.sites.filter(pk=value).first() if value.isdigit() else None


@require_GET
@member_required("reception.view")
def deliveries(request):
    site = _chosen_site(request)
    rows = _deliveries(request).filter(site=site) if site else _deliveries(request)
    now = timezone.now()
    waiting = list(rows.filter(picked_up_at__isnull=True).order_by("received_at", "id"))
    for delivery in waiting:
        delivery.just_in = now - delivery.received_at < JUST_IN
    picked_up = rows.filter(picked_up_at__gte=now - RECENTLY_PICKED_UP).order_by("-picked_up_at", "-id")
    sites = request.org.sites.filter(active=True)
    return render(request, "reception/office/deliveries.html", {
        "waiting": waiting, "picked_up": picked_up[:RECENT_LIMIT],
        "site": site, "sites": sites, "several_sites": len(sites) > 1,
        "can_desk": request.member.can("reception.desk"),
    })


@member_required("reception.desk")
def delivery_new(request):
    site = _chosen_site(request) or request.member.sites.filter(active=True).first()
    if request.method == "POST":
        form = DeliveryForm(request.POST, request.FILES, organization=request.org)
    else:
        form = DeliveryForm(initial={"site": site}, organization=request.org)
    return _form_page(
        request, form, lambda: services.delivery_log(actor=request.member, **form.cleaned_data),
        template="reception/office/delivery_form.html",
        context={"carriers": CARRIERS, "photo_lost": bool(request.FILES)},
        to=lambda delivery: _deliveries_url(request, delivery.site),
        done=lambda delivery: _("Package for %(name)s logged; they get an e-mail that it is waiting.") % {
            "name": delivery.recipient.user.full_name})


@member_required("reception.desk")
def delivery_pickup(request, pk):
    delivery = get_object_or_404(_deliveries(request), pk=pk)
    form = PickupForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        done = _attempt(form, lambda: services.delivery_pickup(actor=request.member, delivery=delivery,
                                                               **form.cleaned_data))
        if done is not _FAILED:
            messages.success(request, _("Picked up: the package for %(name)s.") % {
                "name": delivery.recipient.user.full_name})
            return redirect(_deliveries_url(request, delivery.site))
        delivery.refresh_from_db()
        status = 409 if delivery.picked_up_at else 400
    elif form.errors:
        status = 400
    return render(request, "reception/office/delivery_pickup.html", {"delivery": delivery, "form": form},
                  status=status)


@require_GET
@member_required("reception.view")
def delivery_photo(request, pk):
    """The photo, to members of the organisation only: media files are never served from a public URL."""
    delivery = get_object_or_404(request.org.deliveries.exclude(photo=""), pk=pk)
    try:
        handle = delivery.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    found = image_type(handle.read(16))
    handle.seek(0)
    if found is None:  # only ever answer with a picture, whatever the storage holds
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=found[0])
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- kiosks ------------------------------------------------------------------------------------

@require_GET
@member_required("reception.kiosks")
def kiosks(request):
    rows = request.org.kiosks.select_related("site", "created_by__user").order_by(
        F("revoked_at").desc(nulls_first=True), "site__name", "name")
    return render(request, "reception/office/kiosks.html", {"kiosks": rows})


def _pairing_url(request, raw_token: str) -> str:
    """The kiosk's set-up link, at the address the owner is using (the tablet is on the same network)."""
    return request.build_absolute_uri(reverse("kiosk:pair")) + "?" + urlencode({"token": raw_token})


@member_required("reception.kiosks")
def kiosk_new(request):
    form = KioskForm(request.POST if request.method == "POST" else None, organization=request.org,
                     initial={"site": request.org.sites.filter(active=True).first()})
    if form.is_bound and form.is_valid():
        made = _attempt(form, lambda: services.kiosk_create(actor=request.member, **form.cleaned_data))
        if made is not _FAILED:
            kiosk, raw = made
            url = _pairing_url(request, raw)
            qr = segno.make(url, error="m").svg_inline(scale=4, dark="#111", light="#fff")
            # Shown once, never stored: the page answers the POST itself instead of redirecting.
            return render(request, "reception/office/kiosk_created.html", {
                "kiosk": kiosk, "token": raw, "pairing_url": url, "qr": qr})
    return render(request, "reception/office/kiosk_form.html", {"form": form}, status=_status(form))


@require_POST
@member_required("reception.kiosks")
def kiosk_revoke(request, pk):
    kiosk = get_object_or_404(request.org.kiosks, pk=pk)
    try:
        services.kiosk_revoke(actor=request.member, kiosk=kiosk)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s was revoked: it shows the pairing page from now on.") % {
            "name": kiosk.name})
    return redirect("reception:kiosks")


# --- the documents visitors accept -------------------------------------------------------------

def _documents(request):
    return request.org.visit_documents.filter(active=True)


@require_GET
@member_required("reception.kiosks")
def documents(request):
    rows = _documents(request).select_related("created_by__user").annotate(accepted=Count("acceptances"))
    labels = dict(presets.visit_type_choices(request.org.vertical))
    for document in rows:
        document.type_labels = [labels.get(key, key) for key in document.visit_types]
    groups = [(label, [d for d in rows if d.kind == kind]) for kind, label in VisitDocument.KINDS]
    return render(request, "reception/office/documents.html", {"groups": groups})


@member_required("reception.kiosks")
def document_edit(request, pk=None):
    document = get_object_or_404(_documents(request), pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    if document is None:
        form = DocumentForm(data, organization=request.org)
    else:
        form = DocumentForm.for_document(document, data, organization=request.org)
    return _form_page(
        request, form, lambda: services.document_save(actor=request.member, replaces=document,
                                                      **form.cleaned_data),
        template="reception/office/document_form.html", context={"document": document},
        to="reception:documents",
        done=lambda saved: _("%(title)s saved as version %(version)s.") % {"title": saved.title,
                                                                          "version": saved.version})


@require_POST
@member_required("reception.kiosks")
def document_retire(request, pk):
    document = get_object_or_404(_documents(request), pk=pk)
    services.document_retire(actor=request.member, document=document)
    messages.success(request, _("%(title)s is no longer asked for.") % {"title": document.title})
    return redirect("reception:documents")
