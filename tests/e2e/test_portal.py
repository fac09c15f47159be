"""The customer portal in a browser, from the manager's "Send portal access" to the follow-up.

A manager sends portal access to a firm that has an invoice. The firm's contact opens the link
in the e-mail (delivered over SMTP to a loopback server), chooses a password and is logged in,
downloads the invoice, accepts an offer with a comment and sends an order request. The firm's
representative then finds the follow-up activity on the start page, and the offer's owner has
the acceptance in the mailbox.
"""

import re

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from portal.models import OrderRequest, PortalEvent
from portal.services.request_forms import request_form_create_starter
from sales.models import Offer, OfferStatus
from tests import factories
from tests.e2e.conftest import body_text, link_in, log_in
from tests.matrix.portal_offers import offer_template, sent_offer
from tests.matrix.portal_records import PDF, make_invoice
from tests.sales_helpers import make_product

pytestmark = pytest.mark.e2e

FIRM_NAME = "Çağlayan Şişe Ürünleri"
FIRM_EMAIL = "info@caglayan-sise.example"
PORTAL_PASSWORD = "Caglayan-portal-2026!"


def setup_world():
    world = factories.make_world("Acme", "a")
    firm = factories.make_firm(
        world.tenant,
        FIRM_NAME,
        actor=world.executive.user,
        sales_rep=world.employee,
        channels={"emails": [{"address": FIRM_EMAIL}]},
        first_contact={"data": {"first_name": "Ayşe", "last_name": "Yılmaz"}},
    )
    invoice = make_invoice(world, firm, "INV-2026-0042")
    offer = sent_offer(world, firm, title="Bottling line parts", template=offer_template(world))
    make_product(world, "Glass bottle 1 L", code="GB-1L")
    with scope(tenant=world.tenant.pk):
        form = request_form_create_starter(tenant=world.tenant, actor=world.executive)
    return world, firm, invoice, offer, form


def test_manager_sends_access_and_the_customer_works_in_the_portal(browsing, mailbox, live_site):
    world, firm, invoice, offer, form = setup_world()
    slug = world.tenant.slug

    # --- 1. the manager sends portal access from the firm page's Portal tab ---
    manager = browsing.new_page()
    log_in(manager, world.manager.user.email, factories.PASSWORD)
    expect(manager).to_have_url(re.compile(rf"/o/{slug}/$"))
    manager.goto(reverse("companies:firm-detail", args=[slug, firm.pk]))
    manager.locator("#firm-tabs").get_by_role("link", name="Portal", exact=True).click()
    send = manager.locator("#portal-send")
    expect(send).to_be_enabled()
    send.click()
    expect(manager.locator("main")).to_contain_text(FIRM_EMAIL)
    expect(manager.locator("#portal-logins")).to_contain_text("Invited")

    # --- 2. the e-mail carries a one-time link, never a password ---
    message = mailbox.deliver_one(FIRM_EMAIL)
    text = body_text(message)
    assert "No password is ever sent by e-mail." in text
    link = link_in(message, r"/portal/access/")

    # --- 3. the customer chooses a password from the link and is in the portal ---
    customer = browsing.new_page()
    customer.goto(link)
    customer.locator("input[name=password1]").fill(PORTAL_PASSWORD)
    customer.locator("input[name=password2]").fill(PORTAL_PASSWORD)
    customer.get_by_role("button", name="Set password and log in").click()
    expect(customer).to_have_url(re.compile(rf"/o/{slug}/portal/$"))
    expect(customer.locator("main")).to_contain_text("Your password is set.")
    expect(customer.locator("nav")).to_contain_text(FIRM_NAME)

    # A staff page is not there for a portal user.
    staff = customer.request.get(reverse("companies:firm-list", args=[slug]))
    assert staff.status == 404

    # --- 4. downloads the invoice ---
    customer.get_by_role("link", name="Invoices").first.click()
    row = customer.locator("tr", has_text=invoice.number)
    expect(row).to_be_visible()
    with customer.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("PDF")).click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF

    # --- 5. accepts the offer with a comment ---
    customer.get_by_role("link", name="Offers").first.click()
    offer_row = customer.locator("tr", has_text=offer.title)
    offer_row.get_by_role("link", name=offer.number).click()
    customer.locator("#offer-answer textarea").fill("Please deliver in January.")
    customer.locator("#offer-accept").click()
    expect(customer.locator("main")).to_contain_text("You accepted this offer.")
    with scopes_disabled():
        offer = Offer.objects.get(pk=offer.pk)
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.decision_comment == "Please deliver in January."
    owner_mail = mailbox.deliver_one(world.employee.user.email)
    assert offer.number in owner_mail["Subject"] or offer.number in body_text(owner_mail)

    # --- 6. sends an order request ---
    customer.get_by_role("link", name="Order requests").first.click()
    customer.goto(reverse("portal:order-request-new", args=[slug, form.pk]))
    request_form = customer.locator("#order-request-form")
    product = request_form.get_by_label("Product")
    option = product.locator("option", has_text="Glass bottle")
    product.select_option(value=option.get_attribute("value"))
    request_form.get_by_label("Quantity").fill("1200")
    request_form.get_by_label("Notes").fill("Half in January, half in February.")
    request_form.get_by_role("button", name="Send the request").click()
    expect(customer.locator("main")).to_contain_text("Glass bottle")
    with scopes_disabled():
        order_request = OrderRequest.objects.get(firm=firm)
        kinds = set(PortalEvent.objects.filter(firm=firm).values_list("kind", flat=True))
    assert order_request.activity_id is not None
    assert {"password_set", "login", "download", "offer_accepted", "order_request"} <= kinds

    # --- 7. the representative sees the follow-up activity on the start page ---
    representative = browsing.new_page()
    log_in(representative, world.employee.user.email, factories.PASSWORD)
    expect(representative).to_have_url(re.compile(rf"/o/{slug}/$"))
    expect(representative.locator("main")).to_contain_text(f"Order request: {form.name}")
    request_mail = mailbox.deliver_one(world.employee.user.email)
    assert FIRM_NAME in body_text(request_mail)
