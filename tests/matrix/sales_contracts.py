"""Matrix entries for contracts (see tests/test_permission_matrix.py).

The contract is on a firm the employee represents: every role reads and changes it. The
deleted contract is on a firm of the outsider, which only the executive may change (the
employee and the manager read it: 403).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from companies.services.firms import firm_create
from sales.models import Contract
from tests.matrix.common import EVERYONE, FORBIDDEN, REDIRECT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def prepare(w):
    with scope(tenant=w.tenant.pk):
        w.contract_firm = firm_create(
            tenant=w.tenant, actor=w.executive.user,
            data={"name": "Matrix Contract Firm", "type": "customer", "sales_rep": w.employee},
        )  # fmt: skip
        outsiders = firm_create(
            tenant=w.tenant, actor=w.executive.user,
            data={"name": "Matrix Outsider Contracts", "type": "customer",
                  "sales_rep": w.outsider},
        )  # fmt: skip
        w.contract = Contract.objects.create(
            tenant=w.tenant, firm=w.contract_firm, title="Matrix contract",
            file=SimpleUploadedFile("c.pdf", PDF), original_name="c.pdf",
            content_type="application/pdf", created_by=w.employee,
        )  # fmt: skip
        w.outsider_contract = Contract.objects.create(
            tenant=w.tenant, firm=outsiders, title="Outsider contract"
        )


def contract(w):
    return {"pk": w.contract.pk}


def outsider_contract(w):
    return {"pk": w.outsider_contract.pk}


def firm(w):
    return {"pk": w.contract_firm.pk}


MATRIX = {
    "sales:contract-list": ("GET", None, EVERYONE),
    "sales:contract-create": ("GET", None, EVERYONE),
    "sales:contract-detail": ("GET", contract, EVERYONE),
    "sales:contract-edit": ("GET", contract, EVERYONE),
    "sales:contract-delete": (
        "POST",
        outsider_contract,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": REDIRECT},
    ),
    "sales:contract-file": ("GET", contract, EVERYONE),
    "sales:firm-contracts": ("GET", firm, EVERYONE),
}
