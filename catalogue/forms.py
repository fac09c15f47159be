"""Forms of the product catalogue: the product, the list's filters, a product group.

``ObjectChoiceField`` is a drop-down over objects read once; the order-line formset uses it
too, so a form with many lines does not read the products once per line.
"""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalogue import selectors
from companies.forms.widgets import FirmPicker, chosen_firm
from companies.models.firms import FirmRole
from core.money import CURRENCIES

TEXT_LIMIT = 10000
MAX_PRICE = 999_999_999_999
YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]

single_line = RegexValidator(
    r"^[^\x00-\x1f\x7f]*\Z", _("Use one line of text without control characters.")
)


class ObjectChoiceField(forms.ChoiceField):
    """A drop-down over ``[(object, label)]`` given once; ``clean`` returns the object."""

    def __init__(self, *, objects=(), empty_label="---------", **kwargs):
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.set_objects(objects)

    def set_objects(self, objects):
        objects = list(objects)
        self.objects = {str(obj.pk): obj for obj, _label in objects}
        self.choices = [("", self.empty_label), *[(str(o.pk), label) for o, label in objects]]

    def prepare_value(self, value):
        value = getattr(value, "pk", value)
        return "" if value is None else str(value)

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(value) if value else None


def money_field(label, *, required=True, **kwargs):
    return forms.DecimalField(
        label=label, required=required, max_digits=14, decimal_places=2, min_value=0,
        max_value=MAX_PRICE, **kwargs,
    )  # fmt: skip


def rate_field(label, **kwargs):
    return forms.DecimalField(
        label=label, max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs
    )


def unit_label(unit):
    if unit.number is None:
        return unit.label
    return f"{unit.label} ({unit.number.normalize():f})"


class ProductForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"), regex=r"^[\w.\-/#]+\Z", max_length=40, required=False,
        help_text=_("Leave empty for the next number."),
        error_messages={"invalid": _("Letters, digits and . - / # only, without spaces.")},
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=200, validators=[single_line])
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea({"rows": 3}),
    )  # fmt: skip
    group = ObjectChoiceField(label=_("Group"), required=False)
    unit = ObjectChoiceField(label=_("Unit"), required=False)
    purchase_price = money_field(_("Purchase price"), required=False)
    sale_price = money_field(_("Sale price"), initial=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    vat_rate = rate_field(_("VAT rate (%)"), initial=20)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=None, required=False,
        widget=FirmPicker(empty_label=_("No supplier")),
        help_text=_("A firm with the supplier role."),
    )  # fmt: skip
    barcode = forms.CharField(
        label=_("Barcode"), max_length=64, required=False, validators=[single_line]
    )
    warranty_months = forms.IntegerField(
        label=_("Warranty (months)"), min_value=0, max_value=600, required=False
    )
    colour = forms.CharField(
        label=pgettext_lazy("product", "Colour"), max_length=60, required=False,
        validators=[single_line],
    )  # fmt: skip
    discount_allowed = forms.BooleanField(label=_("Discount allowed"), required=False)
    price_increase_allowed = forms.BooleanField(
        label=_("Representatives may raise the price"), required=False
    )
    sellable = forms.BooleanField(label=_("Sellable"), required=False)
    serial_tracking = forms.BooleanField(label=_("Tracked by serial number"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, tenant, member, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].set_objects(selectors.group_choices(tenant=tenant))
        units = selectors.unit_options(tenant=tenant, include=[product.unit_id] if product else [])
        self.fields["unit"].set_objects((u, unit_label(u)) for u in units)
        supplier = self.fields["supplier"]
        supplier.queryset = selectors.supplier_candidates(
            tenant=tenant, member=member, include=product.supplier_id if product else None
        )
        supplier.widget.configure(tenant=tenant, known=product.supplier if product else None)
        supplier.widget.known = chosen_firm(self, "supplier")  # one read, reused when rendering

    def clean_supplier(self):
        firm = self.cleaned_data.get("supplier")
        if firm is not None and FirmRole.SUPPLIER not in (firm.roles or []):
            raise forms.ValidationError(_("Choose a firm with the supplier role."))
        return firm

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self.fields}


def product_initial(product):
    """The form's initial values for an existing product."""
    return {
        name: getattr(product, name)
        for name in ProductForm.base_fields
        if name not in ("group", "unit", "supplier")
    } | {"group": product.group_id, "unit": product.unit_id, "supplier": product.supplier_id}


def new_product_initial(tenant):
    return {
        "currency": tenant.currency, "vat_rate": 20, "sale_price": 0, "discount_allowed": True,
        "sellable": True, "is_active": True,
    }  # fmt: skip


class ProductFilterForm(forms.Form):
    """The list's filters; a value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    group = ObjectChoiceField(label=_("Group"), required=False, empty_label=_("All groups"))
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=None, required=False, empty_label=_("All suppliers")
    )
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)
    sellable = forms.ChoiceField(label=_("Sellable"), choices=YES_NO, required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].set_objects(selectors.group_choices(tenant=tenant))
        self.fields["supplier"].queryset = selectors.suppliers(tenant=tenant)

    def filters(self):
        """The valid filters as plain values (ids, "yes"/"no", text)."""
        self.is_valid()
        values = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            values[name] = getattr(value, "pk", value)
        if "q" in values:
            values["q"] = values["q"].replace("\x00", "").strip()
        return values


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    parent = ObjectChoiceField(
        label=_("Parent group"), required=False, empty_label=_("— top level —")
    )

    def __init__(self, *args, tenant, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].set_objects(selectors.group_choices(tenant=tenant, exclude=group))
