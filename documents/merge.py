"""The merge fields of document templates: a flat dictionary of plain values.

Templates never see model objects: every value here is a string (numbers and dates already
formatted in the template's language), and the lines of an offer or invoice are a list of flat
dictionaries. ``FIELDS`` lists what a template may use; the editor shows it.
"""

from django.core.files.storage import default_storage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from documents.rendering import data_url

FIELDS = [
    ("date", _("Today's date")),
    ("tenant_name", _("Our company name")),
    ("tenant_address", _("Our address")),
    ("tenant_phone", _("Our phone")),
    ("tenant_email", _("Our e-mail")),
    ("tenant_website", _("Our website")),
    ("tenant_logo", _("Our logo, for <img src=…>")),
    ("firm_name", _("Firm name")),
    ("firm_code", _("Firm code")),
    ("firm_legal_form", _("Legal form")),
    ("firm_tax_number", _("Tax number")),
    ("firm_trade_registry_number", _("Trade registry number")),
    ("firm_address", _("Firm address")),
    ("firm_city", _("Firm city")),
    ("firm_phone", _("Firm phone")),
    ("firm_email", _("Firm e-mail")),
    ("firm_website", _("Firm website")),
    ("contact_name", _("Contact's full name")),
    ("contact_prefix", _("Contact's prefix (Dr., Eng., …)")),
    ("contact_first_name", _("Contact's first name")),
    ("contact_last_name", _("Contact's last name")),
    ("contact_job_title", _("Contact's job title")),
    ("contact_email", _("Contact's e-mail")),
    ("employee_name", _("Sender's name")),
    ("employee_email", _("Sender's e-mail")),
    ("employee_phone", _("Sender's phone")),
]
# Offers and invoices add these.
DOCUMENT_FIELDS = [
    ("number", _("Offer or invoice number")),
    ("title", _("Title")),
    ("issued_on", _("Date of the offer or invoice")),
    ("valid_until", _("Valid until (offers)")),
    ("due_on", _("Due date (invoices)")),
    ("currency", _("Currency")),
    ("terms", _("Terms and notes")),
    (
        "lines",
        _(
            "The lines; each has position, code, description, quantity, unit, unit_price, "
            "discount, vat_rate, net, vat, total"
        ),
    ),
    ("net", _("Net total")),
    ("vat", _("VAT total")),
    ("total", _("Grand total")),
    ("vat_breakdown", _("Per VAT rate: rate, net, vat")),
]


def number(value, places=2):
    if value is None or value == "":
        return ""
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def quantity(value):
    """A quantity without trailing zeros (3, 2.5, 0.125)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    places = len(text.split(".")[1]) if "." in text else 0
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _first(queryset):
    item = queryset.order_by("id").first()
    return str(item) if item is not None else ""


def tenant_values(tenant):
    from documents.models import ContactCard

    card = ContactCard.objects.filter(tenant=tenant).first()
    logo = ""
    if card and card.logo:
        try:
            with default_storage.open(card.logo.name, "rb") as handle:
                logo = data_url(handle.read(), card.logo_content_type or "image/png")
        except OSError:
            logo = ""
    return {
        "tenant_name": (card.company_name if card else "") or tenant.name,
        "tenant_address": card.address if card else "",
        "tenant_phone": card.phone if card else "",
        "tenant_email": card.email if card else "",
        "tenant_website": card.website if card else "",
        "tenant_logo": logo,
    }


def firm_values(firm):
    if firm is None:
        return {name: "" for name, _label in FIELDS if name.startswith("firm_")}
    address = firm.addresss.order_by("id").first()
    return {
        "firm_name": firm.name,
        "firm_code": firm.code,
        "firm_legal_form": str(firm.legal_form) if firm.legal_form_id else "",
        "firm_tax_number": firm.tax_number,
        "firm_trade_registry_number": firm.trade_registry_number,
        "firm_address": str(address) if address else "",
        "firm_city": address.city if address else "",
        "firm_phone": _first(firm.phones),
        "firm_email": _first(firm.emails),
        "firm_website": _first(firm.websites),
    }


def contact_values(contact):
    if contact is None:
        return {name: "" for name, _label in FIELDS if name.startswith("contact_")}
    return {
        "contact_name": contact.full_name,
        "contact_prefix": str(contact.prefix) if contact.prefix_id else "",
        "contact_first_name": contact.first_name,
        "contact_last_name": contact.last_name,
        "contact_job_title": contact.job_title,
        "contact_email": _first(contact.emails),
    }


def employee_values(employee):
    if employee is None:
        return {"employee_name": "", "employee_email": "", "employee_phone": ""}
    return {
        "employee_name": employee.full_name,
        "employee_email": employee.user.email,
        "employee_phone": employee.work_phone or employee.mobile_phone,
    }


def line_values(lines):
    """Flat dictionaries of priced lines (offer, order or invoice lines, or dicts alike)."""
    values = []
    for position, line in enumerate(lines, start=1):
        get = line.get if isinstance(line, dict) else lambda name, line=line: getattr(line, name)
        product = get("product") if "product" in _names(line) else None
        unit = get("unit") if "unit" in _names(line) else None
        values.append(
            {
                "position": str(position),
                "code": product.code if product else "",
                "description": get("description") or (product.name if product else ""),
                "quantity": quantity(get("quantity")),
                "unit": str(unit) if unit else "",
                "unit_price": number(get("unit_price")),
                "discount": number(get("discount_percent")),
                "vat_rate": quantity(get("vat_rate")),
                "net": number(get("net")),
                "vat": number(get("vat")),
                "total": number(get("total")),
            }
        )
    return values


def _names(line):
    return line.keys() if isinstance(line, dict) else {f.name for f in line._meta.fields}


def document_values(*, lines, totals, **fields):
    """The fields of an offer or invoice: its own values, its lines and its totals."""
    values = {name: "" for name, _label in DOCUMENT_FIELDS}
    for name, value in fields.items():
        if hasattr(value, "year"):
            values[name] = date(value)
        else:
            values[name] = "" if value is None else str(value)
    values["lines"] = line_values(lines)
    values["net"] = number(totals.net)
    values["vat"] = number(totals.vat)
    values["total"] = number(totals.total)
    values["vat_breakdown"] = [
        {"rate": quantity(rate), "net": number(net), "vat": number(vat)}
        for rate, (net, vat) in sorted(totals.by_rate.items())
    ]
    return values


def build(*, tenant, language, firm=None, contact=None, employee=None, document=None):
    """Every merge field for one rendering, formatted in ``language``.

    ``document``: for offers and invoices, :func:`document_values`'s arguments as a dict
    (``lines``, ``totals`` and the document's own fields).
    """
    with translation.override(language):
        values = {"date": date(timezone.localdate())}
        values.update(tenant_values(tenant))
        values.update(firm_values(firm))
        values.update(contact_values(contact))
        values.update(employee_values(employee))
        if document is None:
            values.update({name: "" for name, _label in DOCUMENT_FIELDS})
            values["lines"], values["vat_breakdown"] = [], []
        else:
            values.update(document_values(**document))
    return values
