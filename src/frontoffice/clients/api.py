"""The clients API: find, enter, correct, archive and merge clients; read their timeline.

Handlers parse, check the capability, look the client up in the member's organisation and call
the same services and queries as the pages.
"""

from __future__ import annotations

import json
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from frontoffice.clients import exporting, importing, queries, services
from frontoffice.clients.models import Client, Merge
from frontoffice.clients.schemas import (
    ClientFilter,
    ClientIn,
    ClientOut,
    ClientPage,
    ClientPatch,
    DuplicateList,
    ExportFilter,
    ImportOptions,
    ImportResult,
    MergeIn,
    MergeResult,
    TimelineFilter,
    TimelinePage,
    UndoResult,
)
from frontoffice.clients.validation import ClientInput
from frontoffice.core.apiutils import require
from frontoffice.core.models import Organization
from frontoffice.core.schemas import ErrorOut

router = Router(tags=["clients"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ARCHIVED = {"false": False, "true": True, "any": None}


def _client_or_404(request, client_id: int) -> Client:
    """A client of the member's organisation. A record merged into another one is a 404 whose
    detail names the client it lives on in, so a stale link can be followed by hand."""
    client = queries.clients_of(request.org, archived=None).filter(pk=client_id).first()
    if client is not None:
        return client
    kept_id = _merged_into(request.org, client_id)
    if kept_id is None:
        raise Http404
    message = _("Client %(id)s was merged into client %(kept)s.") % {"id": client_id, "kept": kept_id}
    raise HttpError(404, message)


def _merged_into(organization: Organization, client_id: int) -> int | None:
    """The live record that ``client_id`` was merged into, following later merges of that one too."""
    kept = organization.clients.filter(pk=client_id).values_list("merged_into_id", flat=True).first()
    if kept is None:
        return None
    for _hop in range(50):  # a chain is as long as the merges of merges; the bound only guards a cycle
        onward = organization.clients.filter(pk=kept).values_list("merged_into_id", flat=True).first()
        if onward is None:
            break
        kept = onward
    return kept


def _current_input(organization: Organization, client: Client) -> ClientInput:
    """The record as it stands, in the shape the validation takes, so a PATCH is checked whole.
    Values of custom fields the owner has since switched off are left out: they are unknown to
    the rules now and would refuse every correction of the record."""
    active = set(organization.client_fields.filter(active=True).values_list("key", flat=True))
    return ClientInput(
        kind=client.kind, first_name=client.first_name, last_name=client.last_name,
        organization_name=client.organization_name, date_of_birth=client.date_of_birth,
        phones=[p.number for p in client.phones.all()], emails=[e.email for e in client.emails.all()],
        street=client.street, postal_code=client.postal_code, city=client.city, country=client.country,
        identifiers=dict(client.identifiers), tags=list(client.tags), notes=client.notes,
        custom={key: value for key, value in client.custom.items() if key in active},
    )


@router.get("", response={200: ClientPage, **ERRORS}, summary="Search clients, or list them by name",
            description="With `q`: best matches first (exact phone, e-mail or identifier; name starts "
                        "with `q`; every word starts a name word; substring), 20 a page by default. "
                        "Without: every client by name. Pass `next_cursor` back as `cursor` for the next "
                        "page.")
def client_list(request, filters: Query[ClientFilter]):
    require(request, "clients.view")
    page = queries.client_search(request.org, filters.q, cursor=filters.cursor, limit=filters.limit,
                                 archived=ARCHIVED[filters.archived])
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: ClientOut, **ERRORS}, summary="Add a client")
def client_create(request, payload: ClientIn):
    require(request, "clients.edit")
    return Status(201, services.client_create(actor=request.member, data=ClientInput(**payload.dict()), source="api"))


@router.get("/duplicates", response={200: DuplicateList, **ERRORS}, summary="Likely duplicate pairs",
            description="Pairs of live clients sharing a phone, an e-mail or an identifier, or with the same "
                        "name and date of birth (at most 100).")
def client_duplicates(request):
    require(request, "clients.merge")
    pairs = queries.duplicate_pairs(request.org)
    return {"items": [{"first": a, "second": b, "reason": reason} for a, b, reason in pairs]}


SPREADSHEET = {"text/csv": {"schema": {"type": "string"}},
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                   "schema": {"type": "string", "format": "binary"}}}


@router.get("/export", response=ERRORS, openapi_extra={"responses": {200: {
                "description": "The file, as an attachment", "content": SPREADSHEET}}},
            summary="Export the client list, or the clients a search finds, as CSV or XLSX")
def client_export(request, filters: Query[ExportFilter]):
    require(request, "clients.export")
    return exporting.export_response(request.member, filters.q, filters.format.lower(),
                                     archived=ARCHIVED[filters.archived])


def _mapping(text: str):
    """The mapping form field: JSON overrides ``{column: field}``, a full list, or nothing (guess)."""
    if not text.strip():
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    valid_dict = isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values())
    valid_list = isinstance(mapping, list) and all(isinstance(v, str) for v in mapping)
    if not (valid_dict or valid_list):
        raise ValidationError({"mapping": _('Send JSON: {"column": "field", …} or a list of fields, '
                                            'one per column.')})
    return mapping


def _import_outcome(report) -> tuple[int, str]:
    if report.dry_run:
        return 200, _("Checked %(rows)s rows: %(invalid)s with errors, %(dups)s possible duplicates. "
                      "Nothing was stored (dry run).") % {
            "rows": report.rows, "invalid": report.invalid_rows, "dups": report.duplicate_rows}
    if report.committed:
        return 201, _("Imported %(n)s clients.") % {"n": report.created}
    return 400, _("%(invalid)s rows have errors, so nothing was imported. Correct them, or send "
                  "valid_rows_only=true to import the valid rows.") % {"invalid": report.invalid_rows}


@router.post("/import", response={200: ImportResult, 201: ImportResult, **ERRORS,
                                  400: ImportResult | ErrorOut},
             summary="Import clients from a CSV or XLSX file (a dry run unless dry_run=false)",
             description="200: a dry run's report. 201: the rows were stored, in one transaction. 400: "
                         "rows have errors and nothing was stored (the body is the report), or the file or "
                         "mapping cannot be used (the body names `file` or `mapping`).")
def client_import(request, options: Form[ImportOptions], file: File[UploadedFile] = None):
    # ``file`` is optional to ninja so the capability is checked before the body: a missing file is
    # then refused by the import itself, as 400 naming "file".
    require(request, "clients.import")
    report = importing.run_upload(request.member, file, dry_run=options.dry_run,
                                  mapping=_mapping(options.mapping), valid_rows_only=options.valid_rows_only,
                                  skip_duplicates=options.skip_duplicates)
    status, detail = _import_outcome(report)
    return Status(status, {"detail": detail, **report.to_dict()})


@router.post("/merges/{merge_id}/undo", response={200: UndoResult, **ERRORS}, summary="Undo a merge",
             description="Within 30 days of the merge: both records live again, each with what it had. "
                         "409 when the merge was undone already or is older.")
def client_merge_undo(request, merge_id: int):
    require(request, "clients.merge")
    merge = get_object_or_404(Merge.objects.filter(organization=request.org), pk=merge_id)
    restored = services.merge_undo(actor=request.member, merge=merge)
    merge.refresh_from_db()
    return {"merge": merge, "kept": merge.kept, "restored": restored}


@router.get("/{client_id}", response={200: ClientOut, **ERRORS}, summary="One client",
            description="A record merged into another one is 404 for this and every other `{client_id}` "
                        "operation, with the detail naming the client kept: "
                        "`Client 7 was merged into client 3.`")
def client_get(request, client_id: int):
    require(request, "clients.view")
    return _client_or_404(request, client_id)


@router.patch("/{client_id}", response={200: ClientOut, **ERRORS}, summary="Correct a client",
              description="The fields sent replace the current ones (a list or object as a whole); the "
                          "record that results is checked whole, as on the client form. 409 for an erased "
                          "client.")
def client_patch(request, client_id: int, payload: ClientPatch):
    require(request, "clients.edit")
    client = _client_or_404(request, client_id)
    data = replace(_current_input(request.org, client), **payload.dict(exclude_unset=True))
    return services.client_update(actor=request.member, client=client, data=data)


@router.delete("/{client_id}", response={200: ClientOut, **ERRORS},
               summary="Archive a client: 200 with the record, now archived=true (nothing is deleted)")
def client_archive(request, client_id: int):
    require(request, "clients.archive")
    return services.client_archive(actor=request.member, client=_client_or_404(request, client_id))


@router.get("/{client_id}/timeline", response={200: TimelinePage, **ERRORS}, summary="A client's timeline",
            description="Every activity about this client, and about records merged into it, newest first.")
def client_timeline(request, client_id: int, filters: Query[TimelineFilter]):
    require(request, "clients.view")
    client = _client_or_404(request, client_id)
    page = queries.timeline(client, verb_prefix=filters.kind, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/{client_id}/merge", response={200: MergeResult, **ERRORS},
             summary="Merge other_id into this client, which is kept",
             description="The other record's contacts, consents, related parties, timeline and every row "
                         "of other parts that points at it move here; it is archived and points here. Undo "
                         "within 30 days with the merge id. 400 for the client itself, 404 for an id not in "
                         "the list.")
def client_merge(request, client_id: int, payload: MergeIn):
    require(request, "clients.merge")
    kept = _client_or_404(request, client_id)
    other = kept if payload.other_id == kept.pk else _client_or_404(request, payload.other_id)
    merge = services.client_merge(actor=request.member, kept=kept, merged=other)
    return {"merge": merge, "client": merge.kept}
