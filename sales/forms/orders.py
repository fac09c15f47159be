"""Forms of products sold (an order and its lines) and services, and the lists' filters.

The order form is where a product's price flags are enforced for people: no discount on a
product that allows none, and no unit price above the product's sale price unless the product
lets representatives raise it or the member is a manager or an executive. A line that is not
new and does not change its product, unit, price or discount is not checked again, so a
manager's price survives a representative's later change of the note. An invoiced line is
shown but cannot be changed or removed.
"""

from decimal import Decimal

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from catalogue.forms import (
    TEXT_LIMIT,
    YES_NO,
    ObjectChoiceField,
    money_field,
    rate_field,
    single_line,
    unit_label,
)
from companies.forms.widgets import FirmPicker, chosen_firm
from core.forms import EmployeeChoiceField, date_input
from core.money import CURRENCIES, cents
from core.views import is_pk
from sales.forms.filters import SalesFilterForm
from sales.selectors import orders as selectors
from sales.services.orders import LINE_LIMIT, is_invoiced, reference_price

NUMBER_PATTERN = r"^[\w.\-/#]+\Z"


def number_field(label):
    return forms.RegexField(
        label=label, regex=NUMBER_PATTERN, max_length=40, required=False,
        help_text=_("Leave empty for the next number."),
        error_messages={"invalid": _("Letters, digits and . - / # only, without spaces.")},
    )  # fmt: skip


def _firm_field(form, *, tenant, member, record):
    """The firm picker over writable firms, or no firm field when the record exists (a
    record stays with its firm). Returns the chosen firm."""
    if record is not None:
        del form.fields["firm"]
        return record.firm
    field = form.fields["firm"]
    field.queryset = selectors.writable_firms(tenant=tenant, member=member)
    field.widget.configure(tenant=tenant)
    field.widget.known = chosen_firm(form)
    return field.widget.known


class OrderForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    number = number_field(_("Order number"))
    ordered_on = forms.DateField(label=_("Order date"), widget=date_input())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    opportunity = ObjectChoiceField(label=_("Opportunity"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, tenant, member, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_firm = _firm_field(self, tenant=tenant, member=member, record=order)
        opportunities = selectors.firm_opportunities(tenant=tenant, firm=self.chosen_firm)
        self.fields["opportunity"].set_objects((o, str(o)) for o in opportunities)

    def service_data(self):
        return {
            name: self.cleaned_data[name] for name in ("number", "ordered_on", "currency", "note")
        }


def line_initial(line):
    return {
        "id": line.pk, "product": line.product_id, "amount": line.amount, "unit": line.unit_id,
        "unit_price": line.unit_price, "discount_percent": line.discount_percent,
        "description": line.description,
    }  # fmt: skip


class LineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    product = ObjectChoiceField(label=_("Product"))
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"),
        max_value=999_999_999,
    )  # fmt: skip
    unit = ObjectChoiceField(label=_("Unit"), required=False, empty_label=_("Product's unit"))
    unit_price = money_field(
        _("Unit price"), required=False, help_text=_("Empty: the product's sale price.")
    )
    discount_percent = rate_field(_("Discount (%)"), required=False)
    description = forms.CharField(
        label=_("Description"), max_length=255, required=False, validators=[single_line]
    )

    def __init__(self, *args, products, units, member, currency, existing, recheck, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].set_objects(products)
        self.fields["unit"].set_objects(units)
        for name, hook in (("product", "data-line-product"), ("unit", "data-line-unit")):
            self.fields[name].widget.attrs[hook] = True
        self.fields["unit_price"].widget.attrs["data-line-price"] = True
        self.member, self.currency, self.existing = member, currency, existing
        self.recheck = recheck  # the order's currency changed: check every line again
        raw = self.data.get(self.add_prefix("id")) if self.is_bound else self.initial.get("id")
        raw = str(raw or "")
        self.line = existing.get(int(raw)) if is_pk(raw) else None
        self.invoiced = self.line is not None and is_invoiced(self.line)
        if self.invoiced:  # shown as it is; what is posted for it is ignored
            self.initial = line_initial(self.line)
            for name, field in self.fields.items():
                field.disabled = name != "id"  # the id is posted: it names the line

    def clean(self):
        data = super().clean()
        product = data.get("product")
        if data.get("id") is not None and self.line is None:
            raise forms.ValidationError(_("This line is not part of the order."))
        if product is None or data.get("amount") is None or self.invoiced:
            return data
        data["unit"] = data.get("unit") or product.unit
        if data.get("unit_price") is None:
            data["unit_price"] = reference_price(product, data["unit"])
        data["discount_percent"] = data.get("discount_percent") or Decimal(0)
        if self.recheck or self._changed(data):
            self._check_flags(data)
        return data

    def _changed(self, data):
        line = self.line
        if line is None:
            return True
        unit = data["unit"]
        return (
            data["product"].pk != line.product_id
            or (unit.pk if unit else None) != line.unit_id
            or cents(data["unit_price"]) != line.unit_price
            or data["discount_percent"] != line.discount_percent
        )

    def _check_flags(self, data):
        product = data["product"]
        names = {"product": product.name, "currency": product.currency}
        if not (product.is_active and product.sellable):
            self.add_error("product", _("%(product)s is not for sale.") % names)
            return
        if self.currency and product.currency != self.currency:
            self.add_error(
                "product",
                _("%(product)s is priced in %(currency)s: the order must be in it too.") % names,
            )
            return
        if data["discount_percent"] > 0 and not product.discount_allowed:
            self.add_error("discount_percent", _("No discount is allowed on %(product)s.") % names)
        reference = reference_price(product, data["unit"])
        may_raise = product.price_increase_allowed or self.member.is_manager
        if data["unit_price"] > reference and not (may_raise or self.member.reaches_everything):
            names["price"] = reference
            self.add_error(
                "unit_price",
                _("Only a manager may sell %(product)s above its price of %(price)s %(currency)s.")
                % names,
            )

    def service_values(self):
        values = {name: self.cleaned_data[name] for name in LineForm.base_fields}
        values["description"] = values["description"] or ""
        return values


class BaseLineFormSet(BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if getattr(form, "invoiced", False) and "DELETE" in form.fields:
            del form.fields["DELETE"]  # an invoiced line cannot be removed

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            line_id = form.cleaned_data.get("id")
            if line_id is not None:
                if line_id in seen:
                    raise forms.ValidationError(_("A line is named twice."))
                seen.add(line_id)

    def service_lines(self):
        """The lines to save as dicts (``id`` names an existing line), in their order."""
        deleted = set(map(id, self.deleted_forms))
        return [
            form.service_values()
            for form in self.forms
            if id(form) not in deleted and form.cleaned_data.get("product") is not None
        ]


LineFormSet = formset_factory(
    LineForm, formset=BaseLineFormSet, extra=0, min_num=1, validate_min=True, can_delete=True,
    max_num=LINE_LIMIT, validate_max=True, absolute_max=LINE_LIMIT,
)  # fmt: skip


def line_formset(data=None, *, tenant, member, currency, order=None, initial=None, recheck=False):
    """The lines formset; products and units are read once for all its rows."""
    existing = {line.pk: line for line in getattr(order, "line_list", [])}
    products = selectors.line_products(
        tenant=tenant, include={line.product_id for line in existing.values()}
    )
    units = selectors.line_units(
        tenant=tenant,
        include={line.unit_id for line in existing.values() if line.unit_id}
        | {p.unit_id for p in products if p.unit_id},
    )
    form_kwargs = {
        "products": [(p, str(p)) for p in products],
        "units": [(u, unit_label(u)) for u in units],
        "member": member, "currency": currency, "existing": existing, "recheck": recheck,
    }  # fmt: skip
    formset = LineFormSet(data, prefix="lines", initial=initial, form_kwargs=form_kwargs)
    formset.products = products
    return formset


def product_hints(products):
    """What the line script needs per product: its unit and sale price (json_script)."""
    return {str(p.pk): {"unit": str(p.unit_id or ""), "price": str(p.sale_price)} for p in products}


class ServiceForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    title = forms.CharField(label=_("Service"), max_length=200, validators=[single_line])
    performed_on = forms.DateField(label=_("Date"), widget=date_input())
    performed_by = EmployeeChoiceField(label=_("Performed by"), queryset=None, required=False)
    price = money_field(_("Price"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    vat_rate = rate_field(_("VAT rate (%)"))
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea({"rows": 4}),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_firm = _firm_field(self, tenant=tenant, member=member, record=service)
        self.fields["performed_by"].queryset = selectors.performer_options(
            tenant=tenant, include=service.performed_by_id if service else None
        )

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self.fields if name != "firm"}


class FilterForm(SalesFilterForm):
    """Filters shared by both lists."""

    invoiced = forms.ChoiceField(label=_("Invoiced"), choices=YES_NO, required=False)


class OrderFilterForm(FilterForm):
    product = ObjectChoiceField(label=_("Product"), required=False, empty_label=_("All products"))

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, tenant=tenant, member=member, **kwargs)
        products = selectors.product_filter_options(tenant=tenant)
        self.fields["product"].set_objects((p, str(p)) for p in products)
