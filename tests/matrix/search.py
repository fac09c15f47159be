"""Matrix entries for the quick search and the phone book (see tests/test_permission_matrix.py)."""

from django_scopes import scope

from companies.services.firms import firm_create
from tests.matrix.common import EVERYONE


def prepare(w):
    """A firm with a contact, so that both pages render results for every role."""
    with scope(tenant=w.tenant.pk):
        firm_create(
            tenant=w.tenant,
            actor=w.executive.user,
            data={"name": "Matrix Arama Ltd.", "type": "customer"},
            channels={"phones": [{"number": "555 000 11 22"}]},
            first_contact={"data": {"first_name": "Matris", "last_name": "Kişi"}},
        )


MATRIX = {
    "companies:search": ("GET", None, EVERYONE),
    "companies:phonebook": ("GET", None, EVERYONE),
    "companies:firm-picker": ("GET", None, EVERYONE),
}
