"""Layout in the browser: Persian renders right-to-left; pages have an icon the browser finds."""

import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import log_in, switch_language

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 1280, 800  # wide enough for the expanded (navbar-expand-lg) navigation

# Hashed names (manifest storage) keep these parts: bootstrap.rtl.min.<hash>.css
RTL_CSS = "/bootstrap/css/bootstrap.rtl.min."
LTR_CSS = "/bootstrap/css/bootstrap.min."
STYLESHEET_LOADED = """(part) => Array.from(document.styleSheets).some(
    (sheet) => sheet.href && sheet.href.includes(part) && sheet.cssRules.length > 0)"""


def boxes(page):
    brand = page.locator(".navbar-brand").bounding_box()
    user_menu = page.locator("#user-menu").bounding_box()
    return brand, user_menu


def test_rtl_layout(browsing, tmp_path):
    world = factories.make_world("Acme", "a")
    page = browsing.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    log_in(page, "a-employee@example.com", factories.PASSWORD)
    expect(page).to_have_url(re.compile(rf"/o/{world.tenant.slug}/$"))
    expect(page.locator("h1")).to_have_text(f"Good day, {world.employee.first_name}")

    # Left-to-right first, so the checks below prove that the switch changes the layout.
    page.wait_for_load_state("load")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    assert page.evaluate(STYLESHEET_LOADED, LTR_CSS)
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    brand, user_menu = boxes(page)
    assert brand["x"] + brand["width"] <= WIDTH / 2, brand
    assert user_menu["x"] >= WIDTH / 2, user_menu
    page.screenshot(path=tmp_path / "ltr.png", full_page=True)

    switch_language(page, "fa")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(rf"/o/{world.tenant.slug}/$"))
    expect(page.locator("#language-menu")).to_contain_text("فارسی")

    # Bootstrap's RTL stylesheet, and not the LTR one, is linked and actually loaded.
    expect(page.locator(f"link[rel=stylesheet][href*='{RTL_CSS}']")).to_have_count(1)
    expect(page.locator(f"link[rel=stylesheet][href*='{LTR_CSS}']")).to_have_count(0)
    assert page.evaluate(STYLESHEET_LOADED, RTL_CSS)
    assert not page.evaluate(STYLESHEET_LOADED, LTR_CSS)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # Mirrored: the brand starts on the right, the user menu sits on the left.
    brand, user_menu = boxes(page)
    assert brand["x"] >= WIDTH / 2, brand
    assert user_menu["x"] + user_menu["width"] <= WIDTH / 2, user_menu
    # The user menu opens towards the inside of the page, not off its left edge.
    page.locator("#user-menu").click()
    dropdown = page.locator("#user-menu + .dropdown-menu")
    expect(dropdown).to_be_visible()
    menu = dropdown.bounding_box()
    assert menu["x"] >= 0 and menu["x"] + menu["width"] <= WIDTH, menu
    page.keyboard.press("Escape")
    expect(dropdown).to_be_hidden()

    page.screenshot(path=tmp_path / "rtl.png", full_page=True)
    browsing.assert_clean()


def test_favicon_is_served(browsing):
    """Browsers ask every page for an icon; a missing one is a console error on every page."""
    page = browsing.new_page()
    page.goto("/accounts/login/")
    icon = page.locator("link[rel~=icon]")
    href = icon.first.get_attribute("href") if icon.count() else "/favicon.ico"
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200, f"{href}: {response.status}"
