"""Custom fields and required built-in fields in forms, lists, filters and history.

Values live in the ``custom`` JSON column of firms and contacts as plain JSON values: text,
numbers, ISO dates, the chosen option, true/false.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import CustomField

# Built-in fields that are optional by default and that a tenant may make required (seed 002).
OPTIONAL_BUILTINS = {
    "firm": [
        "brand", "tax_number", "trade_registry_number", "founding_date", "employee_count",
        "legal_form", "sector", "lead_source", "ownership_status", "rating", "sales_rep",
        "support_rep", "certificates", "notes",
    ],
    "contact": [
        "prefix", "last_name", "job_title", "department", "birthday", "preferred_channel",
        "notes",
    ],
}  # fmt: skip


def active_fields(*, tenant, entity):
    return list(CustomField.objects.filter(tenant=tenant, entity=entity, is_active=True))


def form_field(field):
    """The Django form field for one custom field."""
    common = {"label": field.label, "required": field.required}
    if field.kind == CustomField.Kind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if field.kind == CustomField.Kind.DATE:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return forms.DateField(widget=widget, **common)
    if field.kind == CustomField.Kind.CHOICE:
        return forms.ChoiceField(
            choices=[("", "---------"), *((o, o) for o in field.options)], **common
        )
    if field.kind == CustomField.Kind.BOOLEAN:
        if field.required:
            choices = [("true", _("Yes")), ("false", _("No"))]
            return forms.TypedChoiceField(choices=choices, coerce=lambda v: v == "true", **common)
        return forms.NullBooleanField(**common)
    return forms.CharField(max_length=500, **common)


def to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return value


def from_json(field, value):
    if value in (None, ""):
        return None
    if field.kind == CustomField.Kind.DATE:
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    return value


def extend_form(form, *, tenant, entity, instance=None):
    """Add the tenant's custom fields to ``form`` and apply the required built-ins."""
    form.custom_fields = active_fields(tenant=tenant, entity=entity)
    current = (instance.custom if instance is not None and instance.pk else None) or {}
    for field in form.custom_fields:
        form.fields[field.form_name] = form_field(field)
        form.fields[field.form_name].initial = from_json(field, current.get(field.key))
    for name in tenant.required_fields.get(entity, []):
        if name in form.fields and name in OPTIONAL_BUILTINS[entity]:
            form.fields[name].required = True


def custom_values(form, instance=None):
    """The ``custom`` dict to store: the form's custom values over the stored ones."""
    values = dict((instance.custom if instance is not None and instance.pk else None) or {})
    for field in getattr(form, "custom_fields", []):
        value = form.cleaned_data.get(field.form_name)
        if value in (None, ""):
            values.pop(field.key, None)
        else:
            values[field.key] = to_json(value)
    return values


def strip_custom(data):
    """Remove the ``cf_*`` form values from a cleaned-data dict."""
    return {k: v for k, v in data.items() if not k.startswith("cf_")}


def display_value(field, value):
    """A stored custom value as people read it: yes/no for a yes/no field, None when empty."""
    if value in (None, ""):
        return None
    if field.kind == CustomField.Kind.BOOLEAN:
        return _("Yes") if value else _("No")
    return value


def display_rows(*, tenant, entity, custom):
    """``[(label, text)]`` of an object's custom values, for its page."""
    rows = []
    for field in active_fields(tenant=tenant, entity=entity):
        value = display_value(field, custom.get(field.key))
        if value is not None:
            rows.append((field.label, value))
    return rows


# A number filter beyond this matches no stored value (a float's range, with room to spare).
MAX_FILTER_NUMBER = Decimal("1e300")


def apply_filters(queryset, *, fields, params):
    """Narrow ``queryset`` by ``cf_<key>`` query parameters; bad values are ignored."""
    for field in fields:
        raw = (params.get(field.form_name) or "").strip()[:100]
        if not raw or "\x00" in raw:
            continue
        lookup = f"custom__{field.key}"
        if field.kind == CustomField.Kind.TEXT:
            queryset = queryset.filter(**{f"{lookup}__icontains": raw})
        elif field.kind == CustomField.Kind.BOOLEAN and raw in ("yes", "no"):
            queryset = queryset.filter(**{lookup: raw == "yes"})
        elif field.kind == CustomField.Kind.NUMBER:
            try:
                number = Decimal(raw)
                if not number.is_finite() or abs(number) > MAX_FILTER_NUMBER:
                    continue  # "NaN", "Infinity", "1e999999": nothing a stored value can be
                queryset = queryset.filter(**{lookup: to_json(number)})
            except (InvalidOperation, ValueError, OverflowError):
                continue
        elif field.kind in (CustomField.Kind.CHOICE, CustomField.Kind.DATE):
            queryset = queryset.filter(**{lookup: raw})
    return queryset
