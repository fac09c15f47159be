"""Helpers for tests of sales records: products, orders and services made through the real
services. Other areas' tests may import them (``make_product(world, ...)``,
``make_order(world, firm, ...)``, ``make_service(world, firm, ...)``)."""

from decimal import Decimal

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from catalogue.services import product_create
from core.models import Choice
from sales.models import Invoice, InvoiceLine
from sales.services.orders import order_create, service_create


def unit(world, code="piece"):
    """An entry of the world's Settings list "unit" (piece 1, dozen 12, box 10, kg none...)."""
    with scopes_disabled():
        return Choice.objects.get(tenant=world.tenant, list_key="unit", code=code)


def make_product(world, name="Pump K-40", **fields):
    """A product of the world's catalogue (sale price 100.00 in the tenant's currency, VAT 20%,
    discount allowed, sellable, active unless ``fields`` say otherwise)."""
    data = {
        "name": name,
        "sale_price": Decimal("100.00"),
        "currency": world.tenant.currency,
        "vat_rate": Decimal("20.00"),
        "discount_allowed": True,
        "price_increase_allowed": False,
        "sellable": True,
        "is_active": True,
        **fields,
    }
    with scope(tenant=world.tenant.pk):
        return product_create(tenant=world.tenant, actor=world.executive, data=data)


def line(product, amount="1", unit=None, unit_price=None, discount="0", **extra):
    """One line as ``order_create`` takes it; the price defaults to the product's."""
    return {
        "product": product,
        "amount": Decimal(amount),
        "unit": unit,
        "unit_price": product.sale_price if unit_price is None else Decimal(unit_price),
        "discount_percent": Decimal(discount),
        **extra,
    }


def make_order(world, firm, lines=None, actor=None, **data):
    """An order for ``firm`` (by the executive unless ``actor``); one line of a new product
    when no ``lines`` are given."""
    if lines is None:
        lines = [line(make_product(world))]
    values = {
        "number": "",
        "ordered_on": timezone.localdate(),
        "currency": world.tenant.currency,
        "note": "",
    }
    values.update({k: data.pop(k) for k in list(data) if k in values})
    with scope(tenant=world.tenant.pk):
        return order_create(
            tenant=world.tenant, actor=actor or world.executive, firm=firm, data=values,
            lines=lines, **data,
        )  # fmt: skip


def make_service(world, firm, actor=None, **data):
    values = {
        "title": "Installation",
        "description": "",
        "performed_on": timezone.localdate(),
        "performed_by": world.employee,
        "price": Decimal("250.00"),
        "currency": world.tenant.currency,
        "vat_rate": Decimal("20.00"),
        **data,
    }
    with scope(tenant=world.tenant.pk):
        return service_create(
            tenant=world.tenant, actor=actor or world.executive, firm=firm, data=values
        )


def invoice_directly(world, firm, *, order_line=None, service=None, number="INV-T-1"):
    """An invoice with one line taken from ``order_line`` or ``service``, written straight to
    the database (the invoice area's own service is not needed to test the link states)."""
    with scope(tenant=world.tenant.pk):
        invoice = Invoice.objects.create(tenant=world.tenant, firm=firm, number=number)
        invoice_line = InvoiceLine.objects.create(
            tenant=world.tenant, invoice=invoice, order_line=order_line, service=service,
            description="Invoiced", quantity=Decimal(1), unit_price=Decimal(1),
        )  # fmt: skip
    return invoice_line
