"""The employee picker in a browser: the firm list's filter and bulk assign, an opportunity's
responsible employees, each chosen by typing part of a name without Turkish letters."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from companies.models import Firm
from opportunities.models import Opportunity
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def pick(page, picker_root, typed, name):
    """Type into a picker's search box and click the suggestion ``name``."""
    picker_root.locator("[data-picker-search]").fill(typed)
    option = picker_root.get_by_role("option", name=re.compile(re.escape(name)))
    option.click()


def test_firm_list_filter_and_bulk_assign(browsing, live_site):
    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    rep = factories.make_employee(
        world.tenant, "cagri@example.com", first_name="Çağrı", last_name="Işık"
    )
    factories.make_firm(world.tenant, "Temsilcili Ticaret", sales_rep=world.employee)
    pool = factories.make_firm(world.tenant, "Havuzdaki Ticaret")
    page = browsing.new_page()
    log_in(page, world.executive.user.email, factories.PASSWORD)
    page.goto(f"/o/{slug}/firms/")
    rows = page.locator("#firm-rows")
    expect(rows).to_contain_text("Havuzdaki Ticaret")

    # Bulk assign: tick the pool firm, find the representative typed without accents.
    rows.locator(f"input[name=firms][value='{pool.pk}']").check()
    bulk = rows.locator("[data-picker]:has(#bulk-rep)")
    pick(page, bulk, "cagri isik", "Çağrı Işık")
    expect(page.locator("#bulk-rep option:checked")).to_have_text("Çağrı Işık")
    rows.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("main")).to_contain_text("1 firms updated.")
    with scopes_disabled():
        assert Firm.objects.get(pk=pool.pk).sales_rep == rep

    # The filter: choosing a representative refilters the list through htmx.
    rep_filter = page.locator("#firm-filters [data-picker]")
    pick(page, rep_filter, "a-employee", world.employee.full_name)
    expect(rows).not_to_contain_text("Havuzdaki Ticaret")
    expect(rows).to_contain_text("Temsilcili Ticaret")
    expect(page).to_have_url(re.compile(rf"sales_rep={world.employee.pk}"))
    browsing.assert_clean()


def test_opportunity_responsible_employees(browsing, live_site):
    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    firm = factories.make_firm(world.tenant, "Anadolu Makina", sales_rep=world.employee)
    colleague = factories.make_employee(
        world.tenant, "gulsen@example.com", first_name="Gülşen", last_name="Öztürk"
    )
    page = browsing.new_page()
    log_in(page, world.employee.user.email, factories.PASSWORD)
    page.goto(f"/o/{slug}/opportunities/new/?firm={firm.pk}")
    form = page.locator("main form")
    form.locator("#id_name").fill("Forty pumps")
    form.locator("#id_stage").select_option(label="Qualification")
    chosen = form.locator("[data-picker-chosen]")
    expect(chosen.locator("input:checked")).to_have_count(1)
    picker_root = form.locator("[data-picker][data-picker-multiple]")
    pick(page, picker_root, "gulsen oz", "Gülşen Öztürk")
    expect(chosen.locator("input:checked")).to_have_count(2)
    expect(chosen).to_contain_text("Gülşen Öztürk")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Forty pumps")
    with scopes_disabled():
        people = set(Opportunity.objects.get().responsible.values_list("pk", flat=True))
    assert people == {world.employee.pk, colleague.pk}
    browsing.assert_clean()


def test_calendar_employee_filter(browsing, live_site):
    """The agenda's employee filter is searched too; the calendar shows the chosen one's."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.test_agenda_calendar import book

    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    day = datetime.now(ZoneInfo("UTC")).replace(hour=10, minute=0, second=0, microsecond=0)
    day += timedelta(days=1)
    rep = factories.make_employee(
        world.tenant, "cagri@example.com", first_name="Çağrı", last_name="Işık"
    )
    book(world, "Visit by Çağrı", day, assigned_to=rep)
    book(world, "Visit by the manager", day, assigned_to=world.manager)
    page = browsing.new_page()
    log_in(page, world.executive.user.email, factories.PASSWORD)
    page.goto(f"/o/{slug}/agenda/?view=listWeek&date={day.date().isoformat()}")
    calendar = page.locator("#agenda-calendar")
    expect(calendar).to_contain_text("Visit by the manager")
    expect(calendar).to_contain_text("Visit by Çağrı")
    employees = page.locator("#calendar-filters [data-picker=employee]")
    expect(employees).not_to_contain_text(world.manager.full_name)  # nobody listed up front
    pick(page, employees, "cagri", "Çağrı Işık")
    expect(employees.get_by_label("Çağrı Işık")).to_be_checked()
    page.locator("#calendar-filters").get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"employee={rep.pk}"))
    expect(calendar).to_contain_text("Visit by Çağrı")
    expect(calendar).not_to_contain_text("Visit by the manager")
    browsing.assert_clean()
