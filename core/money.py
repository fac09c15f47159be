"""Money: the currencies amounts may be in, and how a line's net, VAT and total are worked out.

Amounts are ``Decimal`` with two places, rounded half up at the line, and documents add up
their rounded lines, so a printed offer or invoice always adds up to its own total.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

CURRENCIES = [
    ("TRY", _("Turkish lira (TRY)")),
    ("EUR", _("Euro (EUR)")),
    ("USD", _("US dollar (USD)")),
    ("GBP", _("Pound sterling (GBP)")),
    ("CHF", _("Swiss franc (CHF)")),
    ("PLN", _("Polish złoty (PLN)")),
    ("IRR", _("Iranian rial (IRR)")),
]
DEFAULT_CURRENCY = "TRY"

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal  # quantity × unit price, before the discount
    discount: Decimal
    net: Decimal
    vat: Decimal
    total: Decimal


def line_amounts(*, quantity, unit_price, discount_percent=0, vat_rate=0):
    """The amounts of one line: discount off the gross, VAT on the net."""
    gross = cents(Decimal(quantity) * Decimal(unit_price))
    discount = cents(gross * Decimal(discount_percent or 0) / HUNDRED)
    net = gross - discount
    vat = cents(net * Decimal(vat_rate or 0) / HUNDRED)
    return LineAmounts(gross=gross, discount=discount, net=net, vat=vat, total=net + vat)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    total: Decimal
    by_rate: dict  # VAT rate → (net, vat), for the printed breakdown


def totals(lines):
    """Add up lines (objects or dicts with ``net``, ``vat`` and ``vat_rate``)."""
    net = vat = Decimal("0.00")
    by_rate = {}
    for line in lines:
        get = line.get if isinstance(line, dict) else lambda name, line=line: getattr(line, name)
        net += get("net")
        vat += get("vat")
        rate = Decimal(get("vat_rate")).normalize()
        rate_net, rate_vat = by_rate.get(rate, (Decimal("0.00"), Decimal("0.00")))
        by_rate[rate] = (rate_net + get("net"), rate_vat + get("vat"))
    return Totals(net=net, vat=vat, total=net + vat, by_rate=by_rate)
