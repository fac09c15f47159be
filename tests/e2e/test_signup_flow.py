"""The flow a new customer walks: sign up, confirm the e-mail, add an employee who accepts the
invitation, and that employee switching the interface to Turkish."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from accounts.models import Employee, Position, Tenant
from tests import factories
from tests.e2e.conftest import body_text, link_in, switch_language

pytestmark = pytest.mark.e2e


def test_signup_invite_and_language(browsing, mailbox, live_site):
    owner_email = "zeynep.kaya@example.com"
    password = "Kervan-e2e-Pass-41"

    # --- sign up: the company becomes a tenant, the person its first executive ---
    page = browsing.new_page()
    page.goto("/accounts/signup/")
    page.fill("input[name=company_name]", "Anadolu Tekstil")
    page.fill("input[name=first_name]", "Zeynep")
    page.fill("input[name=last_name]", "Kaya")
    page.fill("input[name=email]", owner_email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    # Verification is mandatory: the tenant exists, but this browser is not let in yet.
    with scopes_disabled():
        tenant = Tenant.objects.get(name="Anadolu Tekstil")
    home_url = f"{live_site}/o/{tenant.slug}/"
    not_yet = page.request.get(home_url, max_redirects=0)
    assert not_yet.status == 302
    assert "/accounts/login/" in not_yet.headers["location"]

    # --- the verification e-mail, read from what the SMTP server received ---
    verification = mailbox.deliver_one(owner_email)
    assert "Kervan CRM" in verification["Subject"], verification["Subject"]
    confirm_url = link_in(verification, r"/accounts/confirm-email/[^/]+/$")
    assert confirm_url.startswith(live_site + "/"), confirm_url
    page.goto(confirm_url)
    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: opening the link alone confirms nothing.
    expect(page.locator("main")).to_contain_text(owner_email)
    page.locator("main form button[type=submit]").click()

    # --- logged in, on the tenant's home page, as its executive ---
    expect(page).to_have_url(home_url)
    expect(page.locator("h1")).to_have_text("Good day, Zeynep")
    expect(page.locator(".navbar-brand")).to_have_text("Anadolu Tekstil")
    expect(page.locator("main")).to_contain_text("Executive")
    with scopes_disabled():
        owner = Employee.objects.get(tenant=tenant, user__email=owner_email)
    assert owner.position == Position.EXECUTIVE

    # Two managers in different departments, so the reports-to list depends on the department.
    sales_manager = factories.make_employee(
        tenant,
        "selin.aydin@example.com",
        Position.MANAGER,
        "sales",
        first_name="Selin",
        last_name="Aydın",
    )
    factories.make_employee(
        tenant,
        "deniz.sahin@example.com",
        Position.MANAGER,
        "support",
        first_name="Deniz",
        last_name="Şahin",
    )

    # --- add an employee ---
    page.locator("#nav-main").get_by_role("link", name="Employees").click()
    expect(page).to_have_url(f"{live_site}/o/{tenant.slug}/employees/")
    page.get_by_role("link", name="Add employee").click()
    form_url = f"{live_site}/o/{tenant.slug}/employees/new/"
    expect(page).to_have_url(form_url)

    reports_to = page.locator("#id_reports_to")
    # No department chosen yet: every manager is offered.
    expect(reports_to).to_contain_text("Selin Aydın")
    expect(reports_to).to_contain_text("Deniz Şahin")

    page.fill("#id_first_name", "Emre")
    page.fill("#id_last_name", "Demir")
    new_email = "emre.demir@example.com"
    page.fill("#id_email", new_email)

    # Choosing a department refills the reports-to list through htmx, without a page load.
    page.evaluate("window.__e2eSamePage = true")
    with page.expect_response(re.compile(r"/employees/new/options/\?")) as options:
        page.locator("#id_department").select_option(label="Sales")
    assert options.value.status == 200
    assert options.value.request.headers.get("hx-request") == "true"
    expect(reports_to).not_to_contain_text("Deniz Şahin")
    expect(reports_to).to_contain_text("Selin Aydın")
    expect(reports_to).to_contain_text("Zeynep Kaya")  # executives are offered in every case
    assert page.evaluate("window.__e2eSamePage === true"), "the page was reloaded"
    assert page.url == form_url
    # The other fields kept what was typed.
    expect(page.locator("#id_first_name")).to_have_value("Emre")

    page.locator("#id_reports_to").select_option(value=str(sales_manager.pk))
    page.fill("#id_start_date", "2025-03-01")
    page.fill("#id_description", "Handles the Aegean dealers.")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("#messages")).to_contain_text("was added and invited by e-mail")
    expect(page).to_have_url(re.compile(rf"/o/{tenant.slug}/employees/\d+/$"))
    with scopes_disabled():
        employee = Employee.objects.select_related("department").get(
            tenant=tenant, user__email=new_email
        )
    assert employee.reports_to_id == sales_manager.pk
    assert employee.department.code == "sales"
    assert employee.position == Position.EMPLOYEE

    # --- the invitation: a one-time link to set a password ---
    invitation = mailbox.deliver_one(new_email)
    invitation_url = link_in(invitation, r"/invitation/[^/]+/[^/]+/$")
    assert invitation_url.startswith(live_site + "/"), invitation_url
    assert "Anadolu Tekstil" in body_text(invitation)

    emre = browsing.new_page()  # a fresh browser context: nobody is logged in there
    emre.goto(invitation_url)
    expect(emre.locator("main")).to_contain_text(new_email)
    new_password = "Emre-sets-this-77"
    emre.fill("input[name=new_password1]", new_password)
    emre.fill("input[name=new_password2]", new_password)
    emre.locator("main form button[type=submit]").click()

    expect(emre).to_have_url(home_url)
    expect(emre.locator("h1")).to_have_text("Good day, Emre")
    expect(emre.locator("#messages")).to_contain_text("Your password is set")
    expect(emre.locator("main")).to_contain_text("Emre Demir")
    expect(emre.locator("#user-menu")).to_be_visible()

    # The link works once (asked outside a page: the expected 400 is no console error).
    again = browsing.new_page().request.get(invitation_url)
    assert again.status == 400
    assert "Set password and log in" not in again.text()

    # --- the language switch in the navigation ---
    switch_language(emre, "tr")
    expect(emre.locator("html")).to_have_attribute("dir", "ltr")
    expect(emre).to_have_url(home_url)
    expect(emre.locator("#nav-main")).to_contain_text("Çalışanlar")
    expect(emre.locator("#language-menu")).to_contain_text("Türkçe")
    # The choice is kept on the user: the next page is Turkish too.
    emre.reload()
    expect(emre.locator("html")).to_have_attribute("lang", "tr")
    employee.user.refresh_from_db()
    assert employee.user.language == "tr"

    browsing.assert_clean()
