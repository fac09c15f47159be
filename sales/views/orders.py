"""Pages of products sold (orders) and services: the firm's tabs, the overall lists, the forms.

Invoice and contract links point at ``sales:invoice-create``, ``sales:invoice-detail``,
``sales:contract-create`` and ``sales:contract-detail``; the templates reverse them with
``{% url ... as name %}``, which yields nothing when a URL does not exist, so these pages
work whether or not those areas are installed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from companies.views.references import ExtraTabMixin
from core.views import TenantView, is_pk, paginate
from sales.forms.orders import (
    FilterForm,
    OrderFilterForm,
    OrderForm,
    ServiceForm,
    line_formset,
    line_initial,
    product_hints,
)
from sales.selectors import orders as selectors
from sales.services import orders as services
from sales.services.orders import is_invoiced


def mark_invoicing(orders, firm_pk=None):
    """Give each order ``uninvoiced``, its lines without an invoice, and ``invoice_query``,
    the query string that invoices them all (from the prefetched lines, no query)."""
    for order in orders:
        order.uninvoiced = [line for line in order.lines.all() if not is_invoiced(line)]
        pairs = [("firm", firm_pk or order.firm_id)]
        pairs += [("order_line", line.pk) for line in order.uninvoiced]
        order.invoice_query = urlencode(pairs)
    return orders


def query_initial(request, selector_kwargs):
    """``?firm=`` and ``?opportunity=`` as the form's initial values (the opportunity must
    be visible; it also names the firm)."""
    initial = {}
    firm = request.GET.get("firm", "")
    if is_pk(firm):
        initial["firm"] = firm
    raw = request.GET.get("opportunity", "")
    if is_pk(raw):
        opportunity = selectors.opportunity_get(**selector_kwargs, pk=int(raw))
        if opportunity is not None:
            initial.update(firm=str(opportunity.firm_id), opportunity=opportunity.pk)
    return initial


class FirmOrdersView(ExtraTabMixin, TenantView):
    """The firm's tab "Products sold": its orders, each line with its invoice state."""

    tab = "orders"
    permissions = {"GET": "orders.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        page = paginate(request, selectors.firm_orders(tenant=self.tenant, firm=firm), 10)
        mark_invoicing(page.object_list, firm.pk)
        return self.render_tab(request, "sales/orders/_firm_orders.html", {"page": page})


class FirmServicesView(ExtraTabMixin, TenantView):
    """The firm's tab "Services": each with its invoice and contract state."""

    tab = "services"
    permissions = {"GET": "orders.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        page = paginate(request, selectors.firm_services(tenant=self.tenant, firm=firm), 25)
        return self.render_tab(request, "sales/services/_firm_services.html", {"page": page})


class OrderListView(TenantView):
    permissions = {"GET": "orders.view"}

    def get(self, request, tenant_slug):
        form = OrderFilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        sort = request.GET.get("sort", "-date")
        sort = sort if sort in selectors.ORDER_SORTS else "-date"
        orders = selectors.order_list(
            tenant=self.tenant, member=self.member, filters=filters, sort=sort
        )
        page = paginate(request, orders)
        mark_invoicing(page.object_list)
        context = {"filter_form": form, "page": page, "sort": sort}
        template = "_order_rows" if request.htmx else "order_list"
        return render(request, f"sales/orders/{template}.html", context)


class OrderFormMixin:
    template = "sales/orders/order_form.html"
    order = None

    def build(self, data=None, initial=None, lines_initial=None):
        self.form = OrderForm(
            data, tenant=self.tenant, member=self.member, order=self.order, initial=initial
        )
        currency = None
        if data is not None and self.form.is_valid():
            currency = self.form.cleaned_data["currency"]
        recheck = self.order is not None and currency not in (None, self.order.currency)
        self.formset = line_formset(
            data, tenant=self.tenant, member=self.member, currency=currency, order=self.order,
            initial=lines_initial, recheck=recheck,
        )  # fmt: skip

    def render_form(self, request, status=200):
        context = {
            "form": self.form,
            "formset": self.formset,
            "order": self.order,
            "product_hints": product_hints(self.formset.products),
        }
        return render(request, self.template, context, status=status)

    def submit(self, request, save):
        if not (self.form.is_valid() and self.formset.is_valid()):
            return self.render_form(request, status=400)
        try:
            order = save(self.form.service_data(), self.formset.service_lines())
        except ValidationError as error:
            form_error(self.form, error)
            return self.render_form(request, status=400)
        messages.success(request, _("The products sold are saved."))
        return redirect("sales:order-detail", self.tenant.slug, order.pk)


class OrderCreateView(OrderFormMixin, TenantView):
    permissions = {"GET": "orders.add", "POST": "orders.add"}

    def get(self, request, tenant_slug):
        initial = {"currency": self.tenant.currency, "ordered_on": timezone.localdate()}
        initial.update(query_initial(request, {"tenant": self.tenant, "member": self.member}))
        self.build(initial=initial)
        return self.render_form(request)

    def post(self, request, tenant_slug):
        self.build(request.POST)

        def save(data, lines):
            return services.order_create(
                tenant=self.tenant, actor=self.member, firm=self.form.cleaned_data["firm"],
                data=data, lines=lines, opportunity=self.form.cleaned_data["opportunity"],
            )  # fmt: skip

        return self.submit(request, save)


class OrderMixin:
    def load(self, pk, *, change=False):
        order = selectors.order_detail(tenant=self.tenant, member=self.member, pk=pk)
        self.can_change = selectors.can_change(tenant=self.tenant, member=self.member, record=order)
        if change and not self.can_change:
            raise PermissionDenied
        self.order = order
        return order


class OrderEditView(OrderMixin, OrderFormMixin, TenantView):
    permissions = {"GET": "orders.add", "POST": "orders.add"}

    def get(self, request, tenant_slug, pk):
        order = self.load(pk, change=True)
        initial = {
            "number": order.number, "ordered_on": order.ordered_on, "currency": order.currency,
            "opportunity": order.opportunity_id, "note": order.note,
        }  # fmt: skip
        self.build(initial=initial, lines_initial=[line_initial(x) for x in order.line_list])
        return self.render_form(request)

    def post(self, request, tenant_slug, pk):
        order = self.load(pk, change=True)
        self.build(request.POST)

        def save(data, lines):
            return services.order_update(
                tenant=self.tenant, actor=self.member, order=order, data=data, lines=lines,
                opportunity=self.form.cleaned_data["opportunity"],
            )  # fmt: skip

        return self.submit(request, save)


class OrderDetailView(OrderMixin, TenantView):
    permissions = {"GET": "orders.view"}

    def get(self, request, tenant_slug, pk):
        order = self.load(pk)
        order.uninvoiced = [line for line in order.line_list if not is_invoiced(line)]
        pairs = [("firm", order.firm_id)] + [("order_line", x.pk) for x in order.uninvoiced]
        order.invoice_query = urlencode(pairs)
        context = {"order": order, "can_change": self.can_change}
        return render(request, "sales/orders/order_detail.html", context)


class OrderDeleteView(OrderMixin, TenantView):
    permissions = {"POST": "orders.add"}

    def post(self, request, tenant_slug, pk):
        order = self.load(pk, change=True)
        try:
            services.order_delete(tenant=self.tenant, actor=self.member, order=order)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sales:order-detail", self.tenant.slug, order.pk)
        messages.success(request, _("The order is deleted."))
        return redirect("sales:firm-orders", self.tenant.slug, order.firm_id)


class ServiceListView(TenantView):
    permissions = {"GET": "orders.view"}

    def get(self, request, tenant_slug):
        form = FilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        sort = request.GET.get("sort", "-date")
        sort = sort if sort in selectors.SERVICE_SORTS else "-date"
        services_found = selectors.service_list(
            tenant=self.tenant, member=self.member, filters=filters, sort=sort
        )
        context = {"filter_form": form, "page": paginate(request, services_found), "sort": sort}
        template = "_service_rows" if request.htmx else "service_list"
        return render(request, f"sales/services/{template}.html", context)


class ServiceMixin:
    template = "sales/services/service_form.html"
    service = None

    def load(self, pk, *, change=False):
        service = selectors.service_get(tenant=self.tenant, member=self.member, pk=pk)
        self.can_change = selectors.can_change(
            tenant=self.tenant, member=self.member, record=service
        )
        if change and not self.can_change:
            raise PermissionDenied
        self.service = service
        return service

    def form(self, data=None, initial=None):
        return ServiceForm(
            data, tenant=self.tenant, member=self.member, service=self.service, initial=initial
        )

    def render_form(self, request, form, status=200):
        context = {"form": form, "service": self.service}
        return render(request, self.template, context, status=status)

    def submit(self, request, save):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                service = save(form)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The service is saved."))
                return redirect("sales:service-detail", self.tenant.slug, service.pk)
        return self.render_form(request, form, status=400)


class ServiceCreateView(ServiceMixin, TenantView):
    permissions = {"GET": "orders.add", "POST": "orders.add"}

    def get(self, request, tenant_slug):
        initial = {
            "currency": self.tenant.currency, "performed_on": timezone.localdate(), "vat_rate": 20,
            "performed_by": self.member.pk,
        }  # fmt: skip
        found = query_initial(request, {"tenant": self.tenant, "member": self.member})
        initial["firm"] = found.get("firm")  # a service has no opportunity: only its firm
        return self.render_form(request, self.form(initial=initial))

    def post(self, request, tenant_slug):
        return self.submit(
            request,
            lambda form: services.service_create(
                tenant=self.tenant, actor=self.member, firm=form.cleaned_data["firm"],
                data=form.service_data(),
            ),
        )  # fmt: skip


class ServiceEditView(ServiceMixin, TenantView):
    permissions = {"GET": "orders.add", "POST": "orders.add"}

    def get(self, request, tenant_slug, pk):
        service = self.load(pk, change=True)
        initial = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
        initial["performed_by"] = service.performed_by_id
        return self.render_form(request, self.form(initial=initial))

    def post(self, request, tenant_slug, pk):
        service = self.load(pk, change=True)
        return self.submit(
            request,
            lambda form: services.service_update(
                tenant=self.tenant, actor=self.member, service=service,
                data=form.service_data(),
            ),
        )  # fmt: skip


class ServiceDetailView(ServiceMixin, TenantView):
    permissions = {"GET": "orders.view"}

    def get(self, request, tenant_slug, pk):
        service = self.load(pk)
        context = {"service": service, "can_change": self.can_change}
        return render(request, "sales/services/service_detail.html", context)


class ServiceDeleteView(ServiceMixin, TenantView):
    permissions = {"POST": "orders.add"}

    def post(self, request, tenant_slug, pk):
        service = self.load(pk, change=True)
        try:
            services.service_delete(tenant=self.tenant, actor=self.member, service=service)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sales:service-detail", self.tenant.slug, service.pk)
        messages.success(request, _("The service is deleted."))
        return redirect("sales:firm-services", self.tenant.slug, service.firm_id)
