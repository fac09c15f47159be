"""Reminders: who may set them for whom, only the creator changes them, the banner on every
page of each recipient until dismissed or snoozed, hostile input, dealer staff, query counts."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import PermissionProfile
from agenda.models import Reminder, ReminderRecipient
from agenda.selectors.reminders import due_for
from agenda.services import reminders as services
from agenda.templatetags.agenda_tags import banner_context
from tests.factories import make_employee, make_firm
from tests.helpers import HOSTILE


def rurl(world, name, *args):
    return reverse(f"agenda:{name}", args=[world.tenant.slug, *args])


def page_url(world):
    """A tenant page that shows the banner (the reminders list: it is ours)."""
    return rurl(world, "reminder-list")


def remind(world, actor, recipients, minutes=-5, text="Call Ayşe back"):
    with scope(tenant=world.tenant.pk):
        return services.reminder_create(
            tenant=world.tenant, actor=actor, text=text,
            due_at=timezone.now() + timedelta(minutes=minutes), recipients=recipients,
        )  # fmt: skip


def form_data(**extra):
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {"text": "Send the offer", "date": tomorrow.isoformat(), "time": "10:30",
            "for_me": "on", **extra}  # fmt: skip


def banner_of(client, world):
    """The banner's part of a page: the texts of the reminders in it."""
    html = client.get(page_url(world)).content.decode()
    start = html.index('id="reminder-banner"')
    return html[start : html.index("<h1", start)]


def count(model):
    with scopes_disabled():
        return model.objects.count()


def only_self_profile(world, employee):
    with scope(tenant=world.tenant.pk):
        profile = PermissionProfile.objects.create(
            tenant=world.tenant, name="Self reminders", codes=["reminders.add", "agenda.view"]
        )
        employee.profile = profile
        employee.save(update_fields=["profile"])


# --- Creating ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_for_oneself_in_ones_own_time_zone(client, world):
    user = world.employee.user
    user.timezone = "Europe/Warsaw"
    user.save(update_fields=["timezone"])
    client.force_login(user)
    response = client.post(rurl(world, "reminder-create"), form_data(date="2026-07-01"))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        reminder = Reminder.objects.get(text="Send the offer")
        assert list(reminder.recipients.all()) == [world.employee]
        # 10:30 in Warsaw in summer (UTC+2) is 08:30 UTC.
        assert reminder.due_at.astimezone(UTC).hour == 8
        assert reminder.due_at.astimezone(UTC).minute == 30
    page = client.get(page_url(world)).content.decode()
    assert "Send the offer" in page and "Upcoming" in page


@pytest.mark.django_db
def test_create_for_colleagues_needs_the_right(client, world):
    client.force_login(world.employee.user)
    data = form_data(colleagues=[world.manager.pk, world.outsider.pk])
    assert client.post(rurl(world, "reminder-create"), data).status_code == 302
    with scope(tenant=world.tenant.pk):
        reminder = Reminder.objects.get()
        assert set(reminder.recipients.all()) == {world.employee, world.manager, world.outsider}
    client.force_login(world.manager.user)
    assert "Send the offer" in client.get(page_url(world)).content.decode()

    # Without reminders.others the field is not offered and the service refuses colleagues.
    only_self_profile(world, world.outsider)
    client.force_login(world.outsider.user)
    form_page = client.get(rurl(world, "reminder-create")).content.decode()
    assert 'name="colleagues"' not in form_page
    client.post(
        rurl(world, "reminder-create"), form_data(text="Sneaky", colleagues=[world.manager.pk])
    )
    with scope(tenant=world.tenant.pk):
        sneaky = Reminder.objects.get(text="Sneaky")
        assert list(sneaky.recipients.all()) == [world.outsider]
        with pytest.raises(services.ValidationError):
            services.reminder_create(
                tenant=world.tenant, actor=world.outsider, text="x",
                due_at=timezone.now(), recipients=[world.manager],
            )  # fmt: skip


@pytest.mark.django_db
def test_someone_must_get_the_reminder(client, world):
    client.force_login(world.employee.user)
    data = form_data()
    del data["for_me"]
    response = client.post(rurl(world, "reminder-create"), data)
    assert response.status_code == 400
    assert "Choose who gets the reminder." in response.content.decode()
    assert count(Reminder) == 0


@pytest.mark.django_db
def test_former_employees_cannot_be_reminded(client, world):
    with scope(tenant=world.tenant.pk):
        world.outsider.status = "dismissed"
        world.outsider.save(update_fields=["status"])
    client.force_login(world.employee.user)
    response = client.post(
        rurl(world, "reminder-create"), form_data(colleagues=[world.outsider.pk])
    )
    assert response.status_code == 400
    assert count(Reminder) == 0


@pytest.mark.django_db
def test_dealer_staff_remind_only_colleagues_of_their_own_firm(client, world):
    dealer = make_firm(world.tenant, "Dealer", "dealer")
    staff = make_employee(world.tenant, "staff@dealer.example", firm=dealer)
    mate = make_employee(world.tenant, "mate@dealer.example", firm=dealer, first_name="Mate")
    client.force_login(staff.user)
    page = client.get(rurl(world, "reminder-create")).content.decode()
    assert 'data-picker="employee"' in page  # a search box, not a list of everyone
    assert f'value="{mate.pk}"' not in page
    assert f'value="{world.manager.pk}"' not in page
    search = reverse("accounts:employee-picker", args=[world.tenant.slug])
    found = client.get(search, {"q": "Mate"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-value="{mate.pk}"' in found
    found = client.get(search, {"q": world.manager.first_name}, HTTP_HX_REQUEST="true")
    assert f'data-value="{world.manager.pk}"' not in found.content.decode()
    assert (
        client.post(rurl(world, "reminder-create"), form_data(colleagues=[mate.pk])).status_code
        == 302
    )
    response = client.post(
        rurl(world, "reminder-create"), form_data(text="Head office", colleagues=[world.manager.pk])
    )
    assert response.status_code == 400
    with scope(tenant=world.tenant.pk):
        assert not Reminder.objects.filter(text="Head office").exists()
        with pytest.raises(services.ValidationError):
            services.reminder_create(
                tenant=world.tenant, actor=staff, text="x", due_at=timezone.now(),
                recipients=[staff, world.manager],
            )  # fmt: skip


# --- Changing ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_creator_edits_or_deletes(client, world):
    reminder = remind(world, world.employee, [world.employee, world.manager], minutes=60)
    for person in (world.manager, world.executive, world.outsider):
        client.force_login(person.user)
        assert client.get(rurl(world, "reminder-edit", reminder.pk)).status_code == 403
        assert (
            client.post(
                rurl(world, "reminder-edit", reminder.pk), form_data(text="Hijacked")
            ).status_code
            == 403
        )
        assert client.post(rurl(world, "reminder-delete", reminder.pk)).status_code == 403
    # The recipient sees no Edit button on their list.
    client.force_login(world.manager.user)
    assert (
        rurl(world, "reminder-edit", reminder.pk)
        not in client.get(page_url(world)).content.decode()
    )

    client.force_login(world.employee.user)
    assert (
        client.post(
            rurl(world, "reminder-edit", reminder.pk), form_data(text="Changed")
        ).status_code
        == 302
    )
    with scope(tenant=world.tenant.pk):
        reminder.refresh_from_db()
        assert reminder.text == "Changed"
        # The manager was dropped from the recipients (not ticked again).
        assert list(reminder.recipients.all()) == [world.employee]
    assert client.post(rurl(world, "reminder-delete", reminder.pk)).status_code == 302
    assert count(Reminder) == 0 and count(ReminderRecipient) == 0


@pytest.mark.django_db
def test_a_new_time_makes_the_reminder_due_again(world):
    reminder = remind(world, world.employee, [world.employee, world.manager], minutes=-5)
    with scope(tenant=world.tenant.pk):
        Reminder.objects.filter(pk=reminder.pk).update(day_before_done_for=reminder.due_at)
        reminder.refresh_from_db()
        delivery = ReminderRecipient.objects.get(reminder=reminder, employee=world.manager)
        services.reminder_dismiss(tenant=world.tenant, member=world.manager, delivery=delivery)
        later = timezone.now() + timedelta(days=3)
        services.reminder_update(
            tenant=world.tenant, actor=world.employee, reminder=reminder, text="Same",
            due_at=later, recipients=[world.employee, world.manager],
        )  # fmt: skip
        reminder.refresh_from_db()
        assert reminder.day_before_done_for is None
        delivery.refresh_from_db()
        assert delivery.dismissed_at is None
        assert [
            d.reminder for d in due_for(tenant=world.tenant, member=world.manager, now=later)
        ] == [reminder]
        # Unchanged time: the day-before mark stays.
        Reminder.objects.filter(pk=reminder.pk).update(day_before_done_for=later)
        services.reminder_update(
            tenant=world.tenant, actor=world.employee, reminder=reminder, text="Other text",
            due_at=later, recipients=[world.employee],
        )  # fmt: skip
        reminder.refresh_from_db()
        assert reminder.day_before_done_for == later


# --- The banner ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_banner_shows_due_reminders_to_recipients_only(client, world):
    remind(world, world.employee, [world.employee, world.manager], text="Due one")
    remind(world, world.employee, [world.employee], minutes=60, text="Not yet")
    client.force_login(world.employee.user)
    banner = banner_of(client, world)
    assert "Due one" in banner and "Not yet" not in banner
    assert "Dismiss" in banner and "Tomorrow morning" in banner
    client.force_login(world.manager.user)
    banner = banner_of(client, world)
    assert "Due one" in banner and "from A-Employee Tester" in banner
    client.force_login(world.outsider.user)
    assert "Due one" not in banner_of(client, world)
    # Any tenant page carries it (a page of another module).
    client.force_login(world.manager.user)
    home = client.get(reverse("companies:claim-list", args=[world.tenant.slug])).content.decode()
    assert "Due one" in home


@pytest.mark.django_db
def test_dismiss_without_javascript_returns_to_the_page(client, world):
    reminder = remind(world, world.employee, [world.employee, world.manager], text="Due one")
    client.force_login(world.manager.user)
    back = reverse("companies:claim-list", args=[world.tenant.slug])
    response = client.post(rurl(world, "reminder-dismiss", reminder.pk), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert "Due one" not in banner_of(client, world)
    # Only for the manager: the employee still has it.
    client.force_login(world.employee.user)
    assert "Due one" in banner_of(client, world)
    # A next address elsewhere is not followed.
    response = client.post(
        rurl(world, "reminder-dismiss", reminder.pk), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == page_url(world)
    assert "Due one" not in banner_of(client, world)


@pytest.mark.django_db
def test_dismiss_with_htmx_answers_with_the_banner(client, world):
    first = remind(world, world.employee, [world.employee], text="First due")
    remind(world, world.employee, [world.employee], text="Second due")
    client.force_login(world.employee.user)
    response = client.post(
        rurl(world, "reminder-dismiss", first.pk), {"next": "/x/"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="reminder-banner">')
    assert "First due" not in html and "Second due" in html


@pytest.mark.django_db
def test_snooze_hides_until_later(client, world):
    reminder = remind(world, world.employee, [world.employee], text="Snooze me")
    client.force_login(world.employee.user)
    response = client.post(rurl(world, "reminder-snooze", reminder.pk), {"until": "10m"})
    assert response.status_code == 302
    assert "Snooze me" not in banner_of(client, world)
    with scope(tenant=world.tenant.pk):
        later = timezone.now() + timedelta(minutes=11)
        assert (
            due_for(tenant=world.tenant, member=world.employee, now=later)[0].reminder == reminder
        )
        assert due_for(tenant=world.tenant, member=world.employee) == []
    # Bad choices are refused, nothing changes.
    for value in ("", "forever", "10m\r\nX"):
        assert (
            client.post(rurl(world, "reminder-snooze", reminder.pk), {"until": value}).status_code
            == 400
        )


def test_snooze_until_tomorrow_morning_in_ones_own_zone():
    import zoneinfo
    from datetime import datetime

    warsaw = zoneinfo.ZoneInfo("Europe/Warsaw")
    now = datetime(2026, 3, 28, 22, 30, tzinfo=warsaw)  # the night before summer time
    until = services.snooze_until("tomorrow", now=now, tz=warsaw)
    assert until.astimezone(warsaw).isoformat() == "2026-03-29T09:00:00+02:00"
    assert services.snooze_until("1h", now=now) == now + timedelta(hours=1)


@pytest.mark.django_db
def test_strangers_cannot_dismiss_or_snooze(client, world, other_world):
    reminder = remind(world, world.employee, [world.employee])
    client.force_login(world.manager.user)
    assert client.post(rurl(world, "reminder-dismiss", reminder.pk)).status_code == 404
    assert (
        client.post(rurl(world, "reminder-snooze", reminder.pk), {"until": "1h"}).status_code == 404
    )
    client.force_login(other_world.executive.user)
    url = reverse("agenda:reminder-dismiss", args=[other_world.tenant.slug, reminder.pk])
    assert client.post(url).status_code == 404
    with scopes_disabled():
        assert ReminderRecipient.objects.get().dismissed_at is None


@pytest.mark.django_db
def test_banner_costs_one_query(world):
    for i in range(5):
        remind(world, world.executive, [world.employee], text=f"Due {i}")
    request = RequestFactory().get("/")
    request.tenant, request.member = world.tenant, world.employee
    with scope(tenant=world.tenant.pk), CaptureQueriesContext(connection) as ctx:
        context = banner_context(request)
        names = [d.reminder.created_by.full_name for d in context["due"]]
    assert len(ctx.captured_queries) == 1 and len(names) == 5


@pytest.mark.django_db
def test_reminder_list_query_count_does_not_grow(client, world):
    client.force_login(world.employee.user)
    remind(world, world.executive, [world.employee, world.manager], text="Upcoming", minutes=60)
    remind(world, world.executive, [world.employee, world.manager], text="Past", minutes=-60)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(world)).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(8):
        remind(
            world,
            world.executive,
            [world.employee, world.manager, world.outsider],
            minutes=i * 60 - 200,
        )
    assert queries() == few


# --- Hostile input -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["text", "date", "time", "for_me", "colleagues"])
def test_hostile_input_on_the_reminder_forms(client, world, other_world, field):
    mine = remind(world, world.employee, [world.employee], minutes=60, text="Original")
    client.force_login(world.employee.user)
    values = [*HOSTILE, str(other_world.employee.pk)]
    for value in values:
        before = count(Reminder)
        data = form_data(**{field: value})
        response = client.post(rurl(world, "reminder-create"), data)
        assert response.status_code in {200, 302, 400}, (field, value[:30])
        assert count(Reminder) - before in (0, 1)
        response = client.post(rurl(world, "reminder-edit", mine.pk), data)
        assert response.status_code in {200, 302, 400}, (field, value[:30])
    with scope(tenant=world.tenant.pk):
        for reminder in Reminder.objects.all():
            assert reminder.recipients.exists()
            assert "\x00" not in reminder.text
            assert other_world.employee.pk not in {r.pk for r in reminder.recipients.all()}


@pytest.mark.django_db
def test_hostile_input_on_the_banner_buttons(client, world):
    reminder = remind(world, world.employee, [world.employee])
    client.force_login(world.employee.user)
    for value in HOSTILE:
        response = client.post(
            rurl(world, "reminder-snooze", reminder.pk), {"until": value, "next": value}
        )
        assert response.status_code in {302, 400}
        if response.status_code == 302:
            assert response["Location"] == page_url(world) or response["Location"] == value
            assert response["Location"].startswith("/")
    for value in HOSTILE:
        response = client.post(rurl(world, "reminder-dismiss", reminder.pk), {"next": value})
        assert response.status_code == 302 and response["Location"] == page_url(world)
