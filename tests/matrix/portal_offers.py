"""Matrix entries of the portal's offers and profile pages (see tests/test_permission_matrix.py).

The offer was sent to ``w.portal_firm``: its portal user reads it, gets its PDF (an offer
template exists) and answers it (an empty POST accepts it: the comment is optional); the
portal user of another firm gets a 404 for it. The list and the profile pages show each
portal user their own firm's.
"""

from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from documents.models import DocumentTemplate, DocumentVersion
from sales.services.offers import offer_create, offer_mark_sent
from tests.matrix.common import NOT_FOUND, OK, REDIRECT
from tests.matrix.portal import LOGIN, PORTAL_ONLY
from tests.portal_helpers import portal_world

OWN_ONLY = {"anonymous": LOGIN, "portal": OK, "other_firm": NOT_FOUND}
ANSWERED = {"anonymous": LOGIN, "portal": REDIRECT, "other_firm": NOT_FOUND}
HTML = "<h1>{{ firm_name }}</h1><p>{{ number }} {{ total }} {{ currency }}</p>"


def sent_offer(w, firm, title="Portal offer", template=None):
    """A sent offer of ``firm`` owned by the world's employee (the firm's representative)."""
    with scope(tenant=w.tenant.pk):
        offer = offer_create(
            tenant=w.tenant,
            actor=w.employee,
            data={
                "number": "",
                "title": title,
                "firm": firm,
                "contact": None,
                "issued_on": timezone.localdate(),
                "valid_until": None,
                "currency": "TRY",
                "terms": "Delivery in two weeks.",
                "template": template,
                "opportunity": None,
            },
            lines=[
                {
                    "description": "Pump service",
                    "quantity": Decimal(2),
                    "unit_price": Decimal("150.00"),
                    "vat_rate": Decimal(20),
                }
            ],
        )
        return offer_mark_sent(tenant=w.tenant, actor=w.employee, offer=offer)


def offer_template(w):
    with scope(tenant=w.tenant.pk):
        template = DocumentTemplate.objects.create(
            tenant=w.tenant, kind="offer", form="html", name="Portal matrix offer", language="en"
        )
        template.current_version = DocumentVersion.objects.create(
            tenant=w.tenant, template=template, number=1, html=HTML
        )
        template.save(update_fields=["current_version"])
    return template


def prepare(w):
    portal_world(w)
    w.portal_offer = sent_offer(w, w.portal_firm, template=offer_template(w))


def offer(w):
    return {"pk": w.portal_offer.pk}


PORTAL_MATRIX = {
    "portal:offers": ("GET", None, PORTAL_ONLY),
    "portal:offer-detail": ("GET", offer, OWN_ONLY),
    "portal:offer-pdf": ("GET", offer, OWN_ONLY),
    "portal:offer-accept": ("POST", offer, ANSWERED),
    "portal:offer-reject": ("POST", offer, ANSWERED),
    "portal:profile": ("GET", None, PORTAL_ONLY),
    "portal:profile-change": ("GET", None, PORTAL_ONLY),
}
