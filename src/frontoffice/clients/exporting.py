"""Exporting the client list — all live clients, or the current search — as CSV or XLSX.

The columns are the import's (``importing.columns.targets``), headed in the page's language, so an
exported file imports back as it is. Every text cell that a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) gets a leading apostrophe; the import removes it.
CSV is streamed row by row; XLSX is written with openpyxl's write-only mode to a spooled file.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.clients import queries, search
from frontoffice.clients.importing.columns import FULL_NAME, FULL_NAME_LAST_FIRST, Target, targets
from frontoffice.clients.models import KIND_CHOICES, Client
from frontoffice.core.models import Member
from frontoffice.core.services import activity_record

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (so XLSX) cannot hold; removed before neutralising, so "\x01=cmd" cannot slip by.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SEARCH_PAGE = 500
CHUNK = 2000


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def columns_for(organization) -> list[Target]:
    fields = list(organization.client_fields.filter(active=True))
    return [target for target in targets(organization, fields) if target.key not in (FULL_NAME, FULL_NAME_LAST_FIRST)]


def _cell(client: Client, key: str, kinds: dict[str, str]):
    if key == "phones":
        return ", ".join(phone.number for phone in client.phones.all())
    if key == "emails":
        return ", ".join(email.email for email in client.emails.all())
    if key == "tags":
        return ", ".join(client.tags)
    if key == "kind":
        return kinds.get(client.kind, client.kind)
    if key.startswith("identifiers."):
        return client.identifiers.get(key.split(".", 1)[1], "")
    if key.startswith("custom."):
        value = client.custom.get(key.split(".", 1)[1], "")
        return "" if value is None else str(value)
    return getattr(client, key)


def rows(clients, columns: list[Target]) -> Iterator[list]:
    """["ID", headers…] then one list of values per client (dates stay dates; text is neutralised)."""
    kinds = {value: str(label) for value, label in KIND_CHOICES}
    yield [_("ID"), *(target.label for target in columns)]
    for client in clients:
        values = [client.pk]
        for target in columns:
            value = _cell(client, target.key, kinds)
            values.append(neutralise(_ILLEGAL.sub("", value)) if isinstance(value, str) else value)
        yield values


def _chunks(queryset: QuerySet) -> Iterator[Client]:
    yield from queryset.prefetch_related("phones", "emails").iterator(chunk_size=CHUNK)


def _ordered(base: QuerySet, ids: list[int]) -> Iterator[Client]:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        by_id = {c.pk: c for c in base.filter(pk__in=chunk).prefetch_related("phones", "emails")}
        yield from (by_id[pk] for pk in chunk if pk in by_id)


def search_ids(organization, q: str, *, archived: bool | None = False) -> list[int]:
    """Every match of ``q``, best first — all pages of the type-ahead's own ranking."""
    base = queries.clients_of(organization, archived=archived).filter(erased_at__isnull=True)
    ids, cursor = [], None
    while True:
        page = search.search(base.only("pk", "sort_name"), organization, q, cursor=cursor, limit=SEARCH_PAGE)
        ids += [client.pk for client in page.items]
        if not page.next_cursor:
            return ids
        cursor = page.next_cursor


def export_response(member: Member, queryset_or_q: QuerySet | str | None, fmt: str, *,
                    archived: bool | None = False) -> HttpResponse:
    """The file for the member's organisation: ``queryset_or_q`` is a query string (searched as the
    list page searches), a queryset of clients (narrowed to the organisation), or None for everyone."""
    if not member.can("clients.export"):
        raise PermissionDenied("clients.export")
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose CSV or XLSX.")]})
    organization = member.organization
    live = queries.clients_of(organization, archived=archived).filter(erased_at__isnull=True)
    if isinstance(queryset_or_q, QuerySet):
        queryset = queryset_or_q.filter(organization=organization, merged_into__isnull=True,
                                        erased_at__isnull=True).order_by("sort_name", "id")
        count, clients, filtered = queryset.count(), _chunks(queryset), True
    elif (queryset_or_q or "").strip():
        ids = search_ids(organization, queryset_or_q, archived=archived)
        count, clients, filtered = len(ids), _ordered(live, ids), True
    else:
        queryset = live.order_by("sort_name", "id")
        count, clients, filtered = queryset.count(), _chunks(queryset), False
    with transaction.atomic():
        activity_record(organization=organization, actor=member, verb="client.exported_list", label="",
                        data={"format": fmt, "count": count, "filtered": filtered, "archived": archived})
    name = f"clients-{organization.slug}-{timezone.localdate().isoformat()}.{fmt}"
    table = rows(clients, columns_for(organization))
    if fmt == "csv":
        return _csv_response(table, name)
    return _xlsx_response(table, name)


class _Line:
    """A file-like object whose write() hands back the text: lets csv.writer feed a stream."""

    def write(self, text: str) -> str:
        return text


def _csv_response(table: Iterator[list], name: str) -> StreamingHttpResponse:
    # Excel in a Polish locale splits CSV on semicolons; everywhere else on commas. The BOM tells
    # Excel the file is UTF-8, so the Polish letters survive.
    delimiter = ";" if translation.get_language() == "pl" else ","
    writer = csv.writer(_Line(), delimiter=delimiter)

    def stream():
        yield "\ufeff"
        lines = []
        for values in table:
            lines.append(writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v
                                          for v in values]))
            if len(lines) >= 500:
                yield "".join(lines)
                lines = []
        yield "".join(lines)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx_response(table: Iterator[list], name: str) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Clients"))
    bold = Font(bold=True)
    header = next(table)
    for index in range(len(header)):
        sheet.column_dimensions[_letter(index)].width = 12 if index == 0 else 20
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for values in table:
        row = []
        for value in values:
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
