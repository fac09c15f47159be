"""Dispatch tasks: thin wrappers around ``documents.services.dispatch_prepare``.

``prepare_dispatch`` is queued after the dispatch commits; ``sweep_dispatches`` (beat) queues
again the dispatches whose message never reached a worker (the broker was down at commit).
Both are safe to run any number of times: preparation is idempotent.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django_scopes import scope

from core.tasks import TenantTask, publish


@shared_task(
    base=TenantTask,
    name="documents.tasks.prepare_dispatch",
    ignore_result=True,
    # Only a lost database connection is worth another try; a render failure is recorded.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=5,
)
def prepare_dispatch(*, dispatch_id, tenant_id):
    from documents.services.dispatch_prepare import dispatch_prepare

    return dispatch_prepare(dispatch_id=dispatch_id)


def queue(*, dispatch_id, tenant_id):
    """Publish ``prepare_dispatch``; never fail the caller when the broker is unreachable."""
    return publish(prepare_dispatch, dispatch_id=dispatch_id, tenant_id=tenant_id)


@shared_task(name="documents.tasks.sweep_dispatches", ignore_result=True)
def sweep_dispatches():
    """Queue again every dispatch still waiting for the worker (see ``stuck_dispatches``)."""
    from accounts.models import Tenant
    from documents.selectors.dispatch import stuck_dispatches

    queued = 0
    for tenant_id in (
        Tenant.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    ):
        with scope(tenant=tenant_id):
            ids = stuck_dispatches(tenant=tenant_id)
        for dispatch_id in ids:
            queued += queue(dispatch_id=dispatch_id, tenant_id=tenant_id)
    return queued
