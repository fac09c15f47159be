"""Recurring activities: local wall-clock times across daylight-saving changes, fixed-offset
zones, month ends, until and count, editing one occurrence or the whole series, cancelling the
rest of a series."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agenda.models import Activity, ActivitySeries
from agenda.services.activities import (
    activity_cancel,
    activity_create,
    activity_update,
    series_extend,
)
from core.models import Choice

WARSAW = ZoneInfo("Europe/Warsaw")
ISTANBUL = ZoneInfo("Europe/Istanbul")
UTC = ZoneInfo("UTC")


def call_type(world):
    with scopes_disabled():
        return Choice.objects.get(tenant=world.tenant, list_key="activity_type", code="call")


def create_series(world, start, zone, **repeat):
    data = {
        "type": call_type(world),
        "subject": "Weekly sync",
        "start": start,
        "end": start + timedelta(hours=1),
        "assigned_to": world.employee,
    }
    rule = {"interval": 1, "timezone": zone.key, **repeat}
    with scope(tenant=world.tenant.pk):
        return activity_create(
            tenant=world.tenant, actor=world.employee, data=data, repeat=rule, confirm_clash=True
        )


def occurrences(first):
    with scopes_disabled():
        return list(Activity.objects.filter(series_id=first.series_id).order_by("start"))


def local_times(rows, zone):
    return [(row.start.astimezone(zone).date(), row.start.astimezone(zone).hour) for row in rows]


@pytest.mark.django_db
def test_weekly_at_nine_in_warsaw_stays_nine_across_both_dst_changes(world):
    # 2030: summer time starts on Sunday 31 March and ends on Sunday 27 October.
    first = create_series(
        world, datetime(2030, 3, 18, 9, 0, tzinfo=WARSAW), WARSAW, frequency="weekly", count=3
    )
    spring = occurrences(first)
    assert [row.start.astimezone(WARSAW).hour for row in spring] == [9, 9, 9]
    assert [row.start.astimezone(UTC).hour for row in spring] == [8, 8, 7]
    assert [row.start.date() for row in spring] == [
        date(2030, 3, 18), date(2030, 3, 25), date(2030, 4, 1),
    ]  # fmt: skip

    autumn = occurrences(
        create_series(
            world,
            datetime(2030, 10, 14, 9, 0, tzinfo=WARSAW),
            WARSAW,
            frequency="weekly",
            weekdays=[1, 4],
            until=date(2030, 10, 31),
        )
    )
    assert local_times(autumn, WARSAW) == [
        (date(2030, 10, 14), 9), (date(2030, 10, 17), 9), (date(2030, 10, 21), 9),
        (date(2030, 10, 24), 9), (date(2030, 10, 28), 9), (date(2030, 10, 31), 9),
    ]  # fmt: skip
    assert [row.start.astimezone(UTC).hour for row in autumn] == [7, 7, 7, 7, 8, 8]
    assert all(row.end - row.start == timedelta(hours=1) for row in autumn)


@pytest.mark.django_db
def test_booking_a_weekly_series_through_the_form_uses_the_users_zone(client, world):
    user = world.employee.user
    user.timezone = "Europe/Warsaw"
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("agenda:activity-create", args=[world.tenant.slug]),
        {
            "type": call_type(world).pk,
            "subject": "Stand-up",
            "start": "2030-03-25T09:00",
            "end": "2030-03-25T09:15",
            "priority": "normal",
            "status": "planned",
            "show_in_agenda": "on",
            "repeat": "weekly",
            "repeat_interval": "1",
            "repeat_weekdays": ["1", "3"],
            "repeat_count": "4",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        series = ActivitySeries.objects.get()
        rows = list(Activity.objects.order_by("start"))
    assert series.timezone == "Europe/Warsaw" and series.weekdays == [1, 3]
    assert local_times(rows, WARSAW) == [
        (date(2030, 3, 25), 9), (date(2030, 3, 27), 9), (date(2030, 4, 1), 9),
        (date(2030, 4, 3), 9),
    ]  # fmt: skip
    assert [row.start.astimezone(UTC).hour for row in rows] == [8, 8, 7, 7]
    detail = client.get(reverse("agenda:activity-detail", args=[world.tenant.slug, rows[0].pk]))
    assert "Europe/Warsaw" in detail.content.decode() and "Monday" in detail.content.decode()


@pytest.mark.django_db
def test_istanbul_has_no_dst_and_keeps_the_same_utc_hour(world):
    first = create_series(
        world, datetime(2030, 3, 18, 9, 0, tzinfo=ISTANBUL), ISTANBUL, frequency="weekly", count=4
    )
    first_autumn = create_series(
        world, datetime(2030, 10, 21, 9, 0, tzinfo=ISTANBUL), ISTANBUL, frequency="weekly", count=2
    )
    rows = occurrences(first) + occurrences(first_autumn)
    assert {row.start.astimezone(UTC).hour for row in rows} == {6}
    assert {row.start.astimezone(ISTANBUL).hour for row in rows} == {9}


@pytest.mark.django_db
def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months(world):
    first = create_series(
        world, datetime(2031, 1, 31, 14, 0, tzinfo=WARSAW), WARSAW, frequency="monthly", count=5
    )
    assert [row.start.astimezone(WARSAW).date() for row in occurrences(first)] == [
        date(2031, 1, 31), date(2031, 2, 28), date(2031, 3, 31), date(2031, 4, 30),
        date(2031, 5, 31),
    ]  # fmt: skip
    assert {row.start.astimezone(WARSAW).hour for row in occurrences(first)} == {14}


@pytest.mark.django_db
def test_until_includes_its_day_and_count_gives_that_many(world):
    start = datetime(2030, 6, 3, 8, 0, tzinfo=WARSAW)
    until = create_series(world, start, WARSAW, frequency="daily", until=date(2030, 6, 7))
    assert len(occurrences(until)) == 5
    counted = create_series(world, start, WARSAW, frequency="daily", interval=2, count=5)
    assert [row.start.day for row in occurrences(counted)] == [3, 5, 7, 9, 11]
    with pytest.raises(ValidationError, match="end date or a number"):
        create_series(world, start, WARSAW, frequency="daily", count=3, until=date(2030, 7, 1))


@pytest.mark.django_db
def test_until_and_count_together_are_refused_by_the_form(client, world):
    client.force_login(world.employee.user)
    response = client.post(
        reverse("agenda:activity-create", args=[world.tenant.slug]),
        {
            "type": call_type(world).pk,
            "subject": "Both",
            "start": "2030-06-03T09:00",
            "end": "2030-06-03T10:00",
            "priority": "normal",
            "status": "planned",
            "repeat": "daily",
            "repeat_until": "2030-06-10",
            "repeat_count": "3",
        },
    )
    assert response.status_code == 400
    assert "Give an end date or a number of times." in response.content.decode()
    with scopes_disabled():
        assert not Activity.objects.exists() and not ActivitySeries.objects.exists()


def edit(world, activity, *, whole_series, **changes):
    data = {
        "type": activity.type,
        "subject": activity.subject,
        "start": activity.start,
        "end": activity.end,
        "assigned_to": activity.assigned_to,
        **changes,
    }
    with scope(tenant=world.tenant.pk):
        return activity_update(
            tenant=world.tenant,
            actor=world.employee,
            activity=activity,
            data=data,
            whole_series=whole_series,
            confirm_clash=True,
        )


@pytest.mark.django_db
def test_one_occurrence_detaches_and_the_whole_series_moves_the_others(world):
    first = create_series(
        world, datetime(2030, 3, 18, 9, 0, tzinfo=WARSAW), WARSAW, frequency="weekly", count=4
    )
    rows = occurrences(first)
    # The second occurrence alone: later that day, renamed.
    moved = rows[1].start + timedelta(hours=5)
    edit(world, rows[1], whole_series=False, subject="Moved alone", start=moved,
         end=moved + timedelta(hours=1))  # fmt: skip
    rows = occurrences(first)
    assert rows[1].detached and rows[1].subject == "Moved alone"
    assert not rows[0].detached

    # The whole series, from the first occurrence: one hour later, a new subject.
    later = rows[0].start + timedelta(hours=1)
    edit(world, rows[0], whole_series=True, subject="Sync at ten", start=later,
         end=later + timedelta(minutes=30))  # fmt: skip
    rows = occurrences(first)
    untouched = [row for row in rows if not row.detached]
    assert len(untouched) == 3
    # 10:00 local time on both sides of the change of 31 March.
    assert {row.start.astimezone(WARSAW).hour for row in untouched} == {10}
    assert [row.start.astimezone(UTC).hour for row in untouched] == [9, 8, 8]
    assert {row.subject for row in untouched} == {"Sync at ten"}
    assert all(row.end - row.start == timedelta(minutes=30) for row in untouched)
    detached = next(row for row in rows if row.detached)
    assert detached.subject == "Moved alone"
    assert detached.start.astimezone(WARSAW).hour == 14


@pytest.mark.django_db
def test_edit_page_offers_this_occurrence_or_the_whole_series(client, world):
    first = create_series(
        world, datetime(2030, 3, 18, 9, 0, tzinfo=WARSAW), WARSAW, frequency="daily", count=3
    )
    rows = occurrences(first)
    client.force_login(world.employee.user)
    url = reverse("agenda:activity-edit", args=[world.tenant.slug, rows[1].pk])
    page = client.get(url).content.decode()
    assert "Only this occurrence" in page and "The whole series" in page
    data = {
        "type": call_type(world).pk,
        "subject": "Renamed series",
        "start": rows[1].start.astimezone(ISTANBUL).strftime("%Y-%m-%dT%H:%M"),
        "end": rows[1].end.astimezone(ISTANBUL).strftime("%Y-%m-%dT%H:%M"),
        "priority": "normal",
        "show_in_agenda": "on",
        "scope": "series",
    }
    assert client.post(url, data).status_code == 302
    assert {row.subject for row in occurrences(first)} == {"Renamed series"}
    assert not any(row.detached for row in occurrences(first))


@pytest.mark.django_db
def test_cancel_the_rest_of_a_series(client, world):
    first = create_series(
        world, datetime(2030, 5, 6, 9, 0, tzinfo=WARSAW), WARSAW, frequency="daily", count=6
    )
    rows = occurrences(first)
    client.force_login(world.employee.user)
    response = client.post(
        reverse("agenda:activity-cancel", args=[world.tenant.slug, rows[2].pk]),
        {"whole_series": "1"},
    )
    assert response.status_code == 302
    assert [row.status for row in occurrences(first)] == ["planned"] * 2 + ["cancelled"] * 4
    with scopes_disabled():
        series = ActivitySeries.objects.get(pk=first.series_id)
    assert series.until == date(2030, 5, 7) and series.count is None
    # The daily extension adds nothing after the cancelled rest.
    series.expanded_until = datetime(2030, 5, 7, 12, 0, tzinfo=UTC)
    with scope(tenant=world.tenant.pk):
        assert series_extend(tenant=world.tenant, series=series) == []
    assert len(occurrences(first)) == 6

    # Cancelling one occurrence leaves the others planned.
    with scope(tenant=world.tenant.pk):
        assert activity_cancel(tenant=world.tenant, actor=world.employee, activity=rows[0]) == 1
    assert [row.status for row in occurrences(first)][:2] == ["cancelled", "planned"]


@pytest.mark.django_db
def test_open_ended_series_is_extended_later_without_duplicates(world):
    start = datetime.now(tz=WARSAW).replace(hour=9, minute=0, second=0, microsecond=0)
    first = create_series(world, start + timedelta(days=1), WARSAW, frequency="weekly")
    rows = occurrences(first)
    assert 55 <= len(rows) <= 59  # about 400 days ahead
    with scopes_disabled():
        series = ActivitySeries.objects.get(pk=first.series_id)
        series.expanded_until = rows[-3].start
        Activity.objects.filter(pk__in=[rows[-1].pk, rows[-2].pk, rows[-3].pk]).delete()
    with scope(tenant=world.tenant.pk):
        added = series_extend(tenant=world.tenant, series=series)
    assert len(added) == 3
    assert len(occurrences(first)) == len(rows)
    assert {row.start.astimezone(WARSAW).hour for row in occurrences(first)} == {9}
