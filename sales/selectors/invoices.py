"""Reading invoices: an invoice is read by whoever reads its firm and changed by whoever may
change the firm (``companies.selectors.firms.visible_firms``)."""

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.selectors.firms import can_change_firm, visible_firms
from core.audit import subject_type
from core.models import AuditEntry
from documents.models import DocumentKind, DocumentTemplate, TemplateForm
from opportunities.models import Opportunity
from sales.models import Invoice, InvoiceLine, OrderLine, Service

SORTS = {
    "date": ("-issued_on", "-id"),
    "-date": ("issued_on", "id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "due": ("due_on", "id"),
    "-due": ("-due_on", "-id"),
    "total": ("total", "id"),
    "-total": ("-total", "-id"),
    "firm": ("firm__name", "-issued_on", "id"),
    "-firm": ("-firm__name", "-issued_on", "id"),
}
# The states of an invoice's generated PDF (see ``pdf_state``).
PDF_NONE, PDF_PENDING, PDF_READY, PDF_FAILED = "none", "pending", "ready", "failed"
PDF_STATE_FIELD = "pdf_state"


def visible_invoices(*, tenant, member):
    """Every invoice on a firm ``member`` may read."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Invoice.objects.filter(tenant=tenant, firm_id__in=firms)


def can_change_invoice(*, tenant, member, invoice):
    return can_change_firm(tenant=tenant, member=member, firm=invoice.firm)


def invoice_list(*, tenant, member, filters=None, sort="date"):
    """The invoices list narrowed by ``filters`` (already cleaned values)."""
    f = filters or {}
    qs = visible_invoices(tenant=tenant, member=member)
    if f.get("firm"):
        qs = qs.filter(firm_id=f["firm"])
    if f.get("date_from"):
        qs = qs.filter(issued_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(issued_on__lte=f["date_to"])
    if f.get("handed_over") in ("yes", "no"):
        qs = qs.filter(handed_over=f["handed_over"] == "yes")
    if f.get("overdue"):
        qs = qs.filter(due_on__lt=timezone.localdate())
    if f.get("currency"):
        qs = qs.filter(currency=f["currency"])
    if f.get("q"):
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(firm__name__icontains=f["q"]))
    return qs.select_related("firm", "created_by", "handed_over_by").order_by(
        *SORTS.get(sort, SORTS["date"])
    )


def totals_by_currency(invoices):
    """``[{currency, count, net, vat, total}]`` of a (filtered) invoice queryset, one query."""
    return list(
        invoices.order_by()
        .values("currency")
        .annotate(count=Count("id"), net=Sum("net"), vat=Sum("vat"), total=Sum("total"))
        .order_by("currency")
    )


def firm_invoices(*, tenant, firm):
    """The invoices of one firm (the caller has checked the firm is visible)."""
    return (
        Invoice.objects.filter(tenant=tenant, firm=firm)
        .select_related("created_by", "handed_over_by")
        .order_by("-issued_on", "-id")
    )


def invoice_get(*, tenant, member, pk):
    """One visible invoice (404 when its firm is out of reach or it is another tenant's)."""
    qs = visible_invoices(tenant=tenant, member=member).select_related(
        "firm", "created_by", "handed_over_by", "opportunity", "template_version__template"
    )
    return get_object_or_404(qs, pk=pk)


def invoice_lines(*, tenant, invoice):
    return list(
        InvoiceLine.objects.filter(tenant=tenant, invoice=invoice)
        .select_related("order_line__order", "order_line__product", "service")
        .order_by("position", "id")
    )


def invoice_detail(*, tenant, member, pk):
    """One invoice with its lines and the state of its PDF."""
    invoice = invoice_get(tenant=tenant, member=member, pk=pk)
    invoice.line_list = invoice_lines(tenant=tenant, invoice=invoice)
    invoice.pdf_state, invoice.pdf_error = pdf_state(tenant=tenant, invoice=invoice)
    return invoice


def pdf_state(*, tenant, invoice):
    """``(state, error)`` of the invoice's generated PDF: none, pending, ready or failed.

    The PDF is made in the worker; each step (requested, made, failed) is an audit event of
    the invoice carrying a ``pdf_state`` change, so the newest one tells where it stands.
    """
    if invoice.pdf:
        return PDF_READY, ""
    entry = (
        AuditEntry.objects.filter(
            tenant=tenant,
            subject_type=subject_type(Invoice),
            subject_id=invoice.pk,
            changes__contains=[{"field": PDF_STATE_FIELD}],
        )
        .order_by("-created_at", "-id")
        .values("summary", "changes")
        .first()
    )
    if entry is None:
        return PDF_NONE, ""
    state = next(c["new"] for c in entry["changes"] if c["field"] == PDF_STATE_FIELD)
    if state == PDF_FAILED:
        return PDF_FAILED, entry["summary"]
    if state == PDF_PENDING:
        return PDF_PENDING, ""
    return PDF_NONE, ""


def invoice_template(*, tenant):
    """The tenant's invoice template: an active HTML one with a current version, or None."""
    return (
        DocumentTemplate.objects.filter(
            tenant=tenant,
            kind=DocumentKind.INVOICE,
            form=TemplateForm.HTML,
            is_active=True,
            current_version__isnull=False,
        )
        .select_related("current_version")
        .order_by("name", "id")
        .first()
    )


def invoice_firms(*, tenant, member):
    """Firms an invoice can be issued to: those the member may change."""
    return visible_firms(tenant=tenant, member=member, write=True).order_by("name", "pk")


def uninvoiced_order_lines(*, tenant, firm):
    """The firm's products sold that no invoice holds yet ("issue invoice" in seed 000)."""
    if firm is None:
        return OrderLine.objects.none()
    return (
        OrderLine.objects.filter(tenant=tenant, order__firm=firm, invoice_line__isnull=True)
        .select_related("order", "product")
        .order_by("-order__ordered_on", "order_id", "position", "id")
    )


def uninvoiced_services(*, tenant, firm):
    if firm is None:
        return Service.objects.none()
    return Service.objects.filter(tenant=tenant, firm=firm, invoice_line__isnull=True).order_by(
        "-performed_on", "-id"
    )


def opportunity_options(*, tenant, firm):
    """The firm's opportunities (visible with the firm) an invoice may be linked to."""
    if firm is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(tenant=tenant, firm=firm).order_by("-created_at", "-id")


def opportunity_firm_id(*, tenant, pk):
    """The firm of one of the tenant's opportunities ("" when there is none)."""
    found = Opportunity.objects.filter(tenant=tenant, pk=pk).values_list("firm_id", flat=True)
    return found.first() or ""


def order_lines_by_pk(*, tenant, pks):
    """The tenant's order lines with these ids, with what the invoice checks need."""
    return list(
        OrderLine.objects.filter(tenant=tenant, pk__in=pks)
        .select_related("order", "product", "invoice_line__invoice")
        .order_by("order_id", "position", "id")
    )


def services_by_pk(*, tenant, pks):
    return list(
        Service.objects.filter(tenant=tenant, pk__in=pks)
        .select_related("invoice_line__invoice")
        .order_by("performed_on", "id")
    )


def source_firm_id(row):
    """The firm of an order line or a service."""
    return row.order.firm_id if isinstance(row, OrderLine) else row.firm_id


def _invoiced_on(row):
    line = getattr(row, "invoice_line", None)
    return line.invoice.number if line is not None else None


def source_problems(*, firm, currency=None, order_lines=(), services=(), invoice=None):
    """Why these order lines and services cannot go on an invoice of ``firm``, as sentences.

    A line already invoiced (on another invoice than ``invoice``), of another firm, or in
    another currency than ``currency`` is refused.
    """
    problems = []
    rows = [(line, _("product line"), line.product.name) for line in order_lines]
    rows += [(service, _("service"), service.title) for service in services]
    for row, kind, name in rows:
        row_firm = source_firm_id(row)
        row_currency = row.order.currency if isinstance(row, OrderLine) else row.currency
        number = _invoiced_on(row)
        values = {"kind": kind, "name": name}
        if row_firm != firm.pk:
            problems.append(_("The %(kind)s “%(name)s” belongs to another firm.") % values)
        elif number is not None and (invoice is None or row.invoice_line.invoice_id != invoice.pk):
            problems.append(
                _("The %(kind)s “%(name)s” is already invoiced (invoice %(number)s).")
                % {**values, "number": number}
            )
        elif currency and row_currency != currency:
            problems.append(
                _("The %(kind)s “%(name)s” is in %(currency)s, not in the invoice's currency.")
                % {**values, "currency": row_currency}
            )
    return problems
