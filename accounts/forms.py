"""Forms of the accounts module; choice querysets come from selectors and Settings lists."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.models import (
    EMPLOYEE_EDITABLE_FIELDS,
    TIMEZONE_CHOICES,
    Employee,
    EmployeeDocument,
    Position,
    Tenant,
)
from core import choices
from core.files import DOCUMENT_POLICY, PHOTO_POLICY, clean_upload
from core.models import Choice
from core.permissions import modules

TEXT_LIMIT = 5000


class CompanySignupForm(forms.Form):
    """Extra sign-up fields: the company becomes a tenant, the person its first executive."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)

    field_order = ["company_name", "first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user):
        from accounts.services import tenant_signup

        tenant_signup(
            user=user,
            company_name=self.cleaned_data["company_name"],
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            language=getattr(request, "LANGUAGE_CODE", "en")[:2],
        )


class GroupedModelChoiceField(forms.ModelChoiceField):
    """A model choice field whose options are grouped (``<optgroup>``) as given."""

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = [("", "---------"), *groups]


class EmployeeForm(forms.ModelForm):
    # Foreign keys are declared here, with their querysets set per tenant in __init__: a
    # ModelForm would otherwise query the scoped managers when the class is built.
    email = forms.EmailField(label=_("E-mail (login)"), max_length=254)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    profile = forms.ModelChoiceField(label=_("Permission profile"), queryset=None, required=False)
    firm = forms.ModelChoiceField(label=_("Works for"), queryset=None, required=False)

    field_order = [*EMPLOYEE_EDITABLE_FIELDS[:2], "email", *EMPLOYEE_EDITABLE_FIELDS[2:]]

    class Meta:
        model = Employee
        fields = [
            "first_name",
            "last_name",
            "work_phone",
            "mobile_phone",
            "position",
            "start_date",
            "description",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, tenant, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["firm"].queryset = selectors.employer_firms(tenant=tenant, member=member)
        self.fields["firm"].empty_label = tenant.name
        if member is not None and member.firm_id is not None:
            self.fields["firm"].required = True  # a dealer's staff add staff of their own firm
        self.fields["firm"].help_text = _("A dealer firm's staff work only inside that firm.")
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["department"].initial = self.instance.department_id
            self.fields["profile"].initial = self.instance.profile_id
            self.fields["firm"].initial = self.instance.firm_id
        self.fields["description"].max_length = TEXT_LIMIT
        self.fields["department"].queryset = choices.options(tenant=tenant, key="department")
        position_labels = choices.labels(tenant=tenant, key="position")
        self.fields["position"].choices = [
            ("", "---------"),
            *[(p.value, position_labels.get(p.value, p.label)) for p in Position],
        ]
        self.fields["profile"].queryset = selectors.profile_list(tenant=tenant)
        self.fields["profile"].help_text = _("Empty: the default profile of the position.")
        department = self._chosen_department()
        position = self._chosen("position", self.instance.position or Position.EMPLOYEE)
        managers = selectors.manager_candidates(
            tenant=tenant, department=department, position=position
        )
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["reports_to"] = GroupedModelChoiceField(
            queryset=managers,
            required=False,
            label=_("Reports to"),
            groups=selectors.grouped_manager_choices(
                tenant=tenant, department=department, position=position
            ),
        )
        self.order_fields(self.field_order)
        # Choosing a department or a position refills the hierarchy fields in place (htmx).
        for name in ("department", "position"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": "options/",
                    "hx-target": "#hierarchy-fields",
                    "hx-select": "#hierarchy-fields",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                }
            )

    def _chosen(self, name, default):
        """The value of ``name`` as submitted (bound) or given as initial (the htmx refresh)."""
        source = self.data if self.is_bound else self.initial
        return source.get(self.add_prefix(name) if self.is_bound else name) or default

    def _chosen_department(self):
        raw = self._chosen("department", None)
        if raw is None and self.instance.pk and not self.is_bound:
            return self.instance.department
        if raw and str(raw).isdigit():
            return Choice.objects.filter(tenant=self.tenant, list_key="department", pk=raw).first()
        return None


class EmployeeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Employee.Status.choices)
    exit_date = forms.DateField(
        label=_("Exit date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        leaving = data.get("status") not in (None, Employee.Status.WORKING)
        if leaving and not data.get("exit_date"):
            self.add_error("exit_date", _("Give the exit date."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Remark"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )


def policy_for(kind):
    return PHOTO_POLICY if kind == EmployeeDocument.Kind.PHOTO else DOCUMENT_POLICY


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EmployeeDocument.Kind.choices)
    file = forms.FileField(label=_("File"), max_length=255)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind is not None:
            self.fields["kind"].initial = kind
            self.fields["kind"].widget = forms.HiddenInput()
        self.fields["file"].widget.attrs["accept"] = DOCUMENT_POLICY.accept

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and data.get("kind"):
            try:
                data["original_name"], data["content_type"] = clean_upload(
                    upload, policy_for(data["kind"])
                )
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    codes = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [
            (str(module.label), [(p.code, str(p.label)) for p in module.permissions])
            for module in modules()
        ]


COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ChoiceForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=120)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100000, initial=100)
    colour = forms.CharField(
        label=_("Colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, spec=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.flag_names = []
        for flag, label in spec.flags if spec else ():
            name = f"flag_{flag}"
            self.fields[name] = forms.BooleanField(label=label, required=False)
            self.flag_names.append((name, flag))
        if spec and spec.number:
            self.fields["number"] = forms.DecimalField(
                label=spec.number,
                required=False,
                max_digits=12,
                decimal_places=3,
                min_value=0,
            )

    def clean(self):
        data = super().clean()
        data["flags"] = [flag for name, flag in self.flag_names if data.pop(name, False)]
        return data

    def clean_colour(self):
        colour = self.cleaned_data["colour"]
        if colour and not COLOUR.match(colour):
            raise forms.ValidationError(_("Use a colour like #1a2b3c."))
        return colour.lower()


class CompanySettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "language", "currency", "employees_read_all_firms"]
        labels = {"language": _("Language of new e-mails and documents")}


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)
