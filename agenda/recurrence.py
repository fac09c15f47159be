"""Expanding a recurrence rule into occurrence starts, in the series' own time zone.

The rule is applied to local wall-clock times and each result is then placed in the zone, so a
weekly 09:00 meeting in Europe/Warsaw is at 09:00 local time on both sides of a daylight-saving
change (08:00 UTC in winter, 07:00 UTC in summer). A local time that does not exist (the spring
gap) moves forward by the gap, as a wall clock does.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

FREQUENCIES = {
    "daily": rrule.DAILY,
    "weekly": rrule.WEEKLY,
    "monthly": rrule.MONTHLY,
    "yearly": rrule.YEARLY,
}
MAX_OCCURRENCES = 500
HORIZON = timedelta(days=400)


def place(local_naive, zone):
    """The aware UTC instant of a local wall-clock time (the gap moves forward)."""
    aware = local_naive.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def local_starts(*, frequency, interval, weekdays, until, count, zone_name, first_start):
    """The local naive starts of a rule; ``first_start`` is aware and is the first one."""
    zone = ZoneInfo(zone_name)
    local_first = first_start.astimezone(zone).replace(tzinfo=None)
    kwargs = {"dtstart": local_first, "interval": max(int(interval or 1), 1)}
    if frequency == "weekly":
        days = sorted(set(weekdays or [local_first.isoweekday()]))
        kwargs["byweekday"] = [rrule.weekdays[day - 1] for day in days]
    if until is not None:
        kwargs["until"] = datetime.combine(until, local_first.time())
    if count:
        kwargs["count"] = min(int(count), MAX_OCCURRENCES)
    return rrule.rrule(FREQUENCIES[frequency], **kwargs), zone


def occurrence_starts(series, *, after=None, before=None):
    """Aware (UTC) starts of ``series`` in ``[after, before)``, at most MAX_OCCURRENCES."""
    rule, zone = local_starts(
        frequency=series.frequency,
        interval=series.interval,
        weekdays=series.weekdays,
        until=series.until,
        count=series.count,
        zone_name=series.timezone,
        first_start=series.first_start,
    )
    starts = []
    for local in rule:
        start = place(local, zone)
        if before is not None and start >= before:
            break
        if after is not None and start < after:
            continue
        starts.append(start)
        if len(starts) >= MAX_OCCURRENCES:
            break
    return starts
