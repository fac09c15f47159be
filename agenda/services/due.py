"""The agenda's due work: what the beat job turns into e-mails and notifications, exactly once.

One pass (:func:`dispatch_due`, every minute) visits every tenant in its own scope and, for each
kind of due work, takes the rows that are due in batches with ``SELECT … FOR UPDATE SKIP
LOCKED``. In the same transaction it writes the outbox rows (each with an idempotency key that
names the thing, the kind, the recipient and the time it was due for) and the "done" marker on
the row. So two passes running at once share the work instead of doubling it (a row locked by
one is skipped by the other, and is no longer due once that one commits), and a pass killed in
the middle rolls back its open batch, which the next pass takes again. The outbox delivers.

The kinds (docs/agenda-dispatch.md):

- appointment e-mails (types flagged ``emails``, planned): one day before the start, and on the
  morning of its day at ``AGENDA_MORNING_HOUR`` in each recipient's own time zone;
- alarms (``alarm_minutes``): a notification and an e-mail N minutes before the start;
- reminders: an e-mail one day before ``due_at``;
- date alarms: a daily digest of coming birthdays and anniversaries (``agenda.services.digests``).

The markers hold the start (or due time) they were done for: a moved activity is due again. What
became due while the beat was down and has already started is recorded as done, not sent late.
"""

import logging
from collections import Counter
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
)
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from accounts.models import Employee, Tenant
from agenda.lists import EMAIL_REMINDERS
from agenda.models import Activity, AgendaPreference, Reminder, Status
from agenda.models.reminders import ReminderRecipient
from agenda.selectors.activities import flagged_types
from agenda.services import digests
from agenda.services.due_mail import Outbox, epoch, people_of, reachable, zone_of
from agenda.services.invitations import invitation_for
from core import mail, notifications

logger = logging.getLogger("kervan.agenda")

DAY = timedelta(hours=24)
# How far back a pass looks for work it missed (the beat was down): such work is recorded as
# done without sending, so a long outage never floods anyone with stale e-mails.
LATE_WINDOW = timedelta(days=1)
# An alarm may go out this long after the start (an alarm "0 minutes before" is due at it).
ALARM_GRACE = timedelta(minutes=2)


def _batch(batch):
    return batch or settings.AGENDA_DISPATCH_BATCH


def tenants():
    """Every active tenant, in a stable order."""
    return Tenant.objects.filter(is_active=True).order_by("pk")


def dispatch_due(*, now=None, batch=None):
    """One pass over every tenant; returns counts per kind (``*-skipped``: late, not sent)."""
    now = now or timezone.now()
    totals = Counter()
    for tenant in tenants():
        try:
            with scope(tenant=tenant.pk):
                totals.update(dispatch_tenant(tenant=tenant, now=now, batch=batch))
        except Exception:
            # One tenant's broken data must not hold up everyone else's e-mails; its committed
            # batches stand and the rest is tried again next minute.
            logger.exception("Agenda dispatch failed for tenant %s", tenant.pk)
            totals["failed-tenants"] += 1
    return totals


def dispatch_tenant(*, tenant, now, batch=None):
    counts = Counter()
    _ensure_preferences(tenant)
    for select, handle in KINDS:
        _drain(select, handle, tenant=tenant, now=now, batch=_batch(batch), counts=counts)
    return counts


def _drain(select, handle, *, tenant, now, batch, counts):
    """Take due rows in batches, each batch one transaction, until none is left.

    The cursor on the primary key moves on even over rows left not done (a morning e-mail not
    yet due for everyone), so a pass always ends; such rows are taken again next minute.
    """
    after = 0
    while True:
        with transaction.atomic():
            ids = list(
                select(tenant=tenant, now=now)
                .filter(pk__gt=after)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if ids:
                handle(ids, tenant=tenant, now=now, counts=counts)
        if len(ids) < batch:
            return
        after = ids[-1]


# --------------------------------------------------------------------------------------------
# The activities of a batch


def _activity_url(activity):
    path = reverse("agenda:activity-detail", args=[activity.tenant.slug, activity.pk])
    return settings.SITE_URL + path


def _activity_context(activity):
    return {
        "activity": activity,
        "subject": activity.subject,
        "type_label": activity.type.label,
        "start": activity.start,
        "end": activity.end,
        "all_day": activity.all_day,
        "location": activity.location,
        "firm_name": activity.firm.name if activity.firm_id else "",
        "assigned_name": activity.assigned_to.full_name,
        "url": _activity_url(activity),
    }


def _activities(ids):
    people = Employee.objects.select_related("user")
    return (
        Activity.objects.filter(pk__in=ids)
        .select_related("type", "firm", "tenant", "assigned_to__user", "created_by__user")
        .prefetch_related(Prefetch("participants", queryset=people))
        .order_by("pk")
    )


# --------------------------------------------------------------------------------------------
# Appointment e-mails: one day before, and on the morning of the day


def _appointments(tenant, now):
    return Activity.objects.filter(
        tenant=tenant,
        status=Status.PLANNED,
        type_id__in=flagged_types(tenant=tenant, flag=EMAIL_REMINDERS),
        start__gt=now - LATE_WINDOW,
    )


def _not_done(field, moment="start"):
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: F(moment)})


def select_day_before(*, tenant, now):
    return _appointments(tenant, now).filter(_not_done("day_before_done_for"), start__lte=now + DAY)


def _key(activity, kind, person):
    return f"agenda:{activity.pk}:{kind}:{person.pk}:{epoch(activity.start)}"


def _invitation(activity, person):
    return lambda: [invitation_for(activity, person)]


def handle_day_before(ids, *, tenant, now, counts):
    activities = [(activity, people_of(activity)) for activity in _activities(ids)]
    outbox = Outbox(
        _key(a, "day-before", p) for a, people in activities if a.start > now for p in people
    )
    for activity, people in activities:
        if activity.start <= now:
            counts["day-before-skipped"] += 1
            continue
        for person in people:
            outbox.add(
                key=_key(activity, "day-before", person),
                person=person,
                tenant=tenant,
                template="agenda_day_before",
                context=_activity_context(activity),
                attachments=_invitation(activity, person),
            )
    counts["day-before"] += outbox.write()
    # The rows are locked: their start is the one just handled.
    Activity.objects.filter(pk__in=ids).update(day_before_done_for=F("start"))


def morning_due(start, zone, hour=None):
    """When the morning e-mail is due for someone in ``zone``: the morning hour of the start's
    local day there, but never after the start."""
    hour = settings.AGENDA_MORNING_HOUR if hour is None else hour
    local_day = start.astimezone(zone).date()
    return min(datetime.combine(local_day, time(hour), tzinfo=zone), start)


def select_morning(*, tenant, now):
    # The morning hour of the start's local day is at most 24 - hour (+1 for a daylight-saving
    # day) hours before the start, in any zone.
    lead = timedelta(hours=25 - settings.AGENDA_MORNING_HOUR)
    return _appointments(tenant, now).filter(_not_done("morning_done_for"), start__lte=now + lead)


def handle_morning(ids, *, tenant, now, counts):
    activities = [(activity, people_of(activity)) for activity in _activities(ids)]
    # An activity is taken again each minute until it is morning for all its people.
    outbox = Outbox(_key(a, "morning", p) for a, people in activities for p in people)
    settled = []
    for activity, people in activities:
        waiting = False
        for person in people:
            if now < morning_due(activity.start, zone_of(person)):
                waiting = True  # not yet morning where this person is
            elif activity.start > now:
                outbox.add(
                    key=_key(activity, "morning", person),
                    person=person,
                    tenant=tenant,
                    template="agenda_morning",
                    context=_activity_context(activity),
                    attachments=_invitation(activity, person),
                )
        if activity.start <= now:
            counts["morning-skipped"] += 1
        if not waiting:
            settled.append(activity.pk)
    counts["morning"] += outbox.write()
    Activity.objects.filter(pk__in=settled).update(morning_done_for=F("start"))


# --------------------------------------------------------------------------------------------
# Alarms: a notification and an e-mail N minutes before


def select_alarms(*, tenant, now):
    minutes = Func(
        F("alarm_minutes"),
        template="make_interval(mins => %(expressions)s)",
        output_field=DurationField(),
    )
    alarm_at = ExpressionWrapper(F("start") - minutes, output_field=DateTimeField())
    return (
        Activity.objects.filter(
            tenant=tenant,
            status=Status.PLANNED,
            alarm_minutes__isnull=False,
            start__gt=now - LATE_WINDOW,
        )
        .filter(_not_done("alarm_done_for"))
        .alias(alarm_at=alarm_at)
        .filter(alarm_at__lte=now)
    )


def handle_alarms(ids, *, tenant, now, counts):
    activities = [(activity, people_of(activity)) for activity in _activities(ids)]
    outbox = Outbox(_key(a, "alarm", p) for a, people in activities for p in people)
    for activity, people in activities:
        if now > activity.start + ALARM_GRACE:
            counts["alarm-skipped"] += 1
        else:
            for person in people:
                _alarm(activity, person, tenant=tenant, counts=counts, outbox=outbox)
    counts["alarm"] += outbox.write()
    Activity.objects.filter(pk__in=ids).update(alarm_done_for=F("start"))


def _alarm(activity, person, *, tenant, counts, outbox):
    key = _key(activity, "alarm", person)
    if key in outbox.known:
        return  # its e-mail, and so its notification, exist
    with (
        translation.override(mail.language_for(person, tenant)),
        timezone.override(zone_of(person)),
    ):
        text = _("%(subject)s at %(time)s") % {
            "subject": activity.subject,
            "time": formats.time_format(timezone.localtime(activity.start)),
        }
    notifications.notify(
        tenant=tenant,
        recipients=[person],
        text=text,
        url=reverse("agenda:activity-detail", args=[tenant.slug, activity.pk]),
        verb="agenda_alarm",
    )
    counts["alarm-notification"] += 1
    outbox.add(
        key=key,
        person=person,
        tenant=tenant,
        template="agenda_alarm",
        context={**_activity_context(activity), "minutes": activity.alarm_minutes},
    )


# --------------------------------------------------------------------------------------------
# Reminders: an e-mail one day before (the banner at due time is the reminders' own)


def select_reminders(*, tenant, now):
    return Reminder.objects.filter(
        tenant=tenant, due_at__lte=now + DAY, due_at__gt=now - LATE_WINDOW
    ).filter(_not_done("day_before_done_for", "due_at"))


def _reminder_key(reminder, person):
    return f"reminder:{reminder.pk}:day-before:{person.pk}:{epoch(reminder.due_at)}"


def handle_reminders(ids, *, tenant, now, counts):
    deliveries = ReminderRecipient.objects.filter(dismissed_at__isnull=True).select_related(
        "employee__user"
    )
    reminders = (
        Reminder.objects.filter(pk__in=ids)
        .select_related("created_by")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("pk")
    )
    url = settings.SITE_URL + reverse("agenda:reminder-list", args=[tenant.slug])
    due = [
        (reminder, delivery.employee, _reminder_key(reminder, delivery.employee))
        for reminder in reminders
        if reminder.due_at > now
        for delivery in reminder.deliveries.all()
        if reachable(delivery.employee)
    ]
    counts["reminder-skipped"] += sum(1 for reminder in reminders if reminder.due_at <= now)
    outbox = Outbox(key for _reminder, _person, key in due)
    for reminder, person, key in due:
        outbox.add(
            key=key,
            person=person,
            tenant=tenant,
            template="reminder_day_before",
            context={
                "text": reminder.text,
                "due_at": reminder.due_at,
                "created_by_name": reminder.created_by.full_name,
                "url": url,
            },
        )
    counts["reminder"] += outbox.write()
    Reminder.objects.filter(pk__in=ids).update(day_before_done_for=F("due_at"))


# --------------------------------------------------------------------------------------------
# Date alarms: a daily digest at the morning hour of each employee's own day


def _ensure_preferences(tenant):
    """Everyone who works here gets a preference row (the default: 7 days ahead)."""
    missing = Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING).exclude(
        Exists(AgendaPreference.objects.filter(employee=OuterRef("pk")))
    )
    AgendaPreference.objects.bulk_create(
        [AgendaPreference(tenant=tenant, employee=employee) for employee in missing],
        ignore_conflicts=True,
    )


def _local(now, template, output_field):
    return Func(
        F("employee__user__timezone"),
        Value(now, output_field=DateTimeField()),
        template=template,
        output_field=output_field,
    )


def select_date_alarms(*, tenant, now):
    return (
        AgendaPreference.objects.filter(
            tenant=tenant, date_alarm_days__gt=0, employee__status=Employee.Status.WORKING
        )
        .alias(
            local_date=_local(now, "(timezone(%(expressions)s))::date", DateField()),
            local_hour=_local(
                now, "extract(hour from timezone(%(expressions)s))::integer", IntegerField()
            ),
        )
        .filter(local_hour__gte=settings.AGENDA_MORNING_HOUR)
        .filter(Q(date_alarms_sent_on__isnull=True) | Q(date_alarms_sent_on__lt=F("local_date")))
    )


def handle_date_alarms(ids, *, tenant, now, counts):
    preferences = AgendaPreference.objects.filter(pk__in=ids).select_related("employee__user")
    outbox = Outbox()
    for preference in preferences.order_by("pk"):
        person = preference.employee
        today = now.astimezone(zone_of(person)).date()
        items = digests.date_alarms(
            tenant=tenant, employee=person, start=today, days=preference.date_alarm_days
        )
        if items and reachable(person):
            outbox.add(
                key=f"date-alarms:{person.pk}:{today.isoformat()}",
                person=person,
                tenant=tenant,
                template="date_alarms",
                context={
                    "items": items,
                    "today": today,
                    "days": preference.date_alarm_days,
                    "url": settings.SITE_URL + reverse("agenda:preferences", args=[tenant.slug]),
                },
            )
        AgendaPreference.objects.filter(pk=preference.pk).update(date_alarms_sent_on=today)
    counts["date-alarms"] += outbox.write()


KINDS = (
    (select_day_before, handle_day_before),
    (select_morning, handle_morning),
    (select_alarms, handle_alarms),
    (select_reminders, handle_reminders),
    (select_date_alarms, handle_date_alarms),
)
