"""Invoices (seed 000 "fatura"): lines from products sold, services and free lines, numbers,
the firm's status, the scanned original, the PDF made in the worker, "handed over", deletion
freeing the lines, lists with filters and totals, row rules, budgets and hostile input."""

import itertools
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scope, scopes_disabled

from catalogue.models import Product
from core import choices
from core.models import AuditEntry
from core.money import line_amounts
from documents import sources
from documents.models import DocumentTemplate, DocumentVersion
from opportunities.models import Opportunity
from sales.models import Invoice, InvoiceLine, Order, OrderLine, Service
from sales.pdf import render_invoice
from sales.selectors import invoices as selectors
from sales.services.invoices import invoice_create, invoice_hand_over
from tests import helpers
from tests.factories import make_firm

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BMP = b"BM" + b"\x00" * 60
HTML_AS_PDF = b"<html><body><script>alert(1)</script></body></html>"
ALLOWED = helpers.ALLOWED
CODES = itertools.count(1)
TEMPLATE_HTML = """<html><body>
<h1>{{ tenant_name }}: invoice {{ number }}</h1><p>{{ firm_name }}</p>
<table>{% for line in lines %}<tr><td>{{ line.description }}</td><td>{{ line.quantity }}</td>
<td>{{ line.total }}</td></tr>{% endfor %}</table>
<p>Grand total {{ total }} {{ currency }}</p></body></html>"""


def url(world, name, *args):
    return reverse(f"sales:{name}", args=[world.tenant.slug, *args])


# Sales rows are built directly: the order services are another module's.


def make_product(world, name="Pump K-40", code=None):
    with scope(tenant=world.tenant.pk):
        return Product.objects.create(
            tenant=world.tenant, code=code or name[:10], name=name, sale_price=Decimal("100")
        )


def make_order_line(world, firm, product=None, *, amount="3", price="100.00", discount="10",
                    vat="20", currency="TRY", number=None):  # fmt: skip
    product = product or make_product(world, code=f"P{next(CODES)}")
    with scope(tenant=world.tenant.pk):
        order = Order.objects.create(
            tenant=world.tenant, firm=firm, currency=currency,
            number=number or f"O-{Order.objects.filter(tenant=world.tenant).count() + 1}",
        )  # fmt: skip
        amounts = line_amounts(
            quantity=Decimal(amount), unit_price=Decimal(price),
            discount_percent=Decimal(discount), vat_rate=Decimal(vat),
        )  # fmt: skip
        return OrderLine.objects.create(
            tenant=world.tenant, order=order, product=product, amount=Decimal(amount),
            quantity=Decimal(amount), unit_price=Decimal(price), discount_percent=Decimal(discount),
            vat_rate=Decimal(vat), net=amounts.net, vat=amounts.vat, total=amounts.total,
        )  # fmt: skip


def make_service(world, firm, title="Installation", price="500.00", vat="20", currency="TRY"):
    with scope(tenant=world.tenant.pk):
        return Service.objects.create(
            tenant=world.tenant, firm=firm, title=title, price=Decimal(price),
            vat_rate=Decimal(vat), currency=currency,
        )  # fmt: skip


def make_template(world, html=TEMPLATE_HTML, language="en"):
    with scope(tenant=world.tenant.pk):
        template = DocumentTemplate.objects.create(
            tenant=world.tenant, kind="invoice", form="html", name="Invoice", language=language
        )
        version = DocumentVersion.objects.create(
            tenant=world.tenant, template=template, number=1, html=html
        )
        template.current_version = version
        template.save(update_fields=["current_version"])
        return template


def quick_invoice(world, firm, actor=None, **data):
    lines = data.pop("lines", None) or [
        {"description": "Consulting", "quantity": Decimal(2), "unit_price": Decimal("50"),
         "discount_percent": Decimal(0), "vat_rate": Decimal(20)},
    ]  # fmt: skip
    with scope(tenant=world.tenant.pk):
        return invoice_create(
            tenant=world.tenant, actor=actor or world.employee, firm=firm,
            data={"number": "", "issued_on": date(2026, 3, 1), "currency": "TRY", **data},
            lines=lines,
        )  # fmt: skip


def counts():
    with scopes_disabled():
        return (Invoice.objects.count(), InvoiceLine.objects.count())


def fresh(instance):
    with scopes_disabled():
        return type(instance).objects.get(pk=instance.pk)


def form_post(firm=None, **overrides):
    data = {
        "number": "",
        "issued_on": "2026-03-01",
        "due_on": "2026-03-31",
        "currency": "TRY",
        "note": "Thank you",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-description": "Travel",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "80",
        "lines-0-discount_percent": "0",
        "lines-0-vat_rate": "10",
    }
    if firm is not None:
        data["firm"] = firm.pk
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def firm(world):
    """A customer the employee represents (the manager reaches it through the team)."""
    return make_firm(world.tenant, "Anadolu Makina", sales_rep=world.employee,
                     actor=world.executive.user)  # fmt: skip


@pytest.mark.django_db
def test_lines_from_products_sold_services_and_free_lines(client, world, firm):
    line = make_order_line(world, firm, amount="3", price="100.00", discount="10", vat="20")
    service = make_service(world, firm, price="500.00", vat="20")
    client.force_login(world.employee.user)
    response = client.post(
        url(world, "invoice-create"),
        form_post(firm, order_lines=[line.pk], services=[service.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        invoice = Invoice.objects.get()
        rows = list(invoice.lines.order_by("position"))
    assert [(r.description, r.quantity, r.order_line_id, r.service_id) for r in rows] == [
        ("Pump K-40", Decimal("3.000"), line.pk, None),
        ("Installation", Decimal("1.000"), None, service.pk),
        ("Travel", Decimal("1.000"), None, None),
    ]
    # 3 × 100 − 10 % = 270 + 20 % VAT; 500 + 20 %; 80 + 10 %.
    assert [(r.net, r.vat, r.total) for r in rows] == [
        (Decimal("270.00"), Decimal("54.00"), Decimal("324.00")),
        (Decimal("500.00"), Decimal("100.00"), Decimal("600.00")),
        (Decimal("80.00"), Decimal("8.00"), Decimal("88.00")),
    ]
    assert (invoice.net, invoice.vat, invoice.total) == (
        Decimal("850.00"), Decimal("162.00"), Decimal("1012.00"),
    )  # fmt: skip
    assert invoice.number == "000001" and invoice.created_by == world.employee
    page = client.get(response["Location"]).text
    assert "1.012,00" in page or "1,012.00" in page
    assert "Pump K-40" in page and "Order O-1" in page
    # The order line and the service are invoiced now: not offered again.
    form = client.get(url(world, "invoice-create") + f"?firm={firm.pk}").text
    assert f'value="{line.pk}" id="order-line-' not in form
    assert f'id="service-{service.pk}"' not in form


@pytest.mark.django_db
def test_numbers_follow_the_sequence_and_skip_numbers_typed_by_hand(world, firm):
    first = quick_invoice(world, firm)
    second = quick_invoice(world, firm)
    typed = quick_invoice(world, firm, number="000003")
    after = quick_invoice(world, firm)
    assert [first.number, second.number, typed.number, after.number] == [
        "000001", "000002", "000003", "000004",
    ]  # fmt: skip
    other = make_firm(world.tenant, "Other", sales_rep=world.employee)
    assert quick_invoice(world, other, number="FTR 2026/17").number == "FTR 2026/17"


@pytest.mark.django_db
def test_a_duplicate_number_typed_by_hand_is_a_form_error(client, world, firm):
    quick_invoice(world, firm, number="A-100")
    client.force_login(world.employee.user)
    before = counts()
    response = client.post(url(world, "invoice-create"), form_post(firm, number="A-100"))
    assert response.status_code == 400
    assert "Another invoice already has this number." in response.text
    assert counts() == before
    invoice = quick_invoice(world, firm)
    response = client.post(
        url(world, "invoice-edit", invoice.pk),
        form_post(number="A-100", **{"lines-0-description": "x"}),
    )
    assert (
        response.status_code == 400 and "Another invoice already has this number." in response.text
    )


@pytest.mark.django_db
@pytest.mark.parametrize("event", ["first_contact", "in_talks"])
def test_adding_an_invoice_makes_the_firm_a_potential_customer(client, world, firm, event):
    if event == "in_talks":
        with scope(tenant=world.tenant.pk):
            from companies.services.firms import firm_advance_status

            firm_advance_status(tenant=world.tenant, actor=None, firm=firm, event="material_sent")
    client.force_login(world.employee.user)
    assert client.post(url(world, "invoice-create"), form_post(firm)).status_code == 302
    firm = fresh(firm)
    assert firm.status == "potential_customer"
    with scopes_disabled():
        entry = AuditEntry.objects.filter(subject_type="companies.firm", subject_id=firm.pk).first()
    assert entry.actor == world.employee.user
    assert {"field": "status", "old": "In talks" if event == "in_talks" else "First contact",
            "new": "Potential customer"} in entry.changes  # fmt: skip


@pytest.mark.django_db
def test_a_refused_invoice_leaves_the_firm_status_alone(client, world, firm):
    client.force_login(world.employee.user)
    response = client.post(
        url(world, "invoice-create"), form_post(firm, **{"lines-0-unit_price": "x"})
    )
    assert response.status_code == 400
    assert fresh(firm).status == "first_contact"


@pytest.mark.django_db
def test_query_string_prefills_and_names_what_it_refuses(client, world, other_world, firm):
    line = make_order_line(world, firm, currency="EUR")
    service = make_service(world, firm, currency="EUR")
    invoiced = make_order_line(world, firm, product=make_product(world, "Valve", "V1"))
    quick_invoice_with(world, firm, order_lines=[invoiced])
    elsewhere = make_firm(world.tenant, "Elsewhere", sales_rep=world.employee)
    foreign_line = make_order_line(world, elsewhere, product=make_product(world, "Hose", "H1"))
    stranger_firm = make_firm(other_world.tenant, "Globex Firm")
    stranger_line = make_order_line(other_world, stranger_firm)
    with scope(tenant=world.tenant.pk):
        stage = choices.options(tenant=world.tenant, key="opportunity_stage").first()
        opportunity = Opportunity.objects.create(
            tenant=world.tenant, code="OP-1", name="Big deal", firm=firm, stage=stage
        )
    client.force_login(world.employee.user)
    query = (
        f"?firm={firm.pk}&order_line={line.pk}&order_line={invoiced.pk}"
        f"&order_line={foreign_line.pk}&order_line={stranger_line.pk}&service={service.pk}"
        f"&opportunity={opportunity.pk}"
    )
    page = client.get(url(world, "invoice-create") + query).text
    assert f'value="{line.pk}" id="order-line-{line.pk}" checked' in page
    assert f'value="{service.pk}" id="service-{service.pk}" checked' in page
    assert f'<option value="{opportunity.pk}" selected' in page
    assert '<option value="EUR" selected' in page
    assert "A requested product line does not exist." in page  # another tenant's
    assert "The product line “Valve” is already invoiced (invoice 000001)." in page
    assert "The product line “Hose” belongs to another firm." in page
    # Without ?firm= the firm of the first line, or of the opportunity, is taken.
    page = client.get(url(world, "invoice-create") + f"?order_line={line.pk}").text
    assert "Anadolu Makina" in page and f'id="order-line-{line.pk}" checked' in page
    fragment = client.get(
        url(world, "invoice-create"), {"firm": firm.pk},
        headers={"HX-Request": "true", "HX-Target": "invoice-sources"},
    ).text  # fmt: skip
    assert fragment.startswith('<div id="invoice-sources">') and "<html" not in fragment
    assert f'id="order-line-{line.pk}"' in fragment and "Big deal" in fragment
    page = client.get(url(world, "invoice-create") + f"?opportunity={opportunity.pk}").text
    assert "Anadolu Makina" in page and f'<option value="{opportunity.pk}" selected' in page
    page = client.get(
        url(world, "invoice-create") + f"?firm={elsewhere.pk}&opportunity={opportunity.pk}"
    ).text
    assert escape("The opportunity is not one of this firm's.") in page


def quick_invoice_with(world, firm, order_lines=(), services=(), actor=None):
    with scope(tenant=world.tenant.pk):
        currency = order_lines[0].order.currency if order_lines else services[0].currency
        return invoice_create(
            tenant=world.tenant, actor=actor or world.employee, firm=firm,
            data={"number": "", "issued_on": date(2026, 3, 2), "currency": currency},
            order_lines=order_lines, services=services,
        )  # fmt: skip


@pytest.mark.django_db
def test_posting_invoiced_foreign_or_mismatched_lines_is_refused(client, world, other_world, firm):
    invoiced = make_order_line(world, firm)
    quick_invoice_with(world, firm, order_lines=[invoiced])
    elsewhere = make_firm(world.tenant, "Elsewhere", sales_rep=world.employee)
    foreign = make_service(world, elsewhere, title="Audit")
    euro = make_service(world, firm, title="Training", currency="EUR")
    stranger = make_service(other_world, make_firm(other_world.tenant, "G"), title="Secret")
    client.force_login(world.employee.user)
    cases = [
        ({"order_lines": [invoiced.pk]}, "is already invoiced (invoice 000001)"),
        ({"services": [foreign.pk]}, "The service “Audit” belongs to another firm."),
        ({"services": [euro.pk]}, "The service “Training” is in EUR"),
        ({"services": [stranger.pk]}, "A chosen service does not exist."),
    ]
    for extra, message in cases:
        before = counts()
        response = client.post(url(world, "invoice-create"), form_post(firm, **extra))
        assert response.status_code == 400, extra
        assert message in response.text, (extra, message)
        assert counts() == before


@pytest.mark.django_db
def test_an_invoice_needs_a_line(client, world, firm):
    client.force_login(world.employee.user)
    response = client.post(
        url(world, "invoice-create"),
        form_post(firm, **{"lines-0-description": "", "lines-0-unit_price": "",
                           "lines-0-quantity": "1", "lines-0-vat_rate": "20"}),
    )  # fmt: skip
    assert response.status_code == 400
    assert "Add at least one line to the invoice." in response.text


@pytest.mark.django_db
def test_the_scanned_original_is_checked_by_content_and_served_with_a_check(
    client, world, other_world, firm
):
    client.force_login(world.employee.user)
    before = counts()
    fake = SimpleUploadedFile("scan.pdf", HTML_AS_PDF, content_type="application/pdf")
    response = client.post(url(world, "invoice-create"), form_post(firm, original=fake))
    assert (
        response.status_code == 400 and "This kind of file is not accepted here." in response.text
    )
    assert counts() == before
    scan = SimpleUploadedFile("scan.bmp", BMP, content_type="image/bmp")
    response = client.post(url(world, "invoice-create"), form_post(firm, original=scan))
    assert response.status_code == 302
    with scopes_disabled():
        invoice = Invoice.objects.get()
    assert invoice.original_name == "scan.bmp" and invoice.original_content_type == "image/bmp"
    assert not invoice.original.name.endswith("scan.bmp")  # a generated name
    download = client.get(url(world, "invoice-original", invoice.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == BMP
    assert client.get(url(world, "invoice-pdf", invoice.pk)).status_code == 404  # none yet
    client.force_login(other_world.executive.user)
    assert client.get(url(world, "invoice-original", invoice.pk)).status_code == 404


@pytest.mark.django_db
def test_the_pdf_is_made_in_the_worker_from_the_invoice_template(
    client, world, firm, django_capture_on_commit_callbacks
):
    make_template(world)
    line = make_order_line(world, firm, amount="3", price="100.00", discount="10", vat="20")
    client.force_login(world.employee.user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(world, "invoice-create"), form_post(firm, order_lines=[line.pk]))
    assert response.status_code == 302 and len(callbacks) == 1  # the render, queued on commit
    with scopes_disabled():
        invoice = Invoice.objects.get()
    detail = client.get(response["Location"]).text
    assert 'data-pdf-state="pending"' in detail and "The PDF is being made" in detail
    assert "every 2s" in detail  # the page polls the state
    assert render_invoice(invoice.pk, tenant_id=world.tenant.pk) == "ready"
    invoice = fresh(invoice)
    assert invoice.pdf and invoice.template_version_id is not None
    with invoice.pdf.open("rb") as handle:
        pdf = handle.read()
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Anadolu Makina" in text
    assert "412.00" in text  # 270 + 54 + 80 + 8
    assert "Pump K-40" in text
    state = client.get(url(world, "invoice-pdf-state", invoice.pk)).text
    assert 'data-pdf-state="ready"' in state and "every 2s" not in state
    download = client.get(url(world, "invoice-pdf", invoice.pk))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf
    # A second delivery of the same task does nothing.
    assert render_invoice(invoice.pk, tenant_id=world.tenant.pk) == "skipped"


@pytest.mark.django_db
def test_a_render_error_is_shown_and_can_be_retried(client, world, firm):
    template = make_template(world, html="<p>{{ no_such_field }}</p>")
    invoice = quick_invoice(world, firm)
    assert render_invoice(invoice.pk, tenant_id=world.tenant.pk) == "failed"
    client.force_login(world.employee.user)
    page = client.get(url(world, "invoice-detail", invoice.pk)).text
    assert 'data-pdf-state="failed"' in page and "The PDF could not be made" in page
    assert "no_such_field" in page and "Make the PDF again" in page
    with scope(tenant=world.tenant.pk):
        version = template.current_version
        version.html = TEMPLATE_HTML
        version.save()
    response = client.post(url(world, "invoice-render", invoice.pk))
    assert response.status_code == 302
    assert 'data-pdf-state="pending"' in client.get(response["Location"]).text
    assert render_invoice(invoice.pk, tenant_id=world.tenant.pk) == "ready"


@pytest.mark.django_db
def test_without_an_invoice_template_there_is_no_pdf(client, world, firm):
    invoice = quick_invoice(world, firm)
    client.force_login(world.employee.user)
    page = client.get(url(world, "invoice-detail", invoice.pk)).text
    assert 'data-pdf-state="none"' in page
    response = client.post(url(world, "invoice-render", invoice.pk), follow=True)
    assert "There is no active invoice template" in response.text
    assert render_invoice(invoice.pk, tenant_id=world.tenant.pk) == "skipped"


@pytest.mark.django_db
def test_the_invoice_is_a_dispatch_source(world, other_world, firm):
    make_template(world)
    invoice = quick_invoice(world, firm)
    source = sources.get("sales.invoice")
    assert source is not None and source.kind == "invoice"
    assert sources.parse(f"sales.invoice:{invoice.pk}") == (source, invoice.pk)
    with scope(tenant=world.tenant.pk):
        assert source.get(world.tenant, world.employee, invoice.pk) == invoice
        assert source.title(invoice) == "Invoice 000001"
        name, content = source.render(world.tenant, invoice, "en")
    assert name == "invoice-000001.pdf" and content.startswith(b"%PDF")
    with scope(tenant=other_world.tenant.pk):
        assert source.get(other_world.tenant, other_world.executive, invoice.pk) is None


@pytest.mark.django_db
def test_send_button_leads_to_the_dispatch_form_when_it_exists(client, world, firm):
    from sales.views.invoices import dispatch_url

    invoice = quick_invoice(world, firm)
    address = dispatch_url(world.tenant, invoice)
    client.force_login(world.executive.user)
    page = client.get(url(world, "invoice-detail", invoice.pk)).text
    if address:
        assert f"source=sales.invoice%3A{invoice.pk}" in address and f"firm={firm.pk}" in address
        assert 'id="invoice-send"' in page
    else:  # document dispatch is not installed yet: no button
        assert 'id="invoice-send"' not in page


@pytest.mark.django_db
def test_marking_the_original_handed_over(client, world, firm):
    invoice = quick_invoice(world, firm)
    client.force_login(world.employee.user)
    page = client.get(url(world, "invoice-detail", invoice.pk)).text
    assert "Mark as handed over" in page and "Not handed over" in page
    moment = timezone.now()
    response = client.post(url(world, "invoice-handover", invoice.pk), follow=True)
    assert "The original is recorded as handed over." in response.text
    invoice = fresh(invoice)
    assert invoice.handed_over and invoice.handed_over_by == world.employee
    assert moment <= invoice.handed_over_at <= timezone.now()
    assert "Mark as handed over" not in response.text
    again = client.post(url(world, "invoice-handover", invoice.pk), follow=True)
    assert "The original was already handed over." in again.text
    assert fresh(invoice).handed_over_at == invoice.handed_over_at
    timeline = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk]))
    assert "Original of invoice 000001 handed over" in timeline.text
    assert "Invoice 000001" in timeline.text


@pytest.mark.django_db
def test_deleting_an_invoice_frees_its_lines(client, world, firm):
    line = make_order_line(world, firm)
    service = make_service(world, firm)
    invoice = quick_invoice_with(world, firm, order_lines=[line], services=[service])
    with scope(tenant=world.tenant.pk):
        assert not selectors.uninvoiced_order_lines(tenant=world.tenant, firm=firm).exists()
    client.force_login(world.employee.user)  # employees may not delete invoices
    assert client.post(url(world, "invoice-delete", invoice.pk)).status_code == 403
    client.force_login(world.manager.user)
    response = client.post(url(world, "invoice-delete", invoice.pk))
    assert response.status_code == 302
    assert response["Location"] == url(world, "firm-invoices", firm.pk)
    assert counts() == (0, 0)
    with scope(tenant=world.tenant.pk):
        assert list(selectors.uninvoiced_order_lines(tenant=world.tenant, firm=firm)) == [line]
        assert list(selectors.uninvoiced_services(tenant=world.tenant, firm=firm)) == [service]
        assert AuditEntry.objects.filter(
            subject_type="sales.invoice", subject_id=invoice.pk, action="delete"
        ).exists()
    form = client.get(url(world, "invoice-create") + f"?firm={firm.pk}").text
    assert f'id="order-line-{line.pk}"' in form and f'id="service-{service.pk}"' in form


@pytest.mark.django_db
def test_editing_changes_the_header_lines_and_releases_linked_lines(client, world, firm):
    line = make_order_line(world, firm)
    service = make_service(world, firm)
    invoice = quick_invoice_with(world, firm, order_lines=[line])
    client.force_login(world.employee.user)
    page = client.get(url(world, "invoice-edit", invoice.pk)).text
    assert "Release “Pump K-40”" in page and f'id="service-{service.pk}"' in page
    with scopes_disabled():
        linked = InvoiceLine.objects.get(order_line=line)
    response = client.post(
        url(world, "invoice-edit", invoice.pk),
        form_post(number="B-7", remove_lines=[linked.pk], services=[service.pk],
                  **{"lines-0-description": "Freight", "lines-0-unit_price": "40",
                     "lines-0-vat_rate": "0"}),
    )  # fmt: skip
    assert response.status_code == 302, response.text[:2000]
    invoice = fresh(invoice)
    with scopes_disabled():
        rows = list(invoice.lines.order_by("position").values_list("description", "total"))
        assert not InvoiceLine.objects.filter(order_line=line).exists()
    assert rows == [("Installation", Decimal("600.00")), ("Freight", Decimal("40.00"))]
    assert (invoice.number, invoice.total, invoice.note) == ("B-7", Decimal("640.00"), "Thank you")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(subject_type="sales.invoice", action="update").get()
    fields = {change["field"] for change in entry.changes}
    assert {"number", "total", "lines"} <= fields


@pytest.mark.django_db
def test_list_filters_and_totals_per_currency(client, world, firm):
    other = make_firm(world.tenant, "Boğaziçi Ltd", sales_rep=world.employee)
    old = quick_invoice(world, firm, issued_on=date(2026, 1, 5), due_on=date(2026, 1, 20))
    new = quick_invoice(world, firm, issued_on=date(2026, 3, 5), due_on=date(2099, 1, 1))
    euro = quick_invoice(
        world, other, currency="EUR", issued_on=date(2026, 2, 5),
        lines=[{"description": "Euro work", "quantity": Decimal(1), "unit_price": Decimal("1000"),
                "discount_percent": Decimal(0), "vat_rate": Decimal(0)}],
    )  # fmt: skip
    with scope(tenant=world.tenant.pk):
        invoice_hand_over(tenant=world.tenant, actor=world.employee, invoice=new)
    client.force_login(world.employee.user)

    def listed(query=""):
        response = client.get(url(world, "invoice-list") + query)
        assert response.status_code == 200
        return {
            n for n in (old.number, new.number, euro.number) if f">{n}</a>" in response.text
        }, response.text

    assert listed()[0] == {old.number, new.number, euro.number}
    assert listed(f"?firm={firm.pk}")[0] == {old.number, new.number}
    assert listed("?date_from=2026-02-01&date_to=2026-02-28")[0] == {euro.number}
    assert listed("?handed_over=yes")[0] == {new.number}
    assert listed("?handed_over=no")[0] == {old.number, euro.number}
    assert listed("?overdue=on")[0] == {old.number}
    assert listed("?currency=EUR")[0] == {euro.number}
    _found, text = listed("?currency=TRY")
    # Two TRY invoices of 120.00 each.
    assert 'data-currency="TRY"' in text and "240.00" in text and 'data-currency="EUR"' not in text
    _found, text = listed()
    assert 'data-currency="EUR"' in text and "1,000.00" in text
    assert listed("?sort=-total")[0] == {old.number, new.number, euro.number}
    tab = client.get(url(world, "firm-invoices", firm.pk))
    assert tab.status_code == 200 and old.number in tab.text and euro.number not in tab.text
    assert "240.00" in tab.text


@pytest.mark.django_db
def test_row_rules_follow_the_firm(client, world, firm):
    outsiders = make_firm(world.tenant, "Outsider Firm", sales_rep=world.outsider)
    theirs = quick_invoice(world, outsiders, actor=world.outsider)
    ours = quick_invoice(world, firm)
    client.force_login(world.employee.user)
    # Employees read every firm by default: they read the invoice but may not change it.
    assert client.get(url(world, "invoice-detail", theirs.pk)).status_code == 200
    assert "Mark as handed over" not in client.get(url(world, "invoice-detail", theirs.pk)).text
    assert client.get(url(world, "invoice-edit", theirs.pk)).status_code == 403
    assert client.post(url(world, "invoice-handover", theirs.pk)).status_code == 403
    assert client.post(url(world, "invoice-render", theirs.pk)).status_code == 403
    assert not fresh(theirs).handed_over
    response = client.post(url(world, "invoice-create"), form_post(outsiders))
    assert response.status_code == 400 and "Select a valid choice" in response.text
    page = client.get(url(world, "invoice-create") + f"?firm={outsiders.pk}").text
    assert "You may not issue invoices to this firm." in page
    with scopes_disabled():
        type(world.tenant).objects.filter(pk=world.tenant.pk).update(employees_read_all_firms=False)
    assert client.get(url(world, "invoice-detail", theirs.pk)).status_code == 404
    assert client.get(url(world, "invoice-original", theirs.pk)).status_code == 404
    listing = client.get(url(world, "invoice-list")).text
    assert f">{ours.number}</a>" in listing and f">{theirs.number}</a>" not in listing
    assert client.get(url(world, "firm-invoices", outsiders.pk)).status_code == 404


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_tab_and_detail_query_budgets(client, world, firm):
    client.force_login(world.manager.user)
    invoice = quick_invoice_with(world, firm, order_lines=[make_order_line(world, firm)])
    pages = [url(world, "invoice-list"), url(world, "firm-invoices", firm.pk),
             url(world, "invoice-detail", invoice.pk), url(world, "invoice-edit", invoice.pk),
             url(world, "invoice-create") + f"?firm={firm.pk}"]  # fmt: skip
    few = [count_queries(client, page) for page in pages]
    for i in range(12):
        product = make_product(world, f"Part {i}", f"PT{i}")
        line = make_order_line(world, firm, product=product)
        make_order_line(world, firm, product=product)  # stays uninvoiced
        make_service(world, firm, title=f"Service {i}")
        new = quick_invoice_with(world, firm, order_lines=[line])
        with scope(tenant=world.tenant.pk):
            invoice_hand_over(tenant=world.tenant, actor=world.employee, invoice=new)
            InvoiceLine.objects.create(
                tenant=world.tenant, invoice=invoice, description=f"Extra {i}", quantity=1,
                unit_price=1, position=i + 5,
            )  # fmt: skip
    many = [count_queries(client, page) for page in pages]
    assert few == many, (few, many)
    assert max(many) <= 20, many


@pytest.mark.django_db
def test_hostile_input_never_fails_and_never_half_saves(client, world, firm):
    line = make_order_line(world, firm)
    client.force_login(world.employee.user)
    base = form_post(firm, order_lines=[line.pk])
    base["lines-0-vat_rate"] = "20"
    create = url(world, "invoice-create")
    for field in list(base):
        for value in helpers.HOSTILE:
            before = counts()
            response = client.post(create, {**base, field: value})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            if response.status_code == 302:
                with scopes_disabled():
                    invoice = Invoice.objects.order_by("-pk").first()
                    assert "\x00" not in invoice.number + invoice.note
                    assert invoice.lines.exists()
                    invoice.lines.all().delete()  # frees the order line for the next round
                    invoice.delete()
            else:
                assert counts() == before, (field, value[:20])


@pytest.mark.django_db
def test_hostile_input_on_edit_filters_and_query_strings(client, world, firm):
    invoice = quick_invoice(world, firm)
    client.force_login(world.employee.user)
    base = form_post(**{"lines-0-description": "Edited"})
    edit = url(world, "invoice-edit", invoice.pk)
    for field in [*base, "remove_lines", "services"]:
        for value in helpers.HOSTILE:
            response = client.post(edit, {**base, field: value})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            with scopes_disabled():
                assert Invoice.objects.get(pk=invoice.pk).lines.exists()
    for name in ("q", "firm", "date_from", "date_to", "handed_over", "overdue", "currency",
                 "sort", "page"):  # fmt: skip
        for value in helpers.HOSTILE:
            response = client.get(url(world, "invoice-list"), {name: value})
            assert response.status_code == 200, (name, value[:20])
    for name in ("firm", "order_line", "service", "opportunity"):
        for value in helpers.HOSTILE:
            response = client.get(url(world, "invoice-create"), {name: value})
            assert response.status_code == 200, (name, value[:20])


@pytest.mark.django_db
def test_foreign_ids_are_refused(client, world, other_world, firm):
    stranger_firm = make_firm(other_world.tenant, "Globex Firm")
    stranger_line = make_order_line(other_world, stranger_firm)
    client.force_login(world.employee.user)
    for extra in ({"firm": stranger_firm.pk}, {"order_lines": [stranger_line.pk]},
                  {"opportunity": "1"}):  # fmt: skip
        before = counts()
        response = client.post(url(world, "invoice-create"), {**form_post(firm), **extra})
        assert response.status_code == 400, extra
        assert counts() == before
    theirs = quick_invoice(other_world, stranger_firm, actor=other_world.executive)
    for name in ("invoice-detail", "invoice-edit", "invoice-pdf", "invoice-pdf-state"):
        assert client.get(url(world, name, theirs.pk)).status_code == 404, name
    assert client.post(url(world, "invoice-handover", theirs.pk)).status_code == 404
