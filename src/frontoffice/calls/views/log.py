"""The call log: every call, filtered and searched; one call's legs as a timeline; the log as CSV or XLSX.

The spreadsheet writers follow ``clients.exporting`` (streamed CSV with a BOM, semicolons in Polish;
write-only XLSX in a spooled file).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frontoffice.calls.forms.messages import CallLogFilterForm
from frontoffice.calls.queries.log import (
    call_activities,
    call_of,
    calls_of,
    export_table,
    leg_timeline,
    with_display,
)
from frontoffice.calls.services.retention import call_log_exported
from frontoffice.core.pagination import BadCursor, paginate_desc
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page

PAGE_SIZE = 50
FORMATS = ("csv", "xlsx")


def _filtered(request) -> tuple[CallLogFilterForm, dict | None]:
    form = CallLogFilterForm(request.GET or None, organization=request.org)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


@require_GET
@member_required("calls.view")
def call_log(request):
    form, filters = _filtered(request)
    if filters is None:
        return render(request, "calls/log.html", {"form": form, "page": None}, status=400)
    rows = calls_of(request.org, **filters)
    try:
        page = paginate_desc(rows, key="offered_at", cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    except BadCursor:
        page = paginate_desc(rows, key="offered_at", cursor=None, limit=PAGE_SIZE)
    page.items = with_display(page.items)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render_page(request, "calls/log.html", {
        "form": form, "page": page, "query": query.urlencode(), "client": filters["client"],
        "can_export": request.member.can("calls.export"),
    }, partial="calls/log_rows.html")


@require_GET
@member_required("calls.view")
def call_detail(request, pk):
    call = call_of(request.org, pk)
    if call is None:
        raise Http404
    with_display([call])
    return render(request, "calls/call_detail.html", {
        "call": call, "legs": leg_timeline(call), "activities": call_activities(call),
        "call_messages": call.messages.select_related("for_member__user", "for_department").order_by("created_at"),
        "can_take": request.member.can("calls.answer"),
    })


@require_GET
@member_required("calls.export")
def call_log_export(request):
    form, filters = _filtered(request)
    fmt = request.GET.get("format", "csv")
    if filters is None or fmt not in FORMATS:
        if fmt not in FORMATS:
            form.add_error(None, ValidationError(_("Choose CSV or XLSX.")))
        return render(request, "calls/log.html", {"form": form, "page": None}, status=400)
    rows = calls_of(request.org, **filters)
    name = call_log_exported(actor=request.member, calls=rows, fmt=fmt, filtered=any(
        value not in (None, "") for value in filters.values()))
    table = export_table(rows, request.org)
    return _csv_response(table, name) if fmt == "csv" else _xlsx_response(table, name, sheet=_("Calls"))


# --- the files -----------------------------------------------------------------------------------

class _Line:
    """A file-like object whose write() hands back the text: lets csv.writer feed a stream."""

    def write(self, text: str) -> str:
        return text


def _plain(value):
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value


def _csv_response(table: Iterator[list], name: str) -> StreamingHttpResponse:
    # Excel in a Polish locale splits CSV on semicolons; the BOM tells it the file is UTF-8.
    writer = csv.writer(_Line(), delimiter=";" if translation.get_language() == "pl" else ",")

    def stream():
        yield "\ufeff"
        lines = []
        for values in table:
            lines.append(writer.writerow([_plain(v) for v in values]))
            if len(lines) >= 500:
                yield "".join(lines)
                lines = []
        yield "".join(lines)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx_response(table: Iterator[list], name: str, *, sheet: str) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    bold = Font(bold=True)
    header = []
    for title in next(table):
        cell = WriteOnlyCell(worksheet, value=title)
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    for values in table:
        row = []
        for value in values:
            if isinstance(value, datetime):
                value = WriteOnlyCell(worksheet, value=value)
                value.number_format = "yyyy-mm-dd hh:mm:ss"
            row.append(value)
        worksheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
