"""The agenda's periodic tasks (beat): thin wrappers around ``agenda.services.due``."""

from celery import shared_task


@shared_task(name="agenda.tasks.dispatch_due", ignore_result=True)
def dispatch_due():
    """Every minute: appointment e-mails, alarms, reminder e-mails and date-alarm digests."""
    from agenda.services import due

    return dict(due.dispatch_due())


@shared_task(name="agenda.tasks.extend_series", ignore_result=True)
def extend_series():
    """Hourly: new occurrences for recurring series that run out within 300 days."""
    from agenda.services import series_horizon

    return series_horizon.extend_series()
