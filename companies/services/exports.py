"""Exports of the filtered firm list and its contacts, written by the worker (seed 002).

A request stores the list's query parameters on a queued job; the worker applies them with
the row rules of the person who asked, as those are when it runs, writes the file row by row
to a temporary file and stores it privately. What keeps a job from being lost or done twice:

- the run claims the job with a conditional update (queued → running); a second delivery of
  a running or finished job finds nothing to claim and does nothing;
- while writing, the run reports its progress every ``CHUNK`` rows (``row_count`` and
  ``updated_at``), which is also its sign of life;
- ``exports_sweep`` queues again the jobs no worker picked up, gives up on those that waited
  too long, and fails the runs that stopped reporting; a run the sweeper failed cannot finish
  afterwards (its claim, ``started_at``, no longer matches).
"""

import logging
import tempfile
from datetime import timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scope, scopes_disabled

from companies.exporting import CHUNK, FORMATS, KINDS, export_table, write_table
from companies.filters import FILTERS
from companies.models import ExportJob
from core import audit
from core.models import AuditEntry
from core.tasks import publish

logger = logging.getLogger("kervan.exports")

QUEUE_AGAIN_AFTER = timedelta(minutes=5)  # queued and not picked up: queued again
GIVE_UP_AFTER = timedelta(hours=1)  # queued this long without a worker taking it: failed
STALLED_AFTER = timedelta(minutes=10)  # running without reporting progress: failed
MAX_PARAMS = 60
MAX_VALUE = 200
STOPPED = gettext_lazy("The export stopped before it finished; start it again.")
NOT_TAKEN = gettext_lazy("No background worker took this export in time; start it again.")


def clean_params(params):
    """The list parameters an export keeps: its filters, its sort, custom-field filters.

    Anything else, NUL bytes and over-long values included, is dropped (the list ignores it
    too), so the stored parameters stay small and storable.
    """

    kept = {}
    for key, value in params.items():
        if not isinstance(key, str) or not isinstance(value, str) or "\x00" in value:
            continue
        if key in FILTERS or key == "sort" or (key.startswith("cf_") and len(key) <= 60):
            kept[key] = value.strip()[:MAX_VALUE]
        if len(kept) >= MAX_PARAMS:
            break
    return kept


@transaction.atomic
def export_request(*, tenant, member, kind, file_format, params, language=""):
    """Queue an export of the firm list filtered by ``params`` (the list's query parameters)."""
    if not member.has_perm("firms.export"):
        raise PermissionDenied
    if kind not in KINDS:
        raise ValidationError(_("Choose firms or contacts."))
    if file_format not in FORMATS:
        raise ValidationError(_("Choose CSV or XLSX."))
    job = ExportJob.objects.create(
        tenant=tenant,
        kind=kind,
        file_format=file_format,
        params=clean_params(params),
        language=(language or "")[:10],
        created_by=member.user,
        queued_at=timezone.now(),
    )
    audit.record(
        tenant=tenant, actor=member.user, instance=job, action=AuditEntry.Action.CREATE,
        summary=_("Export requested: %(kind)s, %(format)s")
        % {"kind": job.get_kind_display(), "format": file_format.upper()},
    )  # fmt: skip
    transaction.on_commit(partial(queue_export, job.pk, tenant.pk))
    return job


def queue_export(job_id, tenant_id):
    """Hand the job to the broker; if it is down, the job stays queued for the sweeper."""
    from companies.tasks import run_export

    return publish(run_export, job_id, tenant_id=tenant_id)


def export_run(*, tenant, job_id):
    """Write a queued export's file (the worker's task); a second delivery does nothing."""
    job = ExportJob.objects.filter(tenant=tenant, pk=job_id).select_related("created_by").first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return job
    started = timezone.now()
    claimed = ExportJob.objects.filter(
        tenant=tenant, pk=job_id, status=ExportJob.Status.QUEUED
    ).update(status=ExportJob.Status.RUNNING, started_at=started, updated_at=started)
    if claimed:
        with translation.override(job.language or tenant.language):
            try:
                failure = _write(tenant, job, started)
            except Exception:
                logger.exception("Export %s stopped", job_id)
                failure = _("The export stopped because of an unexpected error.")
            if failure:
                _finish(tenant, job_id, started, failure=failure)
    return ExportJob.objects.get(tenant=tenant, pk=job_id)


def _member(tenant, job):
    from accounts.selectors import membership_for

    return membership_for(job.created_by, tenant.slug)[1] if job.created_by else None


def _write(tenant, job, started):
    """Write and store the file; return a failure message, or "" when done (or overtaken)."""
    member = _member(tenant, job)
    if member is None:
        return _("The person who asked for this export no longer works here.")
    if not member.has_perm("firms.export"):
        return _("The person who asked for this export may no longer export.")
    if job.kind not in KINDS or job.file_format not in FORMATS:
        return _("This export cannot be written.")
    table = export_table(tenant=tenant, member=member, kind=job.kind, params=job.params)
    stamp = timezone.localdate().isoformat()
    file_name = f"{table.title}-{tenant.slug}-{stamp}.{job.file_format}"
    with tempfile.TemporaryFile() as out:
        count = 0
        for _row in write_table(out, job.file_format, table):
            count += 1
            if count % CHUNK == 0 and not _progress(tenant, job.pk, started, count):
                return ""  # the sweeper failed this run meanwhile; its verdict stands
        out.seek(0)
        _finish(tenant, job.pk, started, file=File(out), file_name=file_name, row_count=count)
    return ""


def _progress(tenant, job_id, started, count):
    """Record the rows written so far; False once the run is no longer this one's."""
    return ExportJob.objects.filter(
        tenant=tenant, pk=job_id, status=ExportJob.Status.RUNNING, started_at=started
    ).update(row_count=count, updated_at=timezone.now())


@transaction.atomic
def _finish(tenant, job_id, started, *, failure="", file=None, file_name="", row_count=0):
    job = ExportJob.objects.select_for_update().get(tenant=tenant, pk=job_id)
    if job.status != ExportJob.Status.RUNNING or job.started_at != started:
        return job
    job.finished_at = timezone.now()
    if failure:
        job.status, job.failure = ExportJob.Status.FAILED, str(failure)[:255]
        summary = job.failure
    else:
        job.file.save(file_name, file, save=False)
        job.status, job.file_name, job.row_count = ExportJob.Status.DONE, file_name, row_count
        summary = ngettext(
            "Export finished: %(count)d row.", "Export finished: %(count)d rows.", row_count
        ) % {"count": row_count}
    job.save(
        update_fields=[
            "status", "failure", "file", "file_name", "row_count", "finished_at", "updated_at",
        ]
    )  # fmt: skip
    audit.record(
        tenant=tenant, actor=job.created_by, instance=job, action=AuditEntry.Action.EVENT,
        summary=summary,
    )  # fmt: skip
    return job


def exports_sweep(now=None):
    """Look after the exports a lost broker message or a dead worker left behind.

    A job queued for ``QUEUE_AGAIN_AFTER`` without starting is queued again (and gets a new
    lease); one still waiting after ``GIVE_UP_AFTER`` is failed, and so is a run that has not
    reported progress for ``STALLED_AFTER``. Returns the number of jobs it touched.
    """
    now = now or timezone.now()
    with scopes_disabled():
        jobs = list(
            ExportJob.objects.filter(
                Q(status=ExportJob.Status.QUEUED, queued_at__lt=now - QUEUE_AGAIN_AFTER)
                | Q(status=ExportJob.Status.RUNNING, updated_at__lt=now - STALLED_AFTER)
            ).values_list("pk", "tenant_id", "status", "created_at")[:100]
        )
    for job_id, tenant_id, status, created_at in jobs:
        with scope(tenant=tenant_id):
            if status == ExportJob.Status.RUNNING:
                _give_up(tenant_id, job_id, status, STOPPED, now)
            elif created_at < now - GIVE_UP_AFTER:
                _give_up(tenant_id, job_id, status, NOT_TAKEN, now)
            elif ExportJob.objects.filter(tenant_id=tenant_id, pk=job_id, status=status).update(
                queued_at=now, updated_at=now
            ):
                queue_export(job_id, tenant_id)
    return len(jobs)


@transaction.atomic
def _give_up(tenant_id, job_id, status, failure, now):
    job = (
        ExportJob.objects.select_for_update(of=("self",))
        .select_related("tenant", "created_by")
        .filter(tenant_id=tenant_id, pk=job_id, status=status)
        .first()
    )
    if job is None:
        return
    with translation.override(job.language or job.tenant.language):
        job.status, job.failure, job.finished_at = ExportJob.Status.FAILED, str(failure)[:255], now
    job.save(update_fields=["status", "failure", "finished_at", "updated_at"])
    audit.record(
        tenant=job.tenant, actor=job.created_by, instance=job, action=AuditEntry.Action.EVENT,
        summary=job.failure,
    )  # fmt: skip
