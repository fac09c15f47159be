"""The searchable firm picker: a text search with htmx suggestions instead of a drop-down.

A tenant may have 100,000 firms, so a ``<select>`` listing them all is out of the question.
``FirmPicker`` is the widget of an ordinary ``ModelChoiceField`` over firms: it renders a
hidden input carrying the chosen firm's pk under the field's name, the chosen firm's name and
code, and a search box whose suggestions come from ``companies:firm-picker`` (at most 20).
The field validates the posted pk against its queryset exactly as before, so a form that
used a drop-down keeps its rules, and posting a pk without JavaScript still works.

Choosing a suggestion (``static/js/picker.js``) sets the hidden input and fires ``change`` on
it: htmx attributes given to the widget (``attrs``) sit on the hidden input, so "refill the
contacts when the firm changes" keeps working as it did with the drop-down.
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies.models.firms import FirmType
from core.forms import QuerysetPickerMixin
from core.views import is_pk

# Firms that may have others under them (the firm form's parent).
PARENT_TYPES = (FirmType.DISTRIBUTOR, FirmType.MAIN_DEALER, FirmType.DEALER)
MAX_PK_LENGTH = 18


def picker_url(tenant, **params):
    """The search endpoint of ``tenant`` with fixed parameters (``type``, ``exclude``)."""
    url = reverse("companies:firm-picker", args=[tenant.slug])
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", ())}, doseq=True)
    return f"{url}?{query}" if query else url


class FirmPicker(QuerysetPickerMixin, forms.Widget):
    """A hidden pk plus a search box; only the selected firm is ever read from the database.

    ``url`` is the search endpoint (see :func:`picker_url`, or :meth:`configure`);
    ``child_from`` names another input of the same form whose value (a firm type) limits the
    suggestions to the firms that may stand above a firm of that type; ``empty_label`` is shown
    when no firm is chosen; ``small`` renders the small control sizes.
    """

    template_name = "companies/widgets/firm_picker.html"

    class Media:
        js = ["js/picker.js"]

    # Attributes that describe the control: they belong on the box a person types in.
    SEARCH_ATTRS = ("aria-describedby", "aria-invalid", "autofocus", "disabled")

    def __init__(
        self,
        attrs=None,
        *,
        url="",
        queryset=None,
        child_from="",
        empty_label=None,
        placeholder=None,
        small=False,
    ):
        super().__init__(attrs)
        self.url = url
        self.queryset = queryset
        self.child_from = child_from
        self.empty_label = empty_label
        self.placeholder = placeholder
        self.small = small
        self.known = None

    def configure(self, *, tenant, types=(), exclude=None, known=None, **options):
        """Point the picker at ``tenant``'s search, optionally limited to ``types``."""
        self.url = picker_url(tenant, type=[str(t) for t in types], exclude=exclude)
        self.known = known
        for name, value in options.items():
            setattr(self, name, value)
        return self

    def selected(self, value):
        """The chosen firm if ``value`` names one in the field's queryset, else None."""
        text = "" if value is None else str(getattr(value, "pk", value))
        if not is_pk(text, max_length=MAX_PK_LENGTH):
            return None
        if self.known is not None and str(self.known.pk) == text:
            return self.known
        if self.queryset is None:
            return None
        return self.queryset.filter(pk=int(text)).only("id", "name", "code").first()

    def format_value(self, value):
        return "" if value is None else str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        firm = self.selected(value)
        widget["firm"] = firm
        widget["value"] = str(firm.pk) if firm else ""
        hidden_attrs = dict(widget["attrs"])
        base = hidden_attrs.pop("id", None) or f"picker_{name}"
        hidden_attrs.pop("required", None)
        search_class = hidden_attrs.pop("class", "")
        search_attrs = {k: hidden_attrs.pop(k) for k in self.SEARCH_ATTRS if k in hidden_attrs}
        hidden_attrs["id"] = f"{base}_value"
        widget["attrs"] = hidden_attrs
        widget.update(
            search_id=base,
            search_attrs=search_attrs,
            search_class=search_class,
            results_id=f"{base}_results",
            url=self.url,
            child_from=self.child_from,
            empty_label=self.empty_label or _("No firm chosen"),
            placeholder=self.placeholder or _("Search by name or code"),
            small=self.small,
        )
        return context

    def id_for_label(self, id_):
        return id_  # the search box carries the field's id


def chosen_firm(form, name="firm"):
    """The firm a form's picker field names (posted, or the initial), if its queryset holds it."""
    raw = form.data.get(name) if form.is_bound else form.initial.get(name)
    return form.fields[name].widget.selected(raw)
