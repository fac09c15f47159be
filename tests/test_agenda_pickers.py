"""The agenda's employee fields are searchable pickers, not drop-downs of every employee.

The activity form (assigned to, participants), the meeting note (participants, the
appointment's assignee) and the reminder (colleagues) render only the chosen employees and a
search box; each field still accepts only its own queryset and refuses the rest clearly.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Employee
from agenda.models import Activity, MeetingNote, Reminder
from agenda.services.reminders import MAX_RECIPIENTS
from tests.factories import make_employee, make_firm
from tests.test_agenda_activities import agenda_url, book
from tests.test_agenda_activities import form_data as activity_post
from tests.test_agenda_notes import appointment_post, note_post
from tests.test_agenda_reminders import form_data as reminder_post
from tests.test_employee_picker import CROWD, crowd, dismiss

PICKER = 'data-picker="employee"'
ONE_CHOSEN = "Choose an employee offered by the search."
SOME_CHOSEN = "Choose employees offered by the search."


def crowd_pks(count=None):
    with scopes_disabled():
        pks = Employee.objects.filter(first_name=CROWD).order_by("last_name")
        return list(pks.values_list("pk", flat=True)[:count])


def lists_nobody_of_the_crowd(text):
    return f"{CROWD} 000" not in text and f"{CROWD} 199" not in text and CROWD not in text


def count(model):
    with scopes_disabled():
        return model.objects.count()


@pytest.fixture
def note_firm(world):
    """A customer the employee represents, with one contact."""
    return make_firm(
        world.tenant,
        "Anadolu Makina",
        "customer",
        sales_rep=world.employee,
        actor=world.executive.user,
        first_contact={"data": {"first_name": "Kemal", "last_name": "Er"}},
    )


# --- activities -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_activity_form_with_200_employees_does_not_list_them(client, world):
    crowd(world, 200)
    client.force_login(world.manager.user)
    text = client.get(agenda_url(world, "activity-create")).content.decode()
    assert lists_nobody_of_the_crowd(text)
    assert text.count(PICKER) == 2  # assigned to, participants (the firm has its own picker)
    assert reverse("accounts:employee-picker", args=[world.tenant.slug]) in text
    assert "js/picker.js" in text
    assert f'<option value="{world.manager.pk}" selected>{world.manager.full_name}</option>' in text


@pytest.mark.django_db
def test_activity_form_queries_do_not_grow_with_employees(client, world):
    client.force_login(world.manager.user)
    crowd(world, 5)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(agenda_url(world, "activity-create")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    crowd(world, 195, prefix="more")
    assert queries() == few


@pytest.mark.django_db
def test_activity_takes_employees_found_by_the_search(client, world):
    crowd(world, 200)
    chosen = crowd_pks()[150:153]
    client.force_login(world.manager.user)
    data = activity_post(world, assigned_to=chosen[0], participants=chosen[1:])
    response = client.post(agenda_url(world, "activity-create"), data)
    assert response.status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get()
        assert activity.assigned_to_id == chosen[0]
        assert sorted(p.pk for p in activity.participants.all()) == sorted(chosen[1:])
    text = client.get(agenda_url(world, "activity-edit", activity.pk)).content.decode()
    assert f"{CROWD} 150" in text and f"{CROWD} 151" in text and f"{CROWD} 152" in text
    assert f"{CROWD} 149" not in text and f"{CROWD} 153" not in text


@pytest.mark.django_db
def test_activity_refuses_employees_outside_its_queryset(client, world, other_world):
    gone = make_employee(world.tenant, "gone@example.com", first_name="Gone")
    dismiss(gone)
    client.force_login(world.manager.user)
    for field, value, message in (
        ("assigned_to", other_world.employee.pk, ONE_CHOSEN),
        ("assigned_to", gone.pk, ONE_CHOSEN),
        ("assigned_to", "1 OR 1=1", ONE_CHOSEN),
        ("participants", [other_world.employee.pk], SOME_CHOSEN),
        ("participants", [world.employee.pk, gone.pk], SOME_CHOSEN),
        ("participants", ["x"], SOME_CHOSEN),
    ):
        data = activity_post(world, **{"assigned_to": world.manager.pk, field: value})
        response = client.post(agenda_url(world, "activity-create"), data)
        assert response.status_code == 400, (field, value)
        assert message in response.content.decode(), (field, value)
    assert count(Activity) == 0


@pytest.mark.django_db
def test_without_assign_the_activity_stays_the_members_own(client, world):
    crowd(world, 20)
    client.force_login(world.employee.user)
    text = client.get(agenda_url(world, "activity-create")).content.decode()
    assert 'name="assigned_to"' not in text
    assert text.count(PICKER) == 1 and lists_nobody_of_the_crowd(text)
    data = activity_post(world, assigned_to=world.manager.pk, participants=crowd_pks(2))
    assert client.post(agenda_url(world, "activity-create"), data).status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get()
        assert activity.assigned_to_id == world.employee.pk
        assert activity.participants.count() == 2


@pytest.mark.django_db
def test_clash_warning_keeps_the_chosen_employees(client, world):
    crowd(world, 10)
    mate = crowd_pks(1)[0]
    book(world, world.manager)
    client.force_login(world.manager.user)
    data = activity_post(world, assigned_to=world.manager.pk, participants=[mate])
    response = client.post(agenda_url(world, "activity-create"), data)
    text = response.content.decode()
    assert response.status_code == 200 and 'id="clash-warning"' in text
    assert f'value="{mate}" id="id_participants_0" checked' in text
    assert f'<option value="{world.manager.pk}" selected>' in text
    data["confirm_clash"] = "1"
    assert client.post(agenda_url(world, "activity-create"), data).status_code == 302
    assert count(Activity) == 2


# --- meeting notes ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_note_form_offers_pickers_and_refuses_others(client, world, other_world, note_firm):
    crowd(world, 200)
    client.force_login(world.employee.user)
    text = client.get(agenda_url(world, "note-create")).content.decode()
    assert lists_nobody_of_the_crowd(text)
    assert text.count(PICKER) == 2  # participants, the appointment's assignee
    data = note_post(world, note_firm, participants=crowd_pks(2))
    assert client.post(agenda_url(world, "note-create"), data).status_code == 302
    with scopes_disabled():
        assert MeetingNote.objects.get().participants.count() == 2
    data = note_post(world, note_firm, participants=[other_world.employee.pk], subject="Other")
    response = client.post(agenda_url(world, "note-create"), data)
    assert response.status_code == 400 and SOME_CHOSEN in response.content.decode()
    # Without agenda.assign the appointment's picker still shows, and only oneself is taken.
    data = note_post(
        world, note_firm, subject="Appointment",
        **appointment_post(world, **{"appointment-assigned_to": world.manager.pk}),
    )  # fmt: skip
    response = client.post(agenda_url(world, "note-create"), data)
    text = response.content.decode()
    assert response.status_code == 400 and ONE_CHOSEN in text
    assert text.count(PICKER) == 2
    assert count(MeetingNote) == 1 and count(Activity) == 0


# --- reminders --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminder_form_offers_a_picker_for_colleagues(client, world, other_world):
    crowd(world, 200)
    client.force_login(world.employee.user)
    url = agenda_url(world, "reminder-create")
    text = client.get(url).content.decode()
    assert lists_nobody_of_the_crowd(text)
    assert text.count(PICKER) == 1 and "js/picker.js" in text
    assert client.post(url, reminder_post(colleagues=crowd_pks(3))).status_code == 302
    for colleagues, message in (
        ([other_world.employee.pk], SOME_CHOSEN),
        ([world.employee.pk], SOME_CHOSEN),  # oneself is "Remind me"
        (crowd_pks(MAX_RECIPIENTS), f"At most {MAX_RECIPIENTS} recipients."),
    ):
        response = client.post(url, reminder_post(text="Refused", colleagues=colleagues))
        assert response.status_code == 400 and message in response.content.decode()
    assert count(Reminder) == 1
    with scopes_disabled():
        reminder = Reminder.objects.get()
    text = client.get(agenda_url(world, "reminder-edit", reminder.pk)).content.decode()
    assert f"{CROWD} 000" in text and f"{CROWD} 002" in text and f"{CROWD} 003" not in text
