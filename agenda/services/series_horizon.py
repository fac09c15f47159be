"""Recurring series are stored as occurrences up to a horizon; this job keeps it ahead.

Run hourly by beat (``agenda.tasks.extend_series``). The occurrences themselves are built by
``agenda.services.activities.series_extend``.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_scopes import scope

from agenda.models import Activity, ActivitySeries, Status
from agenda.services.activities import series_extend
from agenda.services.due import tenants

# Series get new occurrences when they are expanded less than this far ahead.
SERIES_AHEAD = timedelta(days=300)


def extend_series(*, now=None):
    """Extend every series still running whose occurrences end within ``SERIES_AHEAD``.

    A series whose occurrences are all done or cancelled is left alone (extending it would
    create new planned occurrences from a cancelled one). Each series is extended under its own
    row lock, so two runs at once never create the same occurrence twice.
    """
    now = now or timezone.now()
    horizon = now + SERIES_AHEAD
    extended = 0
    for tenant in tenants():
        with scope(tenant=tenant.pk):
            extended += _extend_tenant(tenant=tenant, horizon=horizon)
    return extended


def _extend_tenant(*, tenant, horizon):
    running = Activity.objects.filter(series=OuterRef("pk"), detached=False, status=Status.PLANNED)
    due = ActivitySeries.objects.filter(tenant=tenant, expanded_until__lt=horizon).filter(
        Q(until__isnull=True) | Q(until__gte=F("expanded_until__date")), Exists(running)
    )
    extended = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            series = due.filter(pk=pk).select_for_update(skip_locked=True, of=("self",)).first()
            if series is not None:
                series_extend(tenant=tenant, series=series)
                extended += 1
    return extended
