"""Forms of order requests: the designer (a form and its fields as a formset) and the form a
portal user fills in, built from the designed fields."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import date_input
from core.views import is_pk
from portal.services import request_forms as design

# Products offered in one drop-down; a larger catalogue is narrowed with the search box.
PRODUCT_OPTIONS = 200
NUMBER_MAX = Decimal("999999999")
TEXT_LIMIT = 500
LONG_TEXT_LIMIT = 5000
TOKEN_LIMIT = 64


# The designer ----------------------------------------------------------------------------------


class RequestFormHeadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=design.NAME_LIMIT)
    description = forms.CharField(
        label=_("Introduction"), required=False, max_length=design.INTRO_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the form in the portal."),
    )  # fmt: skip


class FieldForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Label"), max_length=design.LABEL_LIMIT)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(design.KINDS.items()), initial="text")
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"), required=False,
        max_length=design.MAX_CHOICES * (design.CHOICE_LIMIT + 2),
        widget=forms.Textarea(attrs={"rows": 2}), help_text=_("For a choice: one per line."),
    )  # fmt: skip
    help = forms.CharField(label=_("Help text"), required=False, max_length=design.HELP_LIMIT)

    def clean_key(self):
        key = self.cleaned_data["key"]
        return key if design.KEY_PATTERN.match(key or "") else ""

    def clean(self):
        data = super().clean()
        if data.get("kind") == "choice" and not self.has_error("choices"):
            try:
                data["choices"] = design.clean_choices(design.split_choices(data.get("choices")))
            except ValidationError as error:
                self.add_error("choices", error)
        elif "kind" in data:
            data["choices"] = []
        return data


class BaseFieldFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Position")
        form.fields["DELETE"].label = _("Remove this field")

    def clean(self):
        if any(self.errors) or not self.management_form.is_valid():
            return
        rows = self.field_list()
        if not rows:
            raise ValidationError(_("Add at least one field."))
        labels = [row["label"].casefold() for row in rows]
        if len(set(labels)) != len(labels):
            raise ValidationError(_("Two fields have the same label."))

    def field_list(self):
        """The fields in the order given, without removed and untouched empty rows."""
        return [
            {name: form.cleaned_data.get(name) for name in design.FIELD_KEYS}
            for form in self.ordered_forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


FieldFormSet = forms.formset_factory(
    FieldForm,
    formset=BaseFieldFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=design.MAX_FIELDS,
    validate_max=True,
    absolute_max=design.MAX_FIELDS + 10,
)


def field_formset(data=None, fields=None):
    """The field rows of a form (``fields`` as stored) or of the POST ``data``."""
    initial = None
    if fields is not None:
        initial = [{**field, "choices": "\n".join(field.get("choices") or [])} for field in fields]
    return FieldFormSet(data, initial=initial, prefix="fields")


# Filling in a form in the portal --------------------------------------------------------------


class ProductField(forms.ChoiceField):
    """A product among the offered ones (``queryset``); the drop-down lists ``options``, the
    check reads the product itself, so a product outside the shown page is still correct."""

    def __init__(self, *, queryset, options, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset
        self.choices = [("", "—")] + [(str(p.pk), f"{p.code} · {p.name}") for p in options]

    def valid_value(self, value):
        return True  # checked against the products in clean()

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        product = self.queryset.filter(pk=text).first() if is_pk(text) else None
        if product is None:
            raise ValidationError(_("Choose one of the products offered."), code="invalid_choice")
        return product


def not_in_past(value):
    if value is not None and value < timezone.localdate():
        raise ValidationError(_("The date lies in the past."))


def build_field(spec, products):
    """The form field of one designed field; ``products``: ``(queryset, options)``."""
    common = {"label": spec["label"], "required": spec["required"], "help_text": spec["help"]}
    kind = spec["kind"]
    if kind == "product":
        return ProductField(queryset=products[0], options=products[1], **common)
    if kind == "number":
        return forms.DecimalField(
            min_value=0, max_value=NUMBER_MAX, max_digits=15, decimal_places=3, **common
        )
    if kind == "date":
        widget = date_input()
        widget.attrs["min"] = timezone.localdate().isoformat()
        return forms.DateField(widget=widget, validators=[not_in_past], **common)
    if kind == "choice":
        options = [("", "—")] + [(choice, choice) for choice in spec["choices"]]
        return forms.ChoiceField(choices=options, **common)
    if kind == "yesno":
        return forms.BooleanField(**common)
    if kind == "textarea":
        return forms.CharField(
            max_length=LONG_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    return forms.CharField(max_length=TEXT_LIMIT, **common)


class OrderRequestFillForm(forms.Form):
    """The designed form; ``answers()`` gives ``{key: value}`` for the service.

    ``products``: ``(every offered product, the ones the drop-down lists)``; a bound form adds
    the product already chosen to the list, so a re-shown form keeps it.
    """

    submit_token = forms.CharField(required=False, max_length=TOKEN_LIMIT, widget=forms.HiddenInput)

    def __init__(self, *args, request_form, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_form = request_form
        self.specs = [spec for spec in request_form.fields if spec.get("kind") in design.KINDS]
        queryset, options = products
        if self.is_bound and any(spec["kind"] == "product" for spec in self.specs):
            options = self._with_chosen(queryset, list(options))
        for spec in self.specs:
            self.fields[spec["key"]] = build_field(spec, (queryset, options))

    def _with_chosen(self, queryset, options):
        listed = {product.pk for product in options}
        wanted = {
            int(value)
            for spec in self.specs
            if spec["kind"] == "product" and is_pk(value := str(self.data.get(spec["key"], "")))
        }
        missing = wanted - listed
        if missing:
            options.extend(queryset.filter(pk__in=missing))
        return options

    def answers(self):
        return {spec["key"]: self.cleaned_data.get(spec["key"]) for spec in self.specs}
