"""Matrix entries of the staff side of portal access (see tests/test_permission_matrix.py).

A firm of its own with an invoice, represented by the employee, with a contact login that
works. Employees hold ``portal.view`` but not ``portal.send_access``: they read the tab and the
list, and every POST answers 403. Managers and executives send the firm's login (302), renew
the contact's link (302) and revoke it (302; the second time it is already revoked, still a
302). An empty contact-login form is a 400 re-render.
"""

from django_scopes import scope

from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, REDIRECT
from tests.portal_helpers import make_portal_user, portal_firm

SENDERS = {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT}
EMPTY_FORM = {"employee": FORBIDDEN, "manager": FORM_ERROR, "executive": FORM_ERROR}


def prepare(w):
    w.access_firm = portal_firm(w, "Matrix Access Firm")
    with scope(tenant=w.tenant.pk):
        contact = w.access_firm.primary_contact
    w.access_login = make_portal_user(w, w.access_firm, contact)


def firm(w):
    return {"pk": w.access_firm.pk}


def login(w):
    return {"pk": w.access_login.pk}


MATRIX = {
    "portal-access:list": ("GET", None, EVERYONE),
    "portal-access:firm-portal": ("GET", firm, EVERYONE),
    "portal-access:send": ("POST", firm, SENDERS),
    "portal-access:grant": ("POST", firm, EMPTY_FORM),
    "portal-access:resend": ("POST", login, SENDERS),
    "portal-access:revoke": ("POST", login, SENDERS),
}
