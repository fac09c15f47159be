"""Matrix entries for invoices (see tests/test_permission_matrix.py).

The invoice is on a firm the employee represents: every role reads and changes it. Deleting
needs ``invoices.delete`` (managers and executives) and write access to the firm, so the
deleted invoice is on a firm of the outsider: the employee lacks the code (403), the manager
cannot change that firm (403), the executive deletes it. Without an invoice template,
"make the PDF" says so and goes back to the invoice.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from companies.services.firms import firm_create
from sales.models import Invoice
from tests.matrix.common import EVERYONE, FORBIDDEN, REDIRECT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_REDIRECT = {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT}


def prepare(w):
    with scope(tenant=w.tenant.pk):
        w.invoice_firm = firm_create(
            tenant=w.tenant, actor=w.executive.user,
            data={"name": "Matrix Invoice Firm", "type": "customer", "sales_rep": w.employee},
        )  # fmt: skip
        outsiders = firm_create(
            tenant=w.tenant, actor=w.executive.user,
            data={"name": "Matrix Outsider Firm", "type": "customer", "sales_rep": w.outsider},
        )  # fmt: skip
        w.invoice = Invoice.objects.create(
            tenant=w.tenant, firm=w.invoice_firm, number="M-1", created_by=w.employee,
            original=SimpleUploadedFile("scan.pdf", PDF), original_name="scan.pdf",
            original_content_type="application/pdf", pdf=SimpleUploadedFile("i.pdf", PDF),
        )  # fmt: skip
        w.outsider_invoice = Invoice.objects.create(
            tenant=w.tenant, firm=outsiders, number="M-2", created_by=w.outsider
        )


def invoice(w):
    return {"pk": w.invoice.pk}


def outsider_invoice(w):
    return {"pk": w.outsider_invoice.pk}


def firm(w):
    return {"pk": w.invoice_firm.pk}


MATRIX = {
    "sales:invoice-list": ("GET", None, EVERYONE),
    "sales:invoice-create": ("GET", None, EVERYONE),
    "sales:invoice-detail": ("GET", invoice, EVERYONE),
    "sales:invoice-edit": ("GET", invoice, EVERYONE),
    "sales:invoice-delete": (
        "POST",
        outsider_invoice,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": REDIRECT},
    ),
    "sales:invoice-handover": ("POST", invoice, ALL_REDIRECT),
    "sales:invoice-original": ("GET", invoice, EVERYONE),
    "sales:invoice-pdf": ("GET", invoice, EVERYONE),
    "sales:invoice-pdf-state": ("GET", invoice, EVERYONE),
    "sales:invoice-render": ("POST", invoice, ALL_REDIRECT),
    "sales:firm-invoices": ("GET", firm, EVERYONE),
}
