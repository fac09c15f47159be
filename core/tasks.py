"""Task base class, publishing a tenant's task, and the outbox tasks."""

import logging

from celery import Task, shared_task
from django_scopes import scope

logger = logging.getLogger(__name__)


class TenantTask(Task):
    """Runs the task body inside the scope of the ``tenant_id`` keyword argument."""

    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.get("tenant_id")
        if tenant_id is None:
            raise ValueError(f"{self.name} needs a tenant_id keyword argument")
        with scope(tenant=tenant_id):
            return super().__call__(*args, **kwargs)


def publish(task, *args, **kwargs):
    """Hand ``task`` to the broker; False (and a warning) when the broker cannot be reached.

    Never raises: a request must not fail because the broker is down. Each caller's sweeper (or
    page) takes the work up again.
    """
    try:
        task.apply_async(args, kwargs, retry=False)
    except Exception:
        logger.warning("Broker unavailable; %s %r %r is not queued", task.name, args, kwargs)
        return False
    return True


@shared_task(name="core.tasks.deliver_email", ignore_result=True)
def deliver_email(outbox_id):
    from core import mail

    return mail.deliver(outbox_id)


@shared_task(name="core.tasks.deliver_emails", ignore_result=True)
def deliver_emails(outbox_ids):
    """Deliver a batch of rows over one SMTP connection, each under its own row lock."""
    from core import mail

    return mail.deliver_many(outbox_ids)


@shared_task(name="core.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep():
    from core import mail

    return mail.sweep()
