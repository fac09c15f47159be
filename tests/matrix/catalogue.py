"""Matrix entries for the product catalogue (see tests/test_permission_matrix.py).

Employees see the catalogue; managers and executives manage it. The product is in use (a
sample names it) and its group holds it, so deleting either is refused with a redirect and
the roles that follow still find them.
"""

from django_scopes import scope

from catalogue.models import ProductGroup
from companies.models import Sample
from companies.services.firms import firm_create
from tests.matrix.common import EVERYONE, FORBIDDEN, OK, REDIRECT
from tests.sales_helpers import make_product

MANAGE = {"employee": FORBIDDEN, "manager": OK, "executive": OK}
MANAGE_POST = {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT}


def prepare(w):
    with scope(tenant=w.tenant.pk):
        w.catalogue_group = ProductGroup.objects.create(tenant=w.tenant, name="Matrix pumps")
    w.catalogue_product = make_product(w, "Matrix pump", group=w.catalogue_group)
    with scope(tenant=w.tenant.pk):
        firm = firm_create(
            tenant=w.tenant, actor=w.executive.user,
            data={"name": "Matrix Sample Firm", "type": "customer"},
        )  # fmt: skip
        Sample.objects.create(
            tenant=w.tenant, firm=firm, product=w.catalogue_product, description="Matrix pump"
        )


def product(w):
    return {"pk": w.catalogue_product.pk}


def group(w):
    return {"pk": w.catalogue_group.pk}


MATRIX = {
    "catalogue:product-list": ("GET", None, EVERYONE),
    "catalogue:product-create": ("GET", None, MANAGE),
    "catalogue:product-detail": ("GET", product, EVERYONE),
    "catalogue:product-edit": ("GET", product, MANAGE),
    "catalogue:product-delete": ("POST", product, MANAGE_POST),
    "catalogue:group-list": ("GET", None, EVERYONE),
    "catalogue:group-edit": ("GET", group, MANAGE),
    "catalogue:group-delete": ("POST", group, MANAGE_POST),
}
