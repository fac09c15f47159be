"""Forms of meeting notes: the note, the new contact met, the appointment, files, filters."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agenda.selectors import notes as selectors
from companies.forms.widgets import FirmPicker, chosen_firm
from core.files import DOCUMENT_POLICY, clean_upload
from core.forms import EmployeeChoiceField, EmployeeMultipleChoiceField, date_input, datetime_input

OTHER = "other"
TEXT_LIMIT = 10000
PHONE = re.compile(r"^[0-9+()\-\s./]{3,20}$")


class NoteForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, widget=FirmPicker)
    met_at = forms.DateTimeField(label=_("Date and time"), widget=datetime_input())
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    contact = forms.ChoiceField(label=_("Contact met"), required=False)
    participants = EmployeeMultipleChoiceField(
        label=_("Participants from our side"),
        queryset=None,
        required=False,
    )
    product = forms.CharField(
        label=_("Product discussed"),
        max_length=200,
        required=False,
        help_text=_("Free text until the product catalogue exists."),
    )
    outcome = forms.ModelChoiceField(label=_("Outcome"), queryset=None, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea({"rows": 5})
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_POLICY.accept}),
    )

    def __init__(self, *args, tenant, member, contacts_url="", with_attachment=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["firm"].queryset = selectors.note_firms(tenant=tenant, member=member)
        # The picker's hidden input carries these: choosing a firm refills the contact list.
        self.fields["firm"].widget.attrs.update(
            {"hx-get": contacts_url, "hx-target": "#id_contact", "hx-trigger": "change"}
        )
        self.fields["channel"].queryset = selectors.channel_options(tenant=tenant)
        self.fields["outcome"].queryset = selectors.outcome_options(tenant=tenant)
        self.fields["participants"].queryset = selectors.participant_options(
            tenant=tenant, member=member
        )
        self.fields["participants"].widget.configure(tenant=tenant)
        self.appointment_outcome = selectors.appointment_outcome(tenant=tenant)
        if self.appointment_outcome is not None:
            self.fields["outcome"].widget.attrs["data-appointment-outcome"] = str(
                self.appointment_outcome.pk
            )
        self.fields["contact"].widget.attrs["data-new-contact-toggle"] = OTHER
        self.chosen_firm = chosen_firm(self)
        self.fields["firm"].widget.configure(tenant=tenant, known=self.chosen_firm)
        self.contacts = {
            str(c.pk): c
            for c in selectors.firm_contact_options(tenant=tenant, firm=self.chosen_firm)
        }
        self.fields["contact"].choices = contact_choices(self.contacts.values())
        if not with_attachment:
            del self.fields["attachment"]

    def clean_contact(self):
        value = self.cleaned_data.get("contact") or ""
        if value in ("", OTHER):
            return value
        return self.contacts[value]  # the choices only hold the firm's contacts

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        self.attachment_type = clean_upload(upload, DOCUMENT_POLICY)[1]
        return upload

    @property
    def wants_new_contact(self):
        return self.is_bound and self.data.get("contact") == OTHER

    @property
    def wants_appointment(self):
        chosen = self.data.get("outcome") if self.is_bound else self.initial.get("outcome")
        chosen = getattr(chosen, "pk", chosen)
        outcome = self.appointment_outcome
        return outcome is not None and str(chosen or "") == str(outcome.pk)

    def service_data(self):
        data = {name: self.cleaned_data[name] for name in (
            "firm", "met_at", "channel", "subject", "product", "outcome", "notes",
        )}  # fmt: skip
        contact = self.cleaned_data["contact"]
        data["contact"] = contact if contact not in ("", OTHER) else None
        return data


def contact_choices(contacts):
    options = [("", "—")]
    for contact in contacts:
        label = contact.full_name
        if contact.job_title:
            label = f"{label} ({contact.job_title})"
        options.append((str(contact.pk), label))
    options.append((OTHER, _("Other: add a new contact")))
    return options


class NewContactForm(forms.Form):
    """The person met when they are not yet among the firm's contacts."""

    prefix = "new_contact"

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Enter a phone number with digits, spaces and + ( ) - only."))
        return phone


class AppointmentForm(forms.Form):
    """The appointment a meeting ended with (outcome "appointment")."""

    prefix = "appointment"

    subject = forms.CharField(label=_("Appointment subject"), max_length=200)
    start = forms.DateTimeField(label=_("Start"), widget=datetime_input())
    end = forms.DateTimeField(label=_("End"), widget=datetime_input())
    assigned_to = EmployeeChoiceField(label=_("Assigned to"), queryset=None)
    location = forms.CharField(label=_("Location"), max_length=255, required=False)

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        people = selectors.participant_options(tenant=tenant, member=member)
        if not member.has_perm("agenda.assign"):
            people = people.filter(pk=member.pk)
        self.fields["assigned_to"].queryset = people
        self.fields["assigned_to"].initial = member.pk
        self.fields["assigned_to"].widget.configure(tenant=tenant, known=member)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end cannot be before the start."))
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_POLICY.accept})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = clean_upload(upload, DOCUMENT_POLICY)[1]
        return upload


class NoteFilterForm(forms.Form):
    """The list's filters; a value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    firm = forms.ModelChoiceField(
        label=_("Firm"),
        queryset=None,
        required=False,
        widget=FirmPicker(empty_label=_("All firms")),
    )
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=None, required=False)
    outcome = forms.ModelChoiceField(label=_("Outcome"), queryset=None, required=False)
    participant = EmployeeChoiceField(label=_("Participant"), queryset=None, required=False)
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=date_input()
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"), required=False, widget=date_input()
    )

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        # Any visible firm may be picked: one without notes filters the list down to nothing.
        self.fields["firm"].queryset = selectors.note_firms(tenant=tenant, member=member)
        self.fields["firm"].widget.configure(tenant=tenant)
        self.fields["channel"].queryset = selectors.channel_options(tenant=tenant)
        self.fields["outcome"].queryset = selectors.outcome_options(tenant=tenant)
        self.fields["participant"].queryset = selectors.participant_options(
            tenant=tenant, member=member
        )
        self.fields["participant"].widget.configure(tenant=tenant)

    def filters(self):
        self.is_valid()
        values = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            values[name] = getattr(value, "pk", value)
        return values
