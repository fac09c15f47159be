"""Background work of firms and contacts."""

from celery import shared_task

from core.tasks import TenantTask


@shared_task(base=TenantTask, name="companies.tasks.read_import", ignore_result=True)
def read_import(job_id, *, tenant_id):
    """Read an uploaded import file; a second delivery of a job already read does nothing."""
    from accounts.models import Tenant
    from companies.services.imports import import_read

    job = import_read(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id)
    return job.status if job else None


@shared_task(base=TenantTask, name="companies.tasks.run_import", ignore_result=True)
def run_import(job_id, *, tenant_id):
    """Run an import job to its end; a second delivery of the same job does nothing twice."""
    from accounts.models import Tenant
    from companies.services.imports import import_run

    job = import_run(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id)
    return job.status if job else None


@shared_task(base=TenantTask, name="companies.tasks.run_export", ignore_result=True)
def run_export(job_id, *, tenant_id):
    """Write an export's file; a second delivery of a running or finished job does nothing."""
    from accounts.models import Tenant
    from companies.services.exports import export_run

    job = export_run(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id)
    return job.status if job else None


@shared_task(name="companies.tasks.sweep_imports", ignore_result=True)
def sweep_imports():
    """Queue again the imports and exports that stalled and delete the files whose time is up
    (beat, every few minutes)."""
    from companies.services.exports import exports_sweep
    from companies.services.imports import imports_sweep
    from companies.services.retention import files_expire

    return imports_sweep() + exports_sweep() + files_expire()


@shared_task(name="companies.tasks.sweep_exports", ignore_result=True)
def sweep_exports():
    """The exports' half of ``sweep_imports``, for a beat entry of its own if one is wanted."""
    from companies.services.exports import exports_sweep

    return exports_sweep()
