"""Reading activities: visibility, the calendar's range, clashes, the start page."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Employee
from agenda import lists
from agenda.models import Activity, ActivityAttachment, Status
from core import choices


def visible_activities(*, tenant, member):
    """Every activity ``member`` may see.

    Everyone sees everyone's activities (seed 000); staff of a dealer firm only those of
    their own firm's people and of firms in their subtree.
    """
    qs = Activity.objects.filter(tenant=tenant)
    if member.firm_id is not None:
        prefix = member.firm.subtree_prefix
        qs = qs.filter(
            Q(assigned_to__firm_id=member.firm_id)
            | Q(firm_id=member.firm_id)
            | Q(firm__path__startswith=prefix)
        )
    return qs


def can_change(*, member, activity):
    """Only the creator changes an activity, and executives (seed 000)."""
    return member.reaches_everything or activity.created_by_id == member.pk


def activity_get(*, tenant, member, pk):
    qs = visible_activities(tenant=tenant, member=member).select_related(
        "type", "firm", "assigned_to", "created_by", "closed_by", "series"
    )
    return get_object_or_404(qs, pk=pk)


def activity_detail(*, tenant, member, pk):
    """One activity with its people, contacts and attachments loaded."""
    activity = activity_get(tenant=tenant, member=member, pk=pk)
    activity.participant_list = list(activity.participants.all())
    activity.contact_list = list(activity.contacts.all())
    activity.attachment_list = list(
        ActivityAttachment.objects.filter(tenant=tenant, activity=activity).select_related(
            "uploaded_by"
        )
    )
    return activity


def involving(employee_ids):
    """Activities where one of ``employee_ids`` is assigned or a participant."""
    through = Activity.participants.through
    return Q(assigned_to_id__in=employee_ids) | Exists(
        through.objects.filter(activity_id=OuterRef("pk"), employee_id__in=employee_ids)
    )


def in_range(*, tenant, member, start, end, employees=(), types=(), statuses=(), firm=None):
    """Activities overlapping ``[start, end)`` for the calendar, with what an event shows."""
    qs = (
        visible_activities(tenant=tenant, member=member)
        .filter(start__lt=end, end__gt=start, show_in_agenda=True)
        .filter(type__flags__contains=[lists.IN_SCHEDULE])
    )
    if employees:
        qs = qs.filter(involving(list(employees)))
    if types:
        qs = qs.filter(type_id__in=list(types))
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    if firm is not None:
        qs = qs.filter(firm=firm)
    return qs.select_related("type", "firm", "assigned_to").only(
        "id", "subject", "start", "end", "all_day", "status", "priority", "created_by_id",
        "type__label", "type__colour", "firm__name", "assigned_to__first_name",
        "assigned_to__last_name", "location",
    )  # fmt: skip


def clashes(*, tenant, employee_ids, start, end, exclude=()):
    """Planned activities of these employees overlapping ``[start, end)``."""
    if not employee_ids or end <= start:
        return []
    qs = (
        Activity.objects.filter(tenant=tenant, status=Status.PLANNED, start__lt=end, end__gt=start)
        .filter(involving(list(employee_ids)))
        .exclude(pk__in=[pk for pk in exclude if pk])
        .exclude(all_day=True)
        .select_related("assigned_to", "type")
        .order_by("start")
    )
    return list(qs[:10])


def start_page(*, tenant, member, now=None, upcoming_days=7, limit=50):
    """``(current and upcoming, overdue)`` activities of ``member`` for the start page.

    Current: planned activities under way now or starting within ``upcoming_days``, and
    activities done today. Overdue: planned activities whose end has passed.
    """
    now = now or timezone.now()
    base = (
        Activity.objects.filter(tenant=tenant, type__flags__contains=[lists.ON_START_PAGE])
        .filter(involving([member.pk]))
        .select_related("type", "firm")
    )
    horizon = now + timedelta(days=upcoming_days)
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    current = base.filter(
        Q(status=Status.PLANNED, end__gte=now, start__lt=horizon)
        | Q(status=Status.DONE, closed_at__gte=today_start)
    ).order_by("start")[:limit]
    overdue = base.filter(status=Status.PLANNED, end__lt=now).order_by("-start")[:limit]
    return list(current), list(overdue)


def firm_activities(*, tenant, firm, limit):
    """A firm's activities for its timeline, newest start first."""
    return list(
        Activity.objects.filter(tenant=tenant, firm=firm)
        .select_related("type", "assigned_to")
        .order_by("-start")[:limit]
    )


def assignable_employees(*, tenant, member):
    """Whom ``member`` may book: working employees (for dealer staff, of their own firm)."""
    qs = Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING)
    if member.firm_id is not None:
        qs = qs.filter(firm_id=member.firm_id)
    return qs.order_by("first_name", "last_name")


def type_options(*, tenant):
    return choices.options(tenant=tenant, key="activity_type")


def participants_prefetch():
    return Prefetch("participants", queryset=Employee.objects.order_by("first_name"))
