"""Imports of firms and contacts: the job's steps and the run (seed 002).

What "nothing half-imported" means here:

- every row is checked completely (its cells, its parent, its duplicates, the member's right to
  change what it would update) before anything of it is written; a bad row is reported with
  its row number and reasons and leaves nothing behind: no firm, channel, contact or audit row;
- the good rows are written in batches of ``BATCH_SIZE``, each in one transaction together
  with the job's counters and error list, so the job always describes what is in the database;
- a run that dies resumes after the last committed batch, and two workers given the same job
  cannot both write a batch: the job row is locked and its counter checked first.
"""

import logging
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled

from companies.import_files import ImportFileError, read_table
from companies.importing import columns_for, guess_mapping
from companies.models import ImportJob
from core import audit
from core.models import AuditEntry
from core.tasks import publish

logger = logging.getLogger("kervan.imports")

BATCH_SIZE = 500
MAX_STORED = 1000  # error and skip entries kept per job; the counters count them all
STALLED_AFTER = timedelta(minutes=5)
STILL_READING = gettext_lazy("The file is still being read; map its columns once they appear.")


def writer_for(*, tenant, member, job):
    from companies.services.import_firms import FirmWriter
    from companies.services.import_writers import ContactWriter

    writer = FirmWriter if job.kind == ImportJob.Kind.FIRMS else ContactWriter
    return writer(tenant=tenant, member=member, job=job)


def _locked(tenant, job):
    return ImportJob.objects.select_for_update().get(tenant=tenant, pk=job.pk)


@transaction.atomic
def import_create(
    *, tenant, actor, kind, upload, original_name, file_format, table=None, language=""
):
    """A new import job for an uploaded file, left for the worker to read (``import_read``).

    ``table`` is what the request read of the file (its header row), if anything.
    """
    headers = table.headers if table else []
    job = ImportJob(
        tenant=tenant,
        kind=kind,
        original_name=original_name,
        file_format=file_format,
        status=ImportJob.Status.READING,
        headers=headers,
        mapping=guess_mapping(columns_for(tenant=tenant, kind=kind), headers),
        created_by=actor,
        language=language[:10],
    )
    job.file.save(original_name, upload, save=False)
    job.save()
    audit.record(
        tenant=tenant, actor=actor, instance=job, action=AuditEntry.Action.CREATE,
        summary=_("File uploaded for import: %(name)s") % {"name": original_name},
    )  # fmt: skip
    transaction.on_commit(partial(queue_read, job.pk, tenant.pk))
    return job


def queue_read(job_id, tenant_id):
    """Hand the reading of the file to the broker; if it is down, the sweeper queues it later."""
    from companies.tasks import read_import

    return publish(read_import, job_id, tenant_id=tenant_id)


def import_read(*, tenant, job_id):
    """Read the whole stored file (the worker's task): headers, row count, guessed mapping.

    A file that cannot be read fails the job with the reason; a job no longer being read is
    left alone, so a second delivery does nothing.
    """
    job = ImportJob.objects.filter(tenant=tenant, pk=job_id).first()
    if job is None or job.status != ImportJob.Status.READING:
        return job
    table, failure = None, ""
    with translation.override(job.language or tenant.language):
        try:
            with job.file.open("rb") as stored:
                table = read_table(stored, job.file_format)
        except ImportFileError as error:
            failure = str(error)
        except ValidationError as error:
            failure = " ".join(error.messages)
        except OSError:
            logger.exception("Import %s: the stored file cannot be opened", job_id)
            failure = _("The uploaded file cannot be opened; upload it again.")
        return _read_done(tenant, job_id, table, str(failure))


@transaction.atomic
def _read_done(tenant, job_id, table, failure):
    job = ImportJob.objects.select_for_update().get(tenant=tenant, pk=job_id)
    if job.status != ImportJob.Status.READING:
        return job
    if table is None:
        job.status, job.failure = ImportJob.Status.FAILED, failure[:255]
        job.finished_at = timezone.now()
        audit.record(
            tenant=tenant, actor=job.created_by, instance=job, action=AuditEntry.Action.EVENT,
            summary=job.failure,
        )  # fmt: skip
    else:
        job.status, job.failure = ImportJob.Status.UPLOADED, ""
        job.headers, job.total_rows = table.headers, len(table.rows)
        job.mapping = guess_mapping(columns_for(tenant=tenant, kind=job.kind), table.headers)
    job.save()
    return job


@transaction.atomic
def import_map(*, tenant, actor, job, mapping, on_duplicate):
    """Save the column mapping (``{column key: header index}``); the preview follows."""
    job = _locked(tenant, job)
    if job.status == ImportJob.Status.READING:
        raise ValidationError(STILL_READING)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
        raise ValidationError(_("This import has already started."))
    columns = columns_for(tenant=tenant, kind=job.kind)
    keys = {column.key for column in columns}
    clean = {
        key: int(index)
        for key, index in mapping.items()
        if key in keys and 0 <= int(index) < len(job.headers)
    }
    missing = [str(c.label) for c in columns if c.required and c.key not in clean]
    if missing:
        raise ValidationError(_("Choose a column for: %(names)s.") % {"names": ", ".join(missing)})
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ValidationError(_("Select a valid choice."))
    job.mapping, job.on_duplicate, job.status = clean, on_duplicate, ImportJob.Status.MAPPED
    job.save(update_fields=["mapping", "on_duplicate", "status", "updated_at"])
    return job


@transaction.atomic
def import_start(*, tenant, actor, job):
    """Queue the run in the worker once this transaction commits."""
    job = _locked(tenant, job)
    now = timezone.now()
    stalled = job.status == ImportJob.Status.QUEUED and job.queued_at < now - STALLED_AFTER
    if job.status != ImportJob.Status.MAPPED and not stalled:
        raise ValidationError(_("This import cannot be started now."))
    job.status, job.queued_at, job.failure = ImportJob.Status.QUEUED, now, ""
    job.save(update_fields=["status", "queued_at", "failure", "updated_at"])
    audit.record(
        tenant=tenant, actor=actor, instance=job, action=AuditEntry.Action.EVENT,
        summary=_("Import started"),
    )  # fmt: skip
    transaction.on_commit(partial(queue_run, job.pk, tenant.pk))
    return job


def queue_run(job_id, tenant_id):
    """Hand the job to the broker; if it is down, the job waits to be started again."""
    from companies.tasks import run_import

    if not publish(run_import, job_id, tenant_id=tenant_id):
        with scope(tenant=tenant_id):
            ImportJob.objects.filter(
                tenant_id=tenant_id, pk=job_id, status=ImportJob.Status.QUEUED
            ).update(
                status=ImportJob.Status.MAPPED,
                failure=_("The background worker could not be reached; start the import again."),
            )
        return False
    return True


def imports_sweep(now=None):
    """Queue again the imports a lost broker message or a dead worker left behind.

    A job whose file is still being read, a queued job that no worker picked up, or a running
    one whose progress has not moved, for ``STALLED_AFTER``: reading starts over (it writes
    nothing until the end), the run resumes from the last committed batch (each batch commits
    with its progress, and a second run of the same job never writes a batch twice).
    """
    now = now or timezone.now()
    with scopes_disabled():
        stalled = list(
            ImportJob.objects.filter(
                Q(status=ImportJob.Status.READING, updated_at__lt=now - STALLED_AFTER)
                | Q(status=ImportJob.Status.QUEUED, queued_at__lt=now - STALLED_AFTER)
                | Q(status=ImportJob.Status.RUNNING, updated_at__lt=now - STALLED_AFTER)
            ).values_list("pk", "tenant_id", "status")[:100]
        )
    for job_id, tenant_id, status in stalled:
        with scope(tenant=tenant_id):
            ImportJob.objects.filter(tenant_id=tenant_id, pk=job_id).update(updated_at=now)
        if status == ImportJob.Status.READING:
            queue_read(job_id, tenant_id)
        else:
            queue_run(job_id, tenant_id)
    return len(stalled)


def import_preview(*, tenant, member, job, limit=20):
    """What the first rows would do: the writer runs on them in a transaction rolled back.

    Returns ``[(row number, cells of the mapped columns, outcome, [messages])]`` with the
    outcome "created", "updated", "skipped" or "error".
    """
    with job.file.open("rb") as stored:
        table = read_table(stored, job.file_format, limit=limit)
    writer = writer_for(tenant=tenant, member=member, job=job)
    with transaction.atomic():
        result = writer.write(table.rows)
        transaction.set_rollback(True)
    errors, skipped = dict(result.errors), dict(result.skipped)
    indexes = sorted(job.mapping.values())
    rows = []
    for number, cells in table.rows:
        shown = [cells[i] if i < len(cells) else "" for i in indexes]
        if number in errors:
            rows.append((number, shown, "error", errors[number]))
        elif number in skipped:
            rows.append((number, shown, "skipped", [skipped[number]]))
        else:
            rows.append((number, shown, result.done.get(number, "created"), []))
    return rows


def import_run(*, tenant, job_id):
    """Run a queued import to its end (the worker's task); safe to call twice."""
    job = ImportJob.objects.filter(tenant=tenant, pk=job_id).select_related("created_by").first()
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return job
    with translation.override(job.language or tenant.language):
        try:
            _run(tenant, job)
        except Exception:
            logger.exception("Import %s stopped", job_id)
            _finish(tenant, job_id, failure=_("The import stopped because of an unexpected error."))
    return ImportJob.objects.get(tenant=tenant, pk=job_id)


def _run(tenant, job):
    from accounts.selectors import membership_for

    member = membership_for(job.created_by, tenant.slug)[1] if job.created_by else None
    if member is None or not member.has_perm("firms.import"):
        _finish(tenant, job.pk, failure=_("The person who started this import may not import."))
        return
    ImportJob.objects.filter(tenant=tenant, pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    try:
        with job.file.open("rb") as stored:
            table = read_table(stored, job.file_format)
    except ImportFileError as error:
        _finish(tenant, job.pk, failure=str(error))
        return
    writer = writer_for(tenant=tenant, member=member, job=job)
    offset = job.processed_rows
    while offset < len(table.rows):
        batch = table.rows[offset : offset + BATCH_SIZE]
        if not _write_batch(tenant, job.pk, offset, batch, writer):
            return  # another run of the same job is ahead of this one
        offset += len(batch)
    _finish(tenant, job.pk)


@transaction.atomic
def _write_batch(tenant, job_id, offset, batch, writer):
    job = ImportJob.objects.select_for_update().get(tenant=tenant, pk=job_id)
    if job.status != ImportJob.Status.RUNNING or job.processed_rows != offset:
        return False
    result = writer.write(batch)
    job.processed_rows += len(batch)
    job.created_count += result.created
    job.updated_count += result.updated
    job.skipped_count += len(result.skipped)
    job.error_count += len(result.errors)
    room = max(MAX_STORED - len(job.errors), 0)
    job.errors += [{"row": n, "messages": m} for n, m in sorted(result.errors)][:room]
    room = max(MAX_STORED - len(job.skipped), 0)
    job.skipped += [{"row": n, "message": m} for n, m in sorted(result.skipped)][:room]
    job.save()
    return True


@transaction.atomic
def _finish(tenant, job_id, failure=""):
    job = ImportJob.objects.select_for_update().get(tenant=tenant, pk=job_id)
    if job.is_finished:
        return job
    job.status = ImportJob.Status.FAILED if failure else ImportJob.Status.DONE
    job.failure, job.finished_at = str(failure)[:255], timezone.now()
    job.save(update_fields=["status", "failure", "finished_at", "updated_at"])
    summary = failure or _(
        "Import finished: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
        "%(errors)d rows with errors."
    ) % {
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "errors": job.error_count,
    }
    audit.record(
        tenant=tenant, actor=job.created_by, instance=job, action=AuditEntry.Action.EVENT,
        summary=summary,
    )  # fmt: skip
    return job
