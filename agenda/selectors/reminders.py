"""Reading reminders: one's own list, the banner's due ones, whom one may remind."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Employee
from agenda.models import Reminder, ReminderRecipient

BANNER_LIMIT = 10


def recipient_options(*, tenant, member):
    """Colleagues ``member`` may remind: working employees; dealer staff only their own firm's."""
    qs = Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING)
    if member.firm_id is not None:
        qs = qs.filter(firm_id=member.firm_id)
    return qs.order_by("first_name", "last_name", "id")


def _deliveries_prefetch():
    return Prefetch(
        "deliveries",
        queryset=ReminderRecipient.objects.select_related("employee").order_by(
            "employee__first_name", "employee__last_name", "pk"
        ),
    )


def my_reminders(*, tenant, member):
    """Reminders ``member`` created or receives, with creator and recipients loaded."""
    receives = ReminderRecipient.objects.filter(
        tenant=tenant, reminder_id=OuterRef("pk"), employee=member
    )
    return (
        Reminder.objects.filter(tenant=tenant)
        .filter(Q(created_by=member) | Exists(receives))
        .select_related("created_by")
        .prefetch_related(_deliveries_prefetch())
    )


def upcoming_and_past(*, tenant, member, now=None):
    """``(upcoming, past)``: upcoming soonest first, past most recent first."""
    now = now or timezone.now()
    mine = my_reminders(tenant=tenant, member=member)
    upcoming = mine.filter(due_at__gte=now).order_by("due_at", "pk")
    past = mine.filter(due_at__lt=now).order_by("-due_at", "-pk")
    return upcoming, past


def reminder_get(*, tenant, pk):
    """One reminder of the tenant (404 for another tenant's) with its recipients loaded."""
    qs = Reminder.objects.filter(tenant=tenant).prefetch_related(_deliveries_prefetch())
    return get_object_or_404(qs.select_related("created_by"), pk=pk)


def delivery_get(*, tenant, member, reminder_pk):
    """``member``'s own delivery of a reminder (404 when they do not receive it)."""
    qs = ReminderRecipient.objects.filter(tenant=tenant, employee=member).select_related("reminder")
    return get_object_or_404(qs, reminder_id=reminder_pk)


def _due(now):
    """Deliveries due at ``now``: not dismissed, not snoozed past it."""
    return ReminderRecipient.objects.filter(
        dismissed_at__isnull=True, reminder__due_at__lte=now
    ).filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))


def due_flag(now):
    """Whether the employee of the outer row has a due reminder (a ``core.badges`` flag)."""
    return Exists(_due(now).filter(tenant_id=OuterRef("tenant_id"), employee_id=OuterRef("pk")))


def due_for(*, tenant, member, now=None, limit=BANNER_LIMIT):
    """The banner: ``member``'s reminders that are due, not dismissed, not snoozed past now.

    One query (the reminder and its creator joined).
    """
    now = now or timezone.now()
    return list(
        _due(now)
        .filter(tenant=tenant, employee=member)
        .select_related("reminder", "reminder__created_by")
        .order_by("reminder__due_at", "pk")[:limit]
    )
