"""Product catalogue pages: the list, a product's page, add and change products, the groups."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from catalogue import selectors, services
from catalogue.forms import (
    GroupForm,
    ProductFilterForm,
    ProductForm,
    new_product_initial,
    product_initial,
)
from core.views import TenantView, paginate


class ProductListView(TenantView):
    permissions = {"GET": "products.view"}

    def get(self, request, tenant_slug):
        form = ProductFilterForm(request.GET or None, tenant=self.tenant)
        filters = form.filters() if form.is_bound else {}
        sort = request.GET.get("sort", "name")
        sort = sort if sort in selectors.SORTS else "name"
        products = selectors.product_list(tenant=self.tenant, filters=filters, sort=sort)
        context = {"filter_form": form, "page": paginate(request, products), "sort": sort}
        if request.htmx:
            return render(request, "catalogue/_product_rows.html", context)
        return render(request, "catalogue/product_list.html", context)


class ProductDetailView(TenantView):
    permissions = {"GET": "products.view"}

    def get(self, request, tenant_slug, pk):
        product = selectors.product_get(tenant=self.tenant, pk=pk)
        context = {
            "product": product,
            "usage": selectors.product_usage(tenant=self.tenant, product=product),
            "group_path": _group_path(self.tenant, product),
        }
        return render(request, "catalogue/product_detail.html", context)


def _group_path(tenant, product):
    """The product's group and its ancestors, top first (from the one-query group tree)."""
    if product.group_id is None:
        return []
    groups = {g.pk: g for _depth, g in selectors.group_tree(tenant=tenant)}
    path, current = [], groups.get(product.group_id)
    while current is not None and len(path) < 100:
        path.insert(0, current)
        current = groups.get(current.parent_id)
    return path


class ProductFormMixin:
    template = "catalogue/product_form.html"
    product = None

    def build(self, data=None, initial=None):
        return ProductForm(
            data, tenant=self.tenant, member=self.member, product=self.product, initial=initial
        )

    def render_form(self, request, form, status=200):
        context = {"form": form, "product": self.product}
        return render(request, self.template, context, status=status)

    def submit(self, request, save):
        form = self.build(request.POST)
        if form.is_valid():
            try:
                product = save(form.service_data())
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The product is saved."))
                return redirect("catalogue:product-detail", self.tenant.slug, product.pk)
        return self.render_form(request, form, status=400)


class ProductCreateView(ProductFormMixin, TenantView):
    permissions = {"GET": "products.manage", "POST": "products.manage"}

    def get(self, request, tenant_slug):
        return self.render_form(request, self.build(initial=new_product_initial(self.tenant)))

    def post(self, request, tenant_slug):
        return self.submit(
            request,
            lambda data: services.product_create(tenant=self.tenant, actor=self.member, data=data),
        )


class ProductEditView(ProductFormMixin, TenantView):
    permissions = {"GET": "products.manage", "POST": "products.manage"}

    def get(self, request, tenant_slug, pk):
        self.product = selectors.product_get(tenant=self.tenant, pk=pk)
        return self.render_form(request, self.build(initial=product_initial(self.product)))

    def post(self, request, tenant_slug, pk):
        self.product = selectors.product_get(tenant=self.tenant, pk=pk)
        return self.submit(
            request,
            lambda data: services.product_update(
                tenant=self.tenant, actor=self.member, product=self.product, data=data
            ),
        )


class ProductDeleteView(TenantView):
    permissions = {"POST": "products.manage"}

    def post(self, request, tenant_slug, pk):
        product = selectors.product_get(tenant=self.tenant, pk=pk)
        try:
            services.product_delete(tenant=self.tenant, actor=self.member, product=product)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("catalogue:product-detail", self.tenant.slug, product.pk)
        messages.success(request, _("The product is deleted."))
        return redirect("catalogue:product-list", self.tenant.slug)


class GroupListView(TenantView):
    """The product group tree; POST adds a group."""

    permissions = {"GET": "products.view", "POST": "products.manage"}

    def render_page(self, request, form=None, status=200):
        context = {
            "group_rows": selectors.group_tree(tenant=self.tenant, with_counts=True),
            "form": form or GroupForm(tenant=self.tenant),
            "can_manage": "products.manage" in self.member.permission_codes,
        }
        return render(request, "catalogue/group_list.html", context, status=status)

    def get(self, request, tenant_slug):
        return self.render_page(request)

    def post(self, request, tenant_slug):
        form = GroupForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            try:
                services.group_save(tenant=self.tenant, actor=self.member, **form.cleaned_data)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The group is saved."))
                return redirect("catalogue:group-list", self.tenant.slug)
        return self.render_page(request, form, status=400)


class GroupEditView(TenantView):
    """Rename a group or move it under another one."""

    permissions = {"GET": "products.manage", "POST": "products.manage"}

    def get(self, request, tenant_slug, pk):
        group = selectors.group_get(tenant=self.tenant, pk=pk)
        initial = {"name": group.name, "parent": group.parent_id}
        form = GroupForm(tenant=self.tenant, group=group, initial=initial)
        return render(request, "catalogue/group_form.html", {"form": form, "group": group})

    def post(self, request, tenant_slug, pk):
        group = selectors.group_get(tenant=self.tenant, pk=pk)
        form = GroupForm(request.POST, tenant=self.tenant, group=group)
        if form.is_valid():
            try:
                services.group_save(
                    tenant=self.tenant, actor=self.member, group=group, **form.cleaned_data
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The group is saved."))
                return redirect("catalogue:group-list", self.tenant.slug)
        context = {"form": form, "group": group}
        return render(request, "catalogue/group_form.html", context, status=400)


class GroupDeleteView(TenantView):
    permissions = {"POST": "products.manage"}

    def post(self, request, tenant_slug, pk):
        group = selectors.group_get(tenant=self.tenant, pk=pk)
        try:
            services.group_delete(tenant=self.tenant, actor=self.member, group=group)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The group is deleted."))
        return redirect("catalogue:group-list", self.tenant.slug)
