"""Matrix entries for customer lists and the firm's references, samples, lists and comments tabs.

The firm is the employee's own (the manager reaches it through their team), so each role may
change it; customer lists need ``customer_lists.manage`` to change, which employees lack.
Destructive URLs answer GET with a confirmation page, so every role can be walked in turn.
"""

from django_scopes import scope

from companies.models import Reference
from companies.services.firms import firm_create
from companies.services.lists import customer_list_add_firms, customer_list_create
from companies.services.references import reference_create, sample_create
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, OK, REDIRECT

MANAGERS = {"employee": FORBIDDEN, "manager": OK, "executive": OK}


def prepare(w):
    with scope(tenant=w.tenant.pk):
        actor = w.executive.user
        w.extras_firm = firm_create(
            tenant=w.tenant,
            actor=actor,
            data={"name": "Matrix Extras Firm", "type": "customer", "sales_rep": w.employee},
        )
        referrer = firm_create(
            tenant=w.tenant, actor=actor, data={"name": "Matrix Referrer", "type": "customer"}
        )
        w.extras_list = customer_list_create(tenant=w.tenant, actor=actor, name="Matrix list")
        customer_list_add_firms(
            tenant=w.tenant, actor=actor, customer_list=w.extras_list, firms=[w.extras_firm]
        )
        w.extras_entry = w.extras_list.entries.get()
        w.extras_reference = reference_create(
            tenant=w.tenant,
            actor=actor,
            firm=w.extras_firm,
            data={"kind": Reference.Kind.CORPORATE, "referrer_firm": referrer},
        )
        w.extras_sample = sample_create(
            tenant=w.tenant, actor=actor, firm=w.extras_firm, data={"description": "Tiles"}
        )


def firm(w):
    return {"pk": w.extras_firm.pk}


def customer_list(w):
    return {"pk": w.extras_list.pk}


def entry(w):
    return {"pk": w.extras_list.pk, "entry_pk": w.extras_entry.pk}


def reference(w):
    return {"pk": w.extras_firm.pk, "ref_pk": w.extras_reference.pk}


def sample(w):
    return {"pk": w.extras_firm.pk, "sample_pk": w.extras_sample.pk}


MATRIX = {
    "companies:customerlist-list": ("GET", None, EVERYONE),
    "companies:customerlist-create": ("GET", None, MANAGERS),
    "companies:customerlist-detail": ("GET", customer_list, EVERYONE),
    "companies:customerlist-edit": ("GET", customer_list, MANAGERS),
    "companies:customerlist-delete": ("GET", customer_list, MANAGERS),
    "companies:customerlist-add": ("GET", customer_list, MANAGERS),
    "companies:customerlist-entry-remove": ("GET", entry, MANAGERS),
    # An empty form clears the responsible employee: a change that can be repeated.
    "companies:customerlist-entry-edit": (
        "POST",
        entry,
        {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "companies:firm-lists": ("GET", firm, EVERYONE),
    "companies:firm-references": ("GET", firm, EVERYONE),
    "companies:reference-create": ("GET", firm, EVERYONE),
    "companies:reference-delete": ("GET", reference, EVERYONE),
    "companies:firm-samples": ("GET", firm, EVERYONE),
    "companies:sample-create": ("GET", firm, EVERYONE),
    "companies:sample-edit": ("GET", sample, EVERYONE),
    "companies:firm-comments": ("GET", firm, EVERYONE),
    "companies:comment-create": (
        "POST",
        firm,
        {"employee": FORM_ERROR, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
}
