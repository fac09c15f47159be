"""allauth adapter: sign-up can be switched off; e-mails go through the outbox backend."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.SIGNUP_ENABLED

    def get_login_redirect_url(self, request):
        return reverse("accounts:tenant-picker")

    def get_signup_redirect_url(self, request):
        return reverse("accounts:tenant-picker")
