"""Documents and sales in a browser: from an offer template to an invoice handed over.

The executive writes an HTML offer template with merge fields in the document library and
previews it for a firm chosen with the firm picker. The firm's representative (an employee)
builds an offer with two product lines on that template, sends it to the firm's contact (the
worker's preparation and the outbox delivery run here, in the test process, on the live
server's database), finds the dispatch on the firm's timeline, and marks an invoice's original
as handed over.
"""

import base64
import re
import subprocess
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from core.models import OutboxEmail
from documents.models import Dispatch, DocumentTemplate
from documents.tasks import prepare_dispatch
from sales.models import Invoice, Offer, OfferStatus
from sales.services.invoices import invoice_create
from tests import factories
from tests.e2e.conftest import log_in
from tests.sales_helpers import make_product

pytestmark = pytest.mark.e2e

FIRM_NAME = "Çağlayan Şişe Ürünleri"
CONTACT_EMAIL = "ayse.yilmaz@example.com"
PDF = "application/pdf"
TEMPLATE_NAME = "Offer for bottlers"
TEMPLATE_HTML = (
    "<h1>Offer {{ number }} for {{ firm_name }}</h1>\n"
    "{% for line in lines %}<p>{{ line.description }}: {{ line.total }}</p>{% endfor %}\n"
    "<p>Total {{ total }} {{ currency }}</p>\n"
)
# 2 × 1,250.00 + 20% VAT = 3,000.00; 3 × 80.00 + 20% VAT = 288.00.
TOTAL = "3,288.00"


def url(name, *args, **query):
    path = reverse(name, args=args)
    if query:
        path += "?" + urlencode(query)
    return path


def pdf_text(content):
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def setup_world():
    world = factories.make_world("Acme", "a")
    firm = factories.make_firm(
        world.tenant,
        FIRM_NAME,
        actor=world.executive.user,
        sales_rep=world.employee,
        first_contact={
            "data": {"first_name": "Ayşe", "last_name": "Yılmaz"},
            "channels": {"emails": [{"address": CONTACT_EMAIL}]},
        },
    )
    make_product(world, "Glass bottle 1 L", code="GB-1L", sale_price=Decimal("1250.00"))
    make_product(world, "Crown cap 26 mm", code="CC-26", sale_price=Decimal("80.00"))
    with scope(tenant=world.tenant.pk):
        invoice = invoice_create(
            tenant=world.tenant,
            actor=world.executive,
            firm=firm,
            data={"number": "", "issued_on": timezone.localdate(), "currency": "TRY"},
            lines=[
                {
                    "description": "Mould design",
                    "quantity": Decimal(1),
                    "unit_price": Decimal("500.00"),
                    "discount_percent": Decimal(0),
                    "vat_rate": Decimal(20),
                }
            ],
        )
    return world, firm, invoice


def test_offer_template_to_sent_offer_and_handed_over_invoice(browsing, mailbox, live_site):
    world, firm, invoice = setup_world()
    slug = world.tenant.slug

    # --- 1. the executive writes an HTML offer template in the document library ---
    executive = browsing.new_page()
    log_in(executive, world.executive.user.email, factories.PASSWORD)
    expect(executive).to_have_url(re.compile(rf"/o/{slug}/$"))
    executive.goto(url("documents:template-list", slug))
    executive.get_by_role("link", name="New template").click()
    expect(executive).to_have_url(re.compile(r"/documents/templates/new/$"))
    editor = executive.locator("#template-form")
    editor.get_by_label("Kind").select_option(label="Offer")
    editor.get_by_label("HTML template rendered to PDF").check()
    html = editor.get_by_label("HTML", exact=True)
    expect(html).to_be_visible()  # the script shows the HTML part for this form
    editor.get_by_role("textbox", name="Name", exact=True).fill(TEMPLATE_NAME)
    html.fill(TEMPLATE_HTML)
    editor.get_by_label("What changed").fill("First version")
    editor.get_by_role("button", name="Save").click()
    expect(executive.locator("main")).to_contain_text("The template is saved.")
    expect(executive.locator("h1")).to_have_text(TEMPLATE_NAME)
    with scopes_disabled():
        template = DocumentTemplate.objects.get(tenant=world.tenant, name=TEMPLATE_NAME)
    assert (template.kind, template.form) == ("offer", "html")

    # --- 2. previews it for the firm, chosen with the firm picker ---
    # The page's "Preview" button (the version table has one per version too).
    executive.get_by_role("link", name="Preview").first.click()
    expect(executive).to_have_url(re.compile(rf"/templates/{template.pk}/preview/$"))
    frame = executive.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Offer SAMPLE-0001 for [firm_name]")  # no firm yet
    executive.get_by_role("combobox", name="Firm").fill("Şişe")
    executive.get_by_role("option", name=re.compile(FIRM_NAME)).click()
    # Choosing the firm reloads the preview for it.
    expect(executive).to_have_url(re.compile(rf"/preview/\?firm={firm.pk}"))
    expect(executive.locator("#preview-for")).to_contain_text(f"Filled in for {FIRM_NAME}")
    expect(frame.locator("h1")).to_contain_text(f"for {FIRM_NAME}")
    expect(frame.locator("body")).to_contain_text("Total")

    # --- 3. the firm's representative builds an offer with two lines on that template ---
    employee = browsing.new_page()
    log_in(employee, world.employee.user.email, factories.PASSWORD)
    expect(employee).to_have_url(re.compile(rf"/o/{slug}/$"))
    employee.goto(url("sales:offer-create", slug, firm=firm.pk))
    form = employee.locator("#offer-form")
    expect(form.locator("[data-picker-name]")).to_have_text(FIRM_NAME)
    form.get_by_label("Contact").select_option(label="Ayşe Yılmaz")
    form.get_by_role("textbox", name="Title", exact=True).fill("Bottling line 2026")
    form.get_by_label("PDF template").select_option(label=TEMPLATE_NAME)
    rows = form.locator("[data-line-rows] [data-line-row]")
    expect(rows).to_have_count(1)
    rows.nth(0).locator("[data-line-product]").select_option(label="GB-1L Glass bottle 1 L")
    expect(rows.nth(0).locator("[data-line-unit-price]")).to_have_value("1250.00")
    rows.nth(0).locator("[data-line-quantity]").fill("2")
    form.get_by_role("button", name="Add a line").click()
    expect(rows).to_have_count(2)
    rows.nth(1).locator("[data-line-product]").select_option(label="CC-26 Crown cap 26 mm")
    rows.nth(1).locator("[data-line-quantity]").fill("3")
    expect(form.locator("[data-offer-total]")).to_have_text(f"{TOTAL} TRY")
    form.get_by_role("button", name="Save").click()
    expect(employee.locator("main")).to_contain_text(re.compile(r"The offer \S+ is saved\."))
    with scopes_disabled():
        offer = Offer.objects.get(tenant=world.tenant, firm=firm)
    expect(employee).to_have_url(url("sales:offer-detail", slug, offer.pk))
    assert offer.total == Decimal("3288.00")
    assert offer.template_id == template.pk
    expect(employee.locator("#offer-line-table tbody tr")).to_have_count(2)
    expect(employee.locator("#offer-total")).to_have_text(f"{TOTAL} TRY")
    expect(employee.locator("#offer-facts")).to_contain_text(TEMPLATE_NAME)

    # --- 4. sends it to the contact; the worker's preparation runs here ---
    employee.locator("#offer-actions").get_by_role("link", name="Send").click()
    expect(employee).to_have_url(
        url("documents:dispatch-create", slug, firm=firm.pk, source=f"sales.offer:{offer.pk}")
    )
    expect(employee.locator("#dispatch-record")).to_contain_text(offer.number)
    sending = employee.locator("#dispatch-form")
    recipient = sending.get_by_label(re.compile(rf"Ayşe Yılmaz .*{re.escape(CONTACT_EMAIL)}"))
    recipient.check()
    expect(recipient).to_be_checked()
    expect(sending.get_by_role("textbox", name="Subject", exact=True)).to_have_value(
        re.compile(re.escape(offer.number))
    )
    sending.get_by_role("button", name="Send").click()
    expect(employee.locator("main")).to_contain_text("The documents are on their way.")
    with scopes_disabled():
        dispatch = Dispatch.objects.get(tenant=world.tenant, firm=firm)
        offer.refresh_from_db()
    expect(employee).to_have_url(url("documents:dispatch-detail", slug, dispatch.pk))
    assert offer.status == OfferStatus.SENT

    assert prepare_dispatch(dispatch_id=dispatch.pk, tenant_id=world.tenant.pk) == "prepared"
    with scopes_disabled():
        row = OutboxEmail.objects.get(
            tenant=world.tenant, idempotency_key__startswith=f"dispatch:{dispatch.pk}:"
        )
    assert row.to == [CONTACT_EMAIL]
    assert [a["mimetype"] for a in row.attachments] == ["application/pdf"]
    attached = base64.b64decode(row.attachments[0]["content"])
    assert attached.startswith(b"%PDF")
    text = " ".join(pdf_text(attached).split())  # the heading wraps
    assert f"Offer {offer.number} for {FIRM_NAME}" in text
    assert "Glass bottle 1 L: 3,000.00" in text
    assert f"Total {TOTAL} TRY" in text

    # The e-mail goes out through the real delivery path, with the PDF attached.
    message = mailbox.deliver_one(CONTACT_EMAIL)
    pdfs = [part for part in message.iter_attachments() if part.get_content_type() == PDF]
    assert len(pdfs) == 1
    assert pdfs[0].get_content() == attached

    employee.reload()
    expect(employee.locator("#dispatch-state")).to_have_text("Sent")
    expect(employee.locator("#dispatch-items")).to_contain_text(offer.number)
    expect(employee.locator("#dispatch-items")).to_contain_text("attached")

    # --- 5. the firm's timeline shows what was sent, to whom ---
    employee.goto(url("companies:firm-detail", slug, firm.pk))
    employee.locator("#firm-tabs").get_by_role("link", name="Timeline").click()
    expect(employee).to_have_url(url("companies:firm-timeline", slug, firm.pk))
    entry = employee.locator("#firm-tab li", has_text="Documents sent")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Offer · Sent")
    expect(entry).to_contain_text(f"{offer.number} Bottling line 2026 to Ayşe Yılmaz")
    expect(entry).to_contain_text(CONTACT_EMAIL)
    expect(entry).to_contain_text(world.employee.full_name)
    entry.get_by_role("link").click()
    expect(employee).to_have_url(url("documents:dispatch-detail", slug, dispatch.pk))

    # --- 6. the representative marks an invoice's original as handed over ---
    employee.goto(url("sales:invoice-detail", slug, invoice.pk))
    handed = employee.locator("#invoice-handed-over")
    expect(handed).to_contain_text("Not handed over")
    employee.get_by_role("button", name="Mark as handed over").click()
    expect(employee.locator("main")).to_contain_text("The original is recorded as handed over.")
    expect(handed).to_contain_text("Handed over")
    expect(handed).not_to_contain_text("Not handed over")
    expect(handed).to_contain_text(world.employee.full_name)
    expect(employee.get_by_role("button", name="Mark as handed over")).to_have_count(0)
    with scopes_disabled():
        invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.handed_over is True
    assert invoice.handed_over_by_id == world.employee.pk
    assert invoice.handed_over_at is not None
