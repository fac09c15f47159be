"""Administration: permission profiles, the Settings lists, outgoing e-mail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import ChoiceForm, CompanySettingsForm, ProfileForm
from accounts.models import Tenant
from accounts.views.employees import form_error
from core import choices, mail
from core.models import OutboxEmail
from core.permissions import modules
from core.views import TenantView, paginate


class ProfileListView(TenantView):
    permissions = {"GET": "profiles.view"}

    def get(self, request, tenant_slug):
        profiles = selectors.profile_list(tenant=self.tenant).annotate(
            employee_count=Count("employees")
        )
        return render(
            request,
            "accounts/profile_list.html",
            {"profiles": profiles, "modules": modules()},
        )


class ProfileFormView(TenantView):
    permissions = {"GET": "profiles.manage", "POST": "profiles.manage"}

    def get_profile(self, pk):
        return selectors.profile_get(tenant=self.tenant, pk=pk) if pk else None

    def get(self, request, tenant_slug, pk=None):
        profile = self.get_profile(pk)
        initial = (
            {"name": profile.name, "description": profile.description, "codes": profile.codes}
            if profile
            else {}
        )
        context = {"form": ProfileForm(initial=initial), "profile": profile}
        return render(request, "accounts/profile_form.html", context)

    def post(self, request, tenant_slug, pk=None):
        profile = self.get_profile(pk)
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_save(
                    tenant=self.tenant, actor=request.user, profile=profile, **form.cleaned_data
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The profile is saved."))
                return redirect("accounts:profile-list", self.tenant.slug)
        context = {"form": form, "profile": profile}
        return render(request, "accounts/profile_form.html", context, status=400)


class ProfileDeleteView(TenantView):
    permissions = {"POST": "profiles.manage"}

    def post(self, request, tenant_slug, pk):
        profile = selectors.profile_get(tenant=self.tenant, pk=pk)
        try:
            services.profile_delete(tenant=self.tenant, actor=request.user, profile=profile)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The profile is deleted."))
        return redirect("accounts:profile-list", self.tenant.slug)


class SettingsIndexView(TenantView):
    permissions = {"GET": "settings.view"}

    def get(self, request, tenant_slug):
        counts = choices.entry_counts(tenant=self.tenant)
        groups = {}
        for spec in choices.lists():
            groups.setdefault(str(spec.module), []).append((spec, counts.get(spec.key, 0)))
        return render(request, "accounts/settings_index.html", {"groups": groups})


class CompanySettingsView(TenantView):
    """The company's name, language, currency and whether employees read every firm."""

    permissions = {"GET": "settings.change", "POST": "settings.change"}

    def get(self, request, tenant_slug):
        form = CompanySettingsForm(instance=self.tenant)
        return render(request, "accounts/company_settings.html", {"form": form})

    def post(self, request, tenant_slug):
        form = CompanySettingsForm(request.POST, instance=Tenant.objects.get(pk=self.tenant.pk))
        if form.is_valid():
            services.tenant_settings_save(
                tenant=self.tenant, actor=request.user, data=form.cleaned_data
            )
            messages.success(request, _("The company settings are saved."))
            return redirect("accounts:company-settings", self.tenant.slug)
        return render(request, "accounts/company_settings.html", {"form": form}, status=400)


class ChoiceListMixin:
    def load_list(self, list_key):
        self.spec = choices.get_list(list_key)
        if self.spec is None:
            raise Http404

    def render_list(self, request, form=None, editing=None, status=200):
        entries = choices.options(tenant=self.tenant, key=self.spec.key, include_inactive=True)
        context = {
            "spec": self.spec,
            "entries": entries,
            "form": form,
            "editing": editing,
            "can_change": self.member.has_perm("settings.change"),
        }
        return render(request, "accounts/settings_list.html", context, status=status)


class ChoiceListView(ChoiceListMixin, TenantView):
    permissions = {"GET": "settings.view"}

    def get(self, request, tenant_slug, list_key):
        self.load_list(list_key)
        form = None if self.spec.fixed else ChoiceForm(spec=self.spec)
        return self.render_list(request, form=form)


class ChoiceSaveView(ChoiceListMixin, TenantView):
    """Add an entry (``pk`` absent) or change one."""

    permissions = {"GET": "settings.change", "POST": "settings.change"}

    def get_choice(self, pk):
        if pk is None:
            return None
        return get_object_or_404(
            choices.options(tenant=self.tenant, key=self.spec.key, include_inactive=True), pk=pk
        )

    def get(self, request, tenant_slug, list_key, pk=None):
        self.load_list(list_key)
        choice = self.get_choice(pk)
        initial = (
            {
                "label": choice.label,
                "order": choice.order,
                "colour": choice.colour or "#000000",
                "is_active": choice.is_active,
                **{f"flag_{flag}": flag in choice.flags for flag, _label in self.spec.flags},
                "number": choice.number,
            }
            if choice
            else None
        )
        form = ChoiceForm(initial=initial, spec=self.spec)
        return self.render_list(request, form=form, editing=choice)

    def post(self, request, tenant_slug, list_key, pk=None):
        self.load_list(list_key)
        choice = self.get_choice(pk)
        form = ChoiceForm(request.POST, spec=self.spec)
        if form.is_valid():
            try:
                services.choice_save(
                    tenant=self.tenant,
                    actor=request.user,
                    list_key=self.spec.key,
                    choice=choice,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The list is saved."))
                return redirect("accounts:settings-list", self.tenant.slug, self.spec.key)
        return self.render_list(request, form=form, editing=choice, status=400)


class OutboxListView(TenantView):
    """The tenant's outgoing e-mail with delivery states: failures are visible to admins."""

    permissions = {"GET": "mail.view"}

    def get(self, request, tenant_slug):
        status = request.GET.get("status", "")
        if status not in OutboxEmail.Status:
            status = ""
        context = {
            "page": paginate(request, mail.outbox_for(tenant=self.tenant, status=status)),
            "statuses": OutboxEmail.Status.choices,
            "status": status,
        }
        return render(request, "accounts/outbox_list.html", context)


class ChoiceQuickAddView(ChoiceListMixin, TenantView):
    """The "+" beside a drop-down: add an entry to its Settings list and select it in place."""

    permissions = {"POST": "settings.change"}

    def post(self, request, tenant_slug, list_key):
        self.load_list(list_key)
        label = " ".join(request.POST.get("quick_label", "").split())[:120]
        if not label or "\x00" in label:
            return HttpResponse(_("Write a label first."), status=400)
        existing = choices.options(tenant=self.tenant, key=self.spec.key).filter(
            label__iexact=label
        )
        choice = existing.first()
        if choice is None:
            try:
                choice = services.choice_save(
                    tenant=self.tenant,
                    actor=request.user,
                    list_key=self.spec.key,
                    label=label,
                    order=choices.next_order(tenant=self.tenant, key=self.spec.key),
                    colour="",
                    is_active=True,
                )
            except ValidationError as error:
                return HttpResponse(" ".join(error.messages), status=400)
        return render(request, "components/_option.html", {"choice": choice})
