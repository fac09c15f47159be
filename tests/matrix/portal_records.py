"""Matrix entries of the portal's record pages (see tests/test_permission_matrix.py), and the
builders tests/test_portal_records.py shares.

The objects belong to ``w.portal_firm``: its portal user downloads them (200); the portal user
of another firm of the same tenant gets a 404 for each, and the lists answer everyone logged in
to the portal (each sees only its own firm's rows).
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agenda.services.activities import activity_create
from core import choices
from core.models import OutboxEmail
from documents.models import DispatchRecipient
from documents.tasks import prepare_dispatch
from sales.models import Contract, ContractStatus, Invoice
from tests.matrix.documents_dispatch import make_template, send
from tests.matrix.portal import LOGIN, PORTAL_ONLY
from tests.portal_helpers import portal_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OWN_FIRM_ONLY = {"anonymous": LOGIN, "portal": 200, "other_firm": 404}


def make_invoice(w, firm, number, *, pdf=PDF, original=None, **fields):
    """An invoice of ``firm`` with a generated PDF (``pdf``) and/or a scanned ``original``."""
    with scope(tenant=w.tenant.pk):
        invoice = Invoice(tenant=w.tenant, firm=firm, number=number, **fields)
        if pdf is not None:
            invoice.pdf = SimpleUploadedFile("i.pdf", pdf)
        if original is not None:
            invoice.original = SimpleUploadedFile("scan.png", original)
            invoice.original_name, invoice.original_content_type = "scan.png", "image/png"
        invoice.save()
        return invoice


def make_contract(w, firm, title, *, status=ContractStatus.ACTIVE, content=PDF, **fields):
    """A contract of ``firm`` with a file (none when ``content`` is None)."""
    with scope(tenant=w.tenant.pk):
        contract = Contract(tenant=w.tenant, firm=firm, title=title, status=status, **fields)
        if content is not None:
            contract.file = SimpleUploadedFile("c.pdf", content)
            contract.original_name, contract.content_type = "contract.pdf", "application/pdf"
        contract.save()
        return contract


def send_document(w, firm, name, *, delivered=True, content=PDF):
    """A brochure sent to ``firm``'s primary contact through the real service and task; its
    e-mail marked delivered unless ``delivered`` is false. Returns the dispatch's item."""
    template = make_template(w.tenant, name, content=content, filename=f"{name}.pdf")
    with scope(tenant=w.tenant.pk):
        contact = firm.primary_contact
    dispatch = send(w, firm, [contact], [template], subject=f"About {name}")
    prepare_dispatch(dispatch_id=dispatch.pk, tenant_id=w.tenant.pk)
    with scopes_disabled():
        if delivered:
            ids = DispatchRecipient.objects.filter(dispatch=dispatch).values("outbox_id")
            OutboxEmail.objects.filter(pk__in=ids).update(status=OutboxEmail.Status.SENT)
        return dispatch.items.get()


def activity_type(w, code="appointment"):
    with scope(tenant=w.tenant.pk):
        return choices.options(tenant=w.tenant, key="activity_type").get(code=code)


def book(w, firm, subject, *, days=3, minutes=60, type_code="appointment", **data):
    """An activity of the company's employee with ``firm``, ``days`` from now."""
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    with scope(tenant=w.tenant.pk):
        return activity_create(
            tenant=w.tenant,
            actor=w.executive,
            data={
                "type": activity_type(w, type_code),
                "subject": subject,
                "assigned_to": w.employee,
                "firm": firm,
                "start": start,
                "end": start + timedelta(minutes=minutes),
                **data,
            },
            confirm_clash=True,
        )


def prepare(w):
    portal_world(w)
    firm = w.portal_firm
    w.portal_invoice = make_invoice(w, firm, "PORTAL-INV-1")
    w.portal_contract = make_contract(w, firm, "Portal service contract")
    w.portal_document = send_document(w, firm, "Portal brochure")
    w.portal_appointment = book(w, firm, "Portal visit", location="Head office")


def invoice(w):
    return {"pk": w.portal_invoice.pk}


def contract(w):
    return {"pk": w.portal_contract.pk}


def document(w):
    return {"pk": w.portal_document.pk}


PORTAL_MATRIX = {
    "portal:invoices": ("GET", None, PORTAL_ONLY),
    "portal:invoice-download": ("GET", invoice, OWN_FIRM_ONLY),
    "portal:contracts": ("GET", None, PORTAL_ONLY),
    "portal:contract-download": ("GET", contract, OWN_FIRM_ONLY),
    "portal:documents": ("GET", None, PORTAL_ONLY),
    "portal:document-download": ("GET", document, OWN_FIRM_ONLY),
    "portal:appointments": ("GET", None, PORTAL_ONLY),
}
