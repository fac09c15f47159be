"""Reads of imports: the member's jobs and the rule of who sees one."""

from django.shortcuts import get_object_or_404

from companies.models.imports import ImportJob


def import_jobs(*, tenant, member):
    """The member's recent imports (an executive sees everyone's)."""
    jobs = ImportJob.objects.filter(tenant=tenant).select_related("created_by")
    if not member.reaches_everything:
        jobs = jobs.filter(created_by=member.user_id)
    return jobs[:20]


def import_job_get(*, tenant, pk):
    """One import job of the tenant (404 otherwise); see :func:`can_see_job` for the rule."""
    return get_object_or_404(
        ImportJob.objects.filter(tenant=tenant).select_related("created_by"), pk=pk
    )


def can_see_job(member, job):
    """Row rule: the person who uploaded the file, and executives."""
    return member.reaches_everything or job.created_by_id == member.user_id
