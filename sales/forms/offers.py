"""Forms of offers: the offer, its lines (a formset), the decision, the list's filters."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.forms.widgets import FirmPicker, chosen_firm
from core.forms import EmployeeChoiceField, date_input
from core.money import CURRENCIES
from core.views import is_pk
from sales.models import OfferStatus
from sales.selectors import offers as selectors
from sales.services.offers import MAX_LINES

TEXT_LIMIT = 10000
COMMENT_LIMIT = 2000


def percent_field(label):
    return forms.DecimalField(
        label=label, max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )  # fmt: skip


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects loaded once (``objects``: ``{str(pk): object}``); cleans to the
    object. A formset of twenty lines then reads the products once, not twenty times."""

    def __init__(self, *args, objects=None, label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_objects(objects or {}, label_of)

    def set_objects(self, objects, label_of=str):
        self.objects = objects
        self.choices = [("", "—")] + [(pk, label_of(obj)) for pk, obj in objects.items()]

    def prepare_value(self, value):
        return str(getattr(value, "pk", value) or "")

    def to_python(self, value):
        value = super().to_python(value)
        return self.objects.get(value) if value else None

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def valid_value(self, value):
        return True  # to_python found it among the objects (or it is empty)

    def clean(self, value):
        text = "" if value in self.empty_values else str(value)
        if text and text not in self.objects:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": text[:50]},
            )
        return super().clean(text)


class OfferForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=None, required=False)
    opportunity = forms.ModelChoiceField(label=_("Opportunity"), queryset=None, required=False)
    number = forms.CharField(
        label=_("Offer number"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for the next number."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    issued_on = forms.DateField(label=_("Offer date"), widget=date_input())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=date_input())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    template = forms.ModelChoiceField(
        label=_("PDF template"),
        queryset=None,
        required=False,
        help_text=_("Empty: the first active offer template in the company's language."),
    )
    terms = forms.CharField(
        label=_("Terms and notes"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea({"rows": 4}),
    )

    def __init__(self, *args, tenant, member, options_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = selectors.offer_firms(tenant=tenant, member=member)
        # The picker's hidden input: choosing a firm refills its contacts and opportunities.
        self.fields["firm"].widget.attrs.update(
            {"hx-get": options_url, "hx-target": "#id_contact", "hx-trigger": "change"}
        )
        self.chosen_firm = chosen_firm(self)
        self.fields["firm"].widget.configure(tenant=tenant, known=self.chosen_firm)
        self.fields["contact"].queryset = selectors.firm_contact_options(
            tenant=tenant, firm=self.chosen_firm
        )
        self.fields["contact"].label_from_instance = lambda c: c.full_name
        self.fields["opportunity"].queryset = selectors.opportunity_options(
            tenant=tenant, firm=self.chosen_firm
        )
        self.fields["template"].queryset = selectors.template_options(tenant=tenant)
        for name in ("number", "title"):
            self.fields[name].validators.append(single_line)
        self.fields["terms"].validators.append(no_control_characters)

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_on"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The validity cannot end before the offer date."))
        return data

    def service_data(self):
        return {name: self.cleaned_data.get(name) for name in self.fields}


def no_control_characters(value, allowed="\r\n\t"):
    """NUL bytes cannot be stored; other control characters (but line breaks) make no sense."""
    if any(ord(ch) < 32 and ch not in allowed for ch in value):
        raise ValidationError(_("Remove the control characters."), code="control")


def single_line(value):
    """A one-line value: no line breaks either."""
    no_control_characters(value, allowed="")


class LineForm(forms.Form):
    product = ObjectChoiceField(label=_("Product"), required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=255,
        required=False,
        validators=[single_line],
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        initial=1,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    unit = ObjectChoiceField(label=_("Unit"), required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    discount_percent = percent_field(_("Discount (%)"))
    vat_rate = percent_field(_("VAT (%)"))

    def __init__(self, *args, products, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].set_objects(products, lambda p: f"{p.code} {p.name}")
        self.fields["unit"].set_objects(units)
        self.fields["product"].widget.attrs["data-line-product"] = ""
        for name in ("quantity", "unit_price", "discount_percent", "vat_rate", "unit"):
            self.fields[name].widget.attrs[f"data-line-{name.replace('_', '-')}"] = ""

    def line(self):
        return {name: self.cleaned_data.get(name) for name in self.base_fields}


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("Add at least one line."), code="no_lines")

    def kept_forms(self):
        """The forms that hold a line: existing or filled in, and not marked for removal."""
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed()) and not self._should_delete_form(form)
        ]

    def lines(self):
        return [form.line() for form in self.kept_forms()]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def line_formset(*, tenant, data=None, initial=None, include_products=()):
    """The lines formset with the products and units read once for every row."""
    products = {
        str(p.pk): p for p in selectors.product_options(tenant=tenant, include=include_products)
    }
    units = {str(u.pk): u for u in selectors.unit_options(tenant=tenant)}
    formset = LineFormSet(
        data, initial=initial, prefix="lines", form_kwargs={"products": products, "units": units}
    )
    if data is None and not initial:
        formset.extra = 1
    formset.products = products
    return formset


def product_data(products):
    """What the line script needs about each product (``json_script``)."""
    return {
        pk: {
            "price": str(p.sale_price),
            "vat": str(p.vat_rate),
            "unit": str(p.unit_id or ""),
            "currency": p.currency,
            "discount": p.discount_allowed,
            "increase": p.price_increase_allowed,
        }
        for pk, p in products.items()
    }


class DecisionForm(forms.Form):
    """The firm's answer to an offer: accepted or rejected, with a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_LIMIT,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        validators=[no_control_characters],
    )


class OfferFilterForm(forms.Form):
    """The list's filters; a value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *OfferStatus.choices], required=False
    )
    firm = forms.ModelChoiceField(
        label=_("Firm"),
        queryset=None,
        required=False,
        widget=FirmPicker(empty_label=_("All firms")),
    )
    owner = EmployeeChoiceField(label=_("Owner"), queryset=None, required=False)
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=date_input()
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"), required=False, widget=date_input()
    )
    expiring = forms.BooleanField(label=_("Expiring soon"), required=False)
    sort = forms.ChoiceField(
        choices=[(key, key) for key in selectors.SORTS], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = selectors.filter_firms(tenant=tenant, member=member)
        self.fields["firm"].widget.configure(tenant=tenant)
        self.fields["owner"].queryset = selectors.owner_options(tenant=tenant)

    def filters(self):
        self.is_valid()
        values = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False) or name == "sort":
                continue
            values[name] = getattr(value, "pk", value)
        return values

    def chosen_sort(self):
        self.is_valid()
        return self.cleaned_data.get("sort") or selectors.DEFAULT_SORT


def query_pk(request, name):
    """A pk from the query string, or None."""
    value = request.GET.get(name, "")
    return int(value) if is_pk(value) else None
