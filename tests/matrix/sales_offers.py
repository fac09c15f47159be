"""Matrix entries for offers (see tests/test_permission_matrix.py).

The offer is a draft of the employee's on a firm the employee represents: every role reads it
and changes it (the manager through the team, the executive everywhere). An offer template
exists, so its PDF is made for everyone. The empty POSTs to accept, reject, back to draft and
"create order" are refused by the offer's state (a draft) and answer with a redirect to the
offer and a message, changing nothing.
"""

from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from catalogue.models import Product
from companies.services.firms import firm_create
from documents.models import DocumentTemplate, DocumentVersion
from sales.services.offers import offer_create
from tests.matrix.common import EVERYONE, REDIRECT

REFUSED_BY_STATE = dict.fromkeys(EVERYONE, REDIRECT)
TEMPLATE_HTML = (
    "<h1>{{ firm_name }}</h1>{% for line in lines %}<p>{{ line.description }} {{ line.total }}"
    "</p>{% endfor %}<p>{{ total }} {{ currency }}</p>"
)


def prepare(w):
    with scope(tenant=w.tenant.pk):
        firm = firm_create(
            tenant=w.tenant,
            actor=w.executive.user,
            data={"name": "Matrix Offer Firm", "type": "customer", "sales_rep": w.employee},
        )
        product = Product.objects.create(
            tenant=w.tenant, code="MX-1", name="Matrix pump", sale_price=Decimal("100.00")
        )
        template = DocumentTemplate.objects.create(
            tenant=w.tenant, kind="offer", form="html", name="Matrix offer", language="en"
        )
        template.current_version = DocumentVersion.objects.create(
            tenant=w.tenant, template=template, number=1, html=TEMPLATE_HTML
        )
        template.save(update_fields=["current_version"])
        w.offer_firm = firm
        w.offer = offer_create(
            tenant=w.tenant,
            actor=w.employee,
            data={
                "number": "",
                "title": "Matrix offer",
                "firm": firm,
                "contact": None,
                "issued_on": timezone.localdate(),
                "valid_until": None,
                "currency": "TRY",
                "terms": "",
                "template": template,
                "opportunity": None,
            },
            lines=[{"product": product, "quantity": Decimal(2), "unit_price": None}],
        )


def offer(w):
    return {"pk": w.offer.pk}


def firm(w):
    return {"pk": w.offer_firm.pk}


MATRIX = {
    "sales:offer-list": ("GET", None, EVERYONE),
    "sales:offer-create": ("GET", None, EVERYONE),
    "sales:offer-firm-options": ("GET", None, EVERYONE),
    "sales:offer-detail": ("GET", offer, EVERYONE),
    "sales:offer-edit": ("GET", offer, EVERYONE),
    "sales:offer-pdf": ("GET", offer, EVERYONE),
    "sales:offer-accept": ("POST", offer, REFUSED_BY_STATE),
    "sales:offer-reject": ("POST", offer, REFUSED_BY_STATE),
    "sales:offer-reopen": ("POST", offer, REFUSED_BY_STATE),
    "sales:offer-order": ("POST", offer, REFUSED_BY_STATE),
    "sales:firm-offers": ("GET", firm, EVERYONE),
}
