"""Pages outside a tenant: landing, tenant picker, invitation, personal preferences."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import LanguageForm, PreferencesForm
from accounts.tokens import invitation_token
from core.permissions import LOGGED_IN, PUBLIC
from core.views import KervanView


class LandingView(KervanView):
    permissions = {"GET": PUBLIC}

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("accounts:tenant-picker")
        return render(request, "accounts/landing.html")


class TenantPickerView(KervanView):
    """After login: straight into the only tenant, or a choice between several."""

    permissions = {"GET": LOGGED_IN}

    def get(self, request):
        tenants = list(selectors.tenants_for_user(request.user))
        if len(tenants) == 1:
            return redirect("accounts:home", tenant_slug=tenants[0].slug)
        return render(request, "accounts/tenant_picker.html", {"tenants": tenants})


class InvitationView(KervanView):
    """The invitation link: set a password once, then straight in."""

    permissions = {"GET": PUBLIC, "POST": PUBLIC}

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invited = self._user(kwargs["uidb64"], kwargs["token"])

    def _user(self, uidb64, token):
        try:
            pk = int(urlsafe_base64_decode(uidb64).decode())
        except (ValueError, UnicodeDecodeError, OverflowError):
            return None
        user = selectors.user_get(pk=pk)
        if user is None or not invitation_token.check_token(user, token):
            return None
        return user

    def get(self, request, uidb64, token):
        if self.invited is None:
            return render(request, "accounts/invitation_invalid.html", status=400)
        form = SetPasswordForm(self.invited)
        return render(request, "accounts/invitation.html", {"form": form, "invited": self.invited})

    def post(self, request, uidb64, token):
        if self.invited is None:
            return render(request, "accounts/invitation_invalid.html", status=400)
        form = SetPasswordForm(self.invited, request.POST)
        if not form.is_valid():
            context = {"form": form, "invited": self.invited}
            return render(request, "accounts/invitation.html", context, status=400)
        user = services.invitation_accept(
            user=self.invited, password=form.cleaned_data["new_password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your password is set."))
        return redirect("accounts:tenant-picker")


class PreferencesView(KervanView):
    permissions = {"GET": LOGGED_IN, "POST": LOGGED_IN}

    def get(self, request):
        user = request.user
        form = PreferencesForm(
            initial={"language": user.language or request.LANGUAGE_CODE, "time_zone": user.timezone}
        )
        return render(request, "accounts/preferences.html", {"form": form})

    def post(self, request):
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return render(request, "accounts/preferences.html", {"form": form}, status=400)
        services.user_set_preferences(
            user=request.user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:preferences")


class LanguageView(KervanView):
    """The language switch in the navigation: stored on the user, or in a cookie when anonymous."""

    permissions = {"POST": PUBLIC}

    def post(self, request):
        form = LanguageForm(request.POST)
        target = request.POST.get("next") or "/"
        safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
        if not safe or not target.startswith("/") or any(ord(ch) < 32 for ch in target):
            target = "/"
        response = HttpResponseRedirect(target)
        if form.is_valid():
            language = form.cleaned_data["language"]
            if request.user.is_authenticated:
                services.user_set_preferences(user=request.user, language=language)
            response.set_cookie(
                "django_language", language, max_age=365 * 24 * 3600, samesite="Lax"
            )
        return response
