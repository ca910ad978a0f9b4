"""Import, export, privacy export and erasure pages. Thin: parse, call the service, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from frontoffice.clients import exporting, privacy, services
from frontoffice.clients.importing import MAX_BYTES, MAX_ROWS, ImportReport, targets
from frontoffice.clients.importing import jobs as import_jobs
from frontoffice.clients.importing.checking import reason_label
from frontoffice.clients.models import Client, ImportJob
from frontoffice.core.errors import Conflict
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page

ERASE_WORD = "ERASE"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}))


class EraseForm(forms.Form):
    confirm = forms.CharField(label=gettext_lazy("Type the code shown above, or the word ERASE"), max_length=40,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"].strip().upper()
        if typed not in (self.code, ERASE_WORD):
            raise ValidationError(_("That is neither the code nor ERASE; nothing was erased."))
        return typed


# --- import -------------------------------------------------------------------------------------

@member_required("clients.import")
def import_upload(request):
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.import_job_create(actor=request.member, uploaded_file=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("clients:import_job", job_pk=job.pk)
    recent = ImportJob.objects.filter(organization=request.org).select_related("created_by__user")[:10]
    return render(request, "clients/import.html", {
        "form": form, "jobs": recent, "max_mb": MAX_BYTES // (1024 * 1024), "max_rows": MAX_ROWS,
        "fields": targets(request.org, list(request.org.client_fields.filter(active=True)))},
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@member_required("clients.import")
def import_job(request, job_pk):
    job = get_object_or_404(ImportJob.objects.select_related("created_by__user", "source"), organization=request.org,
                            pk=job_pk)
    if request.method == "POST":
        return _import_action(request, job)
    if job.status == ImportJob.NEW or (request.GET.get("step") == "mapping" and job.dry_run
                                       and job.status in (ImportJob.DONE, ImportJob.FAILED)):
        return render(request, "clients/import_mapping.html", _mapping_context(request, job))
    return render_page(request, "clients/import_job.html", _job_context(job), partial="clients/import_status.html")


def _import_action(request, job: ImportJob):
    action, member = request.POST.get("action"), request.member
    try:
        if action == "check":
            columns = job.report.get("columns", [])
            mapping = [request.POST.get(f"map-{index}", "") for index in range(len(columns))]
            job = import_jobs.import_job_start(actor=member, job=job, mapping=mapping)
        elif action == "commit":
            job = import_jobs.import_job_commit(actor=member, job=job,
                                                valid_rows_only=request.POST.get("valid_rows_only") == "1",
                                                skip_duplicates=request.POST.get("skip_duplicates") == "on")
        elif action == "cancel":
            import_jobs.import_job_cancel(actor=member, job=job)
            messages.info(request, _("Import cancelled; the uploaded file was deleted."))
            return redirect("clients:import")
        elif action == "restart":
            job = import_jobs.import_job_restart(actor=member, job=job)
        else:
            return HttpResponse(status=400)
    except ValidationError as exc:
        if action == "check":
            context = _mapping_context(request, job, errors=exc.messages)
            return render(request, "clients/import_mapping.html", context, status=400)
        for message in exc.messages:
            messages.error(request, message)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("clients:import_job", job_pk=job.pk)


def _mapping_context(request, job: ImportJob, errors: list[str] | None = None) -> dict:
    columns = job.report.get("columns", [])
    preview = job.report.get("preview", [])
    chosen = [request.POST.get(f"map-{i}", "") for i in range(len(columns))] if errors else job.mapping
    chosen = (list(chosen) + [""] * len(columns))[: len(columns)]
    rows = [{"index": i, "name": name, "samples": [row[i] for row in preview if i < len(row) and row[i]],
             "target": chosen[i]} for i, name in enumerate(columns)]
    choices = targets(request.org, list(request.org.client_fields.filter(active=True)))
    return {"job": job, "rows": rows, "choices": choices, "errors": errors or []}


def _job_context(job: ImportJob) -> dict:
    context = {"job": job, "stalled": import_jobs.is_stalled(job), "report": None}
    if job.status == ImportJob.DONE:
        report = ImportReport.from_dict(job.report)
        for entry in report.duplicates:
            entry["reason_label"] = reason_label(entry.get("reason", ""))
        context |= {"report": report, "more_errors": report.invalid_rows > len({e["row"] for e in report.errors}),
                    "more_duplicates": report.duplicate_rows > len(report.duplicates)}
    return context


# --- export -------------------------------------------------------------------------------------

STATUSES = [("active", pgettext_lazy("records", "active")), ("archived", pgettext_lazy("records", "archived")),
            ("all", pgettext_lazy("records", "all"))]
_ARCHIVED = {"active": False, "archived": True, "all": None}


@member_required("clients.export")
def export(request):
    """The list as a file (``?format=csv|xlsx&q=…&status=active|archived|all``, as the list page filters),
    or without ``format`` a page to choose."""
    fmt = request.GET.get("format")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status") if request.GET.get("status") in _ARCHIVED else "active"
    context = {"q": q, "status": status, "statuses": STATUSES}
    if fmt is None:
        return render(request, "clients/export.html", context)
    try:
        return exporting.export_response(request.member, q, fmt, archived=_ARCHIVED[status])
    except ValidationError as exc:
        return render(request, "clients/export.html", context | {"errors": exc.messages}, status=400)


# --- privacy ------------------------------------------------------------------------------------

def _privacy_download(request, pk: int, fmt: str) -> HttpResponse:
    client = get_object_or_404(Client.objects.select_related("organization"), organization=request.org, pk=pk)
    name, content_type, content = privacy.client_privacy_export(actor=request.member, client=client, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@member_required("clients.privacy")
def privacy_json(request, pk):
    return _privacy_download(request, pk, "json")


@member_required("clients.privacy")
def privacy_pdf(request, pk):
    return _privacy_download(request, pk, "pdf")


@require_http_methods(["GET", "POST"])
@member_required("clients.privacy")
def erase(request, pk):
    client = get_object_or_404(Client.objects.select_related("organization"), organization=request.org, pk=pk)
    code = services.pseudonym(client)
    form = EraseForm(request.POST if request.method == "POST" else None, code=code)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.client_erase(actor=request.member, client=client)
        except Conflict as exc:
            messages.error(request, exc.message)
            status = 409
        else:
            messages.success(request, _("The personal data was erased. The record stays as %(name)s.") % {
                "name": client.display_name})
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/erase.html", {"client": client, "code": code, "form": form,
                                                  "word": ERASE_WORD}, status=400 if form.errors else status)
