"""Phones, e-mails, websites and addresses as formsets: any number of each."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core import choices


class ChannelForm(forms.Form):
    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields and tenant is not None:
            self.fields["kind"].queryset = choices.options(tenant=tenant, key="phone_kind")

    def values(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}


class PhoneForm(ChannelForm):
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=None, required=False)
    country_code = forms.RegexField(
        label=_("Country code"), regex=r"^\+?\d{1,4}$", required=False, initial="90", max_length=5
    )
    area_code = forms.RegexField(
        label=_("Area code"), regex=r"^\d{0,6}$", required=False, max_length=6
    )
    number = forms.RegexField(
        label=_("Number"), regex=r"^[\d ()\-./]{3,20}$", max_length=20,
        error_messages={"invalid": _("Digits, spaces and - ( ) . / only.")},
    )  # fmt: skip
    extension = forms.RegexField(
        label=_("Extension"), regex=r"^\d{0,10}$", required=False, max_length=10
    )

    def clean_country_code(self):
        return self.cleaned_data["country_code"].lstrip("+")


class EmailForm(ChannelForm):
    address = forms.EmailField(label=_("E-mail"), max_length=254)


class WebsiteForm(ChannelForm):
    url = forms.URLField(label=_("Website"), max_length=300, assume_scheme="https")


class AddressForm(ChannelForm):
    country = forms.CharField(label=_("Country"), max_length=80, required=False, initial="Türkiye")
    province = forms.CharField(label=_("Province"), max_length=80, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    district = forms.CharField(label=_("District"), max_length=80, required=False)
    street = forms.CharField(label=_("Street"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )


FORMSETS = {
    "phones": (formset_factory(PhoneForm, extra=1, can_delete=True, max_num=20), _("Phones")),
    "emails": (formset_factory(EmailForm, extra=1, can_delete=True, max_num=20), _("E-mails")),
    "websites": (formset_factory(WebsiteForm, extra=0, can_delete=True, max_num=10), _("Websites")),
    "addresses": (
        formset_factory(AddressForm, extra=1, can_delete=True, max_num=10),
        _("Addresses"),
    ),
}
INITIAL_FIELDS = {
    "phones": ("kind", "country_code", "area_code", "number", "extension"),
    "emails": ("address",),
    "websites": ("url",),
    "addresses": (
        "country", "province", "city", "district", "street", "postal_code", "latitude",
        "longitude",
    ),
}  # fmt: skip


def channel_formsets(*, tenant, data=None, existing=None, prefix=""):
    """One bound or unbound formset per channel kind; ``existing`` gives initial rows."""
    sets = {}
    for key, (formset_class, _label) in FORMSETS.items():
        initial = None
        if existing is not None:
            initial = [
                {
                    name: getattr(row, f"{name}_id" if name == "kind" else name)
                    for name in INITIAL_FIELDS[key]
                }
                for row in existing.get(key, [])
            ]
        sets[key] = formset_class(
            data,
            initial=initial,
            prefix=f"{prefix}{key}",
            form_kwargs={"tenant": tenant},
        )
    return sets


def channel_values(formsets):
    """``{key: [values, ...]}`` of the filled, not deleted rows of valid formsets."""
    result = {}
    for key, formset in formsets.items():
        # Unchanged existing rows stay; untouched extra rows are skipped.
        result[key] = [
            form.values()
            for form in formset.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.has_changed() or form.initial)
        ]
    return result
