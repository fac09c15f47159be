"""The agenda's due work (agenda.services.due): each kind is due at its moment, once, in each
recipient's own language and time zone. Time is passed in (``now=``), never frozen.

The people: the employee (Turkish, Europe/Istanbul, UTC+3) is assigned; the manager (English,
Europe/Warsaw, UTC+1 in January) takes part. The appointment is on 15 January 2031 at 12:00 UTC:
15:00 in Istanbul, 13:00 in Warsaw.
"""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agenda.models import Activity, ActivitySeries, AgendaPreference, Reminder
from agenda.services import due, series_horizon
from agenda.services.activities import activity_cancel, activity_create, activity_move
from agenda.services.digests import date_alarms, next_occurrence
from agenda.services.reminders import reminder_create
from companies.services.firms import contact_create
from core import mail
from core.models import Choice, Notification, OutboxEmail
from tests.helpers import make_firm

pytestmark = pytest.mark.django_db

START = datetime(2031, 1, 15, 12, 0, tzinfo=UTC)


def at(text):
    """A UTC instant in January 2031: ``at("14 11:59")``."""
    day, clock = text.split()
    hour, minute = clock.split(":")
    return datetime(2031, 1, int(day), int(hour), int(minute), tzinfo=UTC)


@pytest.fixture
def people(world):
    turkish, english = world.employee.user, world.manager.user
    turkish.language, turkish.timezone = "tr", "Europe/Istanbul"
    english.language, english.timezone = "en", "Europe/Warsaw"
    turkish.save(update_fields=["language", "timezone"])
    english.save(update_fields=["language", "timezone"])
    return world


def activity_type(world, code="appointment"):
    with scopes_disabled():
        return Choice.objects.get(tenant=world.tenant, list_key="activity_type", code=code)


def book(world, *, start=START, code="appointment", participants=None, repeat=None, **data):
    participants = [world.manager] if participants is None else participants
    with scope(tenant=world.tenant.pk):
        return activity_create(
            tenant=world.tenant,
            actor=world.executive,
            data={
                "type": activity_type(world, code),
                "subject": "Offer <review>",
                "assigned_to": world.employee,
                "start": start,
                "end": start + timedelta(hours=1),
                "location": "Kadıköy",
                **data,
            },
            participants=participants,
            repeat=repeat,
            confirm_clash=True,
        )


def run(now):
    return due.dispatch_due(now=now)


def rows(kind=""):
    with scopes_disabled():
        found = OutboxEmail.objects.filter(idempotency_key__contains=kind).order_by("pk")
        return {row.idempotency_key: row for row in found}


def key(activity, kind, person, start=START):
    return f"agenda:{activity.pk}:{kind}:{person.pk}:{int(start.timestamp())}"


def test_day_before_is_due_24_hours_ahead_in_each_language_and_zone(people):
    activity = book(people)

    assert not rows(":day-before:") and run(at("14 11:59"))["day-before"] == 0
    assert rows(":day-before:") == {}
    assert run(at("14 12:00"))["day-before"] == 2

    found = rows(":day-before:")
    assert set(found) == {
        key(activity, "day-before", people.employee),
        key(activity, "day-before", people.manager),
    }
    turkish = found[key(activity, "day-before", people.employee)]
    english = found[key(activity, "day-before", people.manager)]
    assert turkish.to == [people.employee.user.email]
    assert english.to == [people.manager.user.email]
    # Each sees the time in their own zone and the date in their own language.
    assert "15 Ocak 2031" in turkish.subject and "15:00" in turkish.body_text
    assert "Europe/Istanbul" in turkish.body_text
    assert "Jan. 15, 2031" in english.subject and "1 p.m." in english.body_text
    assert "Europe/Warsaw" in english.body_text
    assert "Offer <review>" in english.body_text
    assert "Offer &lt;review&gt;" in english.body_html
    link = f"/o/{people.tenant.slug}/agenda/activities/{activity.pk}/"
    assert "http" in english.body_text and link in english.body_text and link in english.body_html
    with scope(tenant=people.tenant.pk):
        assert Activity.objects.get(pk=activity.pk).day_before_done_for == START


def test_running_twice_sends_nothing_new(people):
    book(people)
    for now in (at("14 12:00"), at("15 06:00"), at("15 11:40")):
        run(now)
    before = rows()
    for now in (at("14 12:00"), at("15 06:00"), at("15 11:40"), at("15 11:59")):
        counts = run(now)
        assert sum(v for k, v in counts.items() if not k.endswith("skipped")) == 0
    assert rows() == before
    assert len(before) == 4  # day before and morning, for two people


def test_morning_is_due_at_seven_in_each_recipients_own_zone(people):
    activity = book(people)
    run(at("14 12:00"))  # the day-before e-mails, out of the way

    assert run(at("15 03:59"))["morning"] == 0
    assert run(at("15 04:00"))["morning"] == 1  # 07:00 in Istanbul, 05:00 in Warsaw
    assert set(rows(":morning:")) == {key(activity, "morning", people.employee)}
    with scope(tenant=people.tenant.pk):
        assert Activity.objects.get(pk=activity.pk).morning_done_for is None  # not for all yet

    assert run(at("15 05:59"))["morning"] == 0
    assert run(at("15 06:00"))["morning"] == 1  # 07:00 in Warsaw
    found = rows(":morning:")
    assert set(found) == {
        key(activity, "morning", people.employee),
        key(activity, "morning", people.manager),
    }
    assert "15:00" in found[key(activity, "morning", people.employee)].subject
    assert "1 p.m." in found[key(activity, "morning", people.manager)].subject
    with scope(tenant=people.tenant.pk):
        assert Activity.objects.get(pk=activity.pk).morning_done_for == START


def test_morning_is_never_after_the_start(people, settings):
    """An appointment at 06:30 in Istanbul: the morning e-mail would come after it; it is due
    at the start, which has then begun, so none is sent (the day-before one was)."""
    early = datetime(2031, 1, 15, 3, 30, tzinfo=UTC)
    activity = book(people, start=early, participants=[])
    assert due.morning_due(early, ZoneInfo("Europe/Istanbul")) == early
    run(at("14 03:30"))
    counts = run(at("15 03:30"))
    assert counts["morning"] == 0 and counts["morning-skipped"] == 1
    assert set(rows()) == {key(activity, "day-before", people.employee, early)}


def test_a_moved_appointment_is_due_again(people):
    activity = book(people)
    run(at("14 12:00"))
    later = START + timedelta(days=1)
    with scope(tenant=people.tenant.pk):
        activity_move(
            tenant=people.tenant,
            actor=people.executive,
            activity=activity,
            start=later,
            end=later + timedelta(hours=1),
            confirm_clash=True,
        )
    assert run(at("15 11:00"))["day-before"] == 0
    assert run(at("15 12:00"))["day-before"] == 2
    assert key(activity, "day-before", people.employee, later) in rows()
    assert key(activity, "day-before", people.employee, START) in rows()


def test_a_cancelled_appointment_sends_nothing(people):
    activity = book(people, alarm_minutes=30)
    with scope(tenant=people.tenant.pk):
        activity_cancel(tenant=people.tenant, actor=people.executive, activity=activity)
    for now in (at("14 12:00"), at("15 06:00"), at("15 11:30")):
        run(now)
    assert rows() == {}
    with scopes_disabled():
        assert not Notification.objects.exists()


def test_types_without_the_email_flag_send_no_appointment_emails(people):
    book(people, code="call")
    run(at("14 12:00"))
    run(at("15 06:00"))
    assert rows() == {}


def test_missed_while_the_beat_was_down_is_skipped_not_sent_late(people):
    activity = book(people, alarm_minutes=15)
    counts = run(at("15 12:30"))  # first pass after an outage: everything has started
    assert counts["day-before-skipped"] == counts["morning-skipped"] == 1
    assert counts["alarm-skipped"] == 1
    assert rows() == {}
    with scope(tenant=people.tenant.pk):
        activity.refresh_from_db()
    assert activity.day_before_done_for == activity.morning_done_for == START
    assert activity.alarm_done_for == START


def test_alarm_makes_one_notification_and_one_email_each(people):
    activity = book(people, code="call", alarm_minutes=30)
    assert run(at("15 11:29"))["alarm"] == 0
    counts = run(at("15 11:30"))
    assert counts["alarm"] == 2 and counts["alarm-notification"] == 2
    run(at("15 11:31"))
    run(at("15 11:45"))

    found = rows(":alarm:")
    assert set(found) == {
        key(activity, "alarm", people.employee),
        key(activity, "alarm", people.manager),
    }
    assert "15:00" in found[key(activity, "alarm", people.employee)].subject
    assert "30 minutes" in found[key(activity, "alarm", people.manager)].body_text
    with scope(tenant=people.tenant.pk):
        notes = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(notes) == {people.employee.pk, people.manager.pk}
    assert notes[people.employee.pk].text == "Offer <review>, saat 15:00"  # in Turkish
    assert notes[people.manager.pk].text == "Offer <review> at 1 p.m."
    assert notes[people.manager.pk].url.endswith(f"/agenda/activities/{activity.pk}/")


def test_reminder_email_one_day_before_due(people):
    due_at = START
    with scope(tenant=people.tenant.pk):
        reminder = reminder_create(
            tenant=people.tenant,
            actor=people.manager,
            text="Send the signed contract",
            due_at=due_at,
            recipients=[people.manager, people.employee],
        )
    assert run(at("14 11:59"))["reminder"] == 0
    assert run(at("14 12:00"))["reminder"] == 2
    run(at("14 12:01"))
    epoch = int(due_at.timestamp())
    found = rows("reminder:")
    assert set(found) == {
        f"reminder:{reminder.pk}:day-before:{people.manager.pk}:{epoch}",
        f"reminder:{reminder.pk}:day-before:{people.employee.pk}:{epoch}",
    }
    turkish = found[f"reminder:{reminder.pk}:day-before:{people.employee.pk}:{epoch}"]
    assert "Send the signed contract" in turkish.body_text and "15:00" in turkish.subject
    assert f"/o/{people.tenant.slug}/agenda/reminders/" in turkish.body_text
    with scope(tenant=people.tenant.pk):
        assert Reminder.objects.get(pk=reminder.pk).day_before_done_for == due_at


@pytest.fixture
def locmem(settings):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    return django_mail.outbox


def test_appointment_email_carries_an_ics_invitation(people, locmem):
    activity = book(people)
    run(at("14 12:00"))
    row = rows()[key(activity, "day-before", people.manager)]
    assert [a["filename"] for a in row.attachments] == ["invitation.ics"]
    assert mail.deliver(row.pk) == OutboxEmail.Status.SENT

    message = locmem[0].message()
    assert message["Message-ID"] == mail.message_id(row)
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"activity-{activity.pk}@")
    assert event.decoded("DTSTART") == START
    assert str(event["SUMMARY"]) == "Offer <review>"


# --------------------------------------------------------------------------------------------
# Date alarms


def test_next_occurrence_wraps_the_year_and_handles_29_february():
    assert next_occurrence(date(1980, 1, 3), start=date(2030, 12, 30), end=date(2031, 1, 6)) == (
        date(2031, 1, 3)
    )
    assert next_occurrence(date(1980, 2, 29), start=date(2031, 2, 25), end=date(2031, 3, 1)) == (
        date(2031, 2, 28)
    )
    assert next_occurrence(date(1980, 6, 1), start=date(2031, 1, 1), end=date(2031, 1, 8)) is None


@pytest.fixture
def dated(people):
    """A firm the employee represents, with dated contacts; one the employee does not."""
    world = people
    mine = make_firm(
        world, "Mavi Deniz A.Ş.", sales_rep=world.employee, founding_date=date(2001, 1, 18)
    )
    other = make_firm(world, "Globex", sales_rep=world.manager, founding_date=date(1999, 1, 16))
    with scope(tenant=world.tenant.pk):
        for firm, first, birthday, wedding in (
            (mine, "Ayşe", date(1985, 1, 17), None),
            (mine, "Mehmet", date(1970, 5, 5), date(2011, 1, 20)),
            (mine, "Later", date(1990, 1, 30), None),
            (other, "Stranger", date(1990, 1, 16), None),
        ):
            contact_create(
                tenant=world.tenant,
                actor=world.executive.user,
                firm=firm,
                data={
                    "first_name": first,
                    "last_name": "Kaya",
                    "birthday": birthday,
                    "wedding_anniversary": wedding,
                },
            )
    return world


def test_date_alarm_digest_lists_the_coming_dates_of_ones_firms(dated):
    with scope(tenant=dated.tenant.pk):
        items = date_alarms(
            tenant=dated.tenant, employee=dated.employee, start=date(2031, 1, 15), days=7
        )
    assert [(i.on, i.kind, i.name, i.years) for i in items] == [
        (date(2031, 1, 17), "birthday", "Ayşe Kaya", None),
        (date(2031, 1, 18), "founding", "Mavi Deniz A.Ş.", 30),
        (date(2031, 1, 20), "wedding", "Mehmet Kaya", 20),
    ]


def test_date_alarm_email_once_a_day_at_the_morning_hour_local_time(dated):
    # 07:00 in Istanbul is 04:00 UTC.
    assert run(at("15 03:59"))["date-alarms"] == 0
    assert run(at("15 04:00"))["date-alarms"] == 1
    mine = f"date-alarms:{dated.employee.pk}:2031-01-15"
    assert set(rows("date-alarms:")) == {mine}
    # 07:00 in Warsaw: the manager's digest (his firm's dates); the employee's is not repeated.
    assert run(at("15 10:00"))["date-alarms"] == 1
    assert set(rows("date-alarms:")) == {mine, f"date-alarms:{dated.manager.pk}:2031-01-15"}
    assert "Globex" in rows()[f"date-alarms:{dated.manager.pk}:2031-01-15"].body_text
    row = rows()[mine]
    assert row.to == [dated.employee.user.email]
    assert "Ayşe Kaya" in row.body_text and "Mavi Deniz A.Ş." in row.body_text
    assert "Mehmet Kaya" in row.body_html and "Later" not in row.body_text
    assert "Stranger" not in row.body_text
    assert "17 Ocak 2031" in row.body_text  # the employee's language
    with scope(tenant=dated.tenant.pk):
        preference = AgendaPreference.objects.get(employee=dated.employee)
    assert preference.date_alarms_sent_on == date(2031, 1, 15)
    assert run(at("16 04:00"))["date-alarms"] == 1  # the next day, again


def test_date_alarms_nothing_to_say_or_turned_off_sends_nothing(dated):
    # The manager's firm has a founding anniversary and a birthday on 16 January.
    with scope(tenant=dated.tenant.pk):
        AgendaPreference.objects.update_or_create(
            tenant=dated.tenant, employee=dated.employee, defaults={"date_alarm_days": 0}
        )
    run(at("20 12:00"))  # after the manager's dates: the manager has nothing to say
    assert rows("date-alarms:") == {}
    with scope(tenant=dated.tenant.pk):
        preference = AgendaPreference.objects.get(employee=dated.manager)
        assert preference.date_alarms_sent_on == date(2031, 1, 20)  # looked, nothing to say
        assert AgendaPreference.objects.get(employee=dated.employee).date_alarms_sent_on is None


# --------------------------------------------------------------------------------------------
# Outbox attachments and recurring series


def test_enqueue_stores_attachments_and_delivery_attaches_them(locmem):
    row = mail.enqueue(
        key="with-attachment",
        to=["a@example.com"],
        subject="s",
        body_text="b",
        attachments=[
            ("notes.txt", b"hello", "text/plain"),
            ("x.bin", b"\x00\x01", "application/x"),
        ],
    )
    assert row.attachments[0]["filename"] == "notes.txt"
    assert mail.deliver(row.pk) == OutboxEmail.Status.SENT
    message = locmem[0].message()
    parts = {p.get_filename(): p for p in message.walk() if p.get_filename()}
    assert parts["notes.txt"].get_payload(decode=True) == b"hello"
    assert parts["x.bin"].get_payload(decode=True) == b"\x00\x01"


def test_extend_series_adds_occurrences_to_open_ended_series(people):
    """The series was expanded long ago: only 100 days are left; the job tops it up."""
    soon = timezone.now().replace(microsecond=0) + timedelta(days=1)
    first = book(people, start=soon, participants=[], repeat={"frequency": "weekly"})
    cut = soon + timedelta(days=100)
    with scope(tenant=people.tenant.pk):
        series = first.series
        full = Activity.objects.filter(series=series).count()
        Activity.objects.filter(series=series, start__gt=cut).delete()
        ActivitySeries.objects.filter(pk=series.pk).update(expanded_until=cut)
        kept = Activity.objects.filter(series=series).count()
    assert kept < full

    assert series_horizon.extend_series() == 1
    assert series_horizon.extend_series() == 0  # far enough ahead now
    with scope(tenant=people.tenant.pk):
        starts = list(
            Activity.objects.filter(series=series).order_by("start").values_list("start", flat=True)
        )
    assert len(starts) >= full and len(set(starts)) == len(starts)
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(starts))


def test_the_bell_fragment_shows_the_new_alarm_without_a_reload(people, client):
    url = reverse("companies:notification-bell", args=[people.tenant.slug])
    client.force_login(people.employee.user)
    page = client.get(reverse("companies:notifications", args=[people.tenant.slug]))
    assert f'hx-get="{url}"' in page.content.decode()
    assert 'hx-trigger="every 30s"' in page.content.decode()
    assert 'id="notification-count"' not in client.get(url).content.decode()

    book(people, code="call", alarm_minutes=30)
    run(at("15 11:30"))

    bell = client.get(url)
    assert bell.status_code == 200 and bell["Cache-Control"] == "no-store"
    html = bell.content.decode()
    assert html.strip().startswith('<li class="nav-item dropdown" id="notification-bell"')
    assert 'hx-swap="outerHTML"' in html
    assert '<span class="badge rounded-pill text-bg-danger" id="notification-count">1' in html
    assert "Offer &lt;review&gt;, saat 15:00" in html  # the Turkish recipient
