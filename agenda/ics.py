"""iCalendar output: an employee's private feed and single-event invitations.

Times go out in UTC (``...Z``) so that every calendar application shows them in its own zone
without needing our time zone definitions; all-day activities go out as dates (``VALUE=DATE``)
in the owner's own time zone. Each activity's UID (``activity-<id>@<host>``) is the same in
the feed and in the invitations, so a calendar that got both shows one event.
"""

import zoneinfo
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from accounts.models import Employee
from agenda.models import Activity, Status
from agenda.selectors.activities import involving

PRODID = "-//Kervan CRM//Agenda//EN"
DAYS_BACK, DAYS_AHEAD = 30, 365
FEED_LIMIT = 5000
STATUS = {Status.PLANNED: "CONFIRMED", Status.DONE: "CONFIRMED", Status.CANCELLED: "CANCELLED"}


def host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def uid_for(activity):
    return f"activity-{activity.pk}@{host()}"


def _zone(employee):
    try:
        return zoneinfo.ZoneInfo(employee.user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _calendar(name=None, method=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _address(employee, role=None):
    address = vCalAddress(f"mailto:{employee.user.email}")
    address.params["cn"] = vText(employee.full_name or employee.user.email)
    if role:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("NEEDS-ACTION")
    return address


def _times(event, activity, zone):
    if activity.all_day:
        first = timezone.localtime(activity.start, zone).date()
        end_local = timezone.localtime(activity.end, zone)
        # DTEND of a date is exclusive: an end stored at midnight already is.
        last = end_local.date()
        if end_local.time() != time(0) or last <= first:
            last += timedelta(days=1)
        event.add("dtstart", first)
        event.add("dtend", last)
    else:
        event.add("dtstart", activity.start.astimezone(UTC))
        event.add("dtend", activity.end.astimezone(UTC))


def _event(activity, zone, participants, stamp):
    event = Event()
    event.add("uid", uid_for(activity))
    event.add("dtstamp", stamp)
    _times(event, activity, zone)
    event.add("summary", activity.subject)
    details = [str(activity.type)] if activity.type_id else []
    if activity.firm_id:
        details.append(activity.firm.name)
    if activity.description:
        details.append(activity.description)
    if details:
        event.add("description", "\n".join(details))
    if activity.location:
        event.add("location", activity.location)
    event.add("status", STATUS.get(activity.status, "CONFIRMED"))
    event.add("last-modified", activity.updated_at.astimezone(UTC))
    event.add("created", activity.created_at.astimezone(UTC))
    event.add("organizer", _address(activity.created_by))
    people = {activity.assigned_to.pk: activity.assigned_to}
    people.update((p.pk, p) for p in participants)
    for person in people.values():
        event.add("attendee", _address(person, role="REQ-PARTICIPANT"))
    return event


def _people_prefetch():
    return Prefetch("participants", queryset=Employee.objects.select_related("user"))


def feed_activities(*, tenant, employee, now=None):
    """The activities of ``employee``'s feed: assigned or participant, 30 days back to a year
    ahead, cancelled ones included (they go out as cancelled). Three queries."""
    now = now or timezone.now()
    return list(
        Activity.objects.filter(tenant=tenant, show_in_agenda=True)
        .filter(involving([employee.pk]))
        .filter(
            end__gte=now - timedelta(days=DAYS_BACK), start__lt=now + timedelta(days=DAYS_AHEAD)
        )
        .select_related("type", "firm", "assigned_to__user", "created_by__user")
        .prefetch_related(_people_prefetch())
        .order_by("start", "pk")[:FEED_LIMIT]
    )


def feed_for(*, tenant, employee, now=None):
    """The whole feed of ``employee`` as iCalendar bytes."""
    zone = _zone(employee)
    stamp = datetime.now(UTC)
    cal = _calendar(name=f"{tenant.name}: {employee.full_name}")
    cal.add("x-wr-timezone", str(zone))
    for activity in feed_activities(tenant=tenant, employee=employee, now=now):
        cal.add_component(_event(activity, zone, activity.participants.all(), stamp))
    return cal.to_ical()


def invitation_for(activity, recipient):
    """A ``METHOD:REQUEST`` calendar with the one event, to attach to an e-mail to ``recipient``.

    ``recipient`` is an ``Employee``; all-day dates are taken in their own time zone. A
    cancelled activity goes out as ``METHOD:CANCEL``. Returns the bytes of a ``.ics`` file
    (content type ``text/calendar; method=REQUEST; charset=utf-8``).
    """
    cancelled = activity.status == Status.CANCELLED
    cal = _calendar(method="CANCEL" if cancelled else "REQUEST")
    participants = list(activity.participants.select_related("user"))
    event = _event(activity, _zone(recipient), participants, datetime.now(UTC))
    event.add("sequence", int(activity.updated_at.timestamp()) % 2_000_000_000)
    cal.add_component(event)
    return cal.to_ical()
