"""Expanding a recurrence rule into occurrence starts, in the series' own time zone.

The rule is applied to local wall-clock times and each result is then placed in the zone, so a
weekly 09:00 meeting in Europe/Warsaw is at 09:00 local time on both sides of a daylight-saving
change (08:00 UTC in winter, 07:00 UTC in summer). A local time that does not exist (the spring
gap) moves forward by the gap, as a wall clock does.

A monthly rule on a day some months lack (the 29th to the 31st) falls on the last day of the
shorter months, and a yearly rule on 29 February on the 28th in common years, as people expect
of a paper diary (RFC 5545 would skip those months instead).
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


def local(instant, zone):
    """The naive local wall-clock time of an aware instant in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def shift_local(instant, delta, zone):
    """``instant`` moved by ``delta`` of wall-clock time in ``zone`` (not of elapsed time)."""
    return place(local(instant, zone) + delta, zone)


def _day_rule(frequency, local_first):
    """Extra rrule arguments that keep late-month days on the last day of shorter months."""
    day = local_first.day
    if frequency == "monthly" and day > 28:
        return {"bymonthday": tuple(range(28, day + 1)), "bysetpos": -1}
    if frequency == "yearly" and local_first.month == 2 and day == 29:
        return {"bymonth": 2, "bymonthday": (28, 29), "bysetpos": -1}
    return {}


def local_starts(*, frequency, interval, weekdays, until, count, zone_name, first_start):
    """The rule giving the local naive starts; ``first_start`` (aware) anchors it.

    ``count`` is given to the rule only when there is no ``until`` (dateutil deprecates both
    together); :func:`occurrence_starts` enforces it in every case.
    """
    zone = ZoneInfo(zone_name)
    local_first = local(first_start, zone)
    kwargs = {"dtstart": local_first, "interval": max(int(interval or 1), 1)}
    if frequency == "weekly":
        days = sorted(set(weekdays or [local_first.isoweekday()]))
        kwargs["byweekday"] = [rrule.weekdays[day - 1] for day in days]
    kwargs.update(_day_rule(frequency, local_first))
    if until is not None:
        kwargs["until"] = datetime.combine(until, local_first.time())
    elif count:
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
    for index, wall_clock in enumerate(rule):
        if series.count and index >= series.count:
            break
        start = place(wall_clock, zone)
        if before is not None and start >= before:
            break
        if after is not None and start < after:
            continue
        starts.append(start)
        if len(starts) >= MAX_OCCURRENCES:
            break
    return starts
