"""The private ICS feed, the invitation for appointment e-mails and the personal settings."""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from icalendar import Calendar

from agenda import ics
from agenda.models import AgendaPreference, CalendarToken
from agenda.services import activities as activity_services
from agenda.services import personal as services
from core import choices
from tests.helpers import HOSTILE

ISTANBUL = zoneinfo.ZoneInfo("Europe/Istanbul")
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def book(world, person, subject, start, end, *, participants=(), all_day=False, **data):
    with scope(tenant=world.tenant.pk):
        kind = choices.options(tenant=world.tenant, key="activity_type").get(code="appointment")
        return activity_services.activity_create(
            tenant=world.tenant, actor=person, confirm_clash=True, participants=participants,
            data={"type": kind, "subject": subject, "assigned_to": person, "start": start,
                  "end": end, "all_day": all_day, **data},
        )  # fmt: skip


def feed_url(world, person):
    with scope(tenant=world.tenant.pk):
        token = services.calendar_token_ensure(tenant=world.tenant, member=person)
    return reverse("ics-feed", kwargs={"token": token.token})


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal):
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def next_warsaw_transition():
    """The first day (from tomorrow on) whose Warsaw offset differs from the day before."""
    today = timezone.localdate()
    for days in range(2, 300):
        day = today + timedelta(days=days)
        before = datetime.combine(day - timedelta(days=1), time(12), WARSAW).utcoffset()
        if datetime.combine(day, time(12), WARSAW).utcoffset() != before:
            return day
    raise AssertionError("no transition within the year")


@pytest.mark.django_db
def test_feed_carries_utc_times_that_are_right_locally_across_dst(client, world):
    change = next_warsaw_transition()
    ten = time(10)
    before = datetime.combine(change - timedelta(days=2), ten, WARSAW)
    after = datetime.combine(change + timedelta(days=1), ten, WARSAW)
    istanbul = datetime.combine(change + timedelta(days=1), ten, ISTANBUL)
    book(world, world.employee, "Warsaw before", before, before + timedelta(hours=1),
         location="Kraków", description="Bring samples")  # fmt: skip
    book(world, world.employee, "Warsaw after", after, after + timedelta(minutes=30))
    book(world, world.employee, "Istanbul", istanbul, istanbul + timedelta(hours=2))

    found = events(fetch(client, feed_url(world, world.employee)))
    for name, local, zone in (
        ("Warsaw before", before, WARSAW),
        ("Warsaw after", after, WARSAW),
        ("Istanbul", istanbul, ISTANBUL),
    ):
        start = found[name].decoded("dtstart")
        assert start.utcoffset() == timedelta(0), name  # written in UTC
        assert start == local, name
        assert start.astimezone(zone).time() == ten, name
    # Across the change the same local 10:00 is a different UTC hour; Istanbul is UTC+3 always.
    assert {found["Warsaw before"].decoded("dtstart").hour,
            found["Warsaw after"].decoded("dtstart").hour} == {8, 9}  # fmt: skip
    assert found["Istanbul"].decoded("dtstart").hour == 7
    assert found["Istanbul"].decoded("dtend") - found["Istanbul"].decoded("dtstart") == timedelta(
        hours=2
    )
    event = found["Warsaw before"]
    assert str(event["location"]) == "Kraków" and "Bring samples" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"
    assert "last-modified" in event and "dtstamp" in event
    assert str(event["organizer"]) == f"mailto:{world.employee.user.email}"
    with scope(tenant=world.tenant.pk):
        first = world.employee.assigned_activities.get(subject="Warsaw before")
    assert str(event["uid"]) == f"activity-{first.pk}@{ics.host()}"


@pytest.mark.django_db
def test_all_day_activities_are_dates(client, world):
    day = timezone.localdate() + timedelta(days=10)
    start = datetime.combine(day, time(0), ISTANBUL)
    book(
        world, world.employee, "Fair", start, start + timedelta(hours=23, minutes=59), all_day=True
    )
    two = datetime.combine(day + timedelta(days=3), time(0), ISTANBUL)
    book(world, world.employee, "Two days", two, two + timedelta(days=2), all_day=True)
    found = events(fetch(client, feed_url(world, world.employee)))
    assert found["Fair"].decoded("dtstart") == day
    assert not isinstance(found["Fair"].decoded("dtstart"), datetime)
    assert found["Fair"].decoded("dtend") == day + timedelta(days=1)
    assert found["Two days"].decoded("dtend") == day + timedelta(days=5)  # midnight end: exclusive
    assert "VALUE=DATE" in client.get(feed_url(world, world.employee)).content.decode()


@pytest.mark.django_db
def test_feed_holds_ones_own_activities_cancelled_ones_marked(client, world, other_world):
    soon = timezone.now() + timedelta(days=3)
    book(world, world.manager, "Manager with employee", soon, soon + timedelta(hours=1),
         participants=[world.employee])  # fmt: skip
    book(world, world.manager, "Manager alone", soon, soon + timedelta(hours=1))
    gone = book(world, world.employee, "Called off", soon, soon + timedelta(hours=1))
    book(world, world.employee, "Long ago", soon - timedelta(days=40), soon - timedelta(days=40))
    book(world, world.employee, "Far ahead", soon + timedelta(days=400), soon + timedelta(days=400))
    book(other_world, other_world.employee, "Other tenant", soon, soon + timedelta(hours=1))
    with scope(tenant=world.tenant.pk):
        activity_services.activity_cancel(tenant=world.tenant, actor=world.employee, activity=gone)

    found = events(fetch(client, feed_url(world, world.employee)))
    assert set(found) == {"Manager with employee", "Called off"}
    assert str(found["Called off"]["status"]) == "CANCELLED"
    attendees = {str(a) for a in found["Manager with employee"].get("attendee")}
    assert attendees == {
        f"mailto:{world.manager.user.email}",
        f"mailto:{world.employee.user.email}",
    }
    # The other tenant's feed holds only its own.
    assert set(events(fetch(client, feed_url(other_world, other_world.employee)))) == {
        "Other tenant"
    }


@pytest.mark.django_db
def test_reset_revokes_the_old_address(client, world):
    old = feed_url(world, world.employee)
    assert client.get(old).status_code == 200
    client.force_login(world.employee.user)
    response = client.post(reverse("agenda:calendar-reset", args=[world.tenant.slug]))
    assert response.status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    new = feed_url(world, world.employee)
    assert new != old and client.get(new).status_code == 200


@pytest.mark.django_db
def test_tokens_that_open_nothing(client, world, other_world):
    url = feed_url(world, world.employee)
    token = url.rsplit("/", 1)[-1].removesuffix(".ics")
    secret = token.split("-", 1)[1]
    for bad in (
        f"{other_world.tenant.pk}-{secret}",  # the right secret under another tenant
        f"{world.tenant.pk}-{secret[:-1]}x",
        "garbage",
        f"0-{secret}",
        f"99999999999999999999999-{secret}",
    ):
        assert client.get(reverse("ics-feed", kwargs={"token": bad})).status_code == 404, bad
    with scope(tenant=world.tenant.pk):
        world.employee.status = "dismissed"
        world.employee.save(update_fields=["status"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_feed_runs_a_fixed_number_of_queries(client, world):
    url = feed_url(world, world.employee)
    soon = timezone.now() + timedelta(days=2)
    book(
        world, world.employee, "One", soon, soon + timedelta(hours=1), participants=[world.manager]
    )

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(10):
        start = soon + timedelta(days=i + 1)
        book(world, world.manager, f"Many {i}", start, start + timedelta(hours=1),
             participants=[world.employee, world.outsider])  # fmt: skip
    assert queries() == few <= 4


@pytest.mark.django_db
def test_invitation_is_a_request_with_the_feeds_uid(world):
    start = datetime(2027, 1, 15, 9, 30, tzinfo=ISTANBUL)
    activity = book(world, world.manager, "Visit at Acme", start, start + timedelta(hours=1),
                    participants=[world.employee], location="Levent")  # fmt: skip
    with scope(tenant=world.tenant.pk):
        body = ics.invitation_for(activity, world.employee)
    cal = Calendar.from_ical(body)
    assert str(cal["method"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == f"activity-{activity.pk}@{ics.host()}"
    assert event.decoded("dtstart") == datetime(2027, 1, 15, 6, 30, tzinfo=UTC)
    assert str(event["organizer"]) == f"mailto:{world.manager.user.email}"
    assert f"mailto:{world.employee.user.email}" in {str(a) for a in event.get("attendee")}
    assert str(event["location"]) == "Levent" and "sequence" in event


# --- Personal settings ---------------------------------------------------------------------


@pytest.mark.django_db
def test_preferences_page_shows_the_address_and_saves_settings(client, world):
    client.force_login(world.employee.user)
    url = reverse("agenda:preferences", args=[world.tenant.slug])
    page = client.get(url).content.decode()
    with scope(tenant=world.tenant.pk):
        token = CalendarToken.objects.get(employee=world.employee).token
    assert f"/calendar/{token}.ics" in page
    for app in ("Outlook", "Google Calendar", "Apple Calendar", "Reset the address"):
        assert app in page
    assert client.get(url).content.decode().count(token) >= 1  # the same address on a revisit
    response = client.post(url, {"slot_minutes": "15", "date_alarm_days": "0"})
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        preference = AgendaPreference.objects.get(employee=world.employee)
        assert (preference.slot_minutes, preference.date_alarm_days) == (15, 0)
    assert 'value="15" selected' in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["slot_minutes", "date_alarm_days"])
def test_hostile_input_on_the_preferences(client, world, field):
    client.force_login(world.employee.user)
    url = reverse("agenda:preferences", args=[world.tenant.slug])
    for value in [*HOSTILE, "7", "366", "10"]:
        data = {"slot_minutes": "30", "date_alarm_days": "7", field: value}
        assert client.post(url, data).status_code in {302, 400}, value[:20]
    with scopes_disabled():
        for preference in AgendaPreference.objects.all():
            assert preference.slot_minutes in {5, 15, 30, 45, 60}
            assert 0 <= preference.date_alarm_days <= 365


def test_uid_host_comes_from_the_site_address(settings):
    settings.SITE_URL = "https://crm.example.com"
    assert ics.host() == "crm.example.com"
