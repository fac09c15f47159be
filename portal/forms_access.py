"""Forms of the staff side of portal access: the firm's login, a contact's login, the list."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import date_input
from portal.models import PortalUser

ADDRESS_ERROR = _("Choose one of the addresses on record.")


def _language_field(empty_label):
    return forms.ChoiceField(
        label=_("Language of the e-mail and the portal"),
        choices=[("", empty_label), *settings.LANGUAGES],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the languages offered.")},
    )


class SendAccessForm(forms.Form):
    """The firm's own login: one of the firm's addresses (the first when left empty)."""

    email = forms.ChoiceField(
        label=_("Login e-mail"), required=False, error_messages={"invalid_choice": ADDRESS_ERROR}
    )
    language = _language_field(_("The company's language"))

    def __init__(self, *args, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].choices = [(address, address) for address in addresses]


class GrantAccessForm(forms.Form):
    """A contact's own login, with an optional last day."""

    contact = forms.ChoiceField(
        label=_("Contact"),
        error_messages={
            "invalid_choice": _("Choose a contact of this firm."),
            "required": _("Choose a contact of this firm."),
        },
    )
    email = forms.ChoiceField(
        label=_("Login e-mail"),
        required=False,
        help_text=_("Empty: the contact's first address."),
        error_messages={"invalid_choice": ADDRESS_ERROR},
    )
    expires_on = forms.DateField(
        label=_("Access until"),
        required=False,
        widget=date_input(),
        help_text=_("Empty: no time limit. The login stops working after this day."),
    )
    language = _language_field(_("The contact's language"))

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = {str(contact.pk): contact for contact in contacts}
        self.fields["contact"].choices = [("", "---------")] + [
            (str(contact.pk), contact.full_name) for contact in contacts
        ]
        self.fields["email"].choices = [("", _("The contact's first address"))] + [
            (contact.full_name, [(e.address, e.address) for e in contact.emails.all()])
            for contact in contacts
            if contact.emails.all()
        ]
        self.fields["expires_on"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_contact(self):
        return self.contacts[self.cleaned_data["contact"]]

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("The date lies in the past."))
        return value

    def clean(self):
        data = super().clean()
        contact, email = data.get("contact"), data.get("email")
        if contact is None:
            return data
        addresses = [e.address.lower() for e in contact.emails.all()]
        if not addresses:
            self.add_error("contact", _("This contact has no e-mail address: add one first."))
        elif email and email.lower() not in addresses:
            self.add_error("email", _("This address is not one of the contact's."))
        return data


class AccessFilterForm(forms.Form):
    """A value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *PortalUser.State.choices], required=False
    )

    def filters(self):
        if not self.is_bound:
            return {"q": "", "state": ""}
        self.is_valid()
        data = self.cleaned_data
        return {"q": data.get("q", "").strip(), "state": data.get("state", "")}
