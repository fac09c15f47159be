"""The agenda in a browser: book from the week view, drag to another day, the clash warning.

The employee selects a range in "My appointments" (FullCalendar's week view), which opens the
activity form with the range filled in; after saving, they drag the appointment to the next
day, book a second one at the same time, get the clash warning, book anyway, and find both on
the start page.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from agenda.models import Activity
from tests import factories
from tests.e2e.conftest import log_in, switch_language

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Europe/Istanbul")  # the users' default time zone


def booking_days():
    """Two following days in one en-US calendar week (Sunday to Saturday), from tomorrow."""
    first = datetime.now(ZONE).date() + timedelta(days=1)
    if first.weekday() == 5:  # Saturday ends the week: start on Sunday instead
        first += timedelta(days=1)
    return first, first + timedelta(days=1)


def slot(page, day, clock):
    """The point in the week view's column of ``day`` at the top of the ``clock`` slot."""
    row = page.locator(f"#agenda-calendar [data-time='{clock}']").last
    row.scroll_into_view_if_needed()
    column = page.locator(f"#agenda-calendar [role=gridcell][data-date='{day.isoformat()}']").last
    row_box, column_box = row.bounding_box(), column.bounding_box()
    return column_box["x"] + column_box["width"] / 2, row_box["y"] + 4, row_box["height"]


def select_range(page, day, first_slot, last_slot):
    """Press on one slot and release on another, as a person selects a range."""
    x, y_from, _height = slot(page, day, first_slot)
    page.mouse.move(x, y_from)
    page.mouse.down()
    x, y_to, height = slot(page, day, last_slot)
    page.mouse.move(x, y_to + height / 2, steps=10)
    page.mouse.up()


def fill_activity_form(page, subject):
    page.fill("input[name=subject]", subject)
    page.select_option("select[name=type]", label="Appointment")
    page.get_by_role("button", name="Save").click()


def test_book_drag_and_clash_in_the_week_view(browsing, live_site):
    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    first_day, second_day = booking_days()
    page = browsing.new_page()
    log_in(page, world.employee.user.email, factories.PASSWORD)
    expect(page).to_have_url(re.compile(rf"/o/{slug}/$"))
    expect(page.locator("#current-tasks-empty")).to_be_visible()

    # --- select 10:00-11:00 in the week view: the form opens with the range ---
    page.goto(f"/o/{slug}/agenda/mine/?view=timeGridWeek&date={first_day.isoformat()}")
    expect(page.locator("#agenda-calendar [role=columnheader]").first).to_be_visible()
    select_range(page, first_day, "10:00:00", "10:30:00")
    expect(page).to_have_url(re.compile(r"/agenda/activities/new/\?"))
    expect(page.locator("input[name=start]")).to_have_value(f"{first_day.isoformat()}T10:00")
    expect(page.locator("input[name=end]")).to_have_value(f"{first_day.isoformat()}T11:00")
    fill_activity_form(page, "Demo at Anadolu")

    # --- back in the calendar, drag it to the next day ---
    expect(page).to_have_url(re.compile(rf"/o/{slug}/agenda/mine/"))
    event = page.locator("#agenda-calendar [data-activity]", has_text="Demo at Anadolu")
    expect(event).to_have_count(1)
    with scopes_disabled():
        booked = Activity.objects.get(subject="Demo at Anadolu")
    box = event.bounding_box()
    x_to, _y, _h = slot(page, second_day, "10:00:00")
    box = event.bounding_box()
    with page.expect_response(re.compile(r"/calendar/\d+/move/$")) as moved:
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 6)
        page.mouse.down()
        page.mouse.move(x_to, box["y"] + 6, steps=12)
        page.mouse.up()
    assert moved.value.status == 200
    with scopes_disabled():
        booked.refresh_from_db()
    expected_start = datetime.combine(second_day, time(10), ZONE)
    assert (booked.start, booked.end) == (expected_start, expected_start + timedelta(hours=1))

    # --- a second booking at the same time: the clash warning, then book anyway ---
    # Press in the free slot under the first appointment and drag up over it: 10:30-11:30.
    select_range(page, second_day, "11:00:00", "10:30:00")
    expect(page).to_have_url(re.compile(r"/agenda/activities/new/\?"))
    expect(page.locator("input[name=start]")).to_have_value(f"{second_day.isoformat()}T10:30")
    fill_activity_form(page, "Second visit")
    warning = page.locator("#clash-warning")
    expect(warning).to_contain_text("Demo at Anadolu")
    warning.get_by_role("button", name="Book anyway").click()
    expect(page).to_have_url(re.compile(rf"/o/{slug}/agenda/mine/"))
    expect(page.locator("#agenda-calendar [data-activity]")).to_have_count(2)
    with scopes_disabled():
        assert Activity.objects.filter(assigned_to=world.employee).count() == 2

    # --- dragging the second one onto the first: the calendar asks, the user goes ahead ---
    second = page.locator("#agenda-calendar [data-activity]", has_text="Second visit")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    box = second.bounding_box()
    _x, _y, slot_height = slot(page, second_day, "10:00:00")
    box = second.bounding_box()
    with page.expect_response(lambda r: "/move/" in r.url and r.status == 200):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 6)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 6 - slot_height, steps=8)
        page.mouse.up()
    assert len(questions) == 1 and "Demo at Anadolu" in questions[0]
    # Chromium logs the 409 answer as a failed resource load: that one is expected.
    assert all("409" in problem for problem in browsing.take())
    with scopes_disabled():
        moved = Activity.objects.get(subject="Second visit")
    assert moved.start == datetime.combine(second_day, time(10), ZONE)

    # --- the detail pop-up, then both on the start page ---
    page.locator("#agenda-calendar [data-activity]", has_text="Second visit").click()
    popup = page.locator("#activity-popup")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("Second visit")
    expect(popup.get_by_role("link", name="Open the activity")).to_be_visible()

    page.goto(f"/o/{slug}/")
    current = page.locator("#current-tasks")
    expect(current.locator("li.kv-task-planned")).to_have_count(2)
    expect(current).to_contain_text("Demo at Anadolu")
    expect(current).to_contain_text("Second visit")


def test_the_agenda_right_to_left_in_persian(browsing, live_site):
    world = factories.make_world("Acme", "a")
    page = browsing.new_page()
    log_in(page, world.employee.user.email, factories.PASSWORD)
    page.goto(f"/o/{world.tenant.slug}/agenda/")
    switch_language(page, "fa")
    calendar = page.locator("#agenda-calendar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(calendar.locator("[role=columnheader]").first).to_be_visible()
    # The first day column sits to the right of the last one.
    headers = calendar.locator("[role=columnheader][data-date]")
    first, last = headers.first.bounding_box(), headers.last.bounding_box()
    assert first["x"] > last["x"]
    # The firm filter's suggestions open under the box, aligned to its right-hand start.
    factories.make_firm(world.tenant, "Tahran Ticaret", actor=world.executive.user)
    search = page.locator("#filter-firm")
    search.fill("tahran")
    found = page.locator("#filter-firm_results")
    expect(found.get_by_role("option", name=re.compile("Tahran Ticaret"))).to_be_visible()
    box, menu = search.bounding_box(), found.bounding_box()
    assert abs((box["x"] + box["width"]) - (menu["x"] + menu["width"])) < 2
    assert menu["y"] >= box["y"] + box["height"] - 1
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator("#calendar-filters [data-picker-selected]")).to_contain_text("Tahran")
    browsing.assert_clean()


def test_firm_picker_refills_contacts_and_filters_the_calendar(browsing, live_site):
    """The firm is searched, not scrolled for: by keyboard in the activity form, by mouse in the
    meeting-note form and the calendar filter; the contact lists follow the chosen firm."""
    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    firm = factories.make_firm(
        world.tenant, "Anadolu Makina", actor=world.executive.user, sales_rep=world.employee,
        first_contact={"data": {"first_name": "Kemal", "last_name": "Er"}},
    )  # fmt: skip
    factories.make_firm(
        world.tenant, "Başka Firma", actor=world.executive.user,
        first_contact={"data": {"first_name": "Zeynep", "last_name": "Ak"}},
    )  # fmt: skip
    page = browsing.new_page()
    log_in(page, world.employee.user.email, factories.PASSWORD)
    expect(page).to_have_url(re.compile(rf"/o/{slug}/$"))

    # --- the activity form, keyboard only: type, arrow down, Enter ---
    page.goto(f"/o/{slug}/agenda/activities/new/")
    search = page.locator("#id_firm")
    search.fill("anadolu mak")
    found = page.get_by_role("listbox", name="Firms found")
    expect(found.get_by_role("option", name=re.compile("Anadolu Makina"))).to_be_visible()
    expect(found.get_by_role("option")).to_have_count(1)
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", re.compile(r"_results-0$"))
    search.press("Enter")  # chooses; does not submit the form
    expect(page).to_have_url(re.compile(r"/agenda/activities/new/$"))
    expect(page.locator("input[name=firm]")).to_have_value(str(firm.pk))
    expect(page.locator("[data-picker-selected]")).to_contain_text("Anadolu Makina")
    contacts = page.locator("#contacts-field")
    expect(contacts).to_contain_text("Kemal Er")
    expect(contacts).not_to_contain_text("Zeynep")
    contacts.get_by_label(re.compile("Kemal Er")).check()
    day = (datetime.now(ZONE) + timedelta(days=2)).date().isoformat()
    page.fill("input[name=start]", f"{day}T09:00")
    page.fill("input[name=end]", f"{day}T09:30")
    fill_activity_form(page, "Visit Anadolu")
    expect(page).not_to_have_url(re.compile(r"/activities/new/"))
    with scopes_disabled():
        booked = Activity.objects.get(subject="Visit Anadolu")
        assert booked.firm_id == firm.pk
        assert [c.full_name for c in booked.contacts.all()] == ["Kemal Er"]

    # --- the meeting-note form from the firm's page: the firm is there, switch and back ---
    page.goto(f"/o/{slug}/firms/{firm.pk}/")
    page.locator("#firm-add-note").click()
    # The search box answers typing once htmx has processed the page: wait for it to load.
    expect(page).to_have_url(re.compile(r"/notes/new/"))
    page.wait_for_load_state("load")
    expect(page.locator("input[name=firm]")).to_have_value(str(firm.pk))
    expect(page.locator("#id_contact")).to_contain_text("Kemal Er")
    page.locator("#id_firm").fill("baska")
    page.get_by_role("option", name=re.compile("Başka Firma")).click()
    expect(page.locator("#id_contact")).to_contain_text("Zeynep Ak")
    expect(page.locator("#id_contact")).not_to_contain_text("Kemal Er")
    page.locator("[data-picker-clear]").click()
    expect(page.locator("input[name=firm]")).to_have_value("")

    # --- the calendar's firm filter: the feed asks for the chosen firm only ---
    page.goto(f"/o/{slug}/agenda/?view=listWeek&date={day}")
    expect(page.locator("#agenda-calendar")).to_contain_text("Visit Anadolu")
    page.locator("#filter-firm").fill("baska")
    option = page.get_by_role("option", name=re.compile("Başka Firma"))
    with page.expect_request(re.compile(r"/calendar/feed/\?.*firm=\d+")):
        option.click()
    expect(page.locator("#agenda-calendar")).not_to_contain_text("Visit Anadolu")
    expect(page).to_have_url(re.compile(r"firm=\d+"))
    page.reload()
    expect(page.locator("#calendar-filters [data-picker-selected]")).to_contain_text("Başka Firma")
    page.locator("#calendar-filters [data-picker-clear]").click()
    expect(page.locator("#agenda-calendar")).to_contain_text("Visit Anadolu")
    browsing.assert_clean()
