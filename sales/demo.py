"""Demo sales for the demo tenant: starter templates, a few products, an offer, products sold
with an invoice, a contract and opportunities on the pipeline."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from accounts.models import Employee
from catalogue.models import Product
from catalogue.services import product_create
from companies.models import Firm
from core import choices
from documents.starters import starters_install
from opportunities.services import opportunity_create
from sales.services.contracts import contract_create
from sales.services.invoices import invoice_create
from sales.services.offers import offer_create
from sales.services.orders import order_create

# (name, unit code, sale price, VAT rate, discount allowed)
PRODUCTS = [
    ("Ceramic floor tile 60×60", "box", "840.00", "20", True),
    ("Tile adhesive 25 kg", "package", "310.00", "20", True),
    ("Grout, white, 5 kg", "package", "145.00", "20", False),
    ("Installation service (per hour)", "hour", "650.00", "20", False),
]
# (firm, stage code, name, amount, probability, days to close, owner)
OPPORTUNITIES = [
    ("Ege Ana Bayi Ltd.", "proposal", "Showroom floor renewal", "185000", None, 20, "zeynep"),
    ("Bursa Bayi", "qualification", "Spring campaign stock", "92000", None, 45, "can"),
    ("Çağrı Yapı Market", "negotiation", "New store fit-out", "240000", 80, 10, "can"),
    ("Marmara Dağıtım A.Ş.", "prospecting", "Annual supply agreement", "1250000", None, 90,
     "zeynep"),
]  # fmt: skip


def _employee(tenant, first):
    return Employee.objects.get(tenant=tenant, user__email=f"{first}@demo.kervan.test")


def load_demo_sales(tenant):
    """Once: nothing happens when the tenant already has products."""
    with scope(tenant=tenant.pk):
        if Product.objects.filter(tenant=tenant).exists():
            return
        zeynep, can = _employee(tenant, "zeynep"), _employee(tenant, "can")
        starters_install(tenant=tenant, actor=zeynep.user)
        units = {c.code: c for c in choices.options(tenant=tenant, key="unit")}
        products = [
            product_create(
                tenant=tenant,
                actor=zeynep,
                data={
                    "code": "",
                    "name": name,
                    "unit": units.get(unit),
                    "sale_price": Decimal(price),
                    "currency": tenant.currency,
                    "vat_rate": Decimal(vat),
                    "discount_allowed": discount,
                    "price_increase_allowed": False,
                    "sellable": True,
                    "is_active": True,
                },
            )
            for name, unit, price, vat, discount in PRODUCTS
        ]
        firms = {firm.name: firm for firm in Firm.objects.filter(tenant=tenant)}
        today = timezone.localdate()
        ege = firms["Ege Ana Bayi Ltd."]
        offer_create(
            tenant=tenant, actor=zeynep,
            data={
                "number": "", "title": "Showroom floor renewal", "firm": ege,
                "contact": ege.primary_contact, "issued_on": today,
                "valid_until": today + timedelta(days=30), "currency": tenant.currency,
                "terms": "Delivery within two weeks of the order.", "template": None,
                "opportunity": None,
            },
            lines=[
                {"product": products[0], "description": "", "quantity": Decimal(120),
                 "unit": None, "unit_price": None, "discount_percent": Decimal(5),
                 "vat_rate": None},
                {"product": products[1], "description": "", "quantity": Decimal(40),
                 "unit": None, "unit_price": None, "discount_percent": Decimal(0),
                 "vat_rate": None},
            ],
        )  # fmt: skip
        bursa = firms["Bursa Bayi"]
        order = order_create(
            tenant=tenant, actor=can, firm=bursa,
            data={"number": "", "ordered_on": today - timedelta(days=12),
                  "currency": tenant.currency, "note": ""},
            lines=[
                {"product": products[0], "amount": Decimal(30), "unit": products[0].unit,
                 "unit_price": products[0].sale_price, "discount_percent": Decimal(0)},
                {"product": products[2], "amount": Decimal(12), "unit": products[2].unit,
                 "unit_price": products[2].sale_price, "discount_percent": Decimal(0)},
            ],
        )  # fmt: skip
        invoice_create(
            tenant=tenant, actor=can, firm=bursa,
            data={"number": "", "issued_on": today - timedelta(days=10),
                  "due_on": today + timedelta(days=20), "currency": tenant.currency, "note": ""},
            order_lines=list(order.lines.all()[:1]),
        )  # fmt: skip
        contract_create(
            tenant=tenant, actor=zeynep, firm=firms["Marmara Dağıtım A.Ş."],
            data={"title": "Distribution agreement 2026", "starts_on": today - timedelta(days=300),
                  "ends_on": today + timedelta(days=65), "value": Decimal("2400000"),
                  "currency": tenant.currency, "status": "active", "renewal_days": 60,
                  "responsible": zeynep, "note": ""},
        )  # fmt: skip
        stages = {c.code: c for c in choices.options(tenant=tenant, key="opportunity_stage")}
        owners = {"zeynep": zeynep, "can": can}
        for firm, stage, name, amount, probability, days, owner in OPPORTUNITIES:
            opportunity_create(
                tenant=tenant, actor=owners[owner],
                data={"firm": firms[firm], "code": "", "name": name, "stage": stages[stage],
                      "amount": Decimal(amount), "currency": tenant.currency,
                      "probability": probability, "close_on": today + timedelta(days=days),
                      "delivery_on": None, "channel": None, "next_step": "", "description": ""},
                responsible=[owners[owner]],
            )  # fmt: skip
