"""Build a dealer tree through the forms and find its customer by a search typed without accents."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def add_firm(page, slug, name, firm_type, parent=None, contact=None):
    page.goto(f"/o/{slug}/firms/new/")
    form = page.locator("main form")
    form.locator("#id_name").fill(name)
    form.locator("#id_type").select_option(firm_type)
    if parent:
        # The parent picker: type part of the name without Turkish letters, pick the option.
        typed, parent_name = parent
        form.locator("#id_parent").fill(typed)
        option = form.get_by_role("option", name=re.compile(re.escape(parent_name)))
        option.click()
        expect(form.locator("[data-picker-selected]").first).to_contain_text(parent_name)
        expect(form.locator("input[name=parent]")).not_to_have_value("")
    if contact:
        form.locator("#id_contact-first_name").fill(contact[0])
        form.locator("#id_contact-last_name").fill(contact[1])
    # A second phone row through "Add another", filled in.
    phones = form.locator("[data-formset='phones']")
    phones.locator("[data-formset-add]").click()
    phones.locator("input[name='phones-1-number']").fill("555 44 33")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("h1")).to_contain_text(name)
    return page.url


def test_dealer_tree_and_accent_free_search(browsing, live_site):
    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    page = browsing.new_page()
    log_in(page, world.executive.user.email, factories.PASSWORD)
    expect(page).to_have_url(re.compile(rf"/o/{slug}/$"))

    add_firm(page, slug, "Güneydoğu Dağıtım", "distributor")
    add_firm(page, slug, "Şanlıurfa Bayi", "dealer", parent=("guneydogu", "Güneydoğu Dağıtım"))
    customer_url = add_firm(
        page, slug, "Çiğdem Işık Yapı", "customer", parent=("sanliurfa", "Şanlıurfa Bayi"),
        contact=("Gülşen", "Öztürk"),
    )  # fmt: skip

    # The customer's page shows its parent chain, its first contact and both phones.
    expect(page.locator(".breadcrumb")).to_contain_text("Güneydoğu Dağıtım")
    expect(page.locator(".breadcrumb")).to_contain_text("Şanlıurfa Bayi")
    expect(page.locator("#firm-tab")).to_contain_text("Gülşen Öztürk")
    expect(page.locator("#firm-tab")).to_contain_text("555 44 33")

    # The distributor's tree tab counts the two firms below it (loaded with htmx).
    page.goto(f"/o/{slug}/firms/")
    page.get_by_role("link", name="Güneydoğu Dağıtım").click()
    page.get_by_role("link", name="Dealer tree").click()
    expect(page.locator("#firm-tab")).to_contain_text("2 firms below")
    expect(page).to_have_url(re.compile(r"/tree/$"))

    # Quick search in the top bar, typed without Turkish letters.
    box = page.locator("#quick-search-q")
    box.fill("cigdem isik")
    results = page.locator("#quick-search-results")
    expect(results).to_contain_text("Çiğdem Işık Yapı")
    results.get_by_role("link", name=re.compile("Çiğdem Işık Yapı")).first.click()
    expect(page).to_have_url(re.compile(re.escape(customer_url.split(live_site)[-1]) + "$"))
    browsing.assert_clean()


def test_plus_beside_a_drop_down(browsing, live_site):
    world = factories.make_world("Acme", "a")
    page = browsing.new_page()
    log_in(page, world.executive.user.email, factories.PASSWORD)
    page.goto(f"/o/{world.tenant.slug}/firms/new/")
    sector = page.locator("#id_sector")
    page.locator("#id_sector_group ~ details summary").first.click()
    page.locator("#quick-id_sector").fill("Tekstil")
    page.locator("#quick-id_sector + button").click()
    expect(sector.locator("option:checked")).to_have_text("Tekstil")
    browsing.assert_clean()
