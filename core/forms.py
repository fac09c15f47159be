"""Form rendering: every form renders with the project's Bootstrap field templates."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from core.views import is_pk

PICKER_URL = "accounts:employee-picker"
MAX_PK_LENGTH = 18
MAX_CHOSEN = 100  # employees one multiple field accepts at once


class FormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


# Widgets and fields many forms share.


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def picker_pks(values):
    """The plain numeric ids among ``values`` (a value, or a list of them), in order, once."""
    if values is None:
        return []
    if isinstance(values, (str, int)) or hasattr(values, "pk"):
        values = [values]
    pks = []
    for value in values:
        text = str(getattr(value, "pk", value))
        if is_pk(text, max_length=MAX_PK_LENGTH) and text not in pks:
            pks.append(text)
    return pks[:MAX_CHOSEN]


class QuerysetPickerMixin:
    """For a picker widget: a ModelChoiceField hands its widget ``choices`` (an iterator over
    the queryset); the picker keeps only the queryset, to read the chosen rows, and never
    iterates it."""

    @property
    def choices(self):
        return ()

    @choices.setter
    def choices(self, value):
        queryset = getattr(value, "queryset", None)
        if queryset is not None:
            self.queryset = queryset


class EmployeePicker(QuerysetPickerMixin, forms.Widget):
    """A search box over the tenant's employees instead of a drop-down listing all of them.

    The widget of an ordinary ``ModelChoiceField`` over employees: it renders a ``<select>``
    holding only the chosen employee (plus the empty choice and ``extra_choices``, e.g. "the
    pool"), so the chosen value posts and can be cleared without JavaScript; the search box
    asks ``accounts:employee-picker`` for at most 20 suggestions, and ``static/js/picker.js``
    puts the one chosen into the ``<select>`` and fires ``change`` on it. Only the chosen rows
    are read, in one query; the field still validates against its own queryset.

    ``configure(tenant=...)`` names the search endpoint; without it the endpoint of the
    tenant whose scope is active is used (one query for its slug).
    """

    template_name = "components/employee_picker.html"
    multiple = False
    # Attributes of the control that belong on the search box rather than on the value.
    SEARCH_ATTRS = ("autofocus",)
    MULTIPLE_SEARCH_ATTRS = ("aria-describedby", "aria-invalid", "autofocus", "disabled")

    def __init__(
        self, attrs=None, *, url="", empty_label=None, extra_choices=(), placeholder=None,
        small=False,
    ):  # fmt: skip
        super().__init__(attrs)
        self.url = url
        self.empty_label = empty_label
        self.extra_choices = list(extra_choices)
        self.placeholder = placeholder
        self.small = small
        self.queryset = None
        self.known = ()

    def configure(self, *, tenant=None, queryset=None, known=(), **options):
        """Point the picker at ``tenant``'s search; ``known``: chosen rows already loaded."""
        if tenant is not None:
            self.url = reverse(PICKER_URL, args=[tenant.slug])
        if queryset is not None:
            self.queryset = queryset
        self.known = [k for k in ([known] if hasattr(known, "pk") else known or ()) if k]
        for name, value in options.items():
            setattr(self, name, value)
        return self

    def chosen(self, value):
        """The employees of the queryset that ``value`` names, in the order given."""
        pks = picker_pks(value)
        if not pks:
            return []
        found = {str(k.pk): k for k in self.known if str(k.pk) in pks}
        missing = [pk for pk in pks if pk not in found]
        if missing and self.queryset is not None:
            rows = self.queryset.select_related(None).filter(pk__in=[int(pk) for pk in missing])
            found.update((str(row.pk), row) for row in rows.only("id", "first_name", "last_name"))
        return [found[pk] for pk in pks if pk in found]

    def search_url(self):
        if self.url or self.queryset is None:
            return self.url
        tenant_id = get_scope().get("tenant")
        tenant_model = self.queryset.model._meta.get_field("tenant").related_model
        slug = tenant_model.objects.filter(pk=tenant_id).values_list("slug", flat=True).first()
        self.url = reverse(PICKER_URL, args=[slug]) if slug else ""
        return self.url

    def format_value(self, value):
        if value is None:
            return []
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        return [str(value)]

    def value_from_datadict(self, data, files, name):
        if self.multiple and hasattr(data, "getlist"):
            return data.getlist(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False if self.multiple else name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        values = widget["value"]
        fixed = {str(v) for v, _label in self.extra_choices}
        widget["chosen"] = self.chosen([v for v in values if v not in fixed])
        widget["extra_choices"] = [(str(v), label) for v, label in self.extra_choices]
        own = dict(widget["attrs"])
        css_class = own.pop("class", "")
        base = own.get("id") or f"picker_{name}"
        moved = self.MULTIPLE_SEARCH_ATTRS if self.multiple else self.SEARCH_ATTRS
        search_attrs = {k: own.pop(k) for k in moved if k in own}
        if self.multiple:
            own.pop("id", None)
            own.pop("required", None)
        widget["attrs"] = own
        widget.update(
            base_id=base,
            search_id=base if self.multiple else f"{base}_search",
            search_attrs=search_attrs,
            css_class=css_class,
            results_id=f"{base}_results",
            url=self.search_url(),
            multiple=self.multiple,
            empty_label=self.empty_label or (_("Nobody chosen") if self.multiple else "—"),
            placeholder=self.placeholder or _("Search by name, e-mail or department"),
            small=self.small or "-sm" in css_class,
        )
        return context

    def id_for_label(self, id_):
        return id_


class EmployeeMultiPicker(EmployeePicker):
    """The picker for several employees: each chosen one is a ticked checkbox to untick."""

    multiple = True


class EmployeeChoiceField(forms.ModelChoiceField):
    """Employees by their full name, chosen through :class:`EmployeePicker`."""

    widget = EmployeePicker
    default_error_messages = {
        "invalid_choice": _("Choose an employee offered by the search."),
    }

    def label_from_instance(self, obj):
        return obj.full_name

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not is_pk(str(getattr(value, "pk", value)), max_length=MAX_PK_LENGTH):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class EmployeeMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several employees, chosen through :class:`EmployeeMultiPicker`."""

    widget = EmployeeMultiPicker
    default_error_messages = {
        "invalid_choice": _("Choose employees offered by the search."),
        "invalid_pk_value": _("Choose employees offered by the search."),
        "too_many": _("Choose at most %(limit)d employees."),
    }

    def label_from_instance(self, obj):
        return obj.full_name

    def _check_values(self, value):
        values = list(dict.fromkeys(str(getattr(v, "pk", v)) for v in value))
        if len(values) > MAX_CHOSEN:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": MAX_CHOSEN}
            )
        if not all(is_pk(v, max_length=MAX_PK_LENGTH) for v in values):
            raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(values)
