"""Forms of contracts: the contract and the list's filters."""

import os
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.forms.widgets import FirmPicker, chosen_firm
from companies.selectors.firms import visible_firms
from core.files import UploadPolicy, clean_upload
from core.forms import EmployeeChoiceField, date_input
from core.money import CURRENCIES
from sales.models import ContractStatus
from sales.selectors import contracts as selectors

TEXT_LIMIT = 5000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_POLICY = UploadPolicy(
    frozenset({"application/pdf", DOCX, "image/jpeg", "image/png"}), 10 * 1024 * 1024
)
# core.files knows the extensions of PDFs and images; a Word file must be named .docx.
FILE_ACCEPT = ".docx,.jpeg,.jpg,.pdf,.png"


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.performed_on:%Y-%m-%d})"


class ContractForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(
        label=_("Start date"), widget=date_input(), initial=timezone.localdate
    )
    ends_on = forms.DateField(label=_("End date"), required=False, widget=date_input())
    value = forms.DecimalField(
        label=_("Value"), max_digits=16, decimal_places=2, min_value=0,
        max_value=Decimal(1_000_000_000_000), required=False,
    )  # fmt: skip
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    status = forms.ChoiceField(
        label=_("Status"), choices=ContractStatus.choices, initial=ContractStatus.DRAFT
    )
    renewal_days = forms.IntegerField(
        label=_("Renewal reminder (days before the end)"), min_value=0, max_value=3650,
        required=False,
        help_text=_("Your date-alarm digest names the contract this many days before it ends."),
    )  # fmt: skip
    responsible = EmployeeChoiceField(
        label=_("Responsible"), queryset=None, required=False,
        help_text=_("Empty: the firm's sales representative."),
    )  # fmt: skip
    service = ServiceChoiceField(label=_("Service covered"), queryset=None, required=False)
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, DOCX, JPG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
    )  # fmt: skip
    remove_file = forms.BooleanField(label=_("Remove the file"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, contract=None, service_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        if contract is None:
            self.fields["firm"].queryset = selectors.contract_firms(tenant=tenant, member=member)
            # Choosing a firm refills its services (an htmx fragment).
            self.fields["firm"].widget.attrs.update(
                {
                    "hx-get": service_url,
                    "hx-target": "#contract-service",
                    "hx-trigger": "change",
                    "hx-swap": "outerHTML",
                }
            )
            self.firm = chosen_firm(self)
            self.fields["firm"].widget.configure(tenant=tenant, known=self.firm)
            del self.fields["remove_file"]
        else:
            del self.fields["firm"]
            self.firm = contract.firm
        self.fields["currency"].initial = tenant.currency
        self.fields["responsible"].queryset = selectors.responsible_options(tenant=tenant)
        self.fields["service"].queryset = selectors.service_options(
            tenant=tenant, firm=self.firm, contract=contract
        )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name, content_type = clean_upload(upload, FILE_POLICY)
        if content_type == DOCX and os.path.splitext(name)[1].lower() != ".docx":
            raise ValidationError(_("A Word document must be named .docx."))
        return upload, name, content_type

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot be before the start."))
        if data.get("renewal_days") is not None and not ends and "ends_on" not in self.errors:
            self.add_error("ends_on", _("A renewal reminder needs an end date."))
        return data

    def service_data(self):
        names = (
            "title", "starts_on", "ends_on", "value", "currency", "status", "renewal_days",
            "responsible", "note",
        )  # fmt: skip
        return {name: self.cleaned_data[name] for name in names}

    def file_change(self):
        if self.cleaned_data.get("file"):
            return self.cleaned_data["file"]
        return False if self.cleaned_data.get("remove_file") else None


class ContractFilterForm(forms.Form):
    """The list's filters; a value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    firm = forms.ModelChoiceField(
        label=_("Firm"), queryset=None, required=False,
        widget=FirmPicker(empty_label=_("All firms")),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *ContractStatus.choices], required=False
    )
    ending_within = forms.IntegerField(
        label=_("Ending within (days)"), min_value=0, max_value=3650, required=False
    )

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = visible_firms(tenant=tenant, member=member)
        self.fields["firm"].widget.configure(tenant=tenant)

    def filters(self):
        self.is_valid()
        return {
            name: getattr(value, "pk", value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }
