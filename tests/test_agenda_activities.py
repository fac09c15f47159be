"""Activities through the pages people use: booking, the clash warning, editing rights,
closing, cancelling, attachments, the list, dealer staff, the firm's timeline, budgets and
hostile input."""

import io
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Position
from agenda.models import Activity, ActivityAttachment, ActivitySeries
from agenda.services.activities import activity_create
from companies.services.firms import contact_create
from core.models import AuditEntry, Choice
from tests import helpers
from tests.factories import make_employee
from tests.helpers import make_firm

UTC = ZoneInfo("UTC")
ZONE = ZoneInfo("Europe/Istanbul")  # the users' default time zone
HOSTILE = [*helpers.HOSTILE, "9999-12-31T23:59"]
ALLOWED = helpers.ALLOWED


def agenda_url(world, name, *args):
    return reverse(f"agenda:{name}", args=[world.tenant.slug, *args])


def activity_type(world, code="call"):
    with scopes_disabled():
        return Choice.objects.get(tenant=world.tenant, list_key="activity_type", code=code)


def future(days=3, hour=10):
    day = timezone.now().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def local_text(moment):
    """What the user types in their own time zone for ``moment``."""
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def form_data(world, **extra):
    start = extra.pop("start", future())
    if isinstance(start, str):  # hostile text typed into the start field
        extra["start"] = start
        start = future()
    data = {
        "type": activity_type(world).pk,
        "subject": "Call about the offer",
        "description": "",
        "firm": "",
        "start": local_text(start),
        "end": local_text(start + timedelta(hours=1)),
        "location": "",
        "priority": "normal",
        "status": "planned",
        "show_in_agenda": "on",
        "alarm_minutes": "",
        "repeat": "",
        "repeat_interval": "1",
    }
    data.update(extra)
    return data


def book(world, actor, **data):
    """An activity created through the service, as ``actor``."""
    start = data.pop("start", future())
    values = {
        "type": activity_type(world, data.pop("type_code", "call")),
        "subject": data.pop("subject", "Booked"),
        "start": start,
        "end": data.pop("end", start + timedelta(hours=1)),
        "assigned_to": data.pop("assigned_to", actor),
        **data,
    }
    with scope(tenant=world.tenant.pk):
        return activity_create(tenant=world.tenant, actor=actor, data=values, confirm_clash=True)


def activities(world, **filters):
    with scopes_disabled():
        return list(Activity.objects.filter(tenant=world.tenant, **filters))


# Booking -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_employee_books_an_activity_on_a_firm_with_its_contacts(login, world):
    firm = make_firm(world, "Anka Tekstil")  # in the pool: every employee sees it
    with scope(tenant=world.tenant.pk):
        ayse = contact_create(
            tenant=world.tenant, actor=None, firm=firm, data={"first_name": "Ayşe"}
        )
    client = login(world.employee)
    page = client.get(agenda_url(world, "activity-create") + f"?firm={firm.pk}")
    assert page.status_code == 200
    assert "Ayşe" in page.content.decode()  # the firm's contacts are offered
    assert 'name="assigned_to"' not in page.content.decode()  # no agenda.assign

    response = client.post(
        agenda_url(world, "activity-create"),
        form_data(world, firm=firm.pk, contacts=[ayse.pk], location="Bursa"),
    )
    assert response.status_code == 302
    (activity,) = activities(world)
    detail = client.get(response["Location"]).content.decode()
    assert "Call about the offer" in detail and "Anka Tekstil" in detail and "Ayşe" in detail
    assert activity.assigned_to_id == world.employee.pk
    assert activity.created_by_id == world.employee.pk


@pytest.mark.django_db
def test_contacts_refill_for_the_chosen_firm(login, world):
    firm = make_firm(world, "Kartal Ltd")
    with scope(tenant=world.tenant.pk):
        contact_create(tenant=world.tenant, actor=None, firm=firm, data={"first_name": "Mert"})
    client = login(world.employee)
    fragment = client.get(agenda_url(world, "activity-contacts") + f"?firm={firm.pk}")
    assert fragment.status_code == 200 and "Mert" in fragment.content.decode()
    empty = client.get(agenda_url(world, "activity-contacts") + "?firm=abc")
    assert "Mert" not in empty.content.decode()


@pytest.mark.django_db
def test_contacts_of_another_firm_are_rejected(login, world):
    mine = make_firm(world, "Mine")
    other = make_firm(world, "Other")
    with scope(tenant=world.tenant.pk):
        stranger = contact_create(
            tenant=world.tenant, actor=None, firm=other, data={"first_name": "Stranger"}
        )
    client = login(world.employee)
    response = client.post(
        agenda_url(world, "activity-create"),
        form_data(world, firm=mine.pk, contacts=[stranger.pk]),
    )
    assert response.status_code == 400
    assert activities(world) == []


@pytest.mark.django_db
def test_a_firm_the_employee_cannot_see_is_refused(login, world):
    world.tenant.employees_read_all_firms = False
    world.tenant.save()
    hidden = make_firm(world, "Hidden", sales_rep=world.outsider)
    client = login(world.employee)
    response = client.post(agenda_url(world, "activity-create"), form_data(world, firm=hidden.pk))
    assert response.status_code == 400
    assert activities(world) == []


@pytest.mark.django_db
def test_employee_without_assign_books_only_for_themselves(login, world):
    client = login(world.employee)
    response = client.post(
        agenda_url(world, "activity-create"),
        form_data(world, assigned_to=world.outsider.pk),
    )
    # The field is not offered: the activity is the employee's own.
    assert response.status_code == 302
    (activity,) = activities(world)
    assert activity.assigned_to_id == world.employee.pk


@pytest.mark.django_db
def test_manager_books_for_a_colleague(login, world):
    client = login(world.manager)
    page = client.get(agenda_url(world, "activity-create"))
    assert 'name="assigned_to"' in page.content.decode()
    response = client.post(
        agenda_url(world, "activity-create"),
        form_data(world, assigned_to=world.employee.pk, participants=[world.outsider.pk]),
    )
    assert response.status_code == 302
    (activity,) = activities(world)
    assert activity.assigned_to_id == world.employee.pk
    assert activity.created_by_id == world.manager.pk
    with scopes_disabled():
        assert list(activity.participants.all()) == [world.outsider]


@pytest.mark.django_db
def test_prefill_from_the_calendar_selection_and_safe_next(login, world):
    client = login(world.employee)
    page = client.get(
        agenda_url(world, "activity-create")
        + "?start=2030-05-06&end=2030-05-08&all_day=1&next=https://evil.example/"
    )
    html = page.content.decode()
    assert 'value="2030-05-06T00:00"' in html
    assert 'value="2030-05-07T00:00"' in html  # the calendar's end is exclusive
    assert 'name="next" value="https://evil' not in html

    target = reverse("companies:firm-list", args=[world.tenant.slug])
    data = form_data(world, all_day="on")
    data["start"], data["end"] = "2030-05-06T00:00", "2030-05-07T00:00"
    response = client.post(agenda_url(world, "activity-create") + f"?next={target}", data)
    assert response.status_code == 302 and response["Location"] == target
    (activity,) = activities(world)
    assert activity.all_day
    assert activity.start == datetime(2030, 5, 6, tzinfo=ZONE)
    assert activity.end == datetime(2030, 5, 8, tzinfo=ZONE)

    evil = client.post(
        agenda_url(world, "activity-create") + "?next=https://evil.example/",
        form_data(world, subject="Second", start=future(days=9)),
    )
    assert evil.status_code == 302 and "evil.example" not in evil["Location"]


@pytest.mark.django_db
def test_times_are_read_in_the_users_time_zone(login, world):
    user = world.employee.user
    user.timezone = "Europe/Warsaw"
    user.save()
    client = login(world.employee)
    data = form_data(world)
    data["start"], data["end"] = "2030-03-04T09:00", "2030-03-04T10:00"
    assert client.post(agenda_url(world, "activity-create"), data).status_code == 302
    (activity,) = activities(world)
    assert activity.start == datetime(2030, 3, 4, 8, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_logging_a_done_activity_needs_the_work_time(login, world):
    client = login(world.employee)
    response = client.post(agenda_url(world, "activity-create"), form_data(world, status="done"))
    assert response.status_code == 400 and activities(world) == []
    response = client.post(
        agenda_url(world, "activity-create"),
        form_data(world, status="done", work_minutes="25"),
    )
    assert response.status_code == 302
    (activity,) = activities(world)
    assert activity.status == "done" and activity.work_minutes == 25


# Clash ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_clash_warning_names_the_clash_and_book_anyway_saves(login, world):
    book(world, world.employee, subject="Visit at Anka", start=future(hour=10))
    client = login(world.employee)
    data = form_data(world, subject="Second booking", start=future(hour=10) + timedelta(minutes=30))
    response = client.post(agenda_url(world, "activity-create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Visit at Anka" in html and world.employee.full_name in html
    assert 'name="confirm_clash"' in html and "Book anyway" in html
    assert len(activities(world)) == 1

    response = client.post(agenda_url(world, "activity-create"), {**data, "confirm_clash": "1"})
    assert response.status_code == 302
    assert len(activities(world)) == 2


@pytest.mark.django_db
def test_clash_with_a_participant_and_with_a_later_occurrence(login, world):
    later = future(days=8, hour=9)
    book(world, world.outsider, subject="Outsider's review", start=later)
    client = login(world.manager)
    data = form_data(
        world,
        subject="Weekly sync",
        start=future(days=1, hour=9),
        assigned_to=world.manager.pk,
        participants=[world.outsider.pk],
        repeat="daily",
        repeat_count="10",
    )
    response = client.post(agenda_url(world, "activity-create"), data)
    assert response.status_code == 200 and "Outsider&#x27;s review" in response.content.decode()
    assert len(activities(world)) == 1


# Editing rights ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_creator_and_executives_edit(login, world, client):
    activity = book(world, world.employee, subject="Mine")
    edit = agenda_url(world, "activity-edit", activity.pk)
    for person in (world.manager, world.outsider):
        client.force_login(person.user)
        assert client.get(edit).status_code == 403
        assert client.post(edit, form_data(world, subject="Stolen")).status_code == 403
        assert client.post(agenda_url(world, "activity-cancel", activity.pk)).status_code == 403
        detail = client.get(agenda_url(world, "activity-detail", activity.pk)).content.decode()
        assert edit not in detail

    client.force_login(world.employee.user)
    assert edit in client.get(agenda_url(world, "activity-detail", activity.pk)).content.decode()
    response = client.post(edit, form_data(world, subject="Renamed", start=activity.start))
    assert response.status_code == 302

    client.force_login(world.executive.user)
    data = form_data(
        world, subject="By the boss", start=activity.start, assigned_to=world.employee.pk
    )
    response = client.post(edit, data)
    assert response.status_code == 302
    (saved,) = activities(world)
    assert saved.subject == "By the boss"
    history = client.get(agenda_url(world, "activity-detail", activity.pk)).content.decode()
    assert "Renamed" in history and "By the boss" in history  # the audit trail


@pytest.mark.django_db
def test_edit_keeps_the_assignee_for_an_employee_without_assign(login, world):
    activity = book(world, world.manager, assigned_to=world.employee)
    with scopes_disabled():
        activity.created_by = world.employee
        activity.save()
    client = login(world.employee)
    response = client.post(
        agenda_url(world, "activity-edit", activity.pk),
        form_data(world, subject="Kept", start=activity.start),
    )
    assert response.status_code == 302
    (saved,) = activities(world)
    assert saved.subject == "Kept" and saved.assigned_to_id == world.employee.pk


# Closing and cancelling ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assigned_employee_closes_with_work_time(login, world):
    activity = book(world, world.manager, assigned_to=world.employee)
    client = login(world.employee)
    url = agenda_url(world, "activity-close", activity.pk)
    page = client.get(url).content.decode()
    assert 'name="work_minutes"' in page and 'name="distance_km"' not in page
    assert client.post(url, {"work_minutes": ""}).status_code == 400
    assert client.post(url, {"work_minutes": "45"}).status_code == 302
    (saved,) = activities(world)
    assert saved.status == "done" and saved.work_minutes == 45 and saved.closed_by == world.employee
    detail = client.get(agenda_url(world, "activity-detail", activity.pk)).content.decode()
    assert "45 min of work" in detail
    # Closed once: the page sends you back to the activity.
    assert client.post(url, {"work_minutes": "10"}).status_code == 302
    assert activities(world)[0].work_minutes == 45

    client.force_login(world.outsider.user)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_closing_a_meeting_asks_for_the_distance(login, world):
    activity = book(world, world.employee, type_code="meeting")
    client = login(world.employee)
    url = agenda_url(world, "activity-close", activity.pk)
    assert 'name="distance_km"' in client.get(url).content.decode()
    assert client.post(url, {"work_minutes": "60"}).status_code == 400
    assert client.post(url, {"work_minutes": "60", "distance_km": "42.5"}).status_code == 302
    (saved,) = activities(world)
    assert str(saved.distance_km) == "42.5"


@pytest.mark.django_db
def test_cancel_an_activity(login, world):
    activity = book(world, world.employee)
    client = login(world.employee)
    response = client.post(agenda_url(world, "activity-cancel", activity.pk))
    assert response.status_code == 302
    assert activities(world)[0].status == "cancelled"
    assert client.get(agenda_url(world, "activity-cancel", activity.pk)).status_code == 405


# Visibility ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dealer_staff_see_only_their_firms_activities(login, world):
    dealer = make_firm(world, "Ege Bayi", type="dealer")
    customer = make_firm(world, "Ege Müşteri", parent=dealer)
    elsewhere = make_firm(world, "Trakya Müşteri")
    staff = make_employee(world.tenant, "staff@ege.example", Position.EMPLOYEE, firm=dealer)
    book(world, world.executive, subject="At the dealer's customer", firm=customer)
    book(world, world.executive, subject="Somewhere else", firm=elsewhere)
    book(world, world.executive, subject="Internal meeting")
    colleague = book(world, world.executive, subject="Dealer colleague", assigned_to=staff)

    client = login(staff)
    html = client.get(agenda_url(world, "activity-list") + "?scope=all").content.decode()
    assert "At the dealer&#x27;s customer" in html and "Dealer colleague" in html
    assert "Somewhere else" not in html and "Internal meeting" not in html
    hidden = activities(world, subject="Somewhere else")[0]
    assert client.get(agenda_url(world, "activity-detail", hidden.pk)).status_code == 404
    assert client.get(agenda_url(world, "activity-detail", colleague.pk)).status_code == 200


@pytest.mark.django_db
def test_everyone_sees_everyones_activities_and_the_list_filters(login, world):
    firm = make_firm(world, "Filtre A.Ş.")
    book(world, world.outsider, subject="Outsider high", priority="high", firm=firm)
    book(world, world.employee, subject="Mine low", priority="low")
    overdue = book(world, world.employee, subject="Mine overdue", start=future(days=-3))
    client = login(world.employee)
    mine = client.get(agenda_url(world, "activity-list")).content.decode()
    assert "Mine low" in mine and "Outsider high" not in mine
    everyone = client.get(agenda_url(world, "activity-list") + "?scope=all").content.decode()
    assert "Outsider high" in everyone
    by_firm = client.get(agenda_url(world, "activity-list") + f"?scope=all&firm={firm.pk}")
    assert "Mine low" not in by_firm.content.decode()
    late = client.get(agenda_url(world, "activity-list") + "?status=overdue").content.decode()
    assert "Mine overdue" in late and "Mine low" not in late
    assert 'class="table-danger' in late  # overdue rows are red
    found = client.get(agenda_url(world, "activity-list") + "?scope=all&q=HIGH").content.decode()
    assert "Outsider high" in found and "fw-bold" in found
    assert overdue.pk


@pytest.mark.django_db
def test_list_shows_status_colours_and_priority_styles(login, world):
    book(world, world.employee, subject="Planned low", priority="low")
    client = login(world.employee)
    html = client.get(agenda_url(world, "activity-list")).content.decode()
    assert 'class="table-warning fst-italic"' in html


@pytest.mark.django_db
def test_activity_shows_on_the_firms_timeline(login, world):
    firm = make_firm(world, "Zaman Çizelgesi")
    activity = book(world, world.employee, subject="Demo at their office", firm=firm)
    client = login(world.employee)
    detail = client.get(reverse("companies:firm-detail", args=[world.tenant.slug, firm.pk]))
    assert agenda_url(world, "activity-create") + f"?firm={firm.pk}" in detail.content.decode()
    timeline = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk]))
    html = timeline.content.decode()
    assert "Demo at their office" in html
    assert agenda_url(world, "activity-detail", activity.pk) in html


# Attachments ---------------------------------------------------------------------------------


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
def test_attachments_are_checked_by_content_and_served_with_rights(login, world, client):
    activity = book(world, world.employee)
    add = agenda_url(world, "activity-attachment-add", activity.pk)
    login(world.employee)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is a program", "application/pdf")
    response = client.post(add, {"file": fake})
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    renamed = SimpleUploadedFile("report.pdf", docx_bytes(), "application/pdf")
    assert client.post(add, {"file": renamed}).status_code == 400
    for name in (".hidden.pdf", "x" * 250 + ".pdf"):
        assert client.post(add, {"file": SimpleUploadedFile(name, PDF)}).status_code == 400
    assert client.post(add, {"file": ""}).status_code == 400
    with scopes_disabled():
        assert ActivityAttachment.objects.count() == 0

    upload = SimpleUploadedFile("minutes.docx", docx_bytes(), "application/octet-stream")
    assert client.post(add, {"file": upload}).status_code == 302
    assert client.post(add, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 302
    with scopes_disabled():
        first = ActivityAttachment.objects.order_by("pk").first()
    detail = client.get(agenda_url(world, "activity-detail", activity.pk)).content.decode()
    assert "minutes.docx" in detail and "a.pdf" in detail

    download = agenda_url(world, "activity-attachment", activity.pk, first.pk)
    response = client.get(download)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    b"".join(response.streaming_content)

    # Everyone sees the activity and its files; only the people on it change them.
    client.force_login(world.outsider.user)
    response = client.get(download)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    remove = agenda_url(world, "activity-attachment-remove", activity.pk, first.pk)
    assert client.post(remove).status_code == 403
    assert client.post(add, {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code == 403

    client.force_login(world.employee.user)
    assert client.post(remove).status_code == 302
    with scopes_disabled():
        assert ActivityAttachment.objects.count() == 1
    other = book(world, world.employee, subject="Other", start=future(days=20))
    wrong = agenda_url(world, "activity-attachment", other.pk, first.pk)
    assert client.get(wrong).status_code == 404


# Query budgets -------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_query_budget_does_not_grow(login, world):
    firm = make_firm(world, "Bütçe")
    client = login(world.employee)
    book(world, world.employee, firm=firm)
    url = agenda_url(world, "activity-list") + "?scope=all"
    few = count_queries(client, url)
    for i in range(20):
        book(world, world.manager, subject=f"Row {i}", firm=firm, start=future(days=i + 2))
    many = count_queries(client, url)
    assert few == many, f"{few} → {many}"
    assert many <= 16


@pytest.mark.django_db
def test_detail_query_budget_does_not_grow(login, world):
    firm = make_firm(world, "Detay")
    activity = book(world, world.employee, firm=firm)
    client = login(world.employee)
    url = agenda_url(world, "activity-detail", activity.pk)
    few = count_queries(client, url)
    with scope(tenant=world.tenant.pk):
        for i in range(8):
            contact = contact_create(
                tenant=world.tenant, actor=None, firm=firm, data={"first_name": f"C{i}"}
            )
            activity.contacts.add(contact)
        activity.participants.add(world.manager, world.outsider, world.executive)
    for i in range(5):
        client.post(
            agenda_url(world, "activity-attachment-add", activity.pk),
            {"file": SimpleUploadedFile(f"f{i}.pdf", PDF)},
        )
    many = count_queries(client, url)
    assert few == many, f"{few} → {many}"
    assert many <= 18


# Hostile input -------------------------------------------------------------------------------


def counts():
    with scopes_disabled():
        return (
            Activity.objects.count(),
            ActivitySeries.objects.count(),
            ActivityAttachment.objects.count(),
            AuditEntry.objects.filter(subject_type="agenda.activity").count(),
        )


@pytest.mark.django_db
def test_hostile_input_on_the_activity_forms(login, world, other_world):
    foreign_firm = make_firm(other_world, "Foreign")
    with scopes_disabled():
        foreign_type = Choice.objects.filter(
            tenant=other_world.tenant, list_key="activity_type"
        ).first()
    activity = book(world, world.employee, subject="Target")
    client = login(world.employee)
    create = agenda_url(world, "activity-create")
    edit = agenda_url(world, "activity-edit", activity.pk)
    close = agenda_url(world, "activity-close", activity.pk)
    before = counts()
    fields = [
        "type", "subject", "description", "firm", "contacts", "participants", "start", "end",
        "location", "priority", "status", "work_minutes", "distance_km", "alarm_minutes",
        "repeat", "repeat_interval", "repeat_weekdays", "repeat_until", "repeat_count",
        "assigned_to",
    ]  # fmt: skip
    texts = ("subject", "description", "location", "start", "end", "repeat_until")
    short = ["nul\x00byte", "-1", "99999999999999999999999", "٣٤٥", "9999-12-31T23:59", ""]
    for field in fields:
        values = HOSTILE if field in texts else short
        for value in [*values, str(foreign_firm.pk), str(foreign_type.pk)]:
            data = form_data(world, **{field: value})
            status = client.post(create, data).status_code
            assert status in ALLOWED, (field, value[:30], status)
            if field in fields[:12]:
                status = client.post(edit, {**data, "scope": value}).status_code
                assert status in ALLOWED, ("edit", field, value[:30], status)
    for value in HOSTILE:
        for field in ("work_minutes", "distance_km"):
            status = client.post(close, {"work_minutes": "5", field: value}).status_code
            assert status in ALLOWED, (field, value[:30], status)
            if status == 302:
                with scopes_disabled():
                    Activity.objects.filter(pk=activity.pk).update(status="planned")
        for name in ("q", "type", "status", "priority", "firm", "date_from", "date_to", "page"):
            url = agenda_url(world, "activity-list") + "?" + name + "=" + value[:3000]
            assert client.get(url).status_code == 200, (name, value[:30])
        prefill = client.get(create + "?start=" + value[:200] + "&firm=" + value[:30])
        assert prefill.status_code == 200
    with scopes_disabled():
        # Only the saving posts made changes: nothing half-saved, no foreign rows referenced.
        assert not Activity.objects.filter(tenant=world.tenant, firm=foreign_firm).exists()
        assert not Activity.objects.filter(tenant=world.tenant, type=foreign_type).exists()
        assert not Activity.objects.filter(subject__startswith="nul").exists()
    after = counts()
    assert after[2] == before[2]
