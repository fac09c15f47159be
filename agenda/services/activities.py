"""Writing activities: create, change (one occurrence or the whole series), move, close.

Every write checks the rules of seed 000/001: an employee books for colleagues only when their
profile allows it, only the creator (and executives) change an activity, and booking someone
twice at the same time raises :class:`ClashWarning` until the user confirms.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda import lists, recurrence
from agenda.models import Activity, ActivitySeries, Status
from agenda.selectors.activities import assignable_employees, can_change, can_close, clashes
from companies.models import FirmContact
from companies.selectors.firms import visible_firms
from core import audit
from core.models import AuditEntry

FIELDS = (
    "type", "subject", "description", "firm", "assigned_to", "start", "end", "all_day",
    "location", "priority", "show_in_agenda", "alarm_minutes", "opportunity",
)  # fmt: skip
# Fields an edit of the whole series copies to every occurrence that was not changed alone.
SERIES_FIELDS = tuple(f for f in FIELDS if f not in ("start", "end"))
AUDITED = (*FIELDS, "status", "work_minutes", "distance_km")


class ClashWarning(ValidationError):
    """The people booked already have something at that time; ``clashes`` names it."""

    def __init__(self, found):
        self.clashes = found
        super().__init__(_("This overlaps with another activity."), code="clash")


def _check_people(*, tenant, actor, assigned_to, participants):
    allowed = assignable_employees(tenant=tenant, member=actor)
    if assigned_to.pk != actor.pk:
        if not actor.has_perm("agenda.assign"):
            raise ValidationError({"assigned_to": _("You may add activities only for yourself.")})
        if not allowed.filter(pk=assigned_to.pk).exists():
            raise ValidationError({"assigned_to": _("Select a valid choice.")})
    others = {p.pk for p in participants} - {actor.pk}
    if others and allowed.filter(pk__in=others).count() != len(others):
        raise ValidationError({"participants": _("Select a valid choice.")})


def _check_firm(*, tenant, actor, firm, contacts, current_firm_id=None):
    if firm is None:
        if contacts:
            raise ValidationError({"contacts": _("Choose the firm of these contacts first.")})
        return
    if firm.tenant_id != tenant.pk:
        raise ValidationError({"firm": _("Select a valid choice.")})
    # An edit may keep a firm the person no longer sees (it was given to someone else since).
    keeps_firm = current_firm_id is not None and firm.pk == current_firm_id
    if (
        not keeps_firm
        and not visible_firms(tenant=tenant, member=actor).filter(pk=firm.pk).exists()
    ):
        raise ValidationError({"firm": _("Select a valid choice.")})
    ids = {c.pk for c in contacts}
    linked = FirmContact.objects.filter(tenant=tenant, firm=firm, contact_id__in=ids).count()
    if linked != len(ids):
        raise ValidationError({"contacts": _("Choose contacts of the firm.")})


def _check_opportunity(*, tenant, data):
    """An activity on an opportunity is on the opportunity's firm (checked as a firm above)."""
    opportunity = data.get("opportunity")
    if opportunity is None:
        return
    firm = data.get("firm")
    if opportunity.tenant_id != tenant.pk or firm is None or opportunity.firm_id != firm.pk:
        raise ValidationError({"opportunity": _("Select a valid choice.")})


def _check_times(data):
    if data["end"] < data["start"]:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    if data["end"] - data["start"] > timedelta(days=366):
        raise ValidationError({"end": _("An activity cannot last longer than a year.")})


def _check_clashes(*, tenant, data, participants, exclude, confirmed, windows=()):
    if confirmed or data.get("all_day"):
        return
    people = {data["assigned_to"].pk, *(p.pk for p in participants)}
    found = clashes(
        tenant=tenant,
        employee_ids=people,
        start=data["start"],
        end=data["end"],
        exclude=exclude,
        windows=windows,
    )
    if found:
        raise ClashWarning(found)


def _validate(
    *,
    tenant,
    actor,
    data,
    participants,
    contacts,
    exclude=(),
    confirmed=False,
    windows=(),
    current_firm_id=None,
):
    _check_times(data)
    _check_people(
        tenant=tenant, actor=actor, assigned_to=data["assigned_to"], participants=participants
    )
    _check_firm(
        tenant=tenant,
        actor=actor,
        firm=data.get("firm"),
        contacts=contacts,
        current_firm_id=current_firm_id,
    )
    _check_opportunity(tenant=tenant, data=data)
    _check_clashes(
        tenant=tenant,
        data=data,
        participants=participants,
        exclude=exclude,
        confirmed=confirmed,
        windows=windows,
    )


def _new_activity(*, tenant, actor, data, participants, contacts, series=None, start=None):
    activity = Activity(tenant=tenant, created_by=actor, series=series)
    for name in FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    if start is not None:
        activity.end = start + (data["end"] - data["start"])
        activity.start = start
    activity.save()
    activity.participants.set(participants)
    activity.contacts.set(contacts)
    return activity


def _series_for(*, tenant, data, repeat):
    """An unsaved series for ``repeat`` (its rule is checked before anything is written)."""
    if repeat.get("until") and repeat.get("count"):
        raise ValidationError({"repeat_count": _("Give an end date or a number of times.")})
    if repeat["frequency"] not in ActivitySeries.Frequency.values:
        raise ValidationError({"repeat": _("Select a valid choice.")})
    return ActivitySeries(
        tenant=tenant,
        frequency=repeat["frequency"],
        interval=repeat.get("interval") or 1,
        weekdays=sorted(set(repeat.get("weekdays") or [])),
        until=repeat.get("until"),
        count=repeat.get("count"),
        timezone=repeat.get("timezone") or timezone.get_current_timezone_name(),
        first_start=data["start"],
        duration=data["end"] - data["start"],
        expanded_until=data["start"],
    )


def _windows(series, data, limit=100):
    """The (start, end) of the first occurrences of a new series, for the clash check."""
    horizon = max(timezone.now(), series.first_start) + recurrence.HORIZON
    starts = recurrence.occurrence_starts(series, before=horizon)[:limit]
    return [(start, start + series.duration) for start in starts]


def _close_fields(activity, *, actor, closing):
    activity.status = Status.DONE
    activity.work_minutes = closing["work_minutes"]
    activity.distance_km = closing.get("distance_km") if _is_meeting(activity) else None
    activity.closed_at = timezone.now()
    activity.closed_by = actor


def _is_meeting(activity):
    return lists.MEETING in (activity.type.flags or [])


@transaction.atomic
def activity_create(
    *,
    tenant,
    actor,
    data,
    participants=(),
    contacts=(),
    repeat=None,
    confirm_clash=False,
    closing=None,
):
    """Create an activity (and its occurrences when ``repeat`` is a rule); return the first.

    ``repeat``: ``{"frequency", "interval", "weekdays", "until", "count"}`` or None.
    ``closing``: ``{"work_minutes", "distance_km"}`` to record something already done (not
    for a series).
    """
    participants, contacts = list(participants), list(contacts)
    series = _series_for(tenant=tenant, data=data, repeat=repeat) if repeat else None
    if series is not None and closing:
        raise ValidationError({"status": _("A repeating activity starts as planned.")})
    _validate(
        tenant=tenant,
        actor=actor,
        data=data,
        participants=participants,
        contacts=contacts,
        confirmed=confirm_clash or bool(closing),
        windows=_windows(series, data) if series is not None else (),
    )
    if series is None:
        activity = _new_activity(
            tenant=tenant, actor=actor, data=data, participants=participants, contacts=contacts
        )
        if closing:
            _close_fields(activity, actor=actor, closing=closing)
            activity.save()
        audit.record(
            tenant=tenant, actor=actor.user, instance=activity, action=AuditEntry.Action.CREATE
        )
        return activity
    series.save()
    created = _expand(
        tenant=tenant,
        actor=actor,
        series=series,
        data=data,
        participants=participants,
        contacts=contacts,
    )
    if not created:
        raise ValidationError({"repeat_until": _("This rule gives no occurrence.")})
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=created[0],
        action=AuditEntry.Action.CREATE,
        summary=_("%(n)s occurrences") % {"n": len(created)},
    )
    return created[0]


def _expand(*, tenant, actor, series, data, participants, contacts, after=None):
    """Create the occurrences of ``series`` from ``after`` up to the horizon."""
    horizon = max(timezone.now(), series.first_start) + recurrence.HORIZON
    starts = recurrence.occurrence_starts(series, after=after, before=horizon)
    created = [
        _new_activity(
            tenant=tenant,
            actor=actor,
            data=data,
            participants=participants,
            contacts=contacts,
            series=series,
            start=start,
        )
        for start in starts
    ]
    series.expanded_until = horizon
    series.save(update_fields=["expanded_until", "updated_at"])
    return created


def _record_changes(*, tenant, actor, activity, before):
    """The activity's history entry for what changed since the ``before`` snapshot."""
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=activity,
        action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(activity, AUDITED)),
    )


def _require_change(actor, activity):
    if not can_change(member=actor, activity=activity):
        raise PermissionDenied(_("Only the person who created this activity can change it."))


@transaction.atomic
def activity_update(
    *,
    tenant,
    actor,
    activity,
    data,
    participants=(),
    contacts=(),
    whole_series=False,
    confirm_clash=False,
):
    """Change one activity, or with ``whole_series`` every occurrence not changed alone.

    For the whole series a new time moves every untouched planned occurrence by the same
    amount; occurrences that were changed on their own keep their changes.
    """
    activity = Activity.objects.select_for_update().get(tenant=tenant, pk=activity.pk)
    _require_change(actor, activity)
    participants, contacts = list(participants), list(contacts)
    data = {**data, "assigned_to": data.get("assigned_to") or activity.assigned_to}
    _validate(
        tenant=tenant,
        actor=actor,
        data=data,
        participants=participants,
        contacts=contacts,
        exclude=[activity.pk],
        confirmed=confirm_clash,
        current_firm_id=activity.firm_id,
    )
    if whole_series and activity.series_id:
        return _update_series(
            tenant=tenant,
            actor=actor,
            activity=activity,
            data=data,
            participants=participants,
            contacts=contacts,
        )
    before = audit.snapshot(activity, AUDITED)
    for name in FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    activity.detached = activity.series_id is not None
    activity.save()
    activity.participants.set(participants)
    activity.contacts.set(contacts)
    _record_changes(tenant=tenant, actor=actor, activity=activity, before=before)
    return activity


def _update_series(*, tenant, actor, activity, data, participants, contacts):
    """Apply an edit to every planned occurrence not changed alone (and to this one).

    The time moves by the same wall-clock amount in the series' zone, so a 09:00 → 10:00
    change gives 10:00 local time before and after a daylight-saving change.
    """
    series = ActivitySeries.objects.select_for_update().get(tenant=tenant, pk=activity.series_id)
    zone = ZoneInfo(series.timezone)
    shift = recurrence.local(data["start"], zone) - recurrence.local(activity.start, zone)
    length = data["end"] - data["start"]
    targets = list(
        Activity.objects.select_for_update()
        .filter(tenant=tenant, series_id=series.pk, status=Status.PLANNED)
        .filter(Q(detached=False) | Q(pk=activity.pk))
    )
    for occurrence in targets:
        for name in SERIES_FIELDS:
            if name in data:
                setattr(occurrence, name, data[name])
        occurrence.start = recurrence.shift_local(occurrence.start, shift, zone)
        occurrence.end = occurrence.start + length
        occurrence.save()
        occurrence.participants.set(participants)
        occurrence.contacts.set(contacts)
    series.first_start = recurrence.shift_local(series.first_start, shift, zone)
    series.duration = length
    series.save(update_fields=["first_start", "duration", "updated_at"])
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=activity,
        action=AuditEntry.Action.UPDATE,
        summary=_("Changed %(n)s occurrences of the series") % {"n": len(targets)},
    )
    activity.refresh_from_db()
    return activity


@transaction.atomic
def activity_move(*, tenant, actor, activity, start, end, all_day=None, confirm_clash=False):
    """Drag or resize in the calendar: a new time for this occurrence only."""
    activity = Activity.objects.select_for_update().get(tenant=tenant, pk=activity.pk)
    _require_change(actor, activity)
    if activity.status != Status.PLANNED:
        raise ValidationError(_("Only planned activities can be moved."))
    data = {
        "start": start,
        "end": end,
        "assigned_to": activity.assigned_to,
        "all_day": activity.all_day if all_day is None else all_day,
    }
    _check_times(data)
    _check_clashes(
        tenant=tenant,
        data=data,
        participants=list(activity.participants.all()),
        exclude=[activity.pk],
        confirmed=confirm_clash,
    )
    before = audit.snapshot(activity, AUDITED)
    activity.start, activity.end, activity.all_day = start, end, data["all_day"]
    activity.detached = activity.series_id is not None
    activity.save(update_fields=["start", "end", "all_day", "detached", "updated_at"])
    _record_changes(tenant=tenant, actor=actor, activity=activity, before=before)
    return activity


@transaction.atomic
def activity_close(*, tenant, actor, activity, work_minutes, distance_km=None):
    """Mark done with the work time (and for meetings the distance travelled, seed 004)."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("type")
        .get(tenant=tenant, pk=activity.pk)
    )
    if not can_close(member=actor, activity=activity):
        raise PermissionDenied(_("Only the person assigned or its creator can close it."))
    if activity.status != Status.PLANNED:
        raise ValidationError(_("This activity is already closed."))
    if work_minutes is None or work_minutes < 0:
        raise ValidationError({"work_minutes": _("Enter the work time in minutes.")})
    if _is_meeting(activity) and distance_km is None:
        raise ValidationError({"distance_km": _("Enter the distance travelled.")})
    before = audit.snapshot(activity, AUDITED)
    _close_fields(
        activity, actor=actor, closing={"work_minutes": work_minutes, "distance_km": distance_km}
    )
    activity.save()
    _record_changes(tenant=tenant, actor=actor, activity=activity, before=before)
    return activity


@transaction.atomic
def activity_cancel(*, tenant, actor, activity, whole_series=False):
    """Cancel this activity (or every planned occurrence of its series from this one on)."""
    activity = Activity.objects.select_for_update().get(tenant=tenant, pk=activity.pk)
    _require_change(actor, activity)
    if activity.status != Status.PLANNED:
        raise ValidationError(_("Only planned activities can be cancelled."))
    targets = Activity.objects.filter(tenant=tenant, pk=activity.pk, status=Status.PLANNED)
    if whole_series and activity.series_id:
        targets = Activity.objects.filter(
            tenant=tenant,
            series_id=activity.series_id,
            status=Status.PLANNED,
            start__gte=activity.start,
        )
        _end_series_before(tenant=tenant, activity=activity)
    n = targets.update(
        status=Status.CANCELLED,
        closed_at=timezone.now(),
        closed_by=actor,
        updated_at=timezone.now(),
    )
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=activity,
        action=AuditEntry.Action.UPDATE,
        summary=_("Cancelled (%(n)s)") % {"n": n},
    )
    return n


def _end_series_before(*, tenant, activity):
    """Stop the rule before ``activity`` so that the daily extension adds nothing after it."""
    series = ActivitySeries.objects.select_for_update().get(tenant=tenant, pk=activity.series_id)
    local_day = recurrence.local(activity.start, ZoneInfo(series.timezone)).date()
    series.until = local_day - timedelta(days=1)
    series.count = None
    series.save(update_fields=["until", "count", "updated_at"])


@transaction.atomic
def series_extend(*, tenant, series):
    """Create the occurrences of an open-ended series that the horizon now reaches."""
    template = (
        Activity.objects.filter(tenant=tenant, series=series, detached=False)
        .order_by("-start")
        .first()
    )
    if template is None:
        return []
    data = {name: getattr(template, name) for name in FIELDS}
    data["end"] = data["start"] + series.duration
    return _expand(
        tenant=tenant,
        actor=template.created_by,
        series=series,
        data=data,
        participants=list(template.participants.all()),
        contacts=list(template.contacts.all()),
        after=series.expanded_until,
    )
