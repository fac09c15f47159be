"""Customer lists (seed 001): the lists, a list's firms, adding and removing firms, and the
firm's own tab of the lists it is in."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.views.employees import form_error
from companies.selectors import lists as selectors
from companies.selectors.firms import visible_firms
from companies.services import lists as services
from companies.views.references import ExtraTabMixin, clean_search
from core.forms import EmployeeChoiceField, EmployeePicker
from core.views import TenantView, paginate

VIEW, MANAGE = "customer_lists.view", "customer_lists.manage"


class CustomerListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class ResponsibleForm(forms.Form):
    responsible = EmployeeChoiceField(
        label=gettext_lazy("Responsible employee"), queryset=None, required=False
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = selectors.colleagues(tenant=tenant)
        self.fields["responsible"].widget.configure(tenant=tenant)


def responsible_pickers(*, tenant, entries):
    """Each entry's searchable "responsible employee" choice, as HTML (no query: the entries
    come with their responsible employee)."""
    picker = EmployeePicker(small=True).configure(
        tenant=tenant, queryset=selectors.colleagues(tenant=tenant)
    )
    for entry in entries:
        picker.known = [entry.responsible] if entry.responsible else []
        entry.responsible_picker = picker.render(
            "responsible", entry.responsible_id, attrs={"id": f"responsible-{entry.pk}"}
        )


class AddFirmsForm(ResponsibleForm):
    """Firm ids from the list's "add" page or the firm list's bulk action."""

    firms = forms.ModelMultipleChoiceField(label=gettext_lazy("Firms"), queryset=None)

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, tenant=tenant, **kwargs)
        self.fields["firms"].queryset = visible_firms(tenant=tenant, member=member)


class AddToListForm(ResponsibleForm):
    customer_list = forms.ModelChoiceField(label=gettext_lazy("Customer list"), queryset=None)

    def __init__(self, *args, tenant, firm, **kwargs):
        super().__init__(*args, tenant=tenant, **kwargs)
        self.fields["customer_list"].queryset = selectors.lists_without_firm(
            tenant=tenant, firm=firm
        )
        self.order_fields(["customer_list", "responsible"])


def next_url(request, tenant, default):
    """Where to go back to: a ``next`` page of this tenant, or ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith(f"/o/{tenant.slug}/")
        and not any(c in target for c in "\x00\r\n\\")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return default


class ListMixin:
    def load_list(self, pk):
        self.customer_list = selectors.customer_list_get(
            tenant=self.tenant, member=self.member, pk=pk
        )
        return self.customer_list

    def detail_url(self):
        return reverse(
            "companies:customerlist-detail", args=[self.tenant.slug, self.customer_list.pk]
        )


class CustomerListListView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug):
        page = paginate(request, selectors.customer_lists(tenant=self.tenant, member=self.member))
        return render(request, "companies/lists/list.html", {"page": page})


class CustomerListCreateView(TenantView):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug):
        return render(request, "companies/lists/form.html", {"form": CustomerListForm()})

    def post(self, request, tenant_slug):
        form = CustomerListForm(request.POST)
        if form.is_valid():
            try:
                customer_list = services.customer_list_create(
                    tenant=self.tenant, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The customer list is saved."))
                return redirect("companies:customerlist-detail", self.tenant.slug, customer_list.pk)
        return render(request, "companies/lists/form.html", {"form": form}, status=400)


class CustomerListEditView(ListMixin, TenantView):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug, pk):
        customer_list = self.load_list(pk)
        form = CustomerListForm(
            initial={"name": customer_list.name, "description": customer_list.description}
        )
        context = {"form": form, "customer_list": customer_list}
        return render(request, "companies/lists/form.html", context)

    def post(self, request, tenant_slug, pk):
        customer_list = self.load_list(pk)
        form = CustomerListForm(request.POST)
        if form.is_valid():
            try:
                services.customer_list_update(
                    tenant=self.tenant, actor=request.user, customer_list=customer_list,
                    **form.cleaned_data,
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect(self.detail_url())
        context = {"form": form, "customer_list": customer_list}
        return render(request, "companies/lists/form.html", context, status=400)


class CustomerListDeleteView(ListMixin, TenantView):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug, pk):
        customer_list = self.load_list(pk)
        return render(request, "companies/lists/confirm.html", {"customer_list": customer_list})

    def post(self, request, tenant_slug, pk):
        customer_list = self.load_list(pk)
        services.customer_list_delete(
            tenant=self.tenant, actor=request.user, customer_list=customer_list
        )
        messages.success(request, _("The customer list is deleted."))
        return redirect("companies:customerlist-list", self.tenant.slug)


class CustomerListDetailView(ListMixin, TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        customer_list = self.load_list(pk)
        q = clean_search(request.GET.get("q", ""))
        entries = selectors.list_entries(
            tenant=self.tenant, member=self.member, customer_list=customer_list, q=q
        )
        can_manage = self.member.has_perm(MANAGE)
        page = paginate(request, entries)
        page.object_list = list(page.object_list)
        if can_manage:
            responsible_pickers(tenant=self.tenant, entries=page.object_list)
        context = {"customer_list": customer_list, "page": page, "q": q, "can_manage": can_manage}
        return render(request, "companies/lists/detail.html", context)


class CustomerListAddView(ListMixin, TenantView):
    """GET: find firms to add; POST: add the chosen firm ids (also the firm list's bulk action)."""

    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug, pk, form=None, status=200):
        customer_list = self.load_list(pk)
        q = clean_search(request.GET.get("q", ""))
        firms = selectors.addable_firms(
            tenant=self.tenant, member=self.member, customer_list=customer_list, q=q
        )
        context = {
            "customer_list": customer_list,
            "page": paginate(request, firms),
            "q": q,
            "form": form or ResponsibleForm(tenant=self.tenant),
        }
        return render(request, "companies/lists/add.html", context, status=status)

    def post(self, request, tenant_slug, pk):
        customer_list = self.load_list(pk)
        form = AddFirmsForm(request.POST, tenant=self.tenant, member=self.member)
        if not form.is_valid():
            return self.get(request, tenant_slug, pk, form=form, status=400)
        added = services.customer_list_add_firms(
            tenant=self.tenant, actor=request.user, customer_list=customer_list,
            firms=form.cleaned_data["firms"], responsible=form.cleaned_data["responsible"],
        )  # fmt: skip
        messages.success(
            request,
            _("%(count)d firms added to %(name)s.") % {"count": added, "name": customer_list.name},
        )
        return redirect(next_url(request, self.tenant, self.detail_url()))


class EntryMixin(ListMixin):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def load_entry(self, pk, entry_pk):
        self.load_list(pk)
        self.entry = selectors.list_entry_get(
            tenant=self.tenant, member=self.member, customer_list=self.customer_list, pk=entry_pk
        )
        return self.entry

    def render_entry(self, request, template, context=None, status=200):
        context = {
            "customer_list": self.customer_list,
            "entry": self.entry,
            "next": next_url(request, self.tenant, ""),
            **(context or {}),
        }
        return render(request, template, context, status=status)


class EntryRemoveView(EntryMixin, TenantView):
    """GET asks for confirmation (pages without script); POST removes the firm from the list."""

    def get(self, request, tenant_slug, pk, entry_pk):
        self.load_entry(pk, entry_pk)
        return self.render_entry(request, "companies/lists/confirm.html")

    def post(self, request, tenant_slug, pk, entry_pk):
        entry = self.load_entry(pk, entry_pk)
        services.customer_list_entry_remove(tenant=self.tenant, actor=request.user, entry=entry)
        messages.success(
            request,
            _("%(firm)s is no longer in %(name)s.")
            % {"firm": entry.firm.name, "name": self.customer_list.name},
        )
        return redirect(next_url(request, self.tenant, self.detail_url()))


class EntryEditView(EntryMixin, TenantView):
    """Change the employee responsible for a firm in the list."""

    def get(self, request, tenant_slug, pk, entry_pk):
        entry = self.load_entry(pk, entry_pk)
        form = ResponsibleForm(tenant=self.tenant, initial={"responsible": entry.responsible_id})
        return self.render_entry(request, "companies/lists/entry_form.html", {"form": form})

    def post(self, request, tenant_slug, pk, entry_pk):
        entry = self.load_entry(pk, entry_pk)
        form = ResponsibleForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            try:
                services.customer_list_entry_update(
                    tenant=self.tenant, actor=request.user, entry=entry,
                    responsible=form.cleaned_data["responsible"],
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect(next_url(request, self.tenant, self.detail_url()))
        return self.render_entry(
            request, "companies/lists/entry_form.html", {"form": form}, status=400
        )


class FirmListsView(ExtraTabMixin, TenantView):
    """The firm's tab: the lists it is in; with ``customer_lists.manage``, add it to another.

    Which lists a firm is in is part of reading the firm (``firms.view``); opening a list
    needs ``customer_lists.view``.
    """

    permissions = {"GET": "firms.view", "POST": MANAGE}
    tab = "lists"
    fragment = "companies/tabs/_lists.html"

    def context(self, form=None):
        can_manage = self.member.has_perm(MANAGE)
        if can_manage and form is None:
            form = AddToListForm(tenant=self.tenant, firm=self.firm)
        return {
            "entries": selectors.firm_list_entries(tenant=self.tenant, firm=self.firm),
            "form": form,
            "can_manage": can_manage,
        }

    def get(self, request, tenant_slug, pk):
        self.load_firm(pk)
        return self.render_tab(request, self.fragment, self.context())

    def post(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        form = AddToListForm(request.POST, tenant=self.tenant, firm=firm)
        if form.is_valid():
            customer_list = form.cleaned_data["customer_list"]
            services.customer_list_add_firms(
                tenant=self.tenant, actor=request.user, customer_list=customer_list,
                firms=[firm], responsible=form.cleaned_data["responsible"],
            )  # fmt: skip
            messages.success(
                request, _("The firm is added to %(name)s.") % {"name": customer_list.name}
            )
            return redirect("companies:firm-lists", self.tenant.slug, firm.pk)
        return self.render_tab(request, self.fragment, self.context(form), status=400)
