"""Matrix entries for products sold (orders) and services (see tests/test_permission_matrix.py).

The firm is the employee's (the manager reaches it through the team), so every role reads and
changes its records. The order's line and the service are invoiced, so deleting them is
refused with a redirect and the roles that follow still find them.
"""

from django_scopes import scope

from companies.services.firms import firm_create
from sales.models import OrderLine
from tests.matrix.common import EVERYONE, REDIRECT
from tests.sales_helpers import invoice_directly, make_order, make_service

EVERYONE_REDIRECT = {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT}


def prepare(w):
    with scope(tenant=w.tenant.pk):
        w.orders_firm = firm_create(
            tenant=w.tenant, actor=w.executive.user,
            data={"name": "Matrix Order Firm", "type": "customer", "sales_rep": w.employee},
        )  # fmt: skip
    w.order = make_order(w, w.orders_firm)
    w.service = make_service(w, w.orders_firm)
    with scope(tenant=w.tenant.pk):
        order_line = OrderLine.objects.get(order=w.order)
    invoice_directly(w, w.orders_firm, order_line=order_line, number="MATRIX-1")
    invoice_directly(w, w.orders_firm, service=w.service, number="MATRIX-2")


def firm(w):
    return {"pk": w.orders_firm.pk}


def order(w):
    return {"pk": w.order.pk}


def service(w):
    return {"pk": w.service.pk}


MATRIX = {
    "sales:firm-orders": ("GET", firm, EVERYONE),
    "sales:firm-services": ("GET", firm, EVERYONE),
    "sales:order-list": ("GET", None, EVERYONE),
    "sales:order-create": ("GET", None, EVERYONE),
    "sales:order-detail": ("GET", order, EVERYONE),
    "sales:order-edit": ("GET", order, EVERYONE),
    "sales:order-delete": ("POST", order, EVERYONE_REDIRECT),
    "sales:service-list": ("GET", None, EVERYONE),
    "sales:service-create": ("GET", None, EVERYONE),
    "sales:service-detail": ("GET", service, EVERYONE),
    "sales:service-edit": ("GET", service, EVERYONE),
    "sales:service-delete": ("POST", service, EVERYONE_REDIRECT),
}
