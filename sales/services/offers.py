"""Writing offers: the offer and its lines, its states, and the order it becomes.

States: a **draft** is edited freely; the dispatch makes it **sent** (``offer_mark_sent``, the
offer source's ``on_sent``); the firm's answer makes it **accepted** or **rejected**
(``offer_accept`` / ``offer_reject``, with a comment; ``offer_decide_by_firm`` when the firm
answers in the portal); the daily beat makes a sent offer past its validity **expired**
(``offers_expire``); ``offer_reopen`` takes any of them back to draft to be changed (not an
accepted offer that already has an order). Only a draft is editable.

Lines keep their own price, discount and VAT rate and their worked-out amounts
(``core.money.line_amounts``); the offer stores their sum (``core.money.totals``). A product's
flags bind the price: no discount on a product that allows none (nor a price below its sale
price), and no price above its sale price unless the product allows it or the member is a
manager or executive.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from companies.models import FirmContact
from companies.services.firms import firm_advance_status
from core import audit
from core.models import AuditEntry
from core.money import CURRENCIES, line_amounts, totals
from core.sequences import next_value
from sales.models import Offer, OfferLine, OfferStatus, Order
from sales.selectors import offers as selectors
from sales.services.orders import order_create

FIELDS = (
    "number",
    "title",
    "firm",
    "contact",
    "issued_on",
    "valid_until",
    "currency",
    "terms",
    "template",
    "opportunity",
)
AUDITED = (*FIELDS, "status", "net", "vat", "total", "owner")
MAX_LINES = 200
# Amounts are stored with 16 digits, two after the point.
MAX_AMOUNT = Decimal(10) ** 14
ZERO = Decimal("0.00")
ORDERABLE = {OfferStatus.ACCEPTED}
# The longest comment a firm's answer takes (as the staff's decision form).
DECISION_COMMENT_LIMIT = 2000


def _user(actor):
    """The audit log names users; services take the acting member (or a user)."""
    return getattr(actor, "user", actor)


def may_raise_prices(member):
    """Managers and executives may offer a product above its sale price."""
    return bool(member is not None and (member.is_manager or member.reaches_everything))


def _invalid(field):
    return ValidationError({field: _("Select a valid choice.")})


def _check_references(*, tenant, actor, data, offer=None):
    firm = data["firm"]
    if firm.tenant_id != tenant.pk or not (
        selectors.offer_firms(tenant=tenant, member=actor).filter(pk=firm.pk).exists()
    ):
        raise _invalid("firm")
    contact = data.get("contact")
    if (
        contact is not None
        and not FirmContact.objects.filter(tenant=tenant, firm=firm, contact=contact).exists()
    ):
        raise ValidationError({"contact": _("Choose a contact of the firm.")})
    opportunity = data.get("opportunity")
    if opportunity is not None and (
        opportunity.tenant_id != tenant.pk or opportunity.firm_id != firm.pk
    ):
        raise ValidationError({"opportunity": _("Choose an opportunity of the firm.")})
    template = data.get("template")
    if template is not None and not (
        selectors.template_options(tenant=tenant).filter(pk=template.pk).exists()
    ):
        raise _invalid("template")
    if data["currency"] not in dict(CURRENCIES):
        raise _invalid("currency")
    if data.get("valid_until") and data["valid_until"] < data["issued_on"]:
        raise ValidationError({"valid_until": _("The validity cannot end before the offer date.")})
    number = data.get("number") or ""
    if number:
        taken = Offer.objects.filter(tenant=tenant, number__iexact=number)
        if offer is not None:
            taken = taken.exclude(pk=offer.pk)
        if taken.exists():
            raise ValidationError({"number": _("Another offer has this number.")})


def _line_error(index, field, message):
    return ValidationError({f"lines.{index}.{field}": message})


def _check_price(index, product, line, currency, may_raise):
    """Refuse a price the product's flags do not allow (see the module's docstring)."""
    params = {"product": product.name, "price": product.sale_price, "currency": product.currency}
    may_increase = product.price_increase_allowed or may_raise
    field = "unit_price"
    if line["discount_percent"] and not product.discount_allowed:
        field, message = "discount_percent", _("No discount may be given on %(product)s.")
    elif product.currency != currency:
        if product.discount_allowed and may_increase:
            return  # nothing to compare the price with, and nothing that needs comparing
        message = _(
            "%(product)s is priced in %(currency)s; it can only be offered in %(currency)s."
        )
    elif line["unit_price"] < product.sale_price and not product.discount_allowed:
        message = _("%(product)s allows no discount: its price cannot be below %(price)s.")
    elif line["unit_price"] > product.sale_price and not may_increase:
        message = _(
            "The price of %(product)s cannot be above its sale price of %(price)s; only a "
            "manager can raise it."
        )
    else:
        return
    raise _line_error(index, field, message % params)


def _check_product(index, tenant, product):
    if product.tenant_id != tenant.pk:
        raise _line_error(index, "product", _("Select a valid choice."))
    if not (product.is_active and product.sellable):
        raise _line_error(
            index, "product", _("%(product)s is no longer sold.") % {"product": product.name}
        )


def _priced_line(*, tenant, index, line, currency, may_raise):
    """The line's values with the product's defaults filled in and its amounts worked out."""
    product, unit = line.get("product"), line.get("unit")
    values = {
        "product": product,
        "unit": unit,
        "description": (line.get("description") or "").strip(),
        "quantity": line["quantity"],
        "unit_price": line.get("unit_price"),
        "discount_percent": line.get("discount_percent") or Decimal(0),
        "vat_rate": line.get("vat_rate"),
    }
    if product is not None:
        _check_product(index, tenant, product)
        if values["unit_price"] is None:
            values["unit_price"] = product.sale_price
        if values["vat_rate"] is None:
            values["vat_rate"] = product.vat_rate
        if values["unit"] is None:
            values["unit"] = product.unit
    elif not values["description"]:
        raise _line_error(index, "description", _("Choose a product or describe the line."))
    if values["unit_price"] is None:
        raise _line_error(index, "unit_price", _("Enter a unit price."))
    if values["vat_rate"] is None:
        values["vat_rate"] = Decimal(0)
    if unit is not None and (unit.tenant_id != tenant.pk or unit.list_key != "unit"):
        raise _line_error(index, "unit", _("Select a valid choice."))
    if values["quantity"] <= 0:
        raise _line_error(index, "quantity", _("The quantity must be more than zero."))
    if product is not None:
        _check_price(index, product, values, currency, may_raise)
    amounts = line_amounts(
        quantity=values["quantity"],
        unit_price=values["unit_price"],
        discount_percent=values["discount_percent"],
        vat_rate=values["vat_rate"],
    )
    if abs(amounts.total) >= MAX_AMOUNT or abs(amounts.gross) >= MAX_AMOUNT:
        raise _line_error(index, "quantity", _("The amount of this line is too large."))
    values.update(net=amounts.net, vat=amounts.vat, total=amounts.total)
    return values


def priced_lines(*, tenant, actor, lines, currency):
    """Check and price ``lines`` (dicts); raise ValidationError keyed ``lines.<i>.<field>``."""
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {"lines": _("An offer has at most %(max)s lines.") % {"max": MAX_LINES}}
        )
    may_raise = may_raise_prices(actor)
    priced = [
        _priced_line(tenant=tenant, index=i, line=line, currency=currency, may_raise=may_raise)
        for i, line in enumerate(lines)
    ]
    if abs(totals(priced).total) >= MAX_AMOUNT:
        raise ValidationError({"lines": _("The offer's total is too large.")})
    return priced


def _write(*, tenant, offer, data, priced):
    for name in FIELDS:
        setattr(offer, name, data.get(name))
    offer.number = offer.number or ""
    offer.terms = offer.terms or ""
    if not offer.number:
        offer.number = _next_number(tenant)
    summed = totals(priced)
    offer.net, offer.vat, offer.total = summed.net, summed.vat, summed.total
    offer.save()
    OfferLine.objects.filter(tenant=tenant, offer=offer).delete()
    OfferLine.objects.bulk_create(
        OfferLine(tenant=tenant, offer=offer, position=position, **values)
        for position, values in enumerate(priced, start=1)
    )
    return offer


def _signature(lines):
    """What the lines say, to tell whether an edit changed them."""
    names = ("description", "quantity", "unit_price", "discount_percent", "vat_rate")
    return [
        (
            line.get("product_id", getattr(line.get("product"), "pk", None)),
            line.get("unit_id", getattr(line.get("unit"), "pk", None)),
            *(Decimal(line[n]) if n != "description" else line[n] for n in names),
        )
        for line in lines
    ]


def _next_number(tenant):
    """The next free number from the tenant's "offer" sequence (a typed number may hold one)."""
    while True:
        number = f"OF{next_value(tenant=tenant, name='offer'):06d}"
        if not Offer.objects.filter(tenant=tenant, number__iexact=number).exists():
            return number


@transaction.atomic
def offer_create(*, tenant, actor, data, lines):
    """A new draft offer owned by ``actor`` (a member) with its priced ``lines``.

    ``data``: the fields of ``FIELDS`` (a blank number takes the next from the sequence);
    ``lines``: dicts with product, description, quantity, unit, unit_price, discount_percent,
    vat_rate (a blank price, VAT rate or unit is taken from the product).
    """
    _check_references(tenant=tenant, actor=actor, data=data)
    priced = priced_lines(tenant=tenant, actor=actor, lines=lines, currency=data["currency"])
    offer = Offer(tenant=tenant, owner=actor, status=OfferStatus.DRAFT)
    _write(tenant=tenant, offer=offer, data=data, priced=priced)
    audit.record(
        tenant=tenant,
        actor=_user(actor),
        instance=offer,
        action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(offer, AUDITED)),
    )
    return offer


def _locked(tenant, offer):
    return Offer.objects.select_for_update().select_related("firm").get(tenant=tenant, pk=offer.pk)


def _require_change(tenant, actor, offer):
    if not selectors.can_change_offer(tenant=tenant, member=actor, offer=offer):
        raise PermissionDenied(_("You cannot change the offers of this firm."))


@transaction.atomic
def offer_update(*, tenant, actor, offer, data, lines):
    """Change a draft offer and replace its lines; a sent or decided offer is refused."""
    offer = _locked(tenant, offer)
    _require_change(tenant, actor, offer)
    if not selectors.is_editable(offer):
        raise ValidationError(_("Only a draft can be changed: take the offer back to draft first."))
    _check_references(tenant=tenant, actor=actor, data=data, offer=offer)
    priced = priced_lines(tenant=tenant, actor=actor, lines=lines, currency=data["currency"])
    before = audit.snapshot(offer, AUDITED)
    lines_before = _signature(OfferLine.objects.filter(tenant=tenant, offer=offer).values())
    _write(tenant=tenant, offer=offer, data=data, priced=priced)
    lines_changed = lines_before != _signature(priced)
    audit.record(
        tenant=tenant,
        actor=_user(actor),
        instance=offer,
        action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(offer, AUDITED)),
        summary=_("Lines changed") if lines_changed else "",
    )
    return offer


def _move(*, tenant, actor, offer, to, allowed, comment=None):
    """Change the status of a locked ``offer``; the audit entry carries the new status's code
    (``code``), which the firm's timeline reads."""
    if offer.status not in allowed:
        raise ValidationError(
            _("This cannot be done to an offer that is %(status)s.")
            % {"status": offer.get_status_display().lower()}
        )
    old = offer.get_status_display()
    offer.status = to
    fields = ["status", "updated_at"]
    if comment is not None:
        offer.decided_at = timezone.now() if to != OfferStatus.DRAFT else None
        offer.decision_comment = comment
        fields += ["decided_at", "decision_comment"]
    offer.save(update_fields=fields)
    change = {"field": "status", "old": old, "new": offer.get_status_display(), "code": to}
    audit.record(
        tenant=tenant,
        actor=_user(actor),
        instance=offer,
        action=AuditEntry.Action.EVENT,
        changes=[change],
        summary=comment or "",
    )
    return offer


@transaction.atomic
def offer_mark_sent(*, tenant, actor, offer):
    """The dispatch sent ``offer``: a draft becomes "sent" and its firm "in talks".

    Called inside the dispatch's transaction; sending an offer that is no longer a draft again
    (to another contact) changes nothing.
    """
    offer = _locked(tenant, offer)
    if offer.status != OfferStatus.DRAFT:
        return offer
    _move(tenant=tenant, actor=actor, offer=offer, to=OfferStatus.SENT, allowed={OfferStatus.DRAFT})
    firm_advance_status(tenant=tenant, actor=_user(actor), firm=offer.firm, event="material_sent")
    return offer


def _decide(*, tenant, actor, offer, to, comment):
    offer = _locked(tenant, offer)
    _require_change(tenant, actor, offer)
    return _move(tenant=tenant, actor=actor, offer=offer, to=to, allowed=selectors.DECIDABLE,
                 comment=comment)  # fmt: skip


@transaction.atomic
def offer_accept(*, tenant, actor, offer, comment=""):
    """The firm accepted a sent (or expired) offer."""
    return _decide(
        tenant=tenant, actor=actor, offer=offer, to=OfferStatus.ACCEPTED, comment=comment
    )


@transaction.atomic
def offer_reject(*, tenant, actor, offer, comment=""):
    """The firm turned a sent (or expired) offer down."""
    return _decide(
        tenant=tenant, actor=actor, offer=offer, to=OfferStatus.REJECTED, comment=comment
    )


@transaction.atomic
def offer_reopen(*, tenant, actor, offer):
    """Back to draft, to be changed and sent again; not once an order was made from it."""
    offer = _locked(tenant, offer)
    _require_change(tenant, actor, offer)
    if Order.objects.filter(tenant=tenant, offer=offer).exists():
        raise ValidationError(_("An order was made from this offer: it cannot go back to draft."))
    allowed = {OfferStatus.SENT, OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.EXPIRED}
    return _move(
        tenant=tenant, actor=actor, offer=offer, to=OfferStatus.DRAFT, allowed=allowed, comment=""
    )


class OrderExists(ValidationError):
    """The offer already became an order (``order``)."""

    def __init__(self, order):
        self.order = order
        super().__init__(_("An order was already made from this offer."), code="order_exists")


def order_lines(lines):
    """The offer's product lines as ``order_create`` takes them, and the lines left out."""
    taken, skipped = [], []
    for line in lines:
        if line.product_id is None:
            skipped.append(line)
            continue
        taken.append(
            {
                "product": line.product,
                "amount": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "description": line.description,
            }
        )
    return taken, skipped


@transaction.atomic
def offer_order_create(*, tenant, actor, offer):
    """Turn an accepted offer into an order (products sold), once.

    Lines without a product cannot be sold as products: they are left out and returned, so
    the caller can say so. Returns ``(order, skipped lines)``; raises :class:`OrderExists`.
    """
    offer = _locked(tenant, offer)
    _require_change(tenant, actor, offer)
    existing = Order.objects.filter(tenant=tenant, offer=offer).first()
    if existing is not None:
        raise OrderExists(existing)
    if offer.status not in ORDERABLE:
        raise ValidationError(_("Only an accepted offer becomes an order."))
    lines, skipped = order_lines(selectors.offer_lines(tenant=tenant, offer=offer))
    if not lines:
        raise ValidationError(
            _("None of the offer's lines names a product: there is nothing to record as sold.")
        )
    data = {
        "number": "",
        "ordered_on": timezone.localdate(),
        "currency": offer.currency,
        "note": _("From offer %(number)s") % {"number": offer.number},
    }
    try:
        with transaction.atomic():
            order = order_create(
                tenant=tenant,
                actor=actor,
                firm=offer.firm,
                data=data,
                lines=lines,
                offer=offer,
                opportunity=offer.opportunity,
            )
    except IntegrityError:  # made at the same moment by someone else
        raise OrderExists(Order.objects.filter(tenant=tenant, offer=offer).first()) from None
    audit.record(
        tenant=tenant,
        actor=_user(actor),
        instance=offer,
        action=AuditEntry.Action.EVENT,
        summary=_("Order %(number)s made from this offer") % {"number": order.number},
    )
    return order, skipped


def offers_expire(*, today=None):
    """Daily (beat), across every tenant: sent offers whose validity ended before ``today``
    become "expired", each with an audit entry. Returns how many expired."""
    today = today or timezone.localdate()
    count = 0
    with scopes_disabled():
        due = Offer.objects.filter(status=OfferStatus.SENT, valid_until__lt=today)
        ids = list(due.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                locked = (
                    due.filter(pk__in=ids[start : start + 500])
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("tenant")
                )
                for offer in locked:
                    _move(
                        tenant=offer.tenant,
                        actor=None,
                        offer=offer,
                        to=OfferStatus.EXPIRED,
                        allowed={OfferStatus.SENT},
                    )
                    count += 1
    return count


def _firm_decision_refused(offer):
    """Why the firm cannot answer ``offer`` now, in words the firm understands."""
    if offer.status == OfferStatus.ACCEPTED:
        return _("This offer was already accepted on %(date)s.")
    if offer.status == OfferStatus.REJECTED:
        return _("This offer was already rejected on %(date)s.")
    return _("This offer is being revised and cannot be answered at the moment.")


@transaction.atomic
def offer_decide_by_firm(*, tenant, offer, accept, comment, by):
    """The firm answered ``offer`` in the portal: ``by`` (a portal login of the offer's firm)
    accepts it (``accept``) or turns it down, with an optional ``comment``.

    The offer is locked and re-read, so of two answers at the same moment one wins and the
    other finds it decided. Only the states in ``DECIDABLE`` take an answer (an offer that
    expired still may, as on the staff side). The audit entry has no staff actor; its summary
    names the portal user (in the company's language), and it carries the status ``code``
    the firm's timeline reads.
    """
    comment = (comment or "").strip()
    if "\x00" in comment or len(comment) > DECISION_COMMENT_LIMIT:
        raise ValidationError(
            {"comment": _("The comment can have at most %(limit)d characters.")
             % {"limit": DECISION_COMMENT_LIMIT}}
        )  # fmt: skip
    offer = _locked(tenant, offer)
    if by.tenant_id != tenant.pk or offer.firm_id != by.firm_id:
        raise PermissionDenied
    if offer.status not in selectors.DECIDABLE:
        when = timezone.localtime(offer.decided_at).date() if offer.decided_at else ""
        raise ValidationError(
            _firm_decision_refused(offer) % {"date": formats.date_format(when) if when else ""},
            code="decided",
        )
    to = OfferStatus.ACCEPTED if accept else OfferStatus.REJECTED
    old = offer.get_status_display()
    offer.status = to
    offer.decided_at = timezone.now()
    offer.decision_comment = comment
    offer.save(update_fields=["status", "decided_at", "decision_comment", "updated_at"])
    with translation.override(tenant.language or None):
        change = {"field": "status", "old": str(old), "new": offer.get_status_display(),
                  "code": to}  # fmt: skip
        said = (
            _("Accepted in the portal by %(name)s")
            if accept
            else _("Rejected in the portal by %(name)s")
        ) % {"name": by.display_name}
    audit.record(
        tenant=tenant,
        actor=None,
        instance=offer,
        action=AuditEntry.Action.EVENT,
        changes=[change],
        summary=f"{said}: {comment}" if comment else said,
    )
    return offer
