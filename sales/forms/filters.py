"""The filters every sales list starts from: a search, a firm and a date range."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.forms.widgets import FirmPicker
from companies.selectors.firms import visible_firms
from core.forms import date_input


class SalesFilterForm(forms.Form):
    """A value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    firm = forms.ModelChoiceField(
        label=_("Firm"), queryset=None, required=False,
        widget=FirmPicker(empty_label=_("All firms")),
    )  # fmt: skip
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=date_input()
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"), required=False, widget=date_input()
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
            if value not in (None, "", False)
        }
