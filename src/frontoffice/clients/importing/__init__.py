"""Importing clients from a spreadsheet: read the file, map its columns, check every row, then store
the rows in one transaction — or nothing, when a row has errors and the person did not choose
"import the valid rows".

    files.py     the file itself: CSV (encoding and delimiter detected) or XLSX, limits, refusals
    columns.py   which column feeds which field, guessed from English and Polish headers
    checking.py  every row through ``validation.clean_client``; duplicates in the file and the database
    writing.py   the bulk insert (also used by the demo data)
    jobs.py      the same, as a background job with progress, for the pages

The page, the API and ``frontoffice import clients`` all end in ``import_table``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from frontoffice.clients.importing.checking import check_rows, find_existing
from frontoffice.clients.importing.columns import apply_overrides, check_mapping, guess_mapping, targets
from frontoffice.clients.importing.files import MAX_BYTES, MAX_ROWS, Table, read_table, refuse, too_large
from frontoffice.clients.importing.writing import clients_store
from frontoffice.core.models import Member
from frontoffice.core.services import activity_record

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportReport",
    "Table",
    "import_table",
    "read_table",
    "read_upload",
    "run_upload",
    "targets",
]

# progress(stage, done, total) with stage "checking" (rows validated) or "saving" (clients written)
Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    file_name: str
    columns: list[str]
    mapping: list[str]
    rows: int  # data rows in the file
    valid: int  # rows that passed every check
    invalid_rows: int
    errors: list[dict]  # {row, column, field, message}, the first 1,000
    duplicates: list[dict]  # {row, column, value, reason, other_row | client_id + client_name}, the first 1,000
    duplicate_rows: int
    dry_run: bool
    valid_rows_only: bool = False
    skip_duplicates: bool = False
    created: int = 0
    committed: bool = False  # rows were written
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.invalid_rows == 0

    @property
    def refused(self) -> bool:
        """A real import that stored nothing because rows had errors."""
        return not self.dry_run and not self.committed and not self.ok and not self.valid_rows_only

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def read_upload(uploaded_file) -> bytes:
    """The bytes of an uploaded file, refusing an oversize one before reading it all."""
    if uploaded_file is None:
        raise refuse(_("Choose a CSV or XLSX file to import."))
    if (getattr(uploaded_file, "size", 0) or 0) > MAX_BYTES:
        raise too_large()
    uploaded_file.seek(0)
    return uploaded_file.read(MAX_BYTES + 1)


def resolve_mapping(actor: Member, table: Table, mapping, fields) -> list[str]:
    """The guessed mapping, replaced by a full list or changed by ``{column: field}`` overrides."""
    organization = actor.organization
    if isinstance(mapping, (list, tuple)):
        return check_mapping(table.columns, list(mapping))
    guessed = guess_mapping(table.columns, organization, fields)
    if mapping:
        allowed = {t.key for t in targets(organization, fields)}
        return apply_overrides(table.columns, guessed, dict(mapping), allowed)
    return check_mapping(table.columns, guessed)


def import_table(*, actor: Member, table: Table, file_name: str, dry_run: bool, valid_rows_only: bool = False,
                 skip_duplicates: bool = False, mapping=None, progress: Progress | None = None) -> ImportReport:
    """Check every row; unless ``dry_run``, store the valid ones in one transaction.

    A file with errors stores nothing unless ``valid_rows_only``. ``skip_duplicates`` leaves out rows
    that match a client already on file or an earlier row. Records one ``client.imported`` activity
    (and, through ``clients_store``, a ``client.created`` one per client).
    """
    started = time.monotonic()
    organization = actor.organization
    fields = list(organization.client_fields.filter(active=True))
    mapping = resolve_mapping(actor, table, mapping, fields)
    total = len(table.rows)
    checked = check_rows(organization, table, mapping, fields,
                         progress=(lambda done: progress("checking", done, total)) if progress else None)
    find_existing(organization, checked, mapping, table.columns)
    report = ImportReport(
        file_name=file_name, columns=table.columns, mapping=mapping, rows=checked.rows, valid=len(checked.valid),
        invalid_rows=checked.invalid_rows, errors=checked.errors, duplicates=checked.duplicates,
        duplicate_rows=len(checked.duplicate_rows), dry_run=dry_run, valid_rows_only=valid_rows_only,
        skip_duplicates=skip_duplicates)
    if not dry_run and (report.ok or valid_rows_only):
        cleans = [clean for number, clean in checked.valid
                  if not (skip_duplicates and number in checked.duplicate_rows)]
        skipped = len(checked.valid) - len(cleans)
        if not cleans:  # nothing valid (or everything skipped): nothing to record either
            report.seconds = round(time.monotonic() - started, 2)
            return report
        with transaction.atomic():
            ids = clients_store(actor=actor, cleans=cleans, source="import",
                                progress=(lambda done: progress("saving", done, len(cleans))) if progress else None)
            activity_record(organization=organization, actor=actor, verb="client.imported", label="", data={
                "count": len(ids), "file_name": file_name, "rows": report.rows, "invalid_rows": report.invalid_rows,
                "skipped_duplicates": skipped})
        report.created, report.committed = len(ids), True
    report.seconds = round(time.monotonic() - started, 2)
    return report


def run_upload(member: Member, uploaded_file, *, dry_run: bool, valid_rows_only: bool = False, mapping=None,
               skip_duplicates: bool = False) -> ImportReport:
    """Import an uploaded file synchronously (the API): ``ValidationError({"file"|"mapping": …})`` for a
    file that cannot be read or mapped, else the report (row errors are in it, not raised)."""
    if not member.can("clients.import"):
        raise PermissionDenied("clients.import")
    name = getattr(uploaded_file, "name", "") or "upload"
    table = read_table(read_upload(uploaded_file), name)
    return import_table(actor=member, table=table, file_name=name, dry_run=dry_run, valid_rows_only=valid_rows_only,
                        skip_duplicates=skip_duplicates, mapping=mapping)
