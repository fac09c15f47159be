"""Writing invoices (seed 000 "fatura bilgileri").

An invoice takes its lines from products sold (order lines), services and free lines; each
order line or service is invoiced once (the ``InvoiceLine`` one-to-one), so deleting the
invoice frees them again. The number comes from the tenant's "invoice" sequence unless one is
typed; it is unique per tenant. Adding an invoice moves the firm to "potential customer".
The PDF is made from the tenant's invoice template in the worker (``sales.pdf``).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.selectors.firms import can_change_firm
from companies.services.firms import firm_advance_status
from core import audit
from core.files import delete_after_commit
from core.models import AuditEntry
from core.money import line_amounts, totals
from core.sequences import next_value
from sales.models import Invoice, InvoiceLine, OrderLine, Service
from sales.pdf import request_render
from sales.selectors import invoices as selectors

SEQUENCE = "invoice"
HEADER = ("number", "issued_on", "due_on", "currency", "note")
AUDITED = (*HEADER, "opportunity", "net", "vat", "total", "original")
# Amounts stay well inside the columns (16 digits, 2 places).
MAX_TOTAL = Decimal("1000000000000")


def _require_change(*, tenant, actor, firm):
    if not can_change_firm(tenant=tenant, member=actor, firm=firm):
        raise PermissionDenied(_("You may not change this firm's invoices."))


def _check_references(*, tenant, firm, opportunity):
    if firm.tenant_id != tenant.pk:
        raise ValidationError({"firm": _("Select a valid choice.")})
    if opportunity is not None and (
        opportunity.tenant_id != tenant.pk or opportunity.firm_id != firm.pk
    ):
        raise ValidationError({"opportunity": _("Choose an opportunity of this firm.")})


def _number(*, tenant, typed, exclude=None):
    """The typed number if it is free; otherwise the next free one from the sequence."""
    taken = Invoice.objects.filter(tenant=tenant)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if typed:
        if taken.filter(number=typed).exists():
            raise ValidationError({"number": _("Another invoice already has this number.")})
        return typed
    while True:  # numbers typed by hand may have used some of the sequence's values
        number = f"{next_value(tenant=tenant, name=SEQUENCE):06d}"
        if not taken.filter(number=number).exists():
            return number


def _locked_sources(*, tenant, order_lines, services):
    """Lock the order lines and services (in id order) and read them afresh."""
    line_ids = sorted({line.pk for line in order_lines})
    service_ids = sorted({service.pk for service in services})
    list(
        OrderLine.objects.select_for_update().filter(tenant=tenant, pk__in=line_ids).order_by("pk")
    )
    list(
        Service.objects.select_for_update().filter(tenant=tenant, pk__in=service_ids).order_by("pk")
    )
    lines = selectors.order_lines_by_pk(tenant=tenant, pks=line_ids)
    found = selectors.services_by_pk(tenant=tenant, pks=service_ids)
    if len(lines) != len(line_ids) or len(found) != len(service_ids):
        raise ValidationError({"order_lines": _("A chosen line no longer exists.")})
    by_id = {line.pk: line for line in lines}
    services_by_id = {service.pk: service for service in found}
    return [by_id[line.pk] for line in order_lines if line.pk in by_id], [
        services_by_id[s.pk] for s in services if s.pk in services_by_id
    ]


def _check_sources(*, firm, currency, order_lines, services, invoice=None):
    problems = selectors.source_problems(
        firm=firm, currency=currency, order_lines=order_lines, services=services, invoice=invoice
    )
    if problems:
        raise ValidationError({"order_lines": problems})


def _line(*, tenant, invoice, position, values, **links):
    amounts = line_amounts(
        quantity=values["quantity"],
        unit_price=values["unit_price"],
        discount_percent=values.get("discount_percent") or 0,
        vat_rate=values.get("vat_rate") or 0,
    )
    return InvoiceLine(
        tenant=tenant, invoice=invoice, position=position,
        description=str(values.get("description") or "")[:255],
        quantity=values["quantity"], unit_price=values["unit_price"],
        discount_percent=values.get("discount_percent") or 0,
        vat_rate=values.get("vat_rate") or 0,
        net=amounts.net, vat=amounts.vat, total=amounts.total, **links,
    )  # fmt: skip


def _source_lines(*, tenant, invoice, order_lines, services, start):
    """InvoiceLines for order lines (quantity = the amount sold) and services (quantity 1)."""
    rows = []
    for line in order_lines:
        values = {
            "description": line.product.name, "quantity": line.amount,
            "unit_price": line.unit_price, "discount_percent": line.discount_percent,
            "vat_rate": line.vat_rate,
        }  # fmt: skip
        rows.append((values, {"order_line": line}))
    for service in services:
        values = {
            "description": service.title, "quantity": Decimal(1),
            "unit_price": service.price, "vat_rate": service.vat_rate,
        }  # fmt: skip
        rows.append((values, {"service": service}))
    return [
        _line(tenant=tenant, invoice=invoice, position=start + i, values=values, **links)
        for i, (values, links) in enumerate(rows)
    ]


def _add_lines(*, tenant, invoice, order_lines, services, lines, start):
    """Save the lines of order lines, services and free ``lines`` from position ``start``."""
    rows = _source_lines(
        tenant=tenant, invoice=invoice, order_lines=order_lines, services=services, start=start
    )
    start += len(rows)
    rows += [
        _line(tenant=tenant, invoice=invoice, position=start + i, values=values)
        for i, values in enumerate(lines or ())
    ]
    _save_lines(rows)
    return len(rows)


def _replace_lines(*, tenant, invoice, currency, lines, remove_lines, order_lines, services):
    """Release ``remove_lines``, replace the free lines (when ``lines`` is given), add the new
    order lines and services; return how many lines the invoice has."""
    existing = InvoiceLine.objects.filter(tenant=tenant, invoice=invoice)
    existing.filter(pk__in={int(pk) for pk in remove_lines}).delete()
    if lines is not None:
        existing.filter(order_line__isnull=True, service__isnull=True).delete()
    kept = list(existing.select_related("order_line__order", "service").order_by("position", "id"))
    _check_kept_currency(kept, currency)
    for position, line in enumerate(kept, start=1):
        line.position = position
    InvoiceLine.objects.bulk_update(kept, ["position"])
    added = _add_lines(
        tenant=tenant, invoice=invoice, order_lines=order_lines, services=services,
        lines=lines, start=len(kept) + 1,
    )  # fmt: skip
    if not (kept or added):
        raise ValidationError(_("Add at least one line to the invoice."))
    return len(kept) + added


def _save_lines(lines):
    """Insert the lines; an order line or service invoiced meanwhile is a clear error."""
    try:
        with transaction.atomic():
            InvoiceLine.objects.bulk_create(lines)
    except IntegrityError:
        raise ValidationError(
            {"order_lines": _("A chosen line was invoiced by someone else just now.")}
        ) from None


def _add_up(*, tenant, invoice):
    sums = totals(InvoiceLine.objects.filter(tenant=tenant, invoice=invoice))
    if sums.total >= MAX_TOTAL or sums.net >= MAX_TOTAL:
        raise ValidationError(_("The invoice's total is too large."))
    invoice.net, invoice.vat, invoice.total = sums.net, sums.vat, sums.total


def _store_original(invoice, original):
    """``original``: ``(upload, name, content_type)`` checked by content, or False to remove."""
    if original is None:
        return None
    old = invoice.original.name if invoice.original else ""
    if original is False:
        invoice.original, invoice.original_name, invoice.original_content_type = "", "", ""
    else:
        upload, name, content_type = original
        invoice.original.save(name, upload, save=False)
        invoice.original_name, invoice.original_content_type = name[:200], content_type
    return old


def _save(invoice):
    """Save; a number taken by a transaction that committed meanwhile is a form error."""
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise ValidationError({"number": _("Another invoice already has this number.")}) from None


@transaction.atomic
def invoice_create(
    *,
    tenant,
    actor,
    firm,
    data,
    lines=(),
    order_lines=(),
    services=(),
    opportunity=None,
    original=None,
):
    """Issue an invoice to ``firm`` from order lines, services and free ``lines``.

    ``actor``: the Employee. ``data``: number ("" for the next from the sequence), issued_on,
    due_on, currency, note. ``lines``: dicts of description, quantity, unit_price,
    discount_percent, vat_rate. ``original``: ``(upload, name, content_type)`` already checked
    with ``core.files.clean_upload``. The firm becomes a "potential customer"; the PDF is
    queued when the tenant has an invoice template.
    """
    _check_references(tenant=tenant, firm=firm, opportunity=opportunity)
    _require_change(tenant=tenant, actor=actor, firm=firm)
    currency = data.get("currency") or tenant.currency
    order_lines, services = _locked_sources(
        tenant=tenant, order_lines=list(order_lines), services=list(services)
    )
    _check_sources(firm=firm, currency=currency, order_lines=order_lines, services=services)
    if not (order_lines or services or lines):
        raise ValidationError(_("Add at least one line to the invoice."))
    _check_dates(data)
    invoice = Invoice(
        tenant=tenant, firm=firm, created_by=actor, opportunity=opportunity, currency=currency,
        number=_number(tenant=tenant, typed=(data.get("number") or "").strip()),
        issued_on=data.get("issued_on") or timezone.localdate(), due_on=data.get("due_on"),
        note=data.get("note") or "",
    )  # fmt: skip
    _save(invoice)
    _add_lines(
        tenant=tenant, invoice=invoice, order_lines=order_lines, services=services,
        lines=lines, start=1,
    )  # fmt: skip
    _add_up(tenant=tenant, invoice=invoice)
    _store_original(invoice, original)  # last: a rolled-back invoice leaves no file behind
    invoice.save()
    audit.record(
        tenant=tenant, actor=actor.user, instance=invoice, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(invoice, AUDITED)),
    )  # fmt: skip
    firm_advance_status(tenant=tenant, actor=actor.user, firm=firm, event="invoice_added")
    request_render(tenant=tenant, actor=actor, invoice=invoice, quiet=True)
    return invoice


def _check_dates(data):
    issued, due = data.get("issued_on"), data.get("due_on")
    if issued and due and due < issued:
        raise ValidationError({"due_on": _("The due date cannot be before the invoice date.")})


def _locked(tenant, invoice):
    return (
        Invoice.objects.select_for_update().select_related("firm").get(tenant=tenant, pk=invoice.pk)
    )


@transaction.atomic
def invoice_update(
    *,
    tenant,
    actor,
    invoice,
    data,
    lines=None,
    order_lines=(),
    services=(),
    remove_lines=(),
    opportunity=None,
    original=None,
):
    """Change an invoice: its header, its free lines (``lines`` replaces them all when given),
    order lines and services to add, linked lines to release (``remove_lines``: InvoiceLine
    ids) and the original (an upload, False to remove it, None to keep it)."""
    invoice = _locked(tenant, invoice)
    _require_change(tenant=tenant, actor=actor, firm=invoice.firm)
    _check_references(tenant=tenant, firm=invoice.firm, opportunity=opportunity)
    _check_dates(data)
    before = audit.snapshot(invoice, AUDITED)
    lines_before = _line_signature(tenant, invoice)
    currency = data.get("currency") or invoice.currency
    order_lines, services = _locked_sources(
        tenant=tenant, order_lines=list(order_lines), services=list(services)
    )
    _check_sources(
        firm=invoice.firm, currency=currency, order_lines=order_lines, services=services,
        invoice=invoice,
    )  # fmt: skip
    count = _replace_lines(
        tenant=tenant, invoice=invoice, currency=currency, lines=lines, remove_lines=remove_lines,
        order_lines=[line for line in order_lines if not hasattr(line, "invoice_line")],
        services=[service for service in services if not hasattr(service, "invoice_line")],
    )  # fmt: skip
    number = (data.get("number") or "").strip() or invoice.number
    invoice.number = _number(tenant=tenant, typed=number, exclude=invoice.pk)
    invoice.issued_on = data.get("issued_on") or invoice.issued_on
    invoice.due_on, invoice.note = data.get("due_on"), data.get("note") or ""
    invoice.currency, invoice.opportunity = currency, opportunity
    _add_up(tenant=tenant, invoice=invoice)
    old_original = _store_original(invoice, original)
    _save(invoice)
    if old_original is not None:
        delete_after_commit(invoice.original.storage, old_original)
    changes = audit.diff(before, audit.snapshot(invoice, AUDITED))
    if _line_signature(tenant, invoice) != lines_before:
        changes.append({"field": "lines", "old": str(len(lines_before)), "new": str(count)})
    audit.record(
        tenant=tenant, actor=actor.user, instance=invoice, action=AuditEntry.Action.UPDATE,
        changes=changes,
    )  # fmt: skip
    if changes and (invoice.pdf or invoice.template_version_id):
        request_render(tenant=tenant, actor=actor, invoice=invoice, quiet=True)
    return invoice


def _line_signature(tenant, invoice):
    """What the lines say, to tell whether an edit changed them."""
    return list(
        InvoiceLine.objects.filter(tenant=tenant, invoice=invoice)
        .order_by("position", "id")
        .values_list("description", "quantity", "unit_price", "discount_percent", "vat_rate",
                     "order_line_id", "service_id")
    )  # fmt: skip


def _check_kept_currency(kept, currency):
    for line in kept:
        source = line.order_line.order if line.order_line_id else line.service
        if source is not None and source.currency != currency:
            raise ValidationError(
                {"currency": _("The invoice holds lines in %(currency)s.")
                 % {"currency": source.currency}}
            )  # fmt: skip


@transaction.atomic
def invoice_delete(*, tenant, actor, invoice):
    """Delete an invoice: its order lines and services are free to be invoiced again."""
    invoice = _locked(tenant, invoice)
    _require_change(tenant=tenant, actor=actor, firm=invoice.firm)
    files = [f.name for f in (invoice.original, invoice.pdf) if f]
    storage = invoice.original.storage
    audit.record(
        tenant=tenant, actor=actor.user, instance=invoice, action=AuditEntry.Action.DELETE,
        summary=_("Invoice %(number)s deleted") % {"number": invoice.number},
    )  # fmt: skip
    invoice.delete()  # its InvoiceLines go with it
    delete_after_commit(storage, *files)


@transaction.atomic
def invoice_hand_over(*, tenant, actor, invoice):
    """Record that the original was handed to the customer: now, by ``actor``."""
    invoice = _locked(tenant, invoice)
    _require_change(tenant=tenant, actor=actor, firm=invoice.firm)
    if invoice.handed_over:
        raise ValidationError(_("The original was already handed over."))
    before = audit.snapshot(invoice, ["handed_over", "handed_over_at", "handed_over_by"])
    invoice.handed_over, invoice.handed_over_at = True, timezone.now()
    invoice.handed_over_by = actor
    invoice.save(update_fields=["handed_over", "handed_over_at", "handed_over_by", "updated_at"])
    audit.record(
        tenant=tenant, actor=actor.user, instance=invoice, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(
            before, audit.snapshot(invoice, ["handed_over", "handed_over_at", "handed_over_by"])
        ),
    )  # fmt: skip
    return invoice


@transaction.atomic
def invoice_pdf_request(*, tenant, actor, invoice):
    """Make the invoice's PDF (again) from the tenant's current invoice template."""
    invoice = _locked(tenant, invoice)
    _require_change(tenant=tenant, actor=actor, firm=invoice.firm)
    return request_render(tenant=tenant, actor=actor, invoice=invoice)
