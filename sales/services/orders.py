"""Writing products sold (orders) and services.

An order line is an ``amount`` in a ``unit`` of the Settings list "unit"; its ``quantity`` in
pieces is the amount times the unit's number (the amount itself when the unit has no number).
The unit price is per entered unit, so a line's amounts are
``line_amounts(quantity=amount, ...)`` at the product's VAT rate, and the order stores the
sum of its lines (``core.money.totals``).

The product flags that limit a price (no discount; no price above the sale price for
representatives) are checked by the order form, not here: :func:`order_create` is also how an
accepted offer becomes an order, and the offer has checked them already. What is checked here
always: the tenant of everything, write access to the firm, an active and sellable product
on every new line, amounts that fit the columns. An invoiced line (one with an
``InvoiceLine``) cannot change or go, so neither can its order.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from catalogue.selectors import UNIT_LIST
from companies.selectors.firms import can_change_firm
from core import audit
from core.models import AuditEntry
from core.money import CURRENCIES, cents, line_amounts, totals
from core.sequences import next_value
from sales.models import Order, OrderLine, Service

ORDER_FIELDS = ("number", "ordered_on", "currency", "note")
AUDITED = (*ORDER_FIELDS, "firm", "opportunity", "offer", "net", "vat", "total")
SERVICE_FIELDS = (
    "title", "description", "performed_on", "performed_by", "price", "currency", "vat_rate",
)  # fmt: skip
SERVICE_PRICE_FIELDS = ("price", "currency", "vat_rate")
NUMBER_SEQUENCE = "order"
MONEY_LIMIT = Decimal("1e14")  # 16 digits, 2 of them after the point
QUANTITY_LIMIT = Decimal("1e11")  # 14 digits, 3 of them after the point
THOUSANDTH = Decimal("0.001")
LINE_LIMIT = 200


def piece_quantity(amount, unit):
    """The pieces in ``amount`` of ``unit``: amount × the unit's number, if it has one."""
    number = getattr(unit, "number", None)
    if number is None:
        return Decimal(amount)
    return (Decimal(amount) * number).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def reference_price(product, unit):
    """The product's sale price for one ``unit``: scaled from the product's own unit when
    both units say how many pieces they hold, else the sale price as it is."""
    own = product.unit
    if unit is None or own is None or unit.pk == own.pk or not unit.number or not own.number:
        return product.sale_price
    return cents(product.sale_price * unit.number / own.number)


def is_invoiced(record):
    """Whether an order line or a service has an invoice line."""
    try:
        return record.invoice_line is not None
    except ObjectDoesNotExist:
        return False


def _require_change(tenant, actor, firm):
    if firm.tenant_id != tenant.pk:
        raise ValidationError({"firm": _("Select a valid choice.")})
    if not can_change_firm(tenant=tenant, member=actor, firm=firm):
        raise PermissionDenied(_("You cannot change this firm's records."))


def _check_links(tenant, firm, **links):
    for name, value in links.items():
        if value is not None and (value.tenant_id != tenant.pk or value.firm_id != firm.pk):
            raise ValidationError({name: _("It belongs to another firm.")})


def _check_currency(value):
    if value not in dict(CURRENCIES):
        raise ValidationError({"currency": _("Select a valid choice.")})


def _check_line(tenant, values, *, new_product):
    product, unit = values["product"], values.get("unit")
    if product.tenant_id != tenant.pk:
        raise ValidationError({"lines": _("Select a valid product.")})
    if new_product and not (product.is_active and product.sellable):
        raise ValidationError({"lines": _("%(product)s is not for sale.") % {"product": product}})
    if unit is not None and (unit.tenant_id != tenant.pk or unit.list_key != UNIT_LIST):
        raise ValidationError({"lines": _("Select a valid unit.")})
    if not Decimal(values["amount"]) > 0:
        raise ValidationError({"lines": _("The amount must be more than zero.")})
    if Decimal(values["unit_price"]) < 0:
        raise ValidationError({"lines": _("The unit price cannot be negative.")})
    if not 0 <= Decimal(values.get("discount_percent") or 0) <= 100:
        raise ValidationError({"lines": _("The discount must be between 0 and 100%.")})


def _fill(line, values, *, position, vat_rate):
    """Set a line's values and work out its quantity and amounts."""
    line.position = position
    line.product = values["product"]
    line.unit = values.get("unit")
    line.amount = Decimal(values["amount"]).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
    line.unit_price = cents(values["unit_price"])
    line.discount_percent = Decimal(values.get("discount_percent") or 0)
    line.description = (values.get("description") or line.product.name)[:255]
    line.vat_rate = vat_rate
    line.quantity = piece_quantity(line.amount, line.unit)
    amounts = line_amounts(
        quantity=line.amount, unit_price=line.unit_price,
        discount_percent=line.discount_percent, vat_rate=vat_rate,
    )  # fmt: skip
    if line.quantity >= QUANTITY_LIMIT or amounts.gross >= MONEY_LIMIT:
        raise ValidationError({"lines": _("The amount or price is too large.")})
    line.net, line.vat, line.total = amounts.net, amounts.vat, amounts.total
    return line


def _new_number(tenant):
    while True:
        number = f"S{next_value(tenant=tenant, name=NUMBER_SEQUENCE):06d}"
        if not Order.objects.filter(tenant=tenant, number__iexact=number).exists():
            return number


def _number(tenant, number, exclude=None):
    """The order's number: the one given (unique in the tenant), or the next free one."""
    number = (number or "").strip()
    if not number:
        return _new_number(tenant)
    clash = Order.objects.filter(tenant=tenant, number__iexact=number)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"number": _("Another order has this number.")})
    return number


def _save_order(order, **kwargs):
    """Save; the same number taken at the same moment is a form error. Any other integrity
    error (an offer turned into an order twice) goes to the caller."""
    try:
        with transaction.atomic():
            order.save(**kwargs)
    except IntegrityError as error:
        if "order_unique_number" in str(error):
            raise ValidationError({"number": _("Another order has this number.")}) from error
        raise


def _store_totals(order, lines):
    summed = totals(lines)
    if summed.total >= MONEY_LIMIT:
        raise ValidationError({"lines": _("The amount or price is too large.")})
    order.net, order.vat, order.total = summed.net, summed.vat, summed.total
    order.save(update_fields=["net", "vat", "total", "updated_at"])


def _snapshot(order, lines):
    values = audit.snapshot(order, AUDITED)
    values["lines"] = "; ".join(
        f"{line.product.code} {line.amount.normalize():f} {line.unit or ''} × "
        f"{line.unit_price} −{line.discount_percent.normalize():f}%"
        for line in lines
    )
    return values


def _firm_event(tenant, actor, firm, summary):
    audit.record(
        tenant=tenant, actor=actor.user, instance=firm, action=AuditEntry.Action.EVENT,
        summary=summary,
    )  # fmt: skip


def _check_lines_given(lines):
    if not lines:
        raise ValidationError({"lines": _("Add at least one product.")})
    if len(lines) > LINE_LIMIT:
        raise ValidationError(
            {"lines": _("An order holds at most %(n)s lines.") % {"n": LINE_LIMIT}}
        )


@transaction.atomic
def order_create(*, tenant, actor, firm, data, lines, offer=None, opportunity=None):
    """Record products sold to ``firm`` under one order number.

    ``actor``: the acting ``accounts.Employee`` (needs write access to the firm).
    ``data``: ``number`` ("" for the next of the sequence "order"), ``ordered_on``,
    ``currency``, ``note``. ``lines``: dicts of ``product``, ``amount``, ``unit`` (a Choice of
    the list "unit" or None), ``unit_price``, ``discount_percent`` and optionally
    ``description``. The price flags of the products are not checked here (see the module).
    """
    _require_change(tenant, actor, firm)
    _check_links(tenant, firm, offer=offer, opportunity=opportunity)
    _check_currency(data["currency"])
    lines = list(lines)
    _check_lines_given(lines)
    for values in lines:
        _check_line(tenant, values, new_product=True)
    order = Order(
        tenant=tenant, firm=firm, offer=offer, opportunity=opportunity, created_by=actor,
        ordered_on=data["ordered_on"], currency=data["currency"], note=data.get("note", ""),
    )  # fmt: skip
    order.number = _number(tenant, data.get("number"))
    _save_order(order)
    built = [
        _fill(OrderLine(tenant=tenant, order=order), values, position=i,
              vat_rate=values["product"].vat_rate)
        for i, values in enumerate(lines)
    ]  # fmt: skip
    OrderLine.objects.bulk_create(built)
    _store_totals(order, built)
    audit.record(
        tenant=tenant, actor=actor.user, instance=order, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, _snapshot(order, built)),
    )  # fmt: skip
    return order


def _locked_lines(tenant, order):
    qs = (
        OrderLine.objects.select_for_update(of=("self",))
        .filter(tenant=tenant, order=order)
        .select_related("product", "unit", "invoice_line")
        .order_by("position", "id")
    )
    return list(qs)


def _differs(line, values):
    """Whether ``values`` change what an (invoiced) line sold."""
    unit = values.get("unit")
    return (
        values["product"].pk != line.product_id
        or (unit.pk if unit else None) != line.unit_id
        or Decimal(values["amount"]) != line.amount
        or cents(values["unit_price"]) != line.unit_price
        or Decimal(values.get("discount_percent") or 0) != line.discount_percent
    )


def _apply_lines(tenant, order, existing, lines):
    """Update, add and remove lines; invoiced ones stay as they are."""
    kept, result = set(), []
    for position, values in enumerate(lines):
        line = existing.get(values.get("id")) if values.get("id") is not None else None
        if values.get("id") is not None and line is None:
            raise ValidationError({"lines": _("A line of this order no longer exists.")})
        if line is None:
            _check_line(tenant, values, new_product=True)
            line = OrderLine(tenant=tenant, order=order)
            vat_rate = values["product"].vat_rate
        else:
            kept.add(line.pk)
            if is_invoiced(line) and _differs(line, values):
                raise ValidationError(
                    {"lines": _("%(product)s is invoiced: its line cannot change.")
                     % {"product": line.product}}
                )  # fmt: skip
            same = values["product"].pk == line.product_id
            _check_line(tenant, values, new_product=not same)
            vat_rate = line.vat_rate if same else values["product"].vat_rate
        result.append(_fill(line, values, position=position, vat_rate=vat_rate))
    for pk, line in existing.items():
        if pk not in kept and is_invoiced(line):
            raise ValidationError(
                {"lines": _("%(product)s is invoiced: its line cannot be removed.")
                 % {"product": line.product}}
            )  # fmt: skip
    OrderLine.objects.filter(tenant=tenant, order=order).exclude(pk__in=kept).delete()
    for line in result:
        line.save()
    return result


@transaction.atomic
def order_update(*, tenant, actor, order, data, lines, opportunity=None):
    """Change an order: its number, date, currency, note, opportunity and lines.

    ``lines`` as for :func:`order_create`; a dict with ``id`` changes that line of the order,
    one without adds a line, and a line not named is removed. The firm stays; an empty number
    keeps the current one.
    """
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("firm")
        .get(tenant=tenant, pk=order.pk)
    )
    _require_change(tenant, actor, order.firm)
    _check_links(tenant, order.firm, opportunity=opportunity)
    _check_currency(data["currency"])
    lines = list(lines)
    _check_lines_given(lines)
    existing = {line.pk: line for line in _locked_lines(tenant, order)}
    before = _snapshot(order, existing.values())
    order.number = _number(tenant, data.get("number") or order.number, exclude=order.pk)
    order.ordered_on, order.currency = data["ordered_on"], data["currency"]
    order.note, order.opportunity = data.get("note", ""), opportunity
    _save_order(order)
    try:
        result = _apply_lines(tenant, order, existing, lines)
    except ProtectedError as error:  # invoiced meanwhile
        raise ValidationError({"lines": _("A removed line was invoiced meanwhile.")}) from error
    _store_totals(order, result)
    audit.record(
        tenant=tenant, actor=actor.user, instance=order, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, _snapshot(order, result)),
    )  # fmt: skip
    return order


@transaction.atomic
def order_delete(*, tenant, actor, order):
    """Delete an order and its lines; refused while any line is invoiced."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("firm")
        .get(tenant=tenant, pk=order.pk)
    )
    _require_change(tenant, actor, order.firm)
    lines = _locked_lines(tenant, order)
    refused = ValidationError(
        _("This order has invoiced lines: delete their invoice first."), code="invoiced"
    )
    if any(is_invoiced(line) for line in lines):
        raise refused
    audit.record(
        tenant=tenant, actor=actor.user, instance=order, action=AuditEntry.Action.DELETE,
        changes=audit.diff(_snapshot(order, lines), {}), summary=order.number,
    )  # fmt: skip
    _firm_event(tenant, actor, order.firm, _("Order %(number)s deleted") % {"number": order})
    try:
        with transaction.atomic():
            order.delete()
    except ProtectedError as error:
        raise refused from error


def _check_service(tenant, data):
    _check_currency(data["currency"])
    person = data.get("performed_by")
    if person is not None and person.tenant_id != tenant.pk:
        raise ValidationError({"performed_by": _("Select a valid choice.")})
    price, rate = Decimal(data["price"]), Decimal(data["vat_rate"])
    if not (0 <= price < MONEY_LIMIT / 100 and 0 <= rate <= 100):
        raise ValidationError({"price": _("Enter a price and a VAT rate in range.")})


@transaction.atomic
def service_create(*, tenant, actor, firm, data):
    """Record work done for ``firm``; ``data`` holds the fields of ``SERVICE_FIELDS``."""
    _require_change(tenant, actor, firm)
    _check_service(tenant, data)
    service = Service(tenant=tenant, firm=firm, created_by=actor)
    for name in SERVICE_FIELDS:
        setattr(service, name, data.get(name, "") if name == "description" else data[name])
    service.price = cents(service.price)
    service.save()
    audit.record(
        tenant=tenant, actor=actor.user, instance=service, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(service, SERVICE_FIELDS)),
    )  # fmt: skip
    return service


def _locked_service(tenant, service):
    return (
        Service.objects.select_for_update(of=("self",))
        .select_related("firm", "invoice_line")
        .get(tenant=tenant, pk=service.pk)
    )


@transaction.atomic
def service_update(*, tenant, actor, service, data):
    """Change a service; once invoiced its price, currency and VAT rate stay."""
    service = _locked_service(tenant, service)
    _require_change(tenant, actor, service.firm)
    _check_service(tenant, data)
    before = audit.snapshot(service, SERVICE_FIELDS)
    if is_invoiced(service) and any(
        getattr(service, name) != data[name] for name in SERVICE_PRICE_FIELDS
    ):
        raise ValidationError({"price": _("The service is invoiced: its price cannot change.")})
    for name in SERVICE_FIELDS:
        setattr(service, name, data.get(name, "") if name == "description" else data[name])
    service.price = cents(service.price)
    service.save()
    audit.record(
        tenant=tenant, actor=actor.user, instance=service, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(service, SERVICE_FIELDS)),
    )  # fmt: skip
    return service


@transaction.atomic
def service_delete(*, tenant, actor, service):
    """Delete a service; refused while it is invoiced (a contract made for it stays)."""
    service = _locked_service(tenant, service)
    _require_change(tenant, actor, service.firm)
    refused = ValidationError(
        _("This service is invoiced: delete its invoice first."), code="invoiced"
    )
    if is_invoiced(service):
        raise refused
    audit.record(
        tenant=tenant, actor=actor.user, instance=service, action=AuditEntry.Action.DELETE,
        changes=audit.diff(audit.snapshot(service, SERVICE_FIELDS), {}), summary=service.title,
    )  # fmt: skip
    _firm_event(tenant, actor, service.firm, _("Service deleted: %(title)s") % {"title": service})
    try:
        with transaction.atomic():
            service.delete()
    except ProtectedError as error:
        raise refused from error
