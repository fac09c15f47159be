"""Forms of the firm settings: custom fields and required built-in fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.custom_fields import OPTIONAL_BUILTINS
from companies.models import Contact, CustomField, Firm


class CustomFieldForm(forms.Form):
    entity = forms.ChoiceField(label=_("For"), choices=CustomField.Entity.choices)
    label = forms.CharField(label=_("Label"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomField.Kind.choices)
    options_text = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice: one option a line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    show_in_list = forms.BooleanField(label=_("Show in the list"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100000, initial=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        options = [line.strip()[:80] for line in data.get("options_text", "").splitlines()]
        data["options"] = list(dict.fromkeys(o for o in options if o))
        if data.get("kind") == CustomField.Kind.CHOICE and not data["options"]:
            self.add_error("options_text", _("Give at least one option."))
        return data


class RequiredFieldsForm(forms.Form):
    firm = forms.MultipleChoiceField(
        label=_("Firms"), required=False, widget=forms.CheckboxSelectMultiple
    )
    contact = forms.MultipleChoiceField(
        label=_("Contacts"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for entity, model in (("firm", Firm), ("contact", Contact)):
            self.fields[entity].choices = [
                (name, str(model._meta.get_field(name).verbose_name).capitalize())
                for name in OPTIONAL_BUILTINS[entity]
            ]


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    colour = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Use a colour like #1a2b3c.")},
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(label=_("Under"), queryset=None, required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = groups
