"""Matrix entries of the staff pages of order requests (see tests/test_permission_matrix.py).

The form is designed by the executive (only executives hold ``portal.forms`` by default); the
request comes from the portal firm, which the employee represents, so every role reads it.
The empty POST to switch the form on or off switches it off and goes back to the list.
"""

from decimal import Decimal

from django_scopes import scope

from portal.services.request_forms import request_form_create
from portal.services.requests import order_request_submit
from tests.matrix.common import EVERYONE, FORBIDDEN, OK, REDIRECT
from tests.portal_helpers import portal_world

DESIGNERS = {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK}
TOGGLERS = {**DESIGNERS, "executive": REDIRECT}
FIELDS = [
    {"label": "Quantity", "kind": "number", "required": True},
    {"label": "Notes", "kind": "textarea", "required": False},
]


def make_request_world(w):
    """Once per world: ``w.request_form`` and ``w.order_request`` of ``w.portal_firm``."""
    if getattr(w, "order_request", None) is not None:
        return w
    portal_world(w)
    with scope(tenant=w.tenant.pk):
        w.request_form = request_form_create(
            tenant=w.tenant, actor=w.executive, name="Matrix order form", description="",
            fields=FIELDS,
        )  # fmt: skip
        w.order_request = order_request_submit(
            tenant=w.tenant,
            portal_user=w.portal_user,
            form=w.request_form,
            answers={"f1": Decimal("3"), "f2": "As soon as possible"},
        )
    return w


prepare = make_request_world


def request_form(w):
    return {"pk": w.request_form.pk}


def order_request(w):
    return {"pk": w.order_request.pk}


def firm(w):
    return {"pk": w.portal_firm.pk}


MATRIX = {
    "order-requests:form-list": ("GET", None, DESIGNERS),
    "order-requests:form-create": ("GET", None, DESIGNERS),
    "order-requests:form-edit": ("GET", request_form, DESIGNERS),
    "order-requests:form-toggle": ("POST", request_form, TOGGLERS),
    "order-requests:list": ("GET", None, EVERYONE),
    "order-requests:detail": ("GET", order_request, EVERYONE),
    "order-requests:firm-requests": ("GET", firm, EVERYONE),
}
