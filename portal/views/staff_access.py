"""Staff pages of portal access: the firm page's "Portal" tab, sending, granting, sending a new
link, revoking, and the list of every portal login the member may read.

The services check the member's position and the firm's visibility (PermissionDenied: 403) and
the firm's eligibility (ValidationError: a message on the tab, never a server error).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.views.employees import form_error
from companies.views.references import ExtraTabMixin
from core.views import TenantView, paginate
from portal import selectors_access as selectors
from portal.forms_access import AccessFilterForm, GrantAccessForm, SendAccessForm
from portal.services import access as services

TAB_FRAGMENT = "portal/staff/_access_tab.html"
# Two members sending the same login at the same moment: the second insert meets a unique
# constraint and its transaction is rolled back; the first one's login stands.
RACE = _lazy("Someone changed these logins at the same moment: check the list and try again.")


def error_text(error):
    """A ValidationError's messages as one sentence for a flash message."""
    return " ".join(str(message) for message in error.messages)


def first_error(form):
    return next(iter(form.errors.values()))[0]


class AccessTabMixin(ExtraTabMixin):
    tab = "portal"

    def back_to_tab(self):
        return redirect("portal-access:firm-portal", self.tenant.slug, self.firm.pk)

    def tab_context(self, grant_form=None):
        firm, tenant = self.firm, self.tenant
        logins = selectors.firm_logins(tenant=tenant, firm=firm)
        addresses = services.addresses_for(tenant=tenant, firm=firm)
        context = {
            "firm_login": next((login for login in logins if login.is_firm_login), None),
            "contact_logins": [login for login in logins if not login.is_firm_login],
            "firm_addresses": addresses,
            "may_send": services.may_send_access(self.member),
        }
        if not context["may_send"]:
            return context
        eligible = services.firm_is_eligible(tenant=tenant, firm=firm)
        blocked = ""
        if not eligible:
            blocked = _("Portal access can be sent once the firm has an invoice or a contract.")
        elif not addresses:
            blocked = _("The firm has no e-mail address: add one on its page first.")
        contacts = selectors.grantable_contacts(tenant=tenant, firm=firm)
        context.update(
            eligible=eligible,
            send_blocked=blocked,
            send_form=SendAccessForm(addresses=addresses),
            contacts=contacts,
            grant_form=grant_form or GrantAccessForm(contacts=contacts),
        )
        return context

    def show_tab(self, request, grant_form=None, status=200):
        return self.render_tab(request, TAB_FRAGMENT, self.tab_context(grant_form), status=status)


class FirmPortalView(AccessTabMixin, TenantView):
    """The firm page's "Portal" tab: its logins, and for managers the means to send access."""

    permissions = {"GET": "portal.view"}

    def get(self, request, tenant_slug, pk):
        self.load_firm(pk)
        return self.show_tab(request)


class SendAccessView(AccessTabMixin, TenantView):
    """Send (or send again) the firm's own login."""

    permissions = {"POST": "portal.send_access"}

    def post(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        addresses = services.addresses_for(tenant=self.tenant, firm=firm)
        form = SendAccessForm(request.POST, addresses=addresses)
        if not form.is_valid():
            messages.error(request, first_error(form))
            return self.back_to_tab()
        try:
            portal_user = services.send_access(
                tenant=self.tenant, actor=self.member, firm=firm,
                email=form.cleaned_data["email"], language=form.cleaned_data["language"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, error_text(error))
            return self.back_to_tab()
        except IntegrityError:
            messages.error(request, RACE)
            return self.back_to_tab()
        messages.success(
            request, _("Portal access sent to %(email)s.") % {"email": portal_user.email}
        )
        return self.back_to_tab()


class GrantAccessView(AccessTabMixin, TenantView):
    """Give a contact of the firm its own login (or renew it: a new address, date or link)."""

    permissions = {"POST": "portal.send_access"}

    def post(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        contacts = selectors.grantable_contacts(tenant=self.tenant, firm=firm)
        form = GrantAccessForm(request.POST, contacts=contacts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                portal_user = services.send_access(
                    tenant=self.tenant, actor=self.member, firm=firm, contact=data["contact"],
                    email=data["email"], expires_on=data["expires_on"],
                    language=data["language"],
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            except IntegrityError:
                messages.error(request, RACE)
                return self.back_to_tab()
            else:
                messages.success(
                    request,
                    _("Portal access sent to %(who)s at %(email)s.")
                    % {"who": portal_user.display_name, "email": portal_user.email},
                )
                return self.back_to_tab()
        return self.show_tab(request, grant_form=form, status=400)


class ResendLinkView(TenantView):
    """E-mail a login a new one-time link to set its password; older links stop working."""

    permissions = {"POST": "portal.send_access"}

    def post(self, request, tenant_slug, pk):
        login = selectors.login_get(tenant=self.tenant, member=self.member, pk=pk)
        try:
            services.resend_link(tenant=self.tenant, actor=self.member, portal_user=login)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("A new link is on its way to %(email)s.") % {"email": login.email}
            )
        return redirect("portal-access:firm-portal", tenant_slug, login.firm_id)


class RevokeAccessView(TenantView):
    """End a login's access now; its open sessions end with it."""

    permissions = {"POST": "portal.send_access"}

    def post(self, request, tenant_slug, pk):
        login = selectors.login_get(tenant=self.tenant, member=self.member, pk=pk)
        already = login.revoked_at is not None
        services.revoke_access(tenant=self.tenant, actor=self.member, portal_user=login)
        if already:
            messages.info(
                request, _("The access of %(email)s was already revoked.") % {"email": login.email}
            )
        else:
            messages.success(
                request, _("The access of %(email)s is revoked.") % {"email": login.email}
            )
        return redirect("portal-access:firm-portal", tenant_slug, login.firm_id)


class AccessListView(TenantView):
    """Every portal login of the firms the member may read, by state and search."""

    permissions = {"GET": "portal.view"}

    def get(self, request, tenant_slug):
        form = AccessFilterForm(request.GET or None)
        filters = form.filters()
        logins = selectors.login_list(tenant=self.tenant, member=self.member, **filters)
        context = {
            "filter_form": form,
            "filters": filters,
            "page": paginate(request, logins),
            "today": timezone.localdate(),
        }
        if request.htmx:
            return render(request, "portal/staff/_access_rows.html", context)
        return render(request, "portal/staff/access_list.html", context)
