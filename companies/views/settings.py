"""Firm settings: custom fields for firms and contacts, required built-in fields."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from companies.forms.settings import CustomFieldForm, RequiredFieldsForm
from companies.selectors import settings as selectors
from companies.services import settings as services
from core.views import TenantView


class CustomFieldListView(TenantView):
    permissions = {"GET": "settings.view", "POST": "settings.change"}

    def context(self, required_form=None):
        return {
            "fields": selectors.custom_field_list(tenant=self.tenant),
            "required_form": required_form
            or RequiredFieldsForm(initial=self.tenant.required_fields),
            "can_change": self.member.has_perm("settings.change"),
        }

    def get(self, request, tenant_slug):
        return render(request, "companies/settings/custom_fields.html", self.context())

    def post(self, request, tenant_slug):
        """Save which built-in fields are required."""
        form = RequiredFieldsForm(request.POST)
        if not form.is_valid():
            context = self.context(form)
            return render(request, "companies/settings/custom_fields.html", context, status=400)
        services.required_fields_save(tenant=self.tenant, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The required fields are saved."))
        return redirect("companies:customfield-list", self.tenant.slug)


class CustomFieldSaveView(TenantView):
    permissions = {"GET": "settings.change", "POST": "settings.change"}

    def get_field(self, pk):
        return (
            get_object_or_404(selectors.custom_field_list(tenant=self.tenant), pk=pk)
            if pk
            else None
        )

    def get(self, request, tenant_slug, pk=None):
        field = self.get_field(pk)
        initial = {}
        if field:
            initial = {
                "entity": field.entity, "label": field.label, "kind": field.kind,
                "options_text": "\n".join(field.options), "required": field.required,
                "show_in_list": field.show_in_list, "order": field.order,
                "is_active": field.is_active,
            }  # fmt: skip
        form = CustomFieldForm(initial=initial)
        return render(
            request, "companies/settings/custom_field_form.html", {"form": form, "field": field}
        )

    def post(self, request, tenant_slug, pk=None):
        field = self.get_field(pk)
        form = CustomFieldForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("options_text")
            if field is not None:
                data["entity"] = field.entity
            try:
                services.custom_field_save(
                    tenant=self.tenant, actor=request.user, field=field, **data
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The field is saved."))
                return redirect("companies:customfield-list", self.tenant.slug)
        context = {"form": form, "field": field}
        return render(request, "companies/settings/custom_field_form.html", context, status=400)
