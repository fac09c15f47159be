"""Firm pages: the list, create and edit, the 360° page and its own tabs."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import visible_employees, working_employees
from accounts.views.employees import form_error
from companies import custom_fields as custom
from companies import page, timeline
from companies.filters import list_filters
from companies.firm_table import (
    ALWAYS_SHOWN,
    DEFAULT_COLUMNS,
    SORTABLE,
    add_cells,
    firm_columns,
)
from companies.forms.channels import channel_formsets, channel_values
from companies.forms.firms import ContactQuickForm, FirmForm
from companies.models.firms import ALLOWED_CHILDREN, FirmRole, FirmStatus, FirmType
from companies.selectors import firms as selectors
from companies.selectors import settings as settings_selectors
from companies.selectors.lists import customer_list_choices
from companies.services import firms as services
from companies.services.lists import customer_list_add_firms
from core import choices, layouts
from core.files import serve
from core.forms import EmployeePicker
from core.views import TenantView, is_pk, paginate


def representative_pickers(*, tenant, member, chosen):
    """The list's searchable representative filter and bulk-assign choice, as HTML.

    The filter shows the chosen representative whoever they are (a dismissed one too); the
    bulk action offers the working employees the member may see, as ``FirmBulkView`` accepts.
    """
    rep_filter = EmployeePicker(
        attrs={"id": "f-rep"},
        empty_label=_("All representatives"),
        extra_choices=[("none", _("Unassigned (pool)"))],
    ).configure(tenant=tenant, queryset=visible_employees(tenant=tenant, member=member))
    pickers = {"rep_filter": rep_filter.render("sales_rep", chosen)}
    if member.has_perm("firms.assign"):
        bulk = EmployeePicker(
            attrs={"id": "bulk-rep"}, empty_label=_("nobody (the pool)"), small=True
        ).configure(tenant=tenant, queryset=working_employees(tenant=tenant, member=member))
        pickers["rep_bulk"] = bulk.render("sales_rep", None)
    return pickers


def firm_labels(tenant):
    """Labels of firm types and statuses and the statuses' colours, in one query."""
    rows = choices.options(tenant=tenant, key=None, include_inactive=True).filter(
        list_key__in=("firm_type", "firm_status")
    )
    labels = {"firm_type": {}, "firm_status": {}}
    colours = {}
    for list_key, code, label, colour in rows.values_list("list_key", "code", "label", "colour"):
        labels[list_key][code] = label
        if list_key == "firm_status":
            colours[code] = colour
    return {
        "type_labels": labels["firm_type"],
        "status_labels": labels["firm_status"],
        "status_colours": colours,
    }


class FirmListView(TenantView):
    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug):
        filters = list_filters(request.GET)
        sort = request.GET.get("sort", "name")
        fields = custom.active_fields(tenant=self.tenant, entity="firm")
        firms = selectors.firm_list(
            tenant=self.tenant,
            member=self.member,
            filters=filters,
            sort=sort,
            custom_fields=fields,
            params=request.GET,
        )
        available = firm_columns(fields)
        columns = layouts.columns_for(
            tenant=self.tenant,
            user=request.user,
            list_key="firms",
            available={key for key, _label in available},
            default=DEFAULT_COLUMNS + [f.form_name for f in fields if f.show_in_list],
        )
        tags = list(settings_selectors.tag_list(tenant=self.tenant))
        page = paginate(request, firms.values_list("pk", flat=True), capped=True)
        page.object_list = selectors.firm_rows(page_ids=list(page.object_list), tags=tags)
        labels = firm_labels(self.tenant)
        custom_by_name = {f.form_name: f for f in fields}
        add_cells(page.object_list, columns, labels=labels, custom_by_name=custom_by_name)
        codes = self.member.permission_codes
        context = {
            "page": page,
            "filters": filters,
            "sort": sort,
            "firm_types": FirmType.choices,
            "firm_statuses": FirmStatus.choices,
            "firm_roles": FirmRole.choices,
            "columns": columns,
            "column_labels": dict(available),
            "available_columns": available,
            "always_shown": ALWAYS_SHOWN,
            "sortable": SORTABLE,
            "selectable": bool(codes & {"firms.assign", "customer_lists.manage", "firms.change"}),
            "customer_lists": customer_list_choices(tenant=self.tenant),
            "tags": tags,
            "groups": settings_selectors.group_list(tenant=self.tenant),
            "custom_filters": [(f, request.GET.get(f.form_name, "")) for f in fields],
            **labels,
            **representative_pickers(
                tenant=self.tenant, member=self.member, chosen=filters.get("sales_rep")
            ),
        }
        template = "companies/_firm_rows.html" if request.htmx else "companies/firm_list.html"
        return render(request, template, context)


class FirmSelectionMixin:
    """The firms ticked in the list (at most 500) that the member may see, or change."""

    def selected_firms(self, *, write):
        ids = [int(pk) for pk in self.request.POST.getlist("firms") if pk.isdecimal()][:500]
        firms = selectors.visible_firms(tenant=self.tenant, member=self.member, write=write)
        return list(firms.filter(pk__in=ids))

    def posted_choice(self, queryset, name):
        """The row of ``queryset`` that the posted field ``name`` names, or None."""
        value = self.request.POST.get(name, "")
        return queryset.filter(pk=int(value)).first() if is_pk(value) else None


class FirmBulkView(FirmSelectionMixin, TenantView):
    """Bulk actions on the selected firms of the list: assign a sales representative."""

    permissions = {"POST": "firms.assign"}

    def post(self, request, tenant_slug):
        firms = self.selected_firms(write=True)
        rep_id = request.POST.get("sales_rep", "")
        people = working_employees(tenant=self.tenant, member=self.member)
        rep = self.posted_choice(people, "sales_rep")
        if request.POST.get("action") != "assign" or not firms or (rep_id and rep is None):
            messages.error(request, _("Choose firms and a representative."))
        else:
            changed = services.firms_assign(
                tenant=self.tenant, actor=request.user, firms=firms, sales_rep=rep
            )
            messages.success(request, _("%(count)d firms updated.") % {"count": changed})
        return redirect(reverse("companies:firm-list", args=[self.tenant.slug]))


class FirmColumnsView(TenantView):
    """Save the columns the user wants in the firm list."""

    permissions = {"POST": "firms.view"}

    def post(self, request, tenant_slug):
        fields = custom.active_fields(tenant=self.tenant, entity="firm")
        layouts.columns_save(
            tenant=self.tenant,
            user=request.user,
            list_key="firms",
            columns=request.POST.getlist("columns"),
            available={key for key, _label in firm_columns(fields)},
        )
        return redirect(reverse("companies:firm-list", args=[self.tenant.slug]))


class FirmBulkTagView(FirmSelectionMixin, TenantView):
    """Bulk action on the selected firms of the list: put a tag on them."""

    permissions = {"POST": "firms.change"}

    def post(self, request, tenant_slug):
        firms = self.selected_firms(write=True)
        tag = self.posted_choice(settings_selectors.tag_list(tenant=self.tenant), "tag")
        if not firms or tag is None:
            messages.error(request, _("Choose firms you may change and a tag."))
        else:
            added = services.firms_tag(tenant=self.tenant, actor=request.user, firms=firms, tag=tag)
            messages.success(
                request, _("%(count)d firms tagged %(tag)s.") % {"count": added, "tag": tag.name}
            )
        return redirect(reverse("companies:firm-list", args=[self.tenant.slug]))


class FirmBulkListView(FirmSelectionMixin, TenantView):
    """Bulk action on the selected firms of the list: add them to a customer list."""

    permissions = {"POST": "customer_lists.manage"}

    def post(self, request, tenant_slug):
        firms = self.selected_firms(write=False)
        target = self.posted_choice(customer_list_choices(tenant=self.tenant), "customer_list")
        if not firms or target is None:
            messages.error(request, _("Choose firms and a customer list."))
        else:
            added = customer_list_add_firms(
                tenant=self.tenant, actor=request.user, customer_list=target, firms=firms
            )
            messages.success(
                request,
                _("%(count)d firms added to %(list)s.") % {"count": added, "list": target.name},
            )
        return redirect(reverse("companies:firm-list", args=[self.tenant.slug]))


class FirmFormMixin:
    def parents(self):
        """Firms that may have others under them."""
        return selectors.visible_firms(tenant=self.tenant, member=self.member).exclude(
            type=FirmType.CUSTOMER
        )

    def build(self, data=None, instance=None, existing=None):
        form = FirmForm(
            data,
            self.request.FILES if data is not None else None,
            instance=instance,
            tenant=self.tenant,
            parents=self.parents(),
            employees=working_employees(tenant=self.tenant, member=self.member),
            initial=self.initial_values(),
        )
        formsets = channel_formsets(tenant=self.tenant, data=data, existing=existing)
        return form, formsets

    def check_assignment(self, form, data):
        """Without ``firms.assign`` a person may name only themselves as representative."""
        if self.member.has_perm("firms.assign"):
            return
        for name in ("sales_rep", "support_rep"):
            if data.get(name) not in (None, self.member):
                form.add_error(name, _("You can only name yourself here."))

    def initial_values(self):
        parent = self.request.GET.get("parent", "")
        return {"parent": parent} if parent.isdecimal() else {}

    def render_form(self, request, context, status=200):
        context["allowed_children"] = {
            str(k): sorted(v) for k, v in ALLOWED_CHILDREN.items() if k is not None
        }
        return render(request, "companies/firm_form.html", context, status=status)


class FirmCreateView(FirmFormMixin, TenantView):
    permissions = {"GET": "firms.add", "POST": "firms.add"}

    def get(self, request, tenant_slug):
        form, formsets = self.build()
        contact = ContactQuickForm(tenant=self.tenant, prefix="contact")
        return self.render_form(
            request, {"form": form, "formsets": formsets, "contact_form": contact}
        )

    def post(self, request, tenant_slug):
        form, formsets = self.build(request.POST)
        contact = ContactQuickForm(request.POST, tenant=self.tenant, prefix="contact")
        valid = [form.is_valid(), contact.is_valid(), *(f.is_valid() for f in formsets.values())]
        if all(valid):
            self.check_assignment(form, form.cleaned_data)
        if all(valid) and not form.errors:
            data = form.service_data()
            first_contact = {"data": contact.service_data()} if contact.has_contact() else None
            try:
                firm = services.firm_create(
                    tenant=self.tenant,
                    actor=request.user,
                    data=data,
                    channels=channel_values(formsets),
                    groups=form.cleaned_data["groups"],
                    tags=form.cleaned_data["tags"],
                    first_contact=first_contact,
                    logo=form.cleaned_data["logo_upload"],
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The firm %(name)s is saved.") % {"name": firm.name})
                return redirect(self.next_url(firm))
        context = {"form": form, "formsets": formsets, "contact_form": contact}
        return self.render_form(request, context, status=400)

    def next_url(self, firm):
        slug = self.tenant.slug
        action = self.request.POST.get("then", "")
        if action == "edit":
            return reverse("companies:firm-edit", args=[slug, firm.pk])
        if action == "another":
            return reverse("companies:firm-create", args=[slug])
        if action == "activity" and self.member.has_perm("agenda.add"):
            detail = reverse("companies:firm-detail", args=[slug, firm.pk])
            create = reverse("agenda:activity-create", args=[slug])
            return f"{create}?{urlencode({'firm': firm.pk, 'next': detail})}"
        return reverse("companies:firm-detail", args=[slug, firm.pk])


class FirmEditView(FirmFormMixin, TenantView):
    permissions = {"GET": "firms.change", "POST": "firms.change"}

    def load(self, pk):
        firm = selectors.firm_get(tenant=self.tenant, member=self.member, pk=pk)
        if not selectors.can_change_firm(tenant=self.tenant, member=self.member, firm=firm):
            raise PermissionDenied
        return firm

    def parents(self):
        return (
            super()
            .parents()
            .exclude(path__startswith=self.firm.subtree_prefix)
            .exclude(pk=self.firm.pk)
        )

    def get(self, request, tenant_slug, pk):
        self.firm = self.load(pk)
        existing = selectors.firm_channels(tenant=self.tenant, firm=self.firm)
        form, formsets = self.build(instance=self.firm, existing=existing)
        return self.render_form(request, {"form": form, "formsets": formsets, "firm": self.firm})

    def post(self, request, tenant_slug, pk):
        self.firm = self.load(pk)
        existing = selectors.firm_channels(tenant=self.tenant, firm=self.firm)
        form, formsets = self.build(request.POST, instance=self.firm, existing=existing)
        if form.is_valid() and all(f.is_valid() for f in formsets.values()):
            data = form.service_data()
            if not self.member.has_perm("firms.assign"):
                data.pop("sales_rep", None)
                data.pop("support_rep", None)
            try:
                services.firm_update(
                    tenant=self.tenant,
                    actor=request.user,
                    firm=self.firm,
                    data=data,
                    channels=channel_values(formsets),
                    groups=form.cleaned_data["groups"],
                    tags=form.cleaned_data["tags"],
                    logo=False
                    if form.cleaned_data.get("remove_logo")
                    else form.cleaned_data["logo_upload"],
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("companies:firm-detail", self.tenant.slug, self.firm.pk)
        context = {"form": form, "formsets": formsets, "firm": self.firm}
        return self.render_form(request, context, status=400)


class FirmTabMixin:
    """A tab of the 360° page: a fragment for htmx, the whole page otherwise."""

    tab = "overview"
    fragment = ""

    def load(self, pk):
        self.firm = selectors.firm_get(tenant=self.tenant, member=self.member, pk=pk)
        return self.firm

    def render_tab(self, request, context):
        if request.htmx:
            return render(request, self.fragment, context)
        page = self.page_context()
        page.update(context, tab=self.tab, tab_template=self.fragment)
        return render(request, "companies/firm_detail.html", page)

    def page_context(self):
        firm = self.firm
        return {
            "firm": firm,
            "ancestors": selectors.firm_ancestors(tenant=self.tenant, firm=firm),
            "can_change": selectors.can_change_firm(
                tenant=self.tenant, member=self.member, firm=firm
            ),
            "area_tabs": page.tabs(self.tenant, self.member, firm),
            "area_actions": page.actions(self.tenant, self.member, firm),
            **firm_labels(self.tenant),
        }


class FirmDetailView(FirmTabMixin, TenantView):
    permissions = {"GET": "firms.view"}
    tab = "overview"
    fragment = "companies/tabs/_overview.html"

    def get(self, request, tenant_slug, pk):
        firm = self.load(pk)
        context = {
            "firm": firm,
            "channels": selectors.firm_channels(tenant=self.tenant, firm=firm),
            "tags": list(firm.tags.all()),
            "groups": list(firm.groups.all()),
            "role_labels": choices.labels(tenant=self.tenant, key="firm_role"),
            "custom_rows": custom.display_rows(
                tenant=self.tenant, entity="firm", custom=firm.custom
            ),
        }
        return self.render_tab(request, context)


class FirmContactsView(FirmTabMixin, TenantView):
    permissions = {"GET": "firms.view"}
    tab = "contacts"
    fragment = "companies/tabs/_contacts.html"

    def get(self, request, tenant_slug, pk):
        firm = self.load(pk)
        context = {
            "firm": firm,
            "contacts": selectors.firm_contacts(tenant=self.tenant, firm=firm),
            "can_change": selectors.can_change_firm(
                tenant=self.tenant, member=self.member, firm=firm
            ),
        }
        return self.render_tab(request, context)


class FirmTimelineView(FirmTabMixin, TenantView):
    permissions = {"GET": "firms.view"}
    tab = "timeline"
    fragment = "companies/tabs/_timeline.html"

    def get(self, request, tenant_slug, pk):
        firm = self.load(pk)
        entries = timeline.merged(
            tenant=self.tenant,
            firm=firm,
            entries=selectors.firm_history(tenant=self.tenant, firm=firm),
            member=self.member,
        )
        return self.render_tab(request, {"firm": firm, "entries": entries})


class FirmTreeView(FirmTabMixin, TenantView):
    permissions = {"GET": "firms.view"}
    tab = "tree"
    fragment = "companies/tabs/_tree.html"

    def get(self, request, tenant_slug, pk):
        firm = self.load(pk)
        context = {
            "firm": firm,
            "children": selectors.firm_children(tenant=self.tenant, member=self.member, firm=firm),
            "subtree_count": selectors.subtree_counts(tenant=self.tenant, firms=[firm])[firm.pk],
            "can_add_below": bool(ALLOWED_CHILDREN[firm.type])
            and self.member.has_perm("firms.add"),
            **firm_labels(self.tenant),
        }
        return self.render_tab(request, context)


class FirmHistoryView(FirmTabMixin, TenantView):
    """Field changes only; the timeline shows every event as well."""

    permissions = {"GET": "history.view"}
    tab = "history"
    fragment = "companies/tabs/_timeline.html"

    def get(self, request, tenant_slug, pk):
        firm = self.load(pk)
        entries = selectors.firm_history(tenant=self.tenant, firm=firm, changes_only=True)
        return self.render_tab(request, {"firm": firm, "entries": entries})


class FirmLogoView(FirmTabMixin, TenantView):
    """The firm's logo, served only to those who may see the firm."""

    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load(pk)
        if not firm.logo:
            raise Http404
        return serve(firm.logo, filename=f"{firm.code}-logo{firm.logo.name[-4:]}")
