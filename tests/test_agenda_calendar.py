"""The calendars, their event feed, moves with the clash warning, and the start page."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agenda.models import Activity, AgendaPreference, Priority, Status
from agenda.services.activities import activity_cancel, activity_close, activity_create
from core import choices
from tests.factories import make_employee, make_firm, make_world
from tests.helpers import ALLOWED, HOSTILE

UTC = ZoneInfo("UTC")
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # a week with no daylight-saving change


def activity_type(tenant, code="appointment"):
    with scope(tenant=tenant.pk):
        return choices.options(tenant=tenant, key="activity_type").get(code=code)


def book(world, subject, start, *, actor=None, assigned_to=None, minutes=60, **data):
    """An activity through the real service (clashes accepted)."""
    actor = actor or world.executive
    with scope(tenant=world.tenant.pk):
        return activity_create(
            tenant=world.tenant,
            actor=actor,
            data={
                "type": data.pop("type", None) or activity_type(world.tenant),
                "subject": subject,
                "assigned_to": assigned_to or actor,
                "start": start,
                "end": start + timedelta(minutes=minutes),
                **data,
            },
            confirm_clash=True,
        )


def feed(client, world, start=MONDAY, days=7, **params):
    url = reverse("agenda:calendar-feed", args=[world.tenant.slug])
    query = {"start": start.isoformat(), "end": (start + timedelta(days=days)).isoformat()}
    return client.get(url, {**query, **params})


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(event["title"] for event in response.json())


# --- the feed ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feed_returns_the_events_of_the_range_with_what_the_calendar_needs(client, world):
    shown = book(world, "Visit Boğaziçi", MONDAY + timedelta(hours=9), assigned_to=world.employee)
    book(world, "Next week", MONDAY + timedelta(days=8))
    client.force_login(world.employee.user)

    events = feed(client, world).json()

    assert len(events) == 1
    (event,) = events
    assert event["id"] == str(shown.pk)
    assert event["title"] == f"Visit Boğaziçi · {world.employee.full_name}"
    assert datetime.fromisoformat(event["start"]) == MONDAY + timedelta(hours=9)
    assert datetime.fromisoformat(event["end"]) == MONDAY + timedelta(hours=10)
    assert event["allDay"] is False
    assert event["color"] == activity_type(world.tenant).colour
    assert event["editable"] is False  # the executive booked it: only they may change it
    popup = event["extendedProps"]["popup"]
    assert popup == reverse("agenda:activity-popup", args=[world.tenant.slug, shown.pk])

    client.force_login(world.executive.user)
    assert feed(client, world).json()[0]["editable"] is True


@pytest.mark.django_db
def test_feed_shows_the_times_in_the_users_time_zone_and_all_day_as_dates(client, world):
    world.employee.user.timezone = "Europe/Istanbul"
    world.employee.user.save(update_fields=["timezone"])
    book(world, "Timed", MONDAY + timedelta(hours=9))
    istanbul = ZoneInfo("Europe/Istanbul")
    book(
        world,
        "Fair",
        datetime(2026, 3, 4, tzinfo=istanbul),
        minutes=24 * 60,
        all_day=True,
    )
    client.force_login(world.employee.user)
    events = {event["title"].split(" · ")[0]: event for event in feed(client, world).json()}
    assert events["Timed"]["start"] == "2026-03-02T12:00:00+03:00"
    assert events["Fair"]["allDay"] is True
    assert (events["Fair"]["start"], events["Fair"]["end"]) == ("2026-03-04", "2026-03-05")


@pytest.mark.django_db
def test_feed_marks_done_and_cancelled_events(client, world):
    done = book(world, "Done call", MONDAY + timedelta(hours=8), priority=Priority.HIGH)
    cancelled = book(world, "Called off", MONDAY + timedelta(hours=11))
    with scope(tenant=world.tenant.pk):
        activity_close(tenant=world.tenant, actor=world.executive, activity=done, work_minutes=30)
        activity_cancel(tenant=world.tenant, actor=world.executive, activity=cancelled)
    client.force_login(world.executive.user)
    events = {event["id"]: event for event in feed(client, world).json()}
    assert "kv-event-done" in events[str(done.pk)]["className"]
    assert "kv-priority-high" in events[str(done.pk)]["className"]
    assert "kv-event-cancelled" in events[str(cancelled.pk)]["className"]
    assert not events[str(done.pk)]["editable"]  # only planned activities move


@pytest.mark.django_db
def test_feed_filters_by_employee_type_status_firm_and_mine(client, world):
    firm = make_firm(world.tenant, "Anadolu Tekstil", actor=world.executive.user)
    call = activity_type(world.tenant, "call")
    book(world, "Exec meeting", MONDAY + timedelta(hours=9))
    book(
        world, "Employee call", MONDAY + timedelta(hours=10), assigned_to=world.employee, type=call
    )
    book(world, "At the firm", MONDAY + timedelta(hours=11), assigned_to=world.manager, firm=firm)
    with_participant = book(world, "Team lunch", MONDAY + timedelta(hours=12))
    with scope(tenant=world.tenant.pk):
        with_participant.participants.add(world.employee)
        closed = book(world, "Closed", MONDAY + timedelta(hours=14))
        activity_close(tenant=world.tenant, actor=world.executive, activity=closed, work_minutes=5)
    client.force_login(world.employee.user)
    exec_name, emp_name = world.executive.full_name, world.employee.full_name

    assert len(titles(feed(client, world))) == 5
    assert titles(feed(client, world, employee=world.employee.pk)) == [
        f"Employee call · {emp_name}",
        f"Team lunch · {exec_name}",
    ]
    assert titles(feed(client, world, type=call.pk)) == [f"Employee call · {emp_name}"]
    assert titles(feed(client, world, status="done")) == [f"Closed · {exec_name}"]
    assert titles(feed(client, world, firm=firm.pk)) == [f"At the firm · {world.manager.full_name}"]
    # "My appointments": assigned or participant, whatever employee filter is sent.
    mine = feed(client, world, mine="1", employee=world.manager.pk)
    assert titles(mine) == ["Employee call", "Team lunch"]


@pytest.mark.django_db
def test_feed_hides_activities_not_shown_in_the_agenda(client, world):
    book(world, "Private", MONDAY + timedelta(hours=9), show_in_agenda=False)
    client.force_login(world.employee.user)
    assert titles(feed(client, world)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "yesterday", "end": "2026-03-09T00:00:00Z"},
        {"start": "2026-03-02T00:00:00Z", "end": "2026-13-45"},
        {"start": "2026-03-09T00:00:00Z", "end": "2026-03-02T00:00:00Z"},
        {"start": "2026-01-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"},
        {"start": "2026-03-02\x00", "end": "2026-03-09"},
        {"start": "2026-03-02", "end": "2026-03-09", "employee": "abc"},
        {"start": "2026-03-02", "end": "2026-03-09", "type": "1 OR 1=1"},
        {"start": "2026-03-02", "end": "2026-03-09", "status": "<script>"},
        {"start": "2026-03-02", "end": "2026-03-09", "firm": "999999999"},
        {"start": "x" * 5000, "end": "2026-03-09"},
        {"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-02T00:00:00+14:00"},
        {"start": "9999-12-31T00:00:00-14:00", "end": "9999-12-31T23:00:00-14:00"},
    ],
)
def test_feed_answers_bad_parameters_with_400(client, world, params):
    client.force_login(world.employee.user)
    response = client.get(reverse("agenda:calendar-feed", args=[world.tenant.slug]), params)
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.django_db
def test_feed_refuses_a_firm_of_another_tenant(client, world, other_world):
    foreign = make_firm(other_world.tenant, "Foreign", actor=other_world.executive.user)
    client.force_login(world.executive.user)
    assert feed(client, world, firm=foreign.pk).status_code == 400


@pytest.mark.django_db
def test_feed_query_count_does_not_grow_with_5000_events(client, world):
    client.force_login(world.executive.user)
    start = datetime(2026, 2, 23, tzinfo=UTC)  # a month view: six weeks
    book(world, "First", start + timedelta(hours=9))

    def feed_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = feed(client, world, start=start, days=42)
        assert response.status_code == 200
        feed_queries.truncated = response.get("X-Kervan-Truncated")
        return len(ctx.captured_queries), len(response.json())

    few, count = feed_queries()
    assert feed_queries.truncated is None
    assert count == 1
    kind = activity_type(world.tenant)
    people = [world.executive, world.manager, world.employee, world.outsider]
    with scope(tenant=world.tenant.pk):
        Activity.objects.bulk_create(
            Activity(
                tenant=world.tenant,
                type=kind,
                subject=f"Bulk {i}",
                assigned_to=people[i % 4],
                created_by=world.executive,
                start=start + timedelta(minutes=12 * i),
                end=start + timedelta(minutes=12 * i + 30),
            )
            for i in range(5000)
        )
    many, count = feed_queries()
    # 5,001 in the range: the feed sends the first 5,000 and says it stopped there.
    assert count == 5000 and feed_queries.truncated == "5000"
    assert many == few, f"{few} queries with 1 event, {many} with 5,001"
    assert many <= 8


# --- moving -----------------------------------------------------------------------------------


def move(client, world, activity, start, end, **extra):
    url = reverse("agenda:activity-move", args=[world.tenant.slug, activity.pk])
    return client.post(url, {"start": start, "end": end, **extra})


def times_of(world, activity):
    with scope(tenant=world.tenant.pk):
        activity.refresh_from_db()
    return activity.start, activity.end


@pytest.mark.django_db
def test_the_creator_moves_an_activity_by_dragging(client, world):
    mine = book(world, "Demo", MONDAY + timedelta(hours=9), actor=world.employee)
    client.force_login(world.employee.user)
    response = move(client, world, mine, "2026-03-03T14:00:00+00:00", "2026-03-03T15:30:00+00:00")
    assert response.status_code == 200, response.content
    assert times_of(world, mine) == (
        datetime(2026, 3, 3, 14, tzinfo=UTC),
        datetime(2026, 3, 3, 15, 30, tzinfo=UTC),
    )


@pytest.mark.django_db
def test_moving_onto_another_booking_answers_409_and_confirm_goes_ahead(client, world):
    book(world, "Board meeting", MONDAY + timedelta(days=1, hours=14), actor=world.employee)
    mine = book(world, "Demo", MONDAY + timedelta(hours=9), actor=world.employee)
    client.force_login(world.employee.user)
    start, end = "2026-03-03T14:30:00+00:00", "2026-03-03T15:30:00+00:00"

    warned = move(client, world, mine, start, end)
    assert warned.status_code == 409
    assert "Board meeting" in " ".join(warned.json()["clashes"])
    assert times_of(world, mine)[0] == MONDAY + timedelta(hours=9)

    confirmed = move(client, world, mine, start, end, confirm="1")
    assert confirmed.status_code == 200
    assert times_of(world, mine)[0] == datetime(2026, 3, 3, 14, 30, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["employee", "manager", "outsider"])
def test_only_the_creator_or_an_executive_moves_it(client, world, who):
    theirs = book(world, "Not yours", MONDAY + timedelta(hours=9), actor=world.employee)
    if who == "employee":
        theirs = book(world, "Exec's", MONDAY + timedelta(hours=11))
    client.force_login(getattr(world, who).user)
    response = move(client, world, theirs, "2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z")
    assert response.status_code == 403
    assert times_of(world, theirs)[0].day == 2


@pytest.mark.django_db
def test_an_executive_moves_anyones_activity(client, world):
    theirs = book(world, "Employee's", MONDAY + timedelta(hours=9), actor=world.employee)
    client.force_login(world.executive.user)
    response = move(client, world, theirs, "2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z")
    assert response.status_code == 200
    assert times_of(world, theirs)[0] == datetime(2026, 3, 5, 9, tzinfo=UTC)


@pytest.mark.django_db
def test_moving_to_all_day_and_bad_moves(client, world):
    mine = book(world, "Demo", MONDAY + timedelta(hours=9))
    client.force_login(world.executive.user)
    assert move(client, world, mine, "2026-03-04", "").status_code == 200
    with scope(tenant=world.tenant.pk):
        mine.refresh_from_db()
    # allDay was not sent: the activity stays timed and keeps its length
    assert mine.end - mine.start == timedelta(hours=1)
    response = move(client, world, mine, "2026-03-06", "2026-03-07", allDay="true")
    assert response.status_code == 200
    with scope(tenant=world.tenant.pk):
        mine.refresh_from_db()
    local = ZoneInfo(world.executive.user.timezone)  # a date alone is the user's midnight
    assert mine.all_day and mine.start == datetime(2026, 3, 6, tzinfo=local)
    assert mine.end == datetime(2026, 3, 7, tzinfo=local)

    for start, end in [("nonsense", ""), ("2026-03-05T10:00Z", "2026-03-05T09:00Z"), ("", "")]:
        assert move(client, world, mine, start, end).status_code == 400
    assert mine.start == times_of(world, mine)[0]


@pytest.mark.django_db
def test_a_closed_activity_does_not_move(client, world):
    done = book(world, "Done", MONDAY + timedelta(hours=9))
    with scope(tenant=world.tenant.pk):
        activity_close(tenant=world.tenant, actor=world.executive, activity=done, work_minutes=5)
    client.force_login(world.executive.user)
    assert move(client, world, done, "2026-03-05T09:00Z", "2026-03-05T10:00Z").status_code == 400


@pytest.mark.django_db
def test_moving_another_tenants_activity_is_404(client, world, other_world):
    foreign = book(other_world, "Theirs", MONDAY + timedelta(hours=9))
    client.force_login(world.executive.user)
    url = reverse("agenda:activity-move", args=[world.tenant.slug, foreign.pk])
    assert client.post(url, {"start": "2026-03-05", "end": "2026-03-06"}).status_code == 404


# --- the pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_popup_links_the_employee_firm_and_activity(client, world):
    firm = make_firm(world.tenant, "Ege Gıda", actor=world.executive.user)
    shown = book(
        world,
        "Tasting",
        MONDAY + timedelta(hours=9),
        assigned_to=world.employee,
        firm=firm,
        location="İzmir",
    )
    client.force_login(world.manager.user)
    page = client.get(reverse("agenda:activity-popup", args=[world.tenant.slug, shown.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tasting" in text and "İzmir" in text and "Appointment" in text
    employee_url = reverse("accounts:employee-detail", args=[world.tenant.slug, world.employee.pk])
    assert f'href="{employee_url}"' in text
    assert reverse("companies:firm-detail", args=[world.tenant.slug, firm.pk]) in text
    assert reverse("agenda:activity-detail", args=[world.tenant.slug, shown.pk]) in text


@pytest.mark.django_db
def test_calendar_pages_render_with_filters_and_the_slot_preference(client, world):
    client.force_login(world.employee.user)
    url = reverse("agenda:calendar", args=[world.tenant.slug])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="agenda-calendar"' in text and "fullcalendar/global.js" in text
    # The employee filter is a search box: nobody is listed until chosen.
    assert world.outsider.full_name not in text and 'id="filter-employee"' in text
    assert reverse("accounts:employee-picker", args=[world.tenant.slug]) in text
    chosen = client.get(url, {"employee": [world.outsider.pk, world.manager.pk, "x"]}).text
    for person in (world.outsider, world.manager):
        assert f'name="employee" value="{person.pk}"' in chosen and person.full_name in chosen
    config = json.loads(text.split('id="agenda-config" type="application/json">')[1].split("<")[0])
    assert config["slotMinutes"] == 30 and config["mine"] is False
    assert config["feed"] == reverse("agenda:calendar-feed", args=[world.tenant.slug])

    with scope(tenant=world.tenant.pk):
        AgendaPreference.objects.create(
            tenant=world.tenant, employee=world.employee, slot_minutes=15
        )
    assert '"slotMinutes": 15' in client.get(url).content.decode()
    assert '"slotMinutes": 45' in client.get(url, {"slot": "45"}).content.decode()
    assert '"slotMinutes": 15' in client.get(url, {"slot": "7"}).content.decode()

    mine = client.get(reverse("agenda:my-calendar", args=[world.tenant.slug]))
    assert mine.status_code == 200 and '"mine": true' in mine.content.decode()
    assert 'name="employee"' not in mine.content.decode()


@pytest.mark.django_db
def test_calendar_renders_right_to_left_in_persian(client, world):
    client.force_login(world.employee.user)
    client.post(reverse("accounts:language"), {"language": "fa", "next": "/"})
    text = client.get(reverse("agenda:calendar", args=[world.tenant.slug])).content.decode()
    assert 'dir="rtl"' in text and 'data-direction="rtl"' in text
    assert "fullcalendar/locales/fa/global.js" in text
    assert '"locale": "fa"' in text


# --- the start page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_page_shows_current_upcoming_and_overdue_tasks(client, world):
    now = timezone.now()
    upcoming = book(world, "Upcoming demo", now + timedelta(hours=2), actor=world.employee)
    urgent = book(
        world, "Urgent call", now + timedelta(days=1), actor=world.employee, priority="high"
    )
    done = book(
        world, "Finished visit", now - timedelta(hours=3), actor=world.employee, priority="low"
    )
    late = book(world, "Forgotten offer", now - timedelta(days=2), actor=world.employee)
    book(world, "Someone else's", now + timedelta(hours=1), actor=world.outsider)
    with scope(tenant=world.tenant.pk):
        activity_close(tenant=world.tenant, actor=world.employee, activity=done, work_minutes=20)
    client.force_login(world.employee.user)

    text = client.get(reverse("accounts:home", args=[world.tenant.slug])).content.decode()

    current_part, overdue_part = text.split('id="current-tasks"')[1].split('id="overdue-tasks"')
    for activity in (upcoming, urgent, done):
        assert activity.subject in current_part
    assert "Forgotten offer" in overdue_part and "Forgotten offer" not in current_part
    assert "Someone else" not in text

    def item(activity):
        return text.split(f'data-activity="{activity.pk}"')[0].rsplit("<li", 1)[1]

    assert "kv-task-planned" in item(upcoming) and "fw-bold" not in item(upcoming)
    assert "kv-task-planned" in item(urgent) and "fw-bold" in item(urgent)
    assert "kv-task-done" in item(done) and "fst-italic" in item(done)
    assert "kv-task-overdue" in item(late)
    assert reverse("agenda:activity-detail", args=[world.tenant.slug, late.pk]) in text
    assert world.employee.first_name in text  # the greeting stays


@pytest.mark.django_db
def test_start_page_empty_state(client, world):
    client.force_login(world.employee.user)
    text = client.get(reverse("accounts:home", args=[world.tenant.slug])).content.decode()
    assert "Nothing planned for the coming days." in text
    assert "Nothing overdue." in text


@pytest.mark.django_db
def test_start_page_query_count_does_not_grow(client, world):
    client.force_login(world.employee.user)
    url = reverse("accounts:home", args=[world.tenant.slug])
    now = timezone.now()
    book(world, "One", now + timedelta(hours=1), actor=world.employee)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        book(world, f"Task {i}", now + timedelta(hours=2 + i), actor=world.employee)
        book(world, f"Late {i}", now - timedelta(days=1, hours=i), actor=world.employee)
    assert count() == few


def test_status_values_are_what_the_css_expects():
    assert set(Status.values) == {"planned", "done", "cancelled"}


@pytest.mark.django_db
def test_a_second_tenant_cannot_read_the_feed(client, world):
    outsider = make_world("Initech", "c")
    client.force_login(outsider.executive.user)
    assert feed(client, world).status_code == 404


@pytest.mark.django_db
def test_move_with_hostile_input_never_fails_and_changes_nothing(client, world):
    mine = book(world, "Demo", MONDAY + timedelta(hours=9))
    before = times_of(world, mine)
    client.force_login(world.executive.user)
    for value in HOSTILE:
        for field in ("start", "end"):
            data = {"start": "2026-03-05T09:00Z", "end": "2026-03-05T10:00Z", field: value}
            url = reverse("agenda:activity-move", args=[world.tenant.slug, mine.pk])
            response = client.post(url, data)
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            if value or field == "start":  # an empty end keeps the length: a valid move
                assert response.status_code == 400, (field, value[:20])
            elif response.status_code == 200:
                client.post(url, {"start": before[0].isoformat(), "end": before[1].isoformat()})
        data = {"start": value, "end": value, "allDay": value, "confirm": value}
        url = reverse("agenda:activity-move", args=[world.tenant.slug, mine.pk])
        assert client.post(url, data).status_code == 400
    assert times_of(world, mine) == before


@pytest.mark.django_db
def test_feed_with_hostile_filters_never_fails(client, world):
    client.force_login(world.employee.user)
    for value in HOSTILE:
        for field in ("employee", "type", "status", "firm", "mine"):
            response = feed(client, world, **{field: value})
            assert response.status_code in (200, 400), (field, value[:20])


@pytest.mark.django_db
def test_calendar_page_query_count_does_not_grow(client, world):
    client.force_login(world.executive.user)
    url = reverse("agenda:calendar", args=[world.tenant.slug])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        make_employee(world.tenant, f"cal{i}@example.com", reports_to=world.manager)
        make_firm(world.tenant, f"Firm {i}", actor=world.executive.user)
    many = count()
    assert few == many and many <= 16, (few, many)
