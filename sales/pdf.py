"""The invoice PDF: made from the tenant's invoice template in the worker, and sent by dispatch.

The invoice services call :func:`request_render` (the PDF is cleared, the template's current
version chosen, "PDF requested" recorded); after commit :func:`queue_render` hands the invoice
to :func:`render_invoice`, which renders the template's HTML over the invoice's merge fields
(``documents.merge.build``) in the sandbox and WeasyPrint (``documents.rendering``), then keeps
the file or records why it failed. Each step is an audit event of the invoice, which is how its
page knows the state (see ``sales.selectors.invoices.pdf_state``).
"""

from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.files import delete_after_commit
from core.models import AuditEntry
from core.money import totals
from core.tasks import TenantTask, publish
from documents import sources
from documents.merge import build
from documents.rendering import RenderError, render_pdf
from sales.models import Invoice, InvoiceLine
from sales.selectors import invoices as selectors


def document_values(invoice, lines):
    """The ``document`` argument of ``documents.merge.build`` for one invoice."""
    return {
        "lines": lines,
        "totals": totals(lines),
        "number": invoice.number,
        "title": _("Invoice %(number)s") % {"number": invoice.number},
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "currency": invoice.currency,
        "terms": invoice.note,
    }


def render_bytes(*, tenant, invoice, version):
    """The PDF of ``invoice`` from template ``version``; raises RenderError."""
    lines = list(InvoiceLine.objects.filter(tenant=tenant, invoice=invoice).order_by("position"))
    firm = invoice.firm
    values = build(
        tenant=tenant,
        language=version.template.language,
        firm=firm,
        contact=firm.primary_contact,
        employee=invoice.created_by,
        document=document_values(invoice, lines),
    )
    return render_pdf(version.html, values)


def filename(invoice):
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in invoice.number)
    return f"invoice-{safe or invoice.pk}.pdf"


def request_render(*, tenant, actor, invoice, quiet=False):
    """Clear the invoice's PDF and queue a new one from the current invoice template; call in
    the caller's transaction (the invoice locked). Without a template: nothing when ``quiet``,
    else a ValidationError."""
    template = selectors.invoice_template(tenant=tenant)
    if template is None:
        if quiet:
            return None
        raise ValidationError(_("There is no active invoice template in the document library."))
    old = invoice.pdf.name if invoice.pdf else ""
    invoice.pdf, invoice.template_version = "", template.current_version
    invoice.save(update_fields=["pdf", "template_version", "updated_at"])
    delete_after_commit(invoice.pdf.storage, old)
    audit.record(
        tenant=tenant, actor=actor.user, instance=invoice, action=AuditEntry.Action.EVENT,
        summary=_("PDF requested"),
        changes=[{"field": selectors.PDF_STATE_FIELD, "old": "", "new": selectors.PDF_PENDING}],
    )  # fmt: skip
    transaction.on_commit(lambda: queue_render(invoice.pk, tenant.pk))
    return invoice


def _event(*, tenant, invoice, state, summary):
    audit.record(
        tenant=tenant, actor=None, instance=invoice, action=AuditEntry.Action.EVENT,
        summary=summary, changes=[{"field": selectors.PDF_STATE_FIELD, "old": "", "new": state}],
    )  # fmt: skip


@transaction.atomic
def invoice_pdf_store(*, tenant, invoice_id, version_id, content):
    """Keep a PDF made in the worker, unless a newer request replaced the version meanwhile."""
    invoice = Invoice.objects.select_for_update().filter(tenant=tenant, pk=invoice_id).first()
    if invoice is None or invoice.pdf or invoice.template_version_id != version_id:
        return None
    invoice.pdf.save(filename(invoice), ContentFile(content), save=False)
    invoice.save(update_fields=["pdf", "updated_at"])
    _event(tenant=tenant, invoice=invoice, state=selectors.PDF_READY, summary=_("PDF made"))
    return invoice


@transaction.atomic
def invoice_pdf_failed(*, tenant, invoice_id, error):
    """Record why the PDF could not be made; the invoice page shows it."""
    invoice = Invoice.objects.filter(tenant=tenant, pk=invoice_id).first()
    if invoice is None or invoice.pdf:
        return None
    summary = _("The PDF could not be made: %(error)s") % {"error": error}
    _event(tenant=tenant, invoice=invoice, state=selectors.PDF_FAILED, summary=summary)
    return invoice


def invoice_pdf_make(*, tenant, invoice_id):
    """Render and keep the PDF of one invoice; a second run for the same request does nothing."""
    invoice = (
        Invoice.objects.filter(tenant=tenant, pk=invoice_id)
        .select_related("firm__primary_contact", "created_by__user", "template_version__template")
        .first()
    )
    if invoice is None or invoice.pdf or invoice.template_version_id is None:
        return "skipped"
    version = invoice.template_version
    try:
        content = render_bytes(tenant=tenant, invoice=invoice, version=version)
    except RenderError as error:
        invoice_pdf_failed(tenant=tenant, invoice_id=invoice.pk, error=str(error))
        return "failed"
    stored = invoice_pdf_store(
        tenant=tenant, invoice_id=invoice.pk, version_id=version.pk, content=content
    )
    return "ready" if stored else "skipped"


@shared_task(base=TenantTask, name="sales.pdf.render_invoice", ignore_result=True)
def render_invoice(invoice_id, *, tenant_id):
    """Make an invoice's PDF (queued by the invoice services after commit)."""
    from accounts.models import Tenant

    return invoice_pdf_make(tenant=Tenant.objects.get(pk=tenant_id), invoice_id=invoice_id)


def queue_render(invoice_id, tenant_id):
    """Hand the invoice to the broker; if it is down, the page says so and offers a retry."""
    if not publish(render_invoice, invoice_id, tenant_id=tenant_id):
        from django_scopes import scope

        with scope(tenant=tenant_id):
            from accounts.models import Tenant

            invoice_pdf_failed(
                tenant=Tenant.objects.get(pk=tenant_id),
                invoice_id=invoice_id,
                error=_("the background worker could not be reached; try again."),
            )
        return False
    return True


# The invoice as a dispatch source: its PDF is sent to the firm's contacts.


def _source_get(tenant, member, pk):
    if member is not None and not member.has_perm("invoices.view"):
        return None
    if member is None:
        qs = Invoice.objects.filter(tenant=tenant)
    else:
        qs = selectors.visible_invoices(tenant=tenant, member=member)
    return qs.select_related("firm").filter(pk=pk).first()


def _source_title(invoice):
    return _("Invoice %(number)s") % {"number": invoice.number}


def _source_render(tenant, invoice, language):
    """The PDF the invoice page offers; made now from the current template if there is none."""
    if invoice.pdf:
        with invoice.pdf.open("rb") as handle:
            return filename(invoice), handle.read()
    template = selectors.invoice_template(tenant=tenant)
    if template is None:
        raise RenderError(_("There is no active invoice template in the document library."))
    invoice = Invoice.objects.select_related("firm__primary_contact", "created_by__user").get(
        tenant=tenant, pk=invoice.pk
    )
    version = template.current_version
    version.template = template
    return filename(invoice), render_bytes(tenant=tenant, invoice=invoice, version=version)


sources.register(
    sources.Source(
        "sales.invoice",
        kind="invoice",
        get=_source_get,
        title=_source_title,
        render=_source_render,
    )
)
