"""Forms of the portal's own pages (login, passwords, language)."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


class PortalLoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    password = forms.CharField(
        label=_("Password"), max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip


class PortalPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"), max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("New password again"), max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def __init__(self, *args, portal_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.portal_user = portal_user

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
            if self.portal_user.email.split("@")[0].lower() in first.lower():
                self.add_error("password1", _("The password must not contain your e-mail."))
        return data


class PortalForgotForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class PortalLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
