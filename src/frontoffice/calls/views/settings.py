"""Phone settings: the lines and their call flows, the departments' ring groups and the telephony provider.

Each view parses a form, calls one service and renders; a refusal of the service goes back on the form with
what was typed, and nothing is changed. The greeting recording is the one public URL here: the provider
fetches it while a caller listens, so it is reached by a signed link instead of a session.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.calls.forms.settings import (
    FLOW_ERRORS,
    RING_GROUP_ERRORS,
    FlowForm,
    LineForm,
    ProviderForm,
    RingGroupForm,
    TargetFormSet,
    put_service_errors,
    target_initial,
)
from frontoffice.calls.models import Line, RingGroup, RingMember, TelephonyProvider
from frontoffice.calls.services import lines as services
from frontoffice.calls.services.provider import provider_set
from frontoffice.core.permissions import member_required

_FAILED = object()


def _attempt(form, save, *, rename=None, formset=None):
    """Run a service for valid input: its result, or ``_FAILED`` with the refusal put on the form."""
    try:
        return save()
    except ValidationError as exc:
        put_service_errors(form, exc, rename, formset)
    return _FAILED


def _settings_context(request, tab: str) -> dict:
    """What every phone settings page shows above its content: the tabs and the set-up warnings."""
    org = request.org
    return {"tab": tab, "can_provider": request.member.can("calls.provider"),
            "has_provider": TelephonyProvider.objects.filter(organization=org).exists(),
            "has_desk": RingGroup.objects.filter(organization=org, is_desk=True).exists()}


# --- lines -----------------------------------------------------------------------------------------

@require_GET
@member_required("calls.manage")
def lines(request):
    rows = list(request.org.lines.select_related("site", "department"))
    departments = {d.pk: d for d in request.org.departments.all()}
    for line in rows:
        line.summary = _flow_summary(line.flow or {}, departments)
    return render(request, "calls/lines.html", {"lines": rows, **_settings_context(request, "lines")})


def _flow_summary(flow: dict, departments: dict) -> dict:
    def name(pk):
        return departments[pk].name if pk in departments else _("a removed department")

    menu = [(key, name(pk)) for key, pk in (flow.get("menu") or {}).items()]
    rings = name(flow["department_id"]) if flow.get("department_id") else None
    return {"menu": menu, "rings": rings, "after_hours_voicemail": flow.get("after_hours_voicemail", True)}


@member_required("calls.manage")
def line_edit(request, pk=None):
    line = get_object_or_404(request.org.lines, pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    if line is None:
        first_site = request.org.sites.filter(active=True).first()
        form = LineForm(data, organization=request.org, initial={"site": first_site})
    else:
        form = LineForm.for_line(line, data, organization=request.org)

    def save():
        if line is None:
            return services.line_create(actor=request.member, **form.service_fields())
        return services.line_update(actor=request.member, line=line, **form.service_fields())

    saved = _attempt(form, save) if form.is_bound and form.is_valid() else _FAILED
    if saved is not _FAILED:
        messages.success(request, _("%(label)s is saved.") % {"label": saved.label})
        # A new line goes on to its call flow, which is what the owner sets up next.
        return redirect("calls:lines") if line else redirect("calls:line_flow", saved.pk)
    context = {"form": form, "line": line, **_settings_context(request, "lines")}
    return render(request, "calls/line_form.html", context, status=400 if form.is_bound else 200)


@require_POST
@member_required("calls.manage")
def line_remove(request, pk):
    line = get_object_or_404(request.org.lines, pk=pk)
    kept = services.line_remove(actor=request.member, line=line)
    if kept is None:
        messages.success(request, _("%(label)s was removed.") % {"label": line.label})
    else:
        messages.success(request, _("%(label)s was switched off; its calls stay in the call log.") % {
            "label": line.label})
    return redirect("calls:lines")


def _routable_departments(request):
    """Departments a flow can send calls to: active, with a ring group."""
    return request.org.departments.filter(active=True, ring_group__isnull=False).order_by("name")


@member_required("calls.manage")
def line_flow(request, pk):
    line = get_object_or_404(request.org.lines.select_related("site"), pk=pk)
    post = request.method == "POST"
    departments = list(_routable_departments(request))
    form = FlowForm.for_line(line, request.POST if post else None, request.FILES if post else None,
                             departments=departments)

    def save():
        return services.line_flow_save(actor=request.member, line=line, flow=form.flow(),
                                       recording=form.cleaned_data["greeting_recording"],
                                       remove_recording=form.cleaned_data.get("remove_recording", False))

    if form.is_bound and form.is_valid() and _attempt(form, save, rename=FLOW_ERRORS) is not _FAILED:
        messages.success(request, _("The call flow of %(label)s is saved.") % {"label": line.label})
        return redirect("calls:lines")
    return render(request, "calls/line_flow.html", {
        "form": form, "line": line, "has_departments": bool(departments),
        "recording_lost": bool(request.FILES), "greeting_src": _greeting_path(line),
        "can_sites": request.member.can("sites.manage"), **_settings_context(request, "lines")},
        status=400 if form.is_bound else 200)


def _greeting_path(line: Line) -> str:
    """The recording's link on this site, for the flow editor's player ("" without a recording)."""
    if not line.greeting_recording:
        return ""
    return reverse("calls:line_greeting_audio", args=[line.pk, services.greeting_key(line)])


@require_GET
def line_greeting_audio(request, pk, key):
    """The greeting, to whoever holds the signed link (the provider, and the flow editor's player)."""
    line = Line.objects.filter(pk=pk).exclude(greeting_recording="").first()
    if line is None or not services.greeting_key_matches(line, key):
        raise Http404
    try:
        handle = line.greeting_recording.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    found = services.audio_type(handle.read(16))
    handle.seek(0)
    if found is None:  # only ever answer with a recording, whatever the storage holds
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=found[0])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"  # the URL changes with the file
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- ring groups -----------------------------------------------------------------------------------

@require_GET
@member_required("calls.manage")
def ring_groups(request):
    targets = Prefetch("ring_group__targets", queryset=RingMember.objects.select_related("member__user"))
    departments = (request.org.departments.filter(active=True).select_related(
        "site", "ring_group__overflow_department").prefetch_related(targets))
    return render(request, "calls/ring_groups.html", {"departments": departments,
                                                      **_settings_context(request, "ring_groups")})


@member_required("calls.manage")
def ring_group_edit(request, department_pk):
    department = get_object_or_404(request.org.departments.select_related("site"), pk=department_pk)
    group = RingGroup.objects.filter(department=department).first()
    data = request.POST if request.method == "POST" else None
    form = RingGroupForm.for_group(group, data, organization=request.org, department=department)
    members = request.org.members.filter(active=True).select_related("user").order_by("user__full_name")
    formset = TargetFormSet(data, initial=target_initial(group), members=members, prefix="targets")
    valid = form.is_bound and all([form.is_valid(), formset.is_valid()])  # both, so every mistake shows
    if valid and _attempt(form, lambda: services.ring_group_save(
            actor=request.member, department=department, targets=formset.targets(), **form.service_fields()),
            rename=RING_GROUP_ERRORS, formset=formset) is not _FAILED:
        messages.success(request, _("The ring group of %(name)s is saved.") % {"name": department.name})
        return redirect("calls:ring_groups")
    return render(request, "calls/ring_group_form.html", {
        "form": form, "formset": formset, "department": department, "group": group,
        **_settings_context(request, "ring_groups")}, status=400 if form.is_bound else 200)


# --- the telephony provider ------------------------------------------------------------------------

def _webhook(name: str) -> str:
    """The address the provider calls: the public URL, which may differ from the one a member is using."""
    return settings.PUBLIC_URL + reverse(f"telephony:{name}")


@member_required("calls.provider")
def provider(request):
    current = TelephonyProvider.objects.filter(organization=request.org).first()
    form = ProviderForm.for_provider(current, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid() and _attempt(form, lambda: provider_set(
            actor=request.member, **form.service_fields())) is not _FAILED:
        messages.success(request, _("The telephony provider is saved."))
        return redirect("calls:provider")
    return render(request, "calls/provider.html", {
        "form": form, "provider": current, **_settings_context(request, "provider"),
        "voice_url": _webhook("voice"), "status_url": _webhook("status"),
        "public_url_is_local": settings.PUBLIC_URL.startswith(("http://127.", "http://localhost"))},
        status=400 if form.is_bound else 200)
