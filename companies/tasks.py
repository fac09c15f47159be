"""Background work of firms and contacts."""

from celery import shared_task

from core.tasks import TenantTask


@shared_task(base=TenantTask, name="companies.tasks.run_import", ignore_result=True)
def run_import(job_id, *, tenant_id):
    """Run an import job to its end; a second delivery of the same job does nothing twice."""
    from accounts.models import Tenant
    from companies.services.imports import import_run

    job = import_run(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id)
    return job.status if job else None


@shared_task(name="companies.tasks.sweep_imports", ignore_result=True)
def sweep_imports():
    """Queue again the imports that stalled (beat, every few minutes)."""
    from companies.services.imports import imports_sweep

    return imports_sweep()
