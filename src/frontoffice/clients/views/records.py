"""Client pages: list and search, quick and full entry, the client page with its timeline,
duplicates and merge, consents, related parties, conflict checks, custom fields."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from frontoffice.clients import presets, queries, services
from frontoffice.clients.forms import (
    RELATION_LABELS,
    ClientFilterForm,
    ClientForm,
    ConflictCheckForm,
    ConsentForm,
    CustomFieldForm,
    MergeForm,
    PartyForm,
    QuickEntryForm,
    entry_form,
    lenient_clean,
    with_focus,
)
from frontoffice.clients.models import COMPANY, Client, Merge
from frontoffice.clients.views import display
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.pagination import BadCursor
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page

MERGE_CANDIDATES = 10
_FAMILY = re.compile(r"^[a-z_]{1,30}\.$")

REASONS = {
    "identifier": gettext_lazy("same identifier"),
    "phone": gettext_lazy("same phone"),
    "email": gettext_lazy("same e-mail"),
    "name and date of birth": gettext_lazy("same name and date of birth"),
    "similar name and date of birth": gettext_lazy("similar name, same date of birth"),
    "same name": gettext_lazy("same name"),
}
MATCHED = {"client": gettext_lazy("client"), "related party": gettext_lazy("related party")}


def _can(member) -> dict[str, bool]:
    """The member's client capabilities by short name, for templates: ``can.edit``, ``can.merge``…"""
    names = ("view", "edit", "archive", "merge", "import", "export", "privacy", "fields", "conflict_check")
    return {name: member.can(f"clients.{name}") for name in names}


def _client(request, pk: int, rows=None) -> Client:
    client = get_object_or_404(rows if rows is not None else queries.clients_of(request.org, archived=None), pk=pk)
    client.organization = request.org  # the same row, already loaded for this request
    return client


def _refuse(form, exc: ValidationError | Conflict) -> int:
    """Put a service's refusal on the form and say which status to answer with."""
    if isinstance(exc, Conflict):
        form.add_error(None, exc.message)
        return 409
    form.add_service_errors(exc)
    return 400


def _reasons(found) -> list[tuple[Client, str]]:
    return [(client, REASONS.get(reason, reason)) for client, reason in found]


# --- the list, quick entry, the duplicates panel -----------------------------------------------

@require_GET
@member_required("clients.view")
def client_list(request):
    form = ClientFilterForm(request.GET)
    form.is_valid()  # every field is optional; a bad value falls back to its default
    q = (form.cleaned_data.get("q") or "")[:100].strip()
    cursor = form.cleaned_data.get("cursor") or None
    try:
        page = queries.client_search(request.org, q, cursor=cursor, archived=form.archived)
    except BadCursor:
        cursor, page = None, queries.client_search(request.org, q, archived=form.archived)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "page": page, "rows": display.rows(page.items), "q": q,
               "status": form.cleaned_data.get("status") or form.ACTIVE,
               "query": query.urlencode(), "can": _can(request.member), "quick_form": QuickEntryForm()}
    return render_page(request, "clients/list.html", context,
                       partial="clients/_rows.html" if cursor else "clients/_results.html")


@require_POST
@member_required("clients.edit")
def quick_create(request):
    form = QuickEntryForm(request.POST)
    created = None
    if form.is_valid():
        try:
            created = services.client_create(actor=request.member, data=form.to_input(), source="quick")
        except ValidationError as exc:
            form.add_service_errors(exc)
    if created is not None and not request.htmx:
        messages.success(request, _("%(name)s was added.") % {"name": created.display_name})
        return redirect("clients:detail", pk=created.pk)
    return render_page(request, "clients/quick.html", {"quick_form": with_focus(QuickEntryForm() if created else form,
                                                                                "name"), "created": created},
                       partial="clients/_quick.html", status=200 if created else 400)


@require_POST
@member_required("clients.edit")
def check_duplicates(request):
    """Who this might already be, from whatever of the quick or full form is typed so far."""
    form = entry_form(request.POST, request.org)
    exclude = request.GET.get("exclude", "")
    exclude_id = int(exclude) if exclude.isdigit() else None
    found = []
    if form.is_valid():
        clean = lenient_clean(request.org, form.to_input())
        if clean is not None:
            found = queries.possible_duplicates(request.org, clean, exclude_id=exclude_id)
    editing = exclude_id if found and exclude_id and request.member.can("clients.merge") else None
    return render(request, "clients/_duplicates.html", {"duplicates": _reasons(found), "merge_into": editing})


# --- the full form -----------------------------------------------------------------------------

@member_required("clients.edit")
def client_create(request):
    form = ClientForm(request.POST if request.method == "POST" else None, organization=request.org)
    if form.is_bound and form.is_valid():
        try:
            client = services.client_create(actor=request.member, data=form.to_input(), source="desk")
        except ValidationError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": client.display_name})
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": with_focus(form, "first_name"), "client": None},
                  status=400 if form.errors else 200)


@member_required("clients.edit")
def client_edit(request, pk):
    client = _client(request, pk, queries.with_contacts(queries.clients_of(request.org, archived=None)))
    if request.method != "POST":
        default = "organization_name" if client.kind == COMPANY else "first_name"
        return render(request, "clients/form.html", {"form": with_focus(ClientForm.for_client(client), default),
                                                     "client": client})
    form = ClientForm(request.POST, organization=request.org)
    status = 400
    if form.is_valid():
        try:
            services.client_update(actor=request.member, client=client, data=form.to_input())
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": with_focus(form), "client": client}, status=status)


# --- the client page and its timeline ----------------------------------------------------------

@require_GET
@member_required("clients.view")
def client_detail(request, pk):
    try:
        client = _client(request, pk, _page_rows(request))
    except Http404:
        merged = request.org.clients.filter(pk=pk, merged_into__isnull=False).first()
        if merged is None:
            raise
        messages.info(request, _("That record was merged into this one."))
        return redirect("clients:detail", pk=merged.merged_into_id)
    return render(request, "clients/detail.html", _detail_context(request, client))


def _page_rows(request):
    return queries.with_contacts(queries.clients_of(request.org, archived=None)).prefetch_related(
        "related_parties", "consents__recorded_by__user").select_related("created_by__user")


def _detail_context(request, client: Client, *, consent_form=None, party_form=None) -> dict:
    org = request.org
    labels = {ident.key: ident.label for ident in presets.identifiers_for(org.vertical)}
    fields = {f.key: f.label for f in org.client_fields.all()}
    undo_after = timezone.now() - timedelta(days=services.MERGE_UNDO_DAYS)
    return {
        "client": client,
        "can": _can(request.member),
        "identifiers": [(labels.get(key, key), value) for key, value in client.identifiers.items()],
        "custom": [(fields.get(key, key), value) for key, value in client.custom.items()],
        "undoable": Merge.objects.filter(organization=org, kept=client, undone_at__isnull=True,
                                         merged_at__gte=undo_after).select_related("merged"),
        "undo_days": services.MERGE_UNDO_DAYS,
        "phones": [(phones.display(p.number), p.number) for p in client.phones.all()],
        "parties": [(p, RELATION_LABELS.get(p.relation, p.relation)) for p in client.related_parties.all()],
        "show_parties": org.vertical == "legal" or bool(client.related_parties.all()) or party_form is not None,
        "consent_form": consent_form or ConsentForm(),
        "party_form": party_form or PartyForm(),
        **display.timeline_context(client, kind=None),
    }


@require_GET
@member_required("clients.view")
def timeline(request, pk):
    client = _client(request, pk)
    kind = request.GET.get("kind") or None
    if kind is not None and not _FAMILY.match(kind):
        return HttpResponseBadRequest(_("Unknown kind of entry."))
    cursor = request.GET.get("cursor") or None
    try:
        context = display.timeline_context(client, kind=kind, cursor=cursor)
    except BadCursor:
        return HttpResponseBadRequest(_("The cursor is not valid."))
    return render_page(request, "clients/timeline.html", {"client": client, **context},
                       partial="clients/_timeline_items.html" if cursor else "clients/_timeline.html")


# --- archive, consents, related parties --------------------------------------------------------

@require_POST
@member_required("clients.archive")
def archive(request, pk):
    client = services.client_archive(actor=request.member, client=_client(request, pk))
    messages.success(request, _("%(name)s was archived.") % {"name": client.display_name})
    return redirect("clients:detail", pk=client.pk)


@require_POST
@member_required("clients.archive")
def restore(request, pk):
    client = _client(request, pk)
    try:
        services.client_restore(actor=request.member, client=client)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s was restored.") % {"name": client.display_name})
    return redirect("clients:detail", pk=client.pk)


def _record_on_page(request, client, form, call, *, anchor: str, done: str, **forms):
    """Run ``call`` for a valid form on the client page; back to the page, or the page with the errors."""
    status = 400
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("clients:detail", args=[client.pk]) + anchor)
    return render(request, "clients/detail.html", _detail_context(request, client, **forms), status=status)


@require_POST
@member_required("clients.edit")
def consent_add(request, pk):
    client = _client(request, pk, _page_rows(request))
    form = ConsentForm(request.POST)
    return _record_on_page(request, client, form,
                           lambda data: services.consent_record(actor=request.member, client=client, **data),
                           anchor="#consents", done=_("Consent recorded."), consent_form=form)


@require_POST
@member_required("clients.edit")
def party_add(request, pk):
    client = _client(request, pk, _page_rows(request))
    form = PartyForm(request.POST)
    return _record_on_page(request, client, form,
                           lambda data: services.related_party_add(actor=request.member, client=client, **data),
                           anchor="#parties", done=_("Related party added."), party_form=form)


@require_POST
@member_required("clients.edit")
def party_remove(request, pk, party_pk):
    client = _client(request, pk)
    party = get_object_or_404(client.related_parties.select_related("client"), pk=party_pk)
    services.related_party_remove(actor=request.member, party=party)
    messages.success(request, _("Related party removed."))
    return redirect(reverse("clients:detail", args=[client.pk]) + "#parties")


# --- duplicates and merge ----------------------------------------------------------------------

@require_GET
@member_required("clients.merge")
def duplicates(request):
    pairs = [(display.row(left), display.row(right), REASONS.get(reason, reason))
             for left, right, reason in queries.duplicate_pairs(request.org)]
    return render(request, "clients/duplicates.html", {"pairs": pairs})


@member_required("clients.merge")
def merge(request, pk):
    """Pick the other record, compare side by side, merge it into this one."""
    live = queries.with_contacts(queries.clients_of(request.org, archived=None).filter(erased_at__isnull=True))
    client = _client(request, pk, live)
    form, other = _merge_choice(request, live)
    status = 400 if form.errors else 200
    if request.method == "POST" and other is not None:
        try:
            done = services.client_merge(actor=request.member, kept=client, merged=other)
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            messages.success(request, _("%(merged)s was merged into %(kept)s. You can undo this for %(days)s days.") % {
                "merged": other.display_name, "kept": client.display_name, "days": services.MERGE_UNDO_DAYS})
            return redirect("clients:detail", pk=done.kept_id)
    q = request.GET.get("q", "").strip()[:100]
    candidates = [c for c in queries.client_search(request.org, q, limit=MERGE_CANDIDATES, archived=None).items
                  if c.pk != client.pk and c.erased_at is None] if q else []
    return render_page(request, "clients/merge.html", {
        "client": client, "other": other, "form": form, "q": q, "candidates": display.rows(candidates),
        "comparison": display.comparison(request.org, client, other) if other else [],
        "undo_days": services.MERGE_UNDO_DAYS}, partial="clients/_merge_candidates.html", status=status)


def _merge_choice(request, live) -> tuple[MergeForm, Client | None]:
    """The other record: posted, or picked for comparison (``?other_id=``); on the form if it is no client."""
    data = request.POST if request.method == "POST" else (request.GET if "other_id" in request.GET else None)
    form = MergeForm(data)
    if not (form.is_bound and form.is_valid()):
        return form, None
    other = live.filter(pk=form.cleaned_data["other_id"]).first()
    if other is None:
        form.add_error("other_id", _("No such client."))
    return form, other


@require_POST
@member_required("clients.merge")
def merge_undo(request, merge_pk):
    done = get_object_or_404(Merge.objects.filter(organization=request.org).select_related("merged"), pk=merge_pk)
    try:
        services.merge_undo(actor=request.member, merge=done)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The merge was undone: %(name)s is a separate record again.") % {
            "name": done.merged.display_name})
    return redirect("clients:detail", pk=done.kept_id)


# --- conflict of interest ----------------------------------------------------------------------

@member_required("clients.conflict_check")
def conflict_check(request):
    form = ConflictCheckForm(request.POST if request.method == "POST" else None)
    hits = None
    if form.is_bound and form.is_valid():
        try:
            hits = services.conflict_check(actor=request.member, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _refuse(form, exc)
    return render(request, "clients/conflict_check.html", {
        "form": form, "hits": [(hit, MATCHED.get(hit.matched, hit.matched)) for hit in hits or []],
        "checked": hits is not None}, status=400 if form.errors else 200)


# --- custom fields -----------------------------------------------------------------------------

@require_GET
@member_required("clients.fields")
def field_list(request):
    return render(request, "clients/fields.html", {"fields": request.org.client_fields.all()})


@member_required("clients.fields")
def field_edit(request, pk=None):
    field = get_object_or_404(request.org.client_fields, pk=pk) if pk else None
    form = CustomFieldForm.for_field(field, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.custom_field_save(actor=request.member, field=field, **form.service_fields())
        except ValidationError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Field saved."))
            return redirect("clients:fields")
    return render(request, "clients/field_form.html", {"form": form, "field": field},
                  status=400 if form.errors else 200)
