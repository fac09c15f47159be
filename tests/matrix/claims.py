"""Matrix entries for the pool, claims and notifications (see tests/test_permission_matrix.py).

The claim to decide is the employee's: their manager and the executive above may decide it (an
empty form is a 400), the employee has no ``claims.approve`` (403). The notification is the
employee's own: anyone else's is a 404, as if it did not exist.
"""

from django_scopes import scope

from companies.services.claims import claim_create
from companies.services.firms import firm_create
from core.notifications import notify
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, NOT_FOUND, REDIRECT


def prepare(w):
    with scope(tenant=w.tenant.pk):
        actor = w.executive.user
        w.pool_firm = firm_create(
            tenant=w.tenant, actor=actor, data={"name": "Matrix Pool Firm", "type": "customer"}
        )
        claimed = firm_create(
            tenant=w.tenant, actor=actor, data={"name": "Matrix Claimed Firm", "type": "customer"}
        )
        w.claim = claim_create(
            tenant=w.tenant, requester=w.employee, firm=claimed, message="Mine, please."
        )
        (w.notification,) = notify(
            tenant=w.tenant, recipients=[w.employee], text="Matrix notice", url="/"
        )


def pool_firm(w):
    return {"pk": w.pool_firm.pk}


def claim(w):
    return {"pk": w.claim.pk}


def notification(w):
    return {"pk": w.notification.pk}


MATRIX = {
    "companies:pool": ("GET", None, EVERYONE),
    "companies:claim-create": ("GET", pool_firm, EVERYONE),
    "companies:claim-list": ("GET", None, EVERYONE),
    "companies:claim-decide": (
        "POST",
        claim,
        {"employee": FORBIDDEN, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
    "companies:notifications": ("GET", None, EVERYONE),
    "companies:notification-bell": ("GET", None, EVERYONE),
    "companies:notification-read": (
        "POST",
        notification,
        {"employee": REDIRECT, "manager": NOT_FOUND, "executive": NOT_FOUND},
    ),
    "companies:notification-read-all": (
        "POST",
        None,
        {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT},
    ),
}
