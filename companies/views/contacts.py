"""A firm's contacts: add, change; one person may be a contact of several firms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from companies.forms.channels import channel_formsets, channel_values
from companies.forms.firms import ContactForm
from companies.selectors import firms as selectors
from companies.services import firms as services
from core.views import TenantView


class ContactMixin:
    def load_firm(self, pk):
        self.firm = selectors.firm_get(tenant=self.tenant, member=self.member, pk=pk)
        if not selectors.can_change_firm(tenant=self.tenant, member=self.member, firm=self.firm):
            raise PermissionDenied
        return self.firm

    def render_form(self, request, context, status=200):
        context["firm"] = self.firm
        return render(request, "companies/contact_form.html", context, status=status)


class ContactCreateView(ContactMixin, TenantView):
    permissions = {"GET": "firms.change", "POST": "firms.change"}

    def get(self, request, tenant_slug, pk):
        self.load_firm(pk)
        context = {
            "form": ContactForm(tenant=self.tenant),
            "formsets": channel_formsets(tenant=self.tenant),
        }
        return self.render_form(request, context)

    def post(self, request, tenant_slug, pk):
        self.load_firm(pk)
        form = ContactForm(request.POST, tenant=self.tenant)
        formsets = channel_formsets(tenant=self.tenant, data=request.POST)
        if form.is_valid() and all(f.is_valid() for f in formsets.values()):
            try:
                contact = services.contact_create(
                    tenant=self.tenant,
                    actor=request.user,
                    firm=self.firm,
                    data=form.service_data(),
                    channels=channel_values(formsets),
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": contact.full_name})
                return redirect("companies:firm-contacts", self.tenant.slug, self.firm.pk)
        return self.render_form(request, {"form": form, "formsets": formsets}, status=400)


class ContactEditView(ContactMixin, TenantView):
    permissions = {"GET": "firms.change", "POST": "firms.change"}

    def setup_contact(self, pk, contact_pk):
        self.load_firm(pk)
        self.contact = selectors.contact_get(tenant=self.tenant, firm=self.firm, pk=contact_pk)
        self.existing = selectors.contact_channels(tenant=self.tenant, contact=self.contact)

    def get(self, request, tenant_slug, pk, contact_pk):
        self.setup_contact(pk, contact_pk)
        context = {
            "form": ContactForm(tenant=self.tenant, instance=self.contact),
            "formsets": channel_formsets(tenant=self.tenant, existing=self.existing),
            "contact": self.contact,
        }
        return self.render_form(request, context)

    def post(self, request, tenant_slug, pk, contact_pk):
        self.setup_contact(pk, contact_pk)
        form = ContactForm(request.POST, tenant=self.tenant, instance=self.contact)
        formsets = channel_formsets(tenant=self.tenant, data=request.POST, existing=self.existing)
        if form.is_valid() and all(f.is_valid() for f in formsets.values()):
            try:
                services.contact_update(
                    tenant=self.tenant,
                    actor=request.user,
                    contact=self.contact,
                    data=form.service_data(),
                    channels=channel_values(formsets),
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("companies:firm-contacts", self.tenant.slug, self.firm.pk)
        context = {"form": form, "formsets": formsets, "contact": self.contact}
        return self.render_form(request, context, status=400)
