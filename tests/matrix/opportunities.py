"""Matrix entries for opportunities (see tests/test_permission_matrix.py).

The opportunity is on a firm the employee represents, with the employee responsible: every
role reads and changes it (the manager through the team, the executive everywhere). Empty
POSTs to the move and link URLs are form errors (no stage, no offer).
"""

from django_scopes import scope

from companies.services.firms import firm_create
from opportunities.selectors import stage_options
from opportunities.services import opportunity_create
from tests.matrix.common import EVERYONE, FORM_ERROR


def prepare(w):
    with scope(tenant=w.tenant.pk):
        firm = firm_create(
            tenant=w.tenant,
            actor=w.executive.user,
            data={"name": "Matrix Opportunity Firm", "type": "customer", "sales_rep": w.employee},
        )
        w.opportunity_firm = firm
        w.opportunity = opportunity_create(
            tenant=w.tenant,
            actor=w.employee,
            data={
                "name": "Matrix deal",
                "firm": firm,
                "stage": stage_options(tenant=w.tenant).first(),
                "currency": "EUR",
            },
            responsible=[w.employee],
        )


def opportunity(w):
    return {"pk": w.opportunity.pk}


def firm(w):
    return {"pk": w.opportunity_firm.pk}


ALL_FORM_ERROR = dict.fromkeys(EVERYONE, FORM_ERROR)

MATRIX = {
    "opportunities:list": ("GET", None, EVERYONE),
    "opportunities:board": ("GET", None, EVERYONE),
    "opportunities:forecast": ("GET", None, EVERYONE),
    "opportunities:create": ("GET", None, EVERYONE),
    "opportunities:detail": ("GET", opportunity, EVERYONE),
    "opportunities:edit": ("GET", opportunity, EVERYONE),
    "opportunities:move": ("POST", opportunity, ALL_FORM_ERROR),
    "opportunities:link-offer": ("POST", opportunity, ALL_FORM_ERROR),
    "opportunities:firm-opportunities": ("GET", firm, EVERYONE),
}
