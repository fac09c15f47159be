"""Portal matrix entries of order requests (see tests/matrix/portal.py for the roles).

Every portal user sees the forms offered and may fill one in; a request is read only by its
own firm's logins (another firm: 404).
"""

from tests.matrix.common import NOT_FOUND
from tests.matrix.portal import PORTAL_ONLY
from tests.matrix.portal_requests import make_request_world

OWN_FIRM_ONLY = {**PORTAL_ONLY, "other_firm": NOT_FOUND}


def prepare(w):
    make_request_world(w)


def request_form(w):
    return {"pk": w.request_form.pk}


def order_request(w):
    return {"pk": w.order_request.pk}


PORTAL_MATRIX = {
    "portal:order-request-forms": ("GET", None, PORTAL_ONLY),
    "portal:order-request-new": ("GET", request_form, PORTAL_ONLY),
    "portal:order-requests": ("GET", None, PORTAL_ONLY),
    "portal:order-request-detail": ("GET", order_request, OWN_FIRM_ONLY),
}
