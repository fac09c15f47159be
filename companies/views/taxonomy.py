"""Tags and the n-level firm groups, edited under Settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from companies.forms.settings import GroupForm, TagForm
from companies.selectors import settings as selectors
from companies.services import settings as services
from core.views import TenantView


def tags(tenant):
    return selectors.tag_list(tenant=tenant, with_counts=True)


def groups(tenant):
    return selectors.group_list(tenant=tenant)


class TaxonomyView(TenantView):
    """Tags and groups on one page; POST adds one (``kind`` says which)."""

    permissions = {"GET": "settings.view", "POST": "settings.change"}

    def context(self, tag_form=None, group_form=None):
        return {
            "tags": tags(self.tenant),
            "group_rows": selectors.group_tree(tenant=self.tenant),
            "tag_form": tag_form or TagForm(),
            "group_form": group_form or GroupForm(groups=groups(self.tenant)),
            "can_change": self.member.has_perm("settings.change"),
        }

    def get(self, request, tenant_slug):
        return render(request, "companies/settings/taxonomy.html", self.context())

    def post(self, request, tenant_slug):
        if request.POST.get("kind") == "group":
            form = GroupForm(request.POST, groups=groups(self.tenant))
            save, context = services.group_save, {"group_form": form}
        else:
            form = TagForm(request.POST)
            save, context = services.tag_save, {"tag_form": form}
        if form.is_valid():
            try:
                save(tenant=self.tenant, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("companies:taxonomy", self.tenant.slug)
        return render(
            request, "companies/settings/taxonomy.html", self.context(**context), status=400
        )


class TagEditView(TenantView):
    permissions = {"GET": "settings.change", "POST": "settings.change"}

    def get(self, request, tenant_slug, pk):
        tag = get_object_or_404(tags(self.tenant), pk=pk)
        form = TagForm(initial={"name": tag.name, "colour": tag.colour or "#6c757d"})
        return render(request, "companies/settings/taxonomy_edit.html", {"form": form, "item": tag})

    def post(self, request, tenant_slug, pk):
        tag = get_object_or_404(tags(self.tenant), pk=pk)
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                services.tag_save(
                    tenant=self.tenant, actor=request.user, tag=tag, **form.cleaned_data
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                return redirect("companies:taxonomy", self.tenant.slug)
        context = {"form": form, "item": tag}
        return render(request, "companies/settings/taxonomy_edit.html", context, status=400)


class GroupEditView(TenantView):
    permissions = {"GET": "settings.change", "POST": "settings.change"}

    def get(self, request, tenant_slug, pk):
        group = get_object_or_404(groups(self.tenant), pk=pk)
        form = GroupForm(
            initial={"name": group.name, "parent": group.parent_id},
            groups=groups(self.tenant).exclude(pk=group.pk),
        )
        return render(
            request, "companies/settings/taxonomy_edit.html", {"form": form, "item": group}
        )

    def post(self, request, tenant_slug, pk):
        group = get_object_or_404(groups(self.tenant), pk=pk)
        form = GroupForm(request.POST, groups=groups(self.tenant).exclude(pk=group.pk))
        if form.is_valid():
            try:
                services.group_save(
                    tenant=self.tenant, actor=request.user, group=group, **form.cleaned_data
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                return redirect("companies:taxonomy", self.tenant.slug)
        context = {"form": form, "item": group}
        return render(request, "companies/settings/taxonomy_edit.html", context, status=400)
