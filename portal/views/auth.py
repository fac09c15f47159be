"""Logging in and out of the portal, setting a password from the e-mailed link, language."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.permissions import PUBLIC
from core.signals import client_ip
from portal import auth, events
from portal.forms import PortalForgotForm, PortalLanguageForm, PortalLoginForm, PortalPasswordForm
from portal.models import PortalEvent
from portal.services.access import request_new_link
from portal.views.base import PortalView


def _next_url(request, fallback):
    """The ``next`` page if it is a page of this tenant's portal, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = reverse("portal:home", args=[request.tenant.slug])
    if (
        target.startswith(prefix)
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        and "/logout/" not in target
    ):
        return target
    return fallback


class LoginView(PortalView):
    permissions = {"GET": PUBLIC, "POST": PUBLIC}

    def get(self, request, tenant_slug):
        if self.portal_user is not None:
            return redirect("portal:home", tenant_slug)
        return self.show(PortalLoginForm())

    def show(self, form, status=200):
        context = self.get_context_data(form=form, next=self.request.GET.get("next", ""))
        return render(self.request, "portal/login.html", context, status=status)

    def post(self, request, tenant_slug):
        form = PortalLoginForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        email, ip = form.cleaned_data["email"], client_ip(request)
        if auth.login_blocked(self.tenant, email, ip):
            form.add_error(None, _("Too many failed attempts. Wait a few minutes and try again."))
            return self.show(form, status=429)
        portal_user = auth.authenticate(self.tenant, email, form.cleaned_data["password"])
        if portal_user is None:
            auth.login_failed(self.tenant, email, ip)
            form.add_error(
                None,
                _("The e-mail address and password do not match, or this access has ended."),
            )
            return self.show(form, status=400)
        auth.login_succeeded(self.tenant, email)
        auth.log_in(request, portal_user)
        events.record(portal_user=portal_user, kind=PortalEvent.Kind.LOGIN)
        home = redirect("portal:home", tenant_slug).url
        return redirect(_next_url(request, home))


class LogoutView(PortalView):
    permissions = {"POST": PUBLIC}

    def post(self, request, tenant_slug):
        auth.log_out(request)
        messages.success(request, _("You have logged out."))
        return redirect("portal:login", tenant_slug)


# The set-password page's address once the link's token has moved into the session.
TOKEN_IN_SESSION = "set"
SESSION_TOKEN = "portal_set_password_token"


class SetPasswordView(PortalView):
    """The one-time link from the access or new-password e-mail.

    Opening a good link keeps its token in the session and redirects to ``access/set/``, so
    that the token leaves the address bar, the browser's history and any ``Referer`` at once
    (as Django's password reset does); the form there works with the session's token.
    """

    permissions = {"GET": PUBLIC, "POST": PUBLIC}

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        in_session = token == TOKEN_IN_SESSION
        if in_session:
            token = request.session.get(SESSION_TOKEN, "")
        self.target = auth.user_for_token(request.tenant, token) if token else None
        if self.target is not None and not in_session and request.method == "GET":
            request.session[SESSION_TOKEN] = token
            return redirect("portal:set-password", request.tenant.slug, TOKEN_IN_SESSION)
        return super().dispatch(request, *args, **kwargs)

    def show(self, form, status=200):
        if self.target is None:
            return render(
                self.request, "portal/link_invalid.html", self.get_context_data(), status=400
            )
        context = self.get_context_data(form=form, target=self.target)
        return render(self.request, "portal/set_password.html", context, status=status)

    def get(self, request, tenant_slug, token):
        return self.show(PortalPasswordForm(portal_user=self.target) if self.target else None)

    def post(self, request, tenant_slug, token):
        if self.target is None:
            return self.show(None)
        form = PortalPasswordForm(request.POST, portal_user=self.target)
        if not form.is_valid():
            return self.show(form, status=400)
        auth.set_password(self.target, form.cleaned_data["password1"])
        request.session.pop(SESSION_TOKEN, None)
        events.record(portal_user=self.target, kind=PortalEvent.Kind.PASSWORD_SET)
        auth.log_in(request, self.target)
        events.record(portal_user=self.target, kind=PortalEvent.Kind.LOGIN)
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect("portal:home", tenant_slug)


class ForgotPasswordView(PortalView):
    permissions = {"GET": PUBLIC, "POST": PUBLIC}

    def get(self, request, tenant_slug):
        context = self.get_context_data(form=PortalForgotForm())
        return render(request, "portal/forgot.html", context)

    def post(self, request, tenant_slug):
        form = PortalForgotForm(request.POST)
        if not form.is_valid():
            return render(
                request, "portal/forgot.html", self.get_context_data(form=form), status=400
            )
        request_new_link(tenant=self.tenant, email=form.cleaned_data["email"])
        messages.success(
            request,
            _("If this address has access to the portal, a link to choose a new password is on "
              "its way."),
        )  # fmt: skip
        return redirect("portal:login", tenant_slug)


class LanguageView(PortalView):
    """The portal's language: the portal user's own, or the browser's before logging in."""

    permissions = {"POST": PUBLIC}

    def post(self, request, tenant_slug):
        form = PortalLanguageForm(request.POST)
        target = _next_url(request, redirect("portal:home", tenant_slug).url)
        if not form.is_valid():
            return redirect(target)
        language = form.cleaned_data["language"]
        if self.portal_user is not None:
            self.portal_user.language = language
            self.portal_user.save(update_fields=["language", "updated_at"])
        response = redirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE, httponly=True,
        )  # fmt: skip
        return response
