"""Imports as background jobs, for the pages: upload → choose the columns → dry run → commit.

Each step is a service taking the acting member; the checking and writing run in a task
(``core.tasks``) that records its progress on the ``ImportJob`` row, which the page polls. A dry run
and the commit after it are two jobs over one stored file; the file is deleted once the clients are
in, or when the import is cancelled.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from frontoffice.clients.importing import ImportReport, import_table, read_upload
from frontoffice.clients.importing.columns import check_mapping, guess_mapping
from frontoffice.clients.importing.files import read_table
from frontoffice.clients.models import ImportJob
from frontoffice.core import tasks
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Member

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 3
PROGRESS_EVERY = 0.4  # seconds between progress writes: the page polls every 0.5 s
STALLED_AFTER = timedelta(minutes=5)  # a running job that has not written progress for this long died


def import_job_create(*, actor: Member, uploaded_file) -> ImportJob:
    """Store an uploaded file and guess its columns; a file that cannot be read is refused now.

    Not one transaction: reading a large file takes seconds, and on SQLite a transaction would hold the
    write lock meanwhile. The job row is one insert, after the file is stored."""
    content = read_upload(uploaded_file)
    name = (getattr(uploaded_file, "name", "") or "upload").rsplit("/", 1)[-1][:255]
    table = read_table(content, name)
    fields = list(actor.organization.client_fields.filter(active=True))
    job = ImportJob(organization=actor.organization, created_by=actor, file_name=name, total=len(table.rows),
                    mapping=guess_mapping(table.columns, actor.organization, fields),
                    report={"columns": table.columns, "preview": [cells for _n, cells in table.rows[:PREVIEW_ROWS]],
                            "kind": table.kind, "encoding": table.encoding, "delimiter": table.delimiter})
    job.file.save(get_valid_filename(name) or "upload", ContentFile(content), save=False)
    job.save()
    return job


@transaction.atomic
def import_job_start(*, actor: Member, job: ImportJob, mapping: list[str]) -> ImportJob:
    """Check every row with ``mapping`` (a dry run), in the background."""
    job = _locked(job)
    if job.status not in (ImportJob.NEW, ImportJob.DONE, ImportJob.FAILED) or not job.dry_run:
        raise Conflict(_("This import has already started."))
    _require_file(job)
    job.mapping = check_mapping(job.report.get("columns", []), mapping)
    job.status, job.stage, job.processed = ImportJob.PENDING, "", 0
    job.report = _keep_preview(job.report)
    job.save()
    tasks.enqueue("frontoffice.clients.importing.jobs.import_job_run", job_id=job.pk)
    return job


@transaction.atomic
def import_job_commit(*, actor: Member, job: ImportJob, valid_rows_only: bool,
                      skip_duplicates: bool = False) -> ImportJob:
    """After a dry run, import the rows for real: a new job over the same file and mapping."""
    job = _locked(job)
    if not job.dry_run or job.status != ImportJob.DONE:
        raise Conflict(_("Check the file first; then import it."))
    _require_file(job)
    report = ImportReport.from_dict(job.report)
    if not report.ok and not valid_rows_only:
        raise ValidationError({"valid_rows_only": [_("Some rows have errors: fix the file, or choose to import "
                                                     "only the valid rows.")]})
    running = ImportJob.objects.filter(source=job).exclude(status__in=[ImportJob.FAILED, ImportJob.CANCELLED]).first()
    if running is not None:
        return running  # a second click on "Import": the same import, not a second copy of the clients
    commit = ImportJob.objects.create(
        organization=job.organization, created_by=actor, file=job.file.name, file_name=job.file_name,
        dry_run=False, valid_rows_only=valid_rows_only, skip_duplicates=skip_duplicates, mapping=job.mapping,
        source=job, status=ImportJob.PENDING, total=job.total, report={"columns": job.report.get("columns", [])})
    tasks.enqueue("frontoffice.clients.importing.jobs.import_job_run", job_id=commit.pk)
    return commit


@transaction.atomic
def import_job_cancel(*, actor: Member, job: ImportJob) -> ImportJob:
    job = _locked(job)
    if job.status in (ImportJob.PENDING, ImportJob.RUNNING) and not is_stalled(job):
        raise Conflict(_("The import is running; wait for it to finish."))
    if job.status == ImportJob.DONE and not job.dry_run:
        raise Conflict(_("These clients are imported already; archive them one by one if needed."))
    _delete_file(job)
    job.status, job.report = ImportJob.CANCELLED, _keep_preview(job.report, preview=False)
    job.save()
    return job


@transaction.atomic
def import_job_restart(*, actor: Member, job: ImportJob) -> ImportJob:
    """Start again a job whose process died (a restart of the server) while it ran."""
    job = _locked(job)
    if not is_stalled(job):
        raise Conflict(_("This import is not stuck."))
    _require_file(job)
    job.status, job.stage, job.processed = ImportJob.PENDING, "", 0
    job.save()
    tasks.enqueue("frontoffice.clients.importing.jobs.import_job_run", job_id=job.pk)
    return job


def is_stalled(job: ImportJob) -> bool:
    return (job.status in (ImportJob.PENDING, ImportJob.RUNNING)
            and timezone.now() - job.updated_at > STALLED_AFTER)


def import_job_run(job_id: int) -> None:
    """The task: check (and, for a commit job, store) the rows of a job's file, recording progress."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.PENDING).update(
        status=ImportJob.RUNNING, stage="checking", processed=0, updated_at=timezone.now())
    if not claimed:
        return  # already run, or cancelled
    job = ImportJob.objects.select_related("organization", "created_by__organization", "created_by__user").get(
        pk=job_id)
    # A thread or a worker has no request language: the report's messages speak the uploader's.
    with translation.override(job.created_by.user.language or job.organization.language):
        _run(job)


def _run(job: ImportJob) -> None:
    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        table = read_table(content, job.file_name)
        report = import_table(actor=job.created_by, table=table, file_name=job.file_name, dry_run=job.dry_run,
                              valid_rows_only=job.valid_rows_only, skip_duplicates=job.skip_duplicates,
                              mapping=job.mapping, progress=_progress_writer(job.pk, job.dry_run))
    except ValidationError as exc:
        _finish(job, ImportJob.FAILED, {"error": " ".join(exc.messages)})
        return
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(job, ImportJob.FAILED, {"error": _("The import failed unexpectedly; nothing was saved.")})
        return
    result = report.to_dict() | {"preview": job.report.get("preview", [])}
    if report.committed:
        _delete_file(job)
        result.pop("preview")
    _finish(job, ImportJob.DONE, result)


def _progress_writer(job_id: int, dry_run: bool):
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and done < total:
            return
        last[0] = now
        if stage == "saving":  # inside the import's transaction: other connections cannot see (or,
            return  # on SQLite, write) this row until it commits. The page shows "saving…" meanwhile.
        ImportJob.objects.filter(pk=job_id).update(stage=stage, processed=done, total=total,
                                                   updated_at=timezone.now())
        if done >= total:  # next: the duplicates lookup, then (for a commit) the one saving transaction
            ImportJob.objects.filter(pk=job_id).update(stage="duplicates" if dry_run else "saving",
                                                       updated_at=timezone.now())

    return progress


def _finish(job: ImportJob, status: str, report: dict) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status, stage="", report=report, updated_at=timezone.now(),
                                               processed=report.get("rows", job.processed) or job.processed)


def _locked(job: ImportJob) -> ImportJob:
    return ImportJob.objects.select_for_update().get(pk=job.pk, organization_id=job.organization_id)


def _require_file(job: ImportJob) -> None:
    if not job.file or not job.file.storage.exists(job.file.name):
        raise Conflict(_("The uploaded file is no longer here; upload it again."))


def _delete_file(job: ImportJob) -> None:
    if job.file and job.file.storage.exists(job.file.name):
        job.file.storage.delete(job.file.name)


def _keep_preview(report: dict, preview: bool = True) -> dict:
    keep = ("columns", "preview", "kind", "encoding", "delimiter") if preview else ("columns",)
    return {key: value for key, value in report.items() if key in keep}
