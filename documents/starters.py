"""Starter templates: an offer and an invoice template a tenant can begin from.

One HTML layout (``starters/document.html.j2``) serves both; its ``[[label]]`` placeholders are
filled with the labels of the kind in the tenant's language when the starter is installed, and
the result is an ordinary HTML template the executives may change like any other.
"""

from pathlib import Path

from django.db import transaction
from django.utils.translation import get_language_bidi, gettext, gettext_noop, override

from core import audit
from core.models import AuditEntry
from documents.models import DocumentKind, DocumentTemplate, DocumentVersion, TemplateForm

LAYOUT = Path(__file__).with_name("starters") / "document.html.j2"

LABELS = {
    "number": gettext_noop("Number"),
    "date": gettext_noop("Date"),
    "to": gettext_noop("To"),
    "tax_number": gettext_noop("Tax number"),
    "attention": gettext_noop("Attn."),
    "prepared_by": gettext_noop("Prepared by"),
    "item": gettext_noop("Item"),
    "quantity": gettext_noop("Quantity"),
    "unit_price": gettext_noop("Unit price"),
    "discount": gettext_noop("Discount %"),
    "vat_rate": gettext_noop("VAT %"),
    "amount": gettext_noop("Amount"),
    "net": gettext_noop("Net"),
    "vat": gettext_noop("VAT"),
    "total": gettext_noop("Total"),
}
KINDS = {
    DocumentKind.OFFER: {
        "kind": gettext_noop("Offer"),
        "until": gettext_noop("Valid until"),
        "until_field": "valid_until",
        "notes": gettext_noop("Terms"),
        "name": gettext_noop("Standard offer"),
    },
    DocumentKind.INVOICE: {
        "kind": gettext_noop("Invoice"),
        "until": gettext_noop("Due date"),
        "until_field": "due_on",
        "notes": gettext_noop("Notes"),
        "name": gettext_noop("Standard invoice"),
    },
}
CODE_VALUES = {"until_field"}


def starter_html(kind, language):
    """The starter layout of ``kind`` with its labels in ``language``."""
    html = LAYOUT.read_text(encoding="utf-8")
    with override(language):
        values = {key: gettext(label) for key, label in LABELS.items()}
        for key, value in KINDS[kind].items():
            values[key] = value if key in CODE_VALUES else gettext(value)
        values["language"] = language
        values["direction"] = "rtl" if get_language_bidi() else "ltr"
    for key, value in values.items():
        html = html.replace(f"[[{key}]]", value)
    return html


@transaction.atomic
def starters_install(*, tenant, actor=None, language=None):
    """Add the starter offer and invoice templates the tenant does not have yet; return them."""
    language = language or tenant.language
    made = []
    for kind, spec in KINDS.items():
        if DocumentTemplate.objects.filter(
            tenant=tenant, kind=kind, form=TemplateForm.HTML
        ).exists():
            continue
        with override(language):
            name = gettext(spec["name"])
        template = DocumentTemplate.objects.create(
            tenant=tenant, kind=kind, form=TemplateForm.HTML, name=name, language=language,
            created_by=actor,
        )  # fmt: skip
        version = DocumentVersion.objects.create(
            tenant=tenant, template=template, number=1, html=starter_html(kind, language),
            created_by=actor,
        )  # fmt: skip
        template.current_version = version
        template.save(update_fields=["current_version", "updated_at"])
        audit.record(tenant=tenant, actor=actor, instance=template, action=AuditEntry.Action.CREATE)
        made.append(template)
    return made
