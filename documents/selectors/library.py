"""Reads of the document library: templates, their versions, the contact card, preview values.

Templates are the tenant's, not a firm's: everyone with ``documents.view`` reads all of them
(active or not). The firm a preview is rendered for must be one the member can read.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.selectors.firms import visible_firms
from core import audit
from core.money import line_amounts, totals
from documents import merge
from documents.models import ContactCard, DocumentKind, DocumentTemplate, DocumentVersion

# Kinds whose templates get the offer/invoice fields filled with sample lines in a preview.
DOCUMENT_KINDS = (DocumentKind.OFFER, DocumentKind.INVOICE)
SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "kind": ("kind", "name", "pk"),
    "-kind": ("-kind", "name", "pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}


def template_list(*, tenant, filters=None, sort="name"):
    """The library: templates with their current version and number of versions."""
    f = filters or {}
    qs = DocumentTemplate.objects.filter(tenant=tenant)
    if f.get("q"):
        qs = qs.filter(name__icontains=f["q"])
    for name in ("kind", "form", "language"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    status = f.get("status", "active")
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return (
        qs.select_related("current_version")
        .annotate(version_count=Count("versions"))
        .order_by(*SORTS.get(sort, SORTS["name"]))
    )


def template_get(*, tenant, pk):
    """One template of ``tenant`` (404 otherwise) with its current version."""
    qs = DocumentTemplate.objects.filter(tenant=tenant).select_related(
        "current_version", "created_by"
    )
    return get_object_or_404(qs, pk=pk)


def template_detail(*, tenant, pk):
    """One template with every version (newest first) and its recent history."""
    versions = DocumentVersion.objects.filter(tenant=tenant).select_related("created_by")
    qs = (
        DocumentTemplate.objects.filter(tenant=tenant)
        .select_related("current_version", "created_by")
        .prefetch_related(Prefetch("versions", queryset=versions.order_by("-number")))
    )
    template = get_object_or_404(qs, pk=pk)
    template.version_list = list(template.versions.all())
    entries = audit.entries_for(tenant=tenant, instance=template)[:10]
    template.history = audit.with_field_labels(list(entries), DocumentTemplate)
    return template


def version_get(*, tenant, template_pk, pk):
    """One version of one template of ``tenant`` (404 when either is not there)."""
    qs = DocumentVersion.objects.filter(tenant=tenant, template_id=template_pk).select_related(
        "template"
    )
    return get_object_or_404(qs, pk=pk)


def preview_version(*, tenant, template, pk=None):
    """The version to preview: ``pk`` if it is one of ``template``'s, else the current one."""
    if pk is None:
        return template.current_version
    return (
        DocumentVersion.objects.filter(tenant=tenant, template=template, pk=pk).first()
        or template.current_version
    )


def html_versions(*, tenant, template):
    return DocumentVersion.objects.filter(tenant=tenant, template=template).only(
        "pk", "number", "created_at", "note", "template_id"
    )


def preview_firms(*, tenant, member):
    """The firms a preview may be rendered for: the ones the member can read."""
    return visible_firms(tenant=tenant, member=member).order_by("name", "pk")


def preview_firm(*, tenant, member, pk):
    """A readable firm with what the merge fields need, or None."""
    return (
        preview_firms(tenant=tenant, member=member)
        .select_related("legal_form", "primary_contact", "primary_contact__prefix")
        .filter(pk=pk)
        .first()
    )


def contact_card_get(*, tenant):
    """The tenant's contact card, or None before anyone has filled it in."""
    return ContactCard.objects.filter(tenant=tenant).first()


def merge_fields(kind):
    """``[(name, label)]`` of the merge fields a template of ``kind`` may use."""
    if kind in DOCUMENT_KINDS:
        return [*merge.FIELDS, *merge.DOCUMENT_FIELDS]
    return list(merge.FIELDS)


def sample_document(*, tenant):
    """Two sample lines and their totals, for previewing offer and invoice templates."""
    specs = [
        (_("Sample product"), Decimal("2"), Decimal("1250.00"), Decimal("10"), Decimal("20")),
        (_("Sample service"), Decimal("1.5"), Decimal("480.50"), Decimal("0"), Decimal("10")),
    ]
    lines = []
    for description, quantity, unit_price, discount, vat_rate in specs:
        amounts = line_amounts(
            quantity=quantity, unit_price=unit_price, discount_percent=discount, vat_rate=vat_rate
        )
        lines.append(
            {
                "description": description,
                "quantity": quantity,
                "unit_price": unit_price,
                "discount_percent": discount,
                "vat_rate": vat_rate,
                "net": amounts.net,
                "vat": amounts.vat,
                "total": amounts.total,
            }
        )
    today = timezone.localdate()
    return {
        "lines": lines,
        "totals": totals(lines),
        "number": "SAMPLE-0001",
        "title": _("Sample"),
        "issued_on": today,
        "valid_until": today + timedelta(days=30),
        "due_on": today + timedelta(days=30),
        "currency": tenant.currency,
        "terms": _("Sample terms and notes."),
    }


def _placeholders(values, prefix):
    """``[firm_name]`` for every empty ``firm_*`` value: no firm was chosen."""
    return {
        name: value or f"[{name}]"
        for name, value in values.items()
        if name.startswith(prefix) and isinstance(value, str)
    }


def preview_values(*, tenant, member, kind, language, firm=None):
    """The merge fields of a preview of a ``kind`` template: ``firm`` (or placeholders), its
    primary contact, the member as the sender and, for offers and invoices, two sample lines."""
    document = sample_document(tenant=tenant) if kind in DOCUMENT_KINDS else None
    contact = firm.primary_contact if firm is not None else None
    values = merge.build(
        tenant=tenant,
        language=language,
        firm=firm,
        contact=contact,
        employee=member,
        document=document,
    )
    if firm is None:
        values.update(_placeholders(values, "firm_"))
        values.update(_placeholders(values, "contact_"))
    return values
