"""The portal's form to propose new contact details for the firm (and the contact's own)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from portal.services.profile import FIELDS, MAY_EMPTY, MESSAGE_LIMIT, phone_parts
from sales.forms.offers import no_control_characters, single_line

# The longest value of the plain fields (as the models take them).
LIMITS = {"first_name": 100, "last_name": 100, "job_title": 120, "address": 255}


def name_of(key):
    return f"{key[0]}_{key[1]}"


def _text(text):
    return " ".join((text or "").split())


def _field(key):
    field = key[1]
    if field == "email":
        widget = forms.EmailInput({"autocomplete": "email", "dir": "ltr"})
        return forms.EmailField(max_length=254, required=False, widget=widget)
    if field == "website":
        widget = forms.URLInput({"dir": "ltr"})
        return forms.URLField(max_length=300, required=False, assume_scheme="https", widget=widget)
    if field == "phone":
        widget = forms.TextInput({"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"})
        return forms.CharField(
            max_length=30, required=False, validators=[phone_validator, _phone_fits], widget=widget
        )
    return forms.CharField(max_length=LIMITS[field], required=False, validators=[single_line])


def _phone_fits(value):
    if value and phone_parts(value) is None:
        raise forms.ValidationError(
            _("Enter the number with its country code (+90 212 555 00 00) or as you dial it.")
        )


def _same(key, new, old):
    return new.casefold() == old.casefold() if key[1] == "email" else new == old


class ProfileChangeForm(forms.Form):
    """One line per detail, showing the value on record; ``changes()`` gives what differs.

    ``current``: ``{(target, field): value on record}`` (the contact's fields only for a
    contact login); ``initial`` may show a waiting proposal's values instead.
    """

    message = forms.CharField(
        label=_("Message to us"),
        max_length=MESSAGE_LIMIT,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        validators=[no_control_characters],
        help_text=_("Anything we should know, e.g. from when the new details apply."),
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        for key, value in current.items():
            field = _field(key)
            field.label = FIELDS[key]
            if value:
                field.help_text = _("On record: %(value)s") % {"value": value}
            self.fields[name_of(key)] = field
        self.order_fields([name_of(key) for key in current] + ["message"])

    def groups(self):
        """The bound fields of the firm and of the contact, for the page's two sections."""
        return {
            target: [self[name_of(key)] for key in self.current if key[0] == target]
            for target in ("firm", "contact")
        }

    def clean(self):
        data = super().clean()
        self._changes = []
        for key, old in self.current.items():
            name = name_of(key)
            if name not in data:
                continue  # the field has its own error
            new = _text(str(data[name] or ""))
            if _same(key, new, _text(old)):
                continue
            if not new and key not in MAY_EMPTY:
                if old:
                    self.add_error(
                        name,
                        _("Enter the new value, or keep the current one; to remove a detail, "
                          "tell us in the message."),
                    )  # fmt: skip
                continue
            self._changes.append(
                {"target": key[0], "field": key[1], "label": str(FIELDS[key]),
                 "old": old, "new": new}
            )  # fmt: skip
        if not self.errors and not self._changes:
            raise forms.ValidationError(
                _("You changed nothing: enter the new details you want us to use.")
            )
        return data

    def changes(self):
        return self._changes


class ProfileDecisionForm(forms.Form):
    """Staff's decision on a proposal: the version they saw, and a note (the reason to
    decline)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(
        label=_("Note to the customer"),
        max_length=MESSAGE_LIMIT,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        validators=[no_control_characters],
        help_text=_("Required to decline: say why."),
    )
