"""Forms for firms, contacts and their phones, e-mails, websites and addresses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Employee
from companies.custom_fields import custom_values, extend_form, strip_custom
from companies.forms.widgets import PARENT_TYPES, FirmPicker
from companies.models import Contact, Firm, FirmGroup, Tag
from companies.models.firms import FirmRole, FirmStatus, FirmType
from core import choices
from core.files import PHOTO_POLICY, clean_upload
from core.forms import EmployeeChoiceField, date_input

TEXT_LIMIT = 5000
CHOICE_FIELDS = {
    "legal_form": "legal_form",
    "sector": "sector",
    "lead_source": "lead_source",
    "ownership_status": "ownership_status",
    "rating": "rating",
}


class FirmForm(forms.ModelForm):
    # Foreign keys are declared with their querysets set per tenant in __init__ (the scoped
    # managers would raise if a ModelForm built them at import time).
    parent = forms.ModelChoiceField(
        label=_("Parent firm"),
        queryset=None,
        required=False,
        widget=FirmPicker(empty_label=_("No parent firm")),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    legal_form = forms.ModelChoiceField(label=_("Legal form"), queryset=None, required=False)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=None, required=False)
    lead_source = forms.ModelChoiceField(label=_("Lead source"), queryset=None, required=False)
    ownership_status = forms.ModelChoiceField(
        label=_("Ownership status"), queryset=None, required=False
    )
    rating = forms.ModelChoiceField(label=_("Rating"), queryset=None, required=False)
    sales_rep = EmployeeChoiceField(label=_("Sales representative"), queryset=None, required=False)
    support_rep = EmployeeChoiceField(
        label=_("Sales support representative"), queryset=None, required=False
    )
    groups = forms.ModelMultipleChoiceField(label=_("Groups"), queryset=None, required=False)
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=None, required=False)
    primary_contact = forms.ModelChoiceField(
        label=_("Primary contact"), queryset=None, required=False
    )
    logo_upload = forms.FileField(label=_("Logo"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Firm
        fields = [
            "code", "name", "type", "brand", "tax_number", "trade_registry_number",
            "founding_date", "employee_count", "rating_start", "rating_end", "priority",
            "certificates", "notes", "is_active", "status",
        ]  # fmt: skip
        widgets = {
            "founding_date": date_input(),
            "rating_start": date_input(),
            "rating_end": date_input(),
            "certificates": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, tenant, parents, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Empty: the next number.")
        for name in ("certificates", "notes"):
            self.fields[name].max_length = TEXT_LIMIT
        type_labels = choices.labels(tenant=tenant, key="firm_type")
        self.fields["type"].choices = [
            (t.value, type_labels.get(t.value, t.label)) for t in FirmType
        ]
        role_labels = choices.labels(tenant=tenant, key="firm_role")
        self.fields["roles"].choices = [
            (r.value, role_labels.get(r.value, r.label)) for r in FirmRole
        ]
        status_labels = choices.labels(tenant=tenant, key="firm_status")
        self.fields["status"].choices = [
            (s.value, status_labels.get(s.value, s.label)) for s in FirmStatus
        ]
        self.fields["parent"].queryset = parents
        # Suggestions: firms that may stand above the type chosen in the form, never the
        # firm itself or its subtree (the parents queryset still decides what is accepted).
        self.fields["parent"].widget.configure(
            tenant=tenant, types=PARENT_TYPES, exclude=self.instance.pk, child_from="type"
        )
        for field, key in CHOICE_FIELDS.items():
            self.fields[field].queryset = choices.options(tenant=tenant, key=key)
        for name in ("sales_rep", "support_rep"):
            self.fields[name].queryset = employees
            self.fields[name].widget.configure(tenant=tenant)
        self.fields["groups"].queryset = FirmGroup.objects.filter(tenant=tenant)
        self.fields["tags"].queryset = Tag.objects.filter(tenant=tenant)
        if self.instance.pk:
            self.fields["primary_contact"].queryset = Contact.objects.filter(
                tenant=tenant, firms=self.instance
            )
            for name in ("parent", "sales_rep", "support_rep", "primary_contact", *CHOICE_FIELDS):
                self.fields[name].initial = getattr(self.instance, f"{name}_id")
            self.fields["roles"].initial = self.instance.roles
            self.fields["groups"].initial = list(self.instance.groups.all())
            self.fields["tags"].initial = list(self.instance.tags.all())
        else:
            del self.fields["primary_contact"]
            del self.fields["status"]  # a new firm starts in "first contact"
        for name in ("tags", "groups"):
            self.fields[name].widget.attrs["size"] = 4
        extend_form(self, tenant=tenant, entity="firm", instance=self.instance)
        self.fields["logo_upload"].widget.attrs["accept"] = PHOTO_POLICY.accept
        if not (self.instance.pk and self.instance.logo):
            del self.fields["remove_logo"]

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            clean_upload(upload, PHOTO_POLICY)
        return upload

    def service_data(self):
        """The cleaned values the firm services take, without the many-to-many fields."""
        skip = {"groups", "tags", "logo_upload", "remove_logo"}
        data = {k: v for k, v in strip_custom(self.cleaned_data).items() if k not in skip}
        data["custom"] = custom_values(self, self.instance)
        return data


class ContactForm(forms.ModelForm):
    prefix = forms.ModelChoiceField(label=_("Prefix"), queryset=None, required=False)
    preferred_channel = forms.ModelChoiceField(
        label=_("Preferred channel"), queryset=None, required=False
    )
    marketing_consent = forms.NullBooleanField(
        label=_("Marketing consent"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not asked")), ("true", _("Given")), ("false", _("Withdrawn"))]
        ),
    )
    languages_text = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=300,
        help_text=_("For example: Turkish native, English fluent, German basic"),
    )

    class Meta:
        model = Contact
        fields = [
            "first_name", "last_name", "job_title", "department", "birthday",
            "wedding_anniversary", "consent_source", "notes", "is_active",
        ]  # fmt: skip
        widgets = {
            "birthday": date_input(),
            "wedding_anniversary": date_input(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    field_order = ["prefix", "first_name", "last_name", "job_title", "department"]

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        if "notes" in self.fields:
            self.fields["notes"].max_length = TEXT_LIMIT
        self.fields["prefix"].queryset = choices.options(tenant=tenant, key="contact_prefix")
        self.fields["preferred_channel"].queryset = choices.options(
            tenant=tenant, key="contact_channel"
        )
        if self.instance.pk:
            self.fields["prefix"].initial = self.instance.prefix_id
            self.fields["preferred_channel"].initial = self.instance.preferred_channel_id
            self.fields["marketing_consent"].initial = self.instance.marketing_consent
            self.fields["languages_text"].initial = ", ".join(
                f"{item.get('language', '')} {item.get('level', '')}".strip()
                for item in self.instance.languages
            )
        self.order_fields(self.field_order)
        extend_form(self, tenant=tenant, entity="contact", instance=self.instance)

    def service_data(self):
        data = strip_custom(self.cleaned_data)
        data["custom"] = custom_values(self, self.instance)
        text = data.pop("languages_text", "")
        languages = []
        for part in text.split(","):
            words = part.split()
            if words:
                languages.append({"language": words[0], "level": " ".join(words[1:])})
        data["languages"] = languages
        return data


class ContactQuickForm(ContactForm):
    """The first contact entered with a new firm: the essentials."""

    class Meta(ContactForm.Meta):
        fields = ["first_name", "last_name", "job_title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("languages_text", "preferred_channel", "marketing_consent"):
            self.fields.pop(name, None)
        # Nothing is required unless a contact is entered at all (see clean()).
        self.required_when_filled = [n for n, f in self.fields.items() if f.required]
        for name in self.required_when_filled:
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if any(data.get(name) not in (None, "") for name in self.fields if name != "is_active"):
            for name in self.required_when_filled:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, forms.ValidationError(_("This field is required.")))
        return data

    def has_contact(self):
        return bool(self.cleaned_data.get("first_name"))


def employee_choices(*, tenant):
    return Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING).order_by(
        "first_name", "last_name"
    )
