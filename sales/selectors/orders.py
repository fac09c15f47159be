"""Reading products sold (orders) and services (seed 000 "Ürün Bilgileri", "Firma hizmet
bilgisi"). A firm's records are read by whoever can read the firm and changed by whoever can
change it (``companies.selectors.firms.visible_firms``)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from accounts.models import Employee
from catalogue.models import Product
from catalogue.selectors import sellable_products, unit_options
from companies.selectors.firms import can_change_firm, visible_firms
from opportunities.models import Opportunity
from sales.models import Order, OrderLine, Service

ORDER_SORTS = {
    "date": ("ordered_on", "id"),
    "-date": ("-ordered_on", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "firm": ("firm__name", "-ordered_on", "id"),
    "-firm": ("-firm__name", "-ordered_on", "id"),
    "total": ("total", "id"),
    "-total": ("-total", "-id"),
}
SERVICE_SORTS = {
    "date": ("performed_on", "id"),
    "-date": ("-performed_on", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "firm": ("firm__name", "-performed_on", "id"),
    "-firm": ("-firm__name", "-performed_on", "id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
}


def writable_firms(*, tenant, member):
    """Firms ``member`` may record products sold and services for."""
    return visible_firms(tenant=tenant, member=member, write=True).order_by("name", "pk")


def can_change(*, tenant, member, record):
    """Whether ``member`` may change an order or service (write access to its firm)."""
    return can_change_firm(tenant=tenant, member=member, firm=record.firm)


def _lines_prefetch():
    lines = OrderLine.objects.select_related("product", "unit", "invoice_line").order_by(
        "position", "id"
    )
    return Prefetch("lines", queryset=lines)


def visible_orders(*, tenant, member):
    """Every order on a firm ``member`` may read."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Order.objects.filter(tenant=tenant, firm_id__in=firms)


def _uninvoiced_lines():
    return OrderLine.objects.filter(order_id=OuterRef("pk"), invoice_line__isnull=True)


def _date_range(qs, field, f):
    if f.get("date_from"):
        qs = qs.filter(**{f"{field}__gte": f["date_from"]})
    if f.get("date_to"):
        qs = qs.filter(**{f"{field}__lt": f["date_to"] + timedelta(days=1)})
    return qs


def order_list(*, tenant, member, filters=None, sort="-date"):
    """The overall list of products sold: orders with their lines, newest first."""
    f = filters or {}
    qs = visible_orders(tenant=tenant, member=member)
    if f.get("firm"):
        qs = qs.filter(firm_id=f["firm"])
    qs = _date_range(qs, "ordered_on", f)
    if f.get("product"):
        qs = qs.filter(
            Exists(OrderLine.objects.filter(order_id=OuterRef("pk"), product_id=f["product"]))
        )
    if f.get("invoiced") == "yes":
        qs = qs.filter(~Exists(_uninvoiced_lines()))
    elif f.get("invoiced") == "no":
        qs = qs.filter(Exists(_uninvoiced_lines()))
    if f.get("q"):
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(firm__name__icontains=f["q"]))
    return (
        qs.select_related("firm")
        .prefetch_related(_lines_prefetch())
        .order_by(*ORDER_SORTS.get(sort, ORDER_SORTS["-date"]))
    )


def firm_orders(*, tenant, firm):
    """A firm's orders, newest first, each with its lines and their invoice lines."""
    return (
        Order.objects.filter(tenant=tenant, firm=firm)
        .select_related("created_by")
        .prefetch_related(_lines_prefetch())
        .order_by("-ordered_on", "-id")
    )


def order_get(*, tenant, member, pk):
    """One visible order (404 when its firm is out of the member's reach)."""
    qs = visible_orders(tenant=tenant, member=member).select_related(
        "firm", "opportunity", "offer", "created_by"
    )
    return get_object_or_404(qs, pk=pk)


def order_detail(*, tenant, member, pk):
    """One visible order with ``line_list`` loaded (lines, products, units, invoice lines)."""
    order = order_get(tenant=tenant, member=member, pk=pk)
    order.line_list = list(
        OrderLine.objects.filter(tenant=tenant, order=order)
        .select_related("product", "unit", "invoice_line")
        .order_by("position", "id")
    )
    return order


def line_products(*, tenant, include=()):
    """The products an order line may name, read once for every line of the form."""
    return list(sellable_products(tenant=tenant, include=include).order_by("name", "id"))


def line_units(*, tenant, include=()):
    return list(unit_options(tenant=tenant, include=include))


def product_filter_options(*, tenant):
    """Every product of the tenant, for the list's product filter."""
    return Product.objects.filter(tenant=tenant).only("pk", "code", "name").order_by("name", "pk")


def performer_options(*, tenant, include=None):
    """Who may have performed a service: working employees, and the one already named."""
    rule = Q(status=Employee.Status.WORKING)
    if include:
        rule |= Q(pk=include)
    return Employee.objects.filter(tenant=tenant).filter(rule).order_by("first_name", "last_name")


def opportunity_get(*, tenant, member, pk):
    """A visible opportunity (its firm is visible), or None."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return (
        Opportunity.objects.filter(tenant=tenant, firm_id__in=firms, pk=pk)
        .select_related("firm")
        .first()
    )


def firm_opportunities(*, tenant, firm):
    """The opportunities of ``firm`` an order may be linked to."""
    if firm is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(tenant=tenant, firm=firm).order_by("-created_at", "-id")


def visible_services(*, tenant, member):
    """Every service on a firm ``member`` may read."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Service.objects.filter(tenant=tenant, firm_id__in=firms)


def _service_relations(qs):
    return qs.select_related("firm", "performed_by", "invoice_line", "contract")


def service_list(*, tenant, member, filters=None, sort="-date"):
    """The overall list of services, newest first."""
    f = filters or {}
    qs = visible_services(tenant=tenant, member=member)
    if f.get("firm"):
        qs = qs.filter(firm_id=f["firm"])
    qs = _date_range(qs, "performed_on", f)
    if f.get("invoiced") == "yes":
        qs = qs.filter(invoice_line__isnull=False)
    elif f.get("invoiced") == "no":
        qs = qs.filter(invoice_line__isnull=True)
    if f.get("q"):
        qs = qs.filter(Q(title__icontains=f["q"]) | Q(firm__name__icontains=f["q"]))
    return _service_relations(qs).order_by(*SERVICE_SORTS.get(sort, SERVICE_SORTS["-date"]))


def firm_services(*, tenant, firm):
    """A firm's services, newest first, with their invoice line and contract."""
    qs = Service.objects.filter(tenant=tenant, firm=firm)
    return _service_relations(qs).order_by("-performed_on", "-id")


def service_get(*, tenant, member, pk):
    """One visible service (404 when its firm is out of the member's reach)."""
    qs = _service_relations(visible_services(tenant=tenant, member=member)).select_related(
        "created_by"
    )
    return get_object_or_404(qs, pk=pk)
