"""How long the files of imports and exports are kept.

An export's file holds the firms and contacts its requester could see when it was written; an
import's file, whatever was uploaded. Both are personal data that nobody needs for long. The
sweep deletes from storage:

- an export's file ``EXPORT_FILE_DAYS`` after it was written; the job becomes "File deleted";
- an import's file ``IMPORT_FILE_DAYS`` after the import finished or failed, and the file of an
  import left unmapped or never run for as long since it was last touched (that job fails,
  saying why).

The jobs themselves stay, with their filters, counts, errors and audit entries.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import ngettext_lazy
from django_scopes import scope, scopes_disabled

from companies.models import ExportJob, ImportJob

logger = logging.getLogger(__name__)

BATCH = 200
EXPORT_GONE = ngettext_lazy(
    "The file was deleted %(days)d day after it was written. Open the list with these filters "
    "to export it again.",
    "The file was deleted %(days)d days after it was written. Open the list with these filters "
    "to export it again.",
    "days",
)
IMPORT_GONE = ngettext_lazy(
    "The file was deleted after %(days)d day without a run. Upload it again.",
    "The file was deleted after %(days)d days without a run. Upload it again.",
    "days",
)


def files_expire(now=None):
    """Delete the files whose time is up; return how many jobs lost their file."""
    now = now or timezone.now()
    return _expire_exports(now) + _expire_imports(now)


def _expire_exports(now):
    days = settings.EXPORT_FILE_DAYS
    with scopes_disabled():
        jobs = list(
            ExportJob.objects.filter(
                status=ExportJob.Status.DONE, finished_at__lt=now - timedelta(days=days)
            ).select_related("tenant")[:BATCH]
        )
    for job in jobs:
        failure = _reason(job, EXPORT_GONE, days)
        _delete(job, ExportJob.Status.DONE, now, status=ExportJob.Status.EXPIRED, failure=failure)
    return len(jobs)


def _expire_imports(now):
    days = settings.IMPORT_FILE_DAYS
    cutoff = now - timedelta(days=days)
    finished = (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    waiting = (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED)
    with scopes_disabled():
        jobs = list(
            ImportJob.objects.exclude(file="")
            .filter(
                Q(status__in=finished, finished_at__lt=cutoff)
                | Q(status__in=finished, finished_at__isnull=True, updated_at__lt=cutoff)
                | Q(status__in=waiting, updated_at__lt=cutoff)
            )
            .select_related("tenant")[:BATCH]
        )
    for job in jobs:
        if job.status in finished:
            _delete(job, job.status, now)
            continue
        failure = _reason(job, IMPORT_GONE, days)
        _delete(
            job, job.status, now, status=ImportJob.Status.FAILED, failure=failure, finished_at=now
        )
    return len(jobs)


def _reason(job, text, days):
    """``text`` for ``days``, in the language of the job's requester (as its failures are)."""
    with translation.override(job.language or job.tenant.language):
        return str(text % {"days": days})[:255]


def _delete(job, read_status, now, **changes):
    """Forget ``job``'s file in the database, then in storage (a file left over is only logged).

    The update names the status the job was read in, so a job that moved on meanwhile (an
    import that started to run) keeps its file.
    """
    model = type(job)
    with scope(tenant=job.tenant_id):
        changed = model.objects.filter(
            tenant_id=job.tenant_id, pk=job.pk, status=read_status
        ).update(file="", updated_at=now, **changes)
    if not changed or not job.file.name:
        return
    try:
        job.file.storage.delete(job.file.name)
    except OSError:
        logger.warning("Could not delete %s of %s %s", job.file.name, model.__name__, job.pk)
