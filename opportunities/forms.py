"""Forms of opportunities: the opportunity, the list's filters, a board move, linking offers."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.selectors import working_employees
from companies.forms.widgets import FirmPicker, chosen_firm
from core import choices
from core.forms import EmployeeChoiceField, EmployeeMultipleChoiceField, date_input
from core.money import CURRENCIES
from core.views import is_pk
from opportunities import selectors
from opportunities.services import default_probability

TEXT_LIMIT = 10000
STATUSES = [("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))]


class OpportunityForm(forms.Form):
    """Open or change an opportunity. Editing has no firm field: the firm never changes.

    The probability may stay empty: the stage's default applies. On an edit, a new stage
    with the probability left as it was brings the new stage's default too.
    """

    code = forms.CharField(
        label=_("Code"), max_length=40, required=False,
        help_text=_("Leave empty for the next automatic code."),
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=200)
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None)
    responsible = EmployeeMultipleChoiceField(
        label=_("Responsible employees"), queryset=None, required=False
    )
    amount = forms.DecimalField(
        label=_("Estimated amount"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    probability = forms.IntegerField(
        label=_("Probability (%)"), required=False, min_value=0, max_value=100,
        help_text=_("Empty: the stage's default."),
    )  # fmt: skip
    close_on = forms.DateField(label=_("Estimated close date"), required=False, widget=date_input())
    delivery_on = forms.DateField(
        label=_("Estimated delivery date"), required=False, widget=date_input()
    )
    channel = forms.ModelChoiceField(label=_("Sales channel"), queryset=None, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, opportunity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        stages = selectors.stage_options(tenant=tenant, include_inactive=True)
        keep = opportunity.stage_id if opportunity is not None else None
        self.fields["stage"].queryset = stages.filter(is_active=True) | stages.filter(pk=keep)
        channels = selectors.channel_options(tenant=tenant)
        if opportunity is not None and opportunity.channel_id:
            every = choices.options(tenant=tenant, key=selectors.CHANNELS, include_inactive=True)
            channels = channels | every.filter(pk=opportunity.channel_id)
        self.fields["channel"].queryset = channels
        people = working_employees(tenant=tenant, member=member)
        if opportunity is not None:  # keep people no longer working
            people = people | opportunity.responsible.all()
        self.fields["responsible"].queryset = people.distinct().order_by("first_name", "last_name")
        self.fields["responsible"].widget.configure(tenant=tenant)
        self.fields["currency"].initial = tenant.currency
        if opportunity is not None:
            del self.fields["firm"]
            self.fields["code"].required = True
            self.fields["code"].help_text = ""
        else:
            self.fields["firm"].queryset = selectors.opportunity_firms(tenant=tenant, member=member)
            self.fields["firm"].widget.configure(tenant=tenant, known=chosen_firm(self))
        # The page's script puts a new stage's default probability in the field.
        self.stage_defaults = {
            str(stage.pk): default_probability(stage) for stage in self.fields["stage"].queryset
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        current = self.opportunity
        if (
            current is not None
            and stage is not None
            and stage.pk != current.stage_id
            and data.get("probability") == current.probability
        ):
            data["probability"] = None  # not typed: the new stage's default applies
        return data

    def service_data(self):
        names = (
            "code", "name", "firm", "stage", "amount", "currency", "probability", "close_on",
            "delivery_on", "channel", "next_step", "description",
        )  # fmt: skip
        return {name: self.cleaned_data.get(name) for name in names if name in self.fields}


def initial_for(opportunity):
    names = (
        "code", "name", "amount", "currency", "probability", "close_on", "delivery_on",
        "next_step", "description",
    )  # fmt: skip
    initial = {name: getattr(opportunity, name) for name in names}
    initial.update(
        stage=opportunity.stage_id,
        channel=opportunity.channel_id,
        responsible=[p.pk for p in opportunity.responsible.all()],
    )
    return initial


def initial_from_query(params, *, member):
    """A new opportunity: the member responsible, the firm from ``?firm=``."""
    initial = {"responsible": [member.pk]}
    if is_pk(params.get("firm", "")):
        initial["firm"] = params["firm"]
    return initial


class FilterForm(forms.Form):
    """The list's filters; a value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *STATUSES], required=False
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None, required=False)
    responsible = EmployeeChoiceField(label=_("Responsible"), queryset=None, required=False)
    firm = forms.ModelChoiceField(
        label=_("Firm"),
        queryset=None,
        required=False,
        widget=FirmPicker(empty_label=_("All firms"), small=True),
    )
    close_from = forms.DateField(
        label=pgettext_lazy("close date range", "Closing from"), required=False,
        widget=date_input(),
    )  # fmt: skip
    close_to = forms.DateField(
        label=pgettext_lazy("close date range", "Closing to"), required=False,
        widget=date_input(),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = selectors.stage_options(
            tenant=tenant, include_inactive=True
        )
        self.fields["responsible"].queryset = working_employees(tenant=tenant, member=member)
        self.fields["responsible"].widget.configure(tenant=tenant, small=True)
        self.fields["firm"].queryset = selectors.opportunity_firms(tenant=tenant, member=member)
        self.fields["firm"].widget.configure(tenant=tenant)
        for name, field in self.fields.items():
            select = isinstance(field.widget, forms.Select)
            if name not in ("firm", "responsible"):
                field.widget.attrs["class"] = "form-select-sm" if select else "form-control-sm"

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())

    def filters(self):
        """The valid filters as plain values (ids for choices)."""
        self.is_valid()
        values = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            values[name] = getattr(value, "pk", value)
        return values


class MoveForm(forms.Form):
    """A move on the board: the new stage and, optionally, the card it was dropped above."""

    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None)
    before = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = selectors.stage_options(tenant=tenant)

    def clean_before(self):
        value = self.cleaned_data["before"]
        return int(value) if is_pk(value) else None


class LinkOfferForm(forms.Form):
    """Link one of the firm's unlinked offers, or unlink a linked one."""

    offer = forms.ModelChoiceField(label=_("Offer"), queryset=None)
    action = forms.ChoiceField(
        choices=[("link", _("Link")), ("unlink", _("Unlink"))], initial="link",
        widget=forms.HiddenInput,
    )  # fmt: skip

    def __init__(self, *args, tenant, opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        unlink = self.is_bound and self.data.get("action") == "unlink"
        if unlink:
            offers = selectors.linked_offers(tenant=tenant, opportunity=opportunity)
        else:
            offers = selectors.offer_candidates(tenant=tenant, opportunity=opportunity)
        self.fields["offer"].queryset = offers
        self.fields["offer"].label_from_instance = lambda offer: f"{offer.number} · {offer.title}"
