"""Forms of invoices: the invoice with its free lines, the list's filters."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.forms.widgets import FirmPicker, chosen_firm
from core.files import UploadPolicy, clean_upload
from core.forms import date_input
from core.money import CURRENCIES
from core.views import is_pk
from sales.forms.filters import SalesFilterForm
from sales.selectors import invoices as selectors

TEXT_LIMIT = 5000
MAX_LINES = 50
MAX_SOURCES = 200
NUMBER = re.compile(r"^[\w./ -]+$")
# The scanned original (seed 000: jpg, png, bmp, ...; a PDF too).
ORIGINAL_POLICY = UploadPolicy(
    frozenset({"application/pdf", "image/jpeg", "image/png", "image/bmp"}), 10 * 1024 * 1024
)


class PkListField(forms.Field):
    """A list of ids (check boxes the template draws); the form turns them into rows."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > MAX_SOURCES:
            raise ValidationError(_("Too many lines are chosen."))
        if not all(is_pk(str(item)) for item in value):
            raise ValidationError(_("Choose lines from the list."))
        return list(dict.fromkeys(int(item) for item in value))


class InvoiceForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    number = forms.CharField(
        label=_("Invoice number"), max_length=40, required=False,
        help_text=_("Leave empty for the next number."),
    )  # fmt: skip
    issued_on = forms.DateField(
        label=_("Invoice date"), widget=date_input(), initial=timezone.localdate
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=date_input())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    opportunity = forms.ModelChoiceField(label=_("Opportunity"), queryset=None, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    original = forms.FileField(
        label=_("Scanned original"), required=False,
        help_text=_("PDF, JPG, PNG or BMP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ORIGINAL_POLICY.accept}),
    )  # fmt: skip
    remove_original = forms.BooleanField(label=_("Remove the original"), required=False)
    order_lines = PkListField(label=_("Products sold"), required=False)
    services = PkListField(label=_("Services"), required=False)
    remove_lines = PkListField(label=_("Release"), required=False)

    def __init__(self, *args, tenant, member, invoice=None, sources_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.invoice = tenant, invoice
        if invoice is None:
            self.fields["firm"].queryset = selectors.invoice_firms(tenant=tenant, member=member)
            # Choosing a firm refills its uninvoiced products and services (an htmx fragment).
            self.fields["firm"].widget.attrs.update(
                {
                    "hx-get": sources_url,
                    "hx-target": "#invoice-sources",
                    "hx-trigger": "change",
                    "hx-swap": "outerHTML",
                }
            )
            self.firm = chosen_firm(self)
            self.fields["firm"].widget.configure(tenant=tenant, known=self.firm)
            del self.fields["remove_original"], self.fields["remove_lines"]
        else:
            del self.fields["firm"]
            self.firm = invoice.firm
        self.fields["opportunity"].queryset = selectors.opportunity_options(
            tenant=tenant, firm=self.firm
        )
        self.fields["currency"].initial = tenant.currency

    def clean_number(self):
        number = " ".join(self.cleaned_data["number"].split())
        if number and not NUMBER.match(number):
            raise ValidationError(_("Use letters, digits, spaces and . / - _ only."))
        return number

    def clean_original(self):
        upload = self.cleaned_data.get("original")
        if not upload:
            return None
        name, content_type = clean_upload(upload, ORIGINAL_POLICY)
        return upload, name, content_type

    def clean_order_lines(self):
        pks = self.cleaned_data["order_lines"]
        rows = selectors.order_lines_by_pk(tenant=self.tenant, pks=pks)
        if len(rows) != len(pks):
            raise ValidationError(_("A chosen product line does not exist."))
        return rows

    def clean_services(self):
        pks = self.cleaned_data["services"]
        rows = selectors.services_by_pk(tenant=self.tenant, pks=pks)
        if len(rows) != len(pks):
            raise ValidationError(_("A chosen service does not exist."))
        return rows

    def clean(self):
        data = super().clean()
        if data.get("due_on") and data.get("issued_on") and data["due_on"] < data["issued_on"]:
            self.add_error("due_on", _("The due date cannot be before the invoice date."))
        return data

    def service_data(self):
        names = ("number", "issued_on", "due_on", "currency", "note")
        return {name: self.cleaned_data[name] for name in names}

    def original_change(self):
        """An upload to store, False to remove the original, or None to keep it."""
        if self.cleaned_data.get("original"):
            return self.cleaned_data["original"]
        return False if self.cleaned_data.get("remove_original") else None


class InvoiceLineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=255)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, min_value=Decimal("0.001"),
        max_value=Decimal(1_000_000), initial=1,
    )  # fmt: skip
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=14, decimal_places=2, min_value=0,
        max_value=Decimal(10_000_000_000),
    )  # fmt: skip
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100,
        required=False, initial=0,
    )  # fmt: skip
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100,
        initial=20,
    )  # fmt: skip


InvoiceLineFormSet = forms.formset_factory(
    InvoiceLineForm,
    extra=1,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


def free_lines(formset):
    """The free lines a valid formset holds, as the service's dicts."""
    return [
        {**form.cleaned_data, "discount_percent": form.cleaned_data.get("discount_percent") or 0}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


YES_NO = [("", _("All")), ("yes", _("Handed over")), ("no", _("Not handed over"))]


class InvoiceFilterForm(SalesFilterForm):
    handed_over = forms.ChoiceField(label=_("Original"), choices=YES_NO, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", _("All")), *CURRENCIES], required=False
    )
