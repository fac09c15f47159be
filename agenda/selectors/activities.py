"""Reading activities: visibility, the calendar's range, clashes, the start page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Employee
from agenda import lists
from agenda.models import Activity, ActivityAttachment, Status
from agenda.models.activities import span
from companies.models import Contact, FirmContact
from core import audit, choices


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


def can_close(*, member, activity):
    """The creator, executives and the employee assigned close an activity and add files."""
    return can_change(member=member, activity=activity) or activity.assigned_to_id == member.pk


def activity_get(*, tenant, member, pk):
    qs = visible_activities(tenant=tenant, member=member).select_related(
        "type", "firm", "assigned_to", "created_by", "closed_by", "series", "opportunity"
    )
    return get_object_or_404(qs, pk=pk)


def activity_detail(*, tenant, member, pk):
    """One activity with its people, contacts and attachments loaded."""
    activity = activity_get(tenant=tenant, member=member, pk=pk)
    activity.participant_list = list(activity.participants.order_by("first_name", "last_name"))
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


def flagged_types(*, tenant, flag):
    """The ids of the activity types with ``flag``."""
    return choices.flagged(tenant=tenant, key="activity_type", flag=flag)


def overlapping(qs, start, end):
    """Activities of ``qs`` overlapping ``[start, end)``, found through the span index."""
    return (
        qs.annotate(span=span())
        .filter(span__overlap=DateTimeTZRange(start, end, "[]"))
        .filter(start__lt=end, end__gt=start)
    )


def either_side(qs, employee_ids, *, order, limit):
    """Rows of ``qs`` where one of ``employee_ids`` is assigned or takes part, in two queries.

    One query per side lets each use its own index (an OR across the participants join makes
    PostgreSQL read every activity); the two are merged in Python. Rows are model instances or
    tuples that start with the pk and the ``order`` field.
    """
    through = Activity.participants.through
    taking_part = through.objects.filter(employee_id__in=employee_ids).values("activity_id")
    key = order[0].lstrip("-")
    found = {}
    for side in (qs.filter(assigned_to_id__in=employee_ids), qs.filter(pk__in=taking_part)):
        for row in side.order_by(*order)[:limit]:
            found.setdefault(row[0] if isinstance(row, tuple) else row.pk, row)

    def sort_key(row):
        if isinstance(row, tuple):
            return row[EventRow.FIELDS.index(key)], row[0]
        return getattr(row, key), row.pk

    rows = sorted(found.values(), key=sort_key, reverse=order[0].startswith("-"))
    return rows[:limit]


def in_range(
    *, tenant, member, start, end, employees=(), types=(), statuses=(), firm=None, limit=5000
):
    """Activities overlapping ``[start, end)`` for the calendar, with what an event shows.

    At most ``limit`` (the earliest): a month of a large company's agenda holds tens of
    thousands, more than any calendar view can show; the caller says so.
    """
    qs = overlapping(visible_activities(tenant=tenant, member=member), start, end).filter(
        show_in_agenda=True, type_id__in=flagged_types(tenant=tenant, flag=lists.IN_SCHEDULE)
    )
    if types:
        qs = qs.filter(type_id__in=list(types))
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    if firm is not None:
        qs = qs.filter(firm=firm)
    qs = qs.values_list(*EventRow.FIELDS)
    if employees:
        rows = either_side(qs, list(employees), order=("start", "pk"), limit=limit)
    else:
        rows = qs.order_by("start", "pk")[:limit]
    return [EventRow(*row) for row in rows]


@dataclass(slots=True)
class EventRow:
    """What a calendar event shows of an activity (plain values: thousands per feed)."""

    FIELDS = (
        "pk", "subject", "start", "end", "all_day", "status", "priority", "created_by_id",
        "type__colour", "assigned_to__first_name", "assigned_to__last_name",
    )  # fmt: skip

    pk: int
    subject: str
    start: datetime
    end: datetime
    all_day: bool
    status: str
    priority: str
    created_by_id: int
    colour: str
    first_name: str
    last_name: str

    @property
    def person(self):
        return f"{self.first_name} {self.last_name}".strip()


def clashes(*, tenant, employee_ids, start, end, exclude=(), windows=()):
    """Planned activities of these employees overlapping ``[start, end)``.

    ``windows`` (pairs of start and end) checks the occurrences of a new series at once.
    """
    spans = [(s, e) for s, e in [(start, end), *windows] if s is not None and e > s]
    if not employee_ids or not spans:
        return []
    overlap = Q()
    for span_start, span_end in spans:
        overlap |= Q(start__lt=span_end, end__gt=span_start)
    qs = (
        Activity.objects.filter(tenant=tenant, status=Status.PLANNED)
        .filter(overlap)
        .filter(involving(list(employee_ids)))
        .exclude(pk__in=[pk for pk in exclude if pk])
        .exclude(all_day=True)
        .select_related("assigned_to", "type", "firm")
        .order_by("start")
    )
    return list(qs[:10])


def start_page(*, tenant, member, now=None, upcoming_days=7, limit=50):
    """``(current and upcoming, overdue)`` activities of ``member`` for the start page.

    Current: planned activities under way now or starting within ``upcoming_days``, and
    those of today done already. Overdue: planned activities whose end has passed.
    """
    now = now or timezone.now()
    base = Activity.objects.filter(
        tenant=tenant, type_id__in=flagged_types(tenant=tenant, flag=lists.ON_START_PAGE)
    ).select_related("type", "firm")
    horizon = now + timedelta(days=upcoming_days)
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    current = overlapping(base, today_start, horizon).filter(
        Q(status=Status.PLANNED, end__gte=now) | Q(status=Status.DONE, closed_at__gte=today_start)
    )
    # A planned activity that ended before now started before now: the bound lets the
    # (assigned_to, start) index of planned activities serve the newest first.
    overdue = base.filter(status=Status.PLANNED, end__lt=now, start__lt=now)
    return (
        either_side(current, [member.pk], order=("start", "pk"), limit=limit),
        either_side(overdue, [member.pk], order=("-start", "-pk"), limit=limit),
    )


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


def activity_list(*, tenant, member, filters, now=None):
    """The activity list's rows, filtered (see ``agenda.forms.activities.list_filters``)."""
    qs = visible_activities(tenant=tenant, member=member)
    if filters.get("scope", "mine") == "mine":
        qs = qs.filter(involving([member.pk]) | Q(created_by_id=member.pk))
    if "type" in filters:
        qs = qs.filter(type_id=filters["type"])
    status = filters.get("status")
    if status == "overdue":
        qs = qs.filter(status=Status.PLANNED, end__lt=now or timezone.now())
    elif status:
        qs = qs.filter(status=status)
    if "priority" in filters:
        qs = qs.filter(priority=filters["priority"])
    if "firm" in filters:
        qs = qs.filter(firm_id=filters["firm"])
    if "date_from" in filters:
        qs = qs.filter(end__gte=filters["date_from"])
    if "date_to" in filters:
        qs = qs.filter(start__lt=filters["date_to"])
    if filters.get("q"):
        qs = qs.filter(subject__icontains=filters["q"])
    order = "start" if filters.get("order") == "start" else "-start"
    return qs.select_related("type", "firm", "assigned_to").order_by(order, "pk")


def firm_contacts(*, tenant, firm):
    """The contacts of ``firm`` one may name on an activity (none without a firm)."""
    if firm is None:
        return Contact.objects.none()
    linked = FirmContact.objects.filter(tenant=tenant, firm=firm).values("contact")
    return Contact.objects.filter(tenant=tenant, pk__in=linked).order_by("first_name", "last_name")


def activity_history(*, tenant, activity):
    """The audit entries of one activity, newest first, with readable field names."""
    entries = list(audit.entries_for(tenant=tenant, instance=activity))
    return audit.with_field_labels(entries, Activity)


def series_summary(*, tenant, activity):
    """``{total, planned, first, last}`` of the activity's series, or None."""
    if activity.series_id is None:
        return None
    occurrences = Activity.objects.filter(tenant=tenant, series_id=activity.series_id)
    summary = occurrences.aggregate(
        total=models.Count("pk"),
        planned=models.Count("pk", filter=Q(status=Status.PLANNED)),
        detached=models.Count("pk", filter=Q(detached=True)),
        first=models.Min("start"),
        last=models.Max("start"),
    )
    return summary


def attachment_get(*, tenant, member, activity_pk, pk):
    """One attachment of an activity the member may see (404 otherwise)."""
    activity = activity_get(tenant=tenant, member=member, pk=activity_pk)
    attachment = get_object_or_404(
        ActivityAttachment.objects.filter(tenant=tenant, activity=activity), pk=pk
    )
    attachment.activity = activity
    return attachment
