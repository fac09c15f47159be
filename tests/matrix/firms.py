"""Matrix entries for firm and contact pages."""

from tests.factories import make_firm
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, NOT_FOUND, OK, REDIRECT


def prepare(w):
    # The employee represents this firm; the manager reaches it through their team.
    w.firm = make_firm(
        w.tenant,
        "Anadolu Bayi",
        "dealer",
        sales_rep=w.employee,
        first_contact={"data": {"first_name": "Kemal", "last_name": "Er"}},
    )
    w.contact = w.firm.primary_contact


def custom_field(w):
    from django_scopes import scope

    from companies.services.settings import custom_field_save

    with scope(tenant=w.tenant.pk):
        field = custom_field_save(
            tenant=w.tenant, actor=None, entity="firm", label="Region", kind="text", options=[],
            required=False, show_in_list=True, order=1, is_active=True,
        )  # fmt: skip
    return {"pk": field.pk}


def tag(w):
    from django_scopes import scope

    from companies.models import Tag

    with scope(tenant=w.tenant.pk):
        return {"pk": Tag.objects.create(tenant=w.tenant, name="VIP").pk}


def group(w):
    from django_scopes import scope

    from companies.models import FirmGroup

    with scope(tenant=w.tenant.pk):
        return {"pk": FirmGroup.objects.create(tenant=w.tenant, name="Marmara").pk}


def firm(w):
    return {"pk": w.firm.pk}


def contact(w):
    return {"pk": w.firm.pk, "contact_pk": w.contact.pk}


MATRIX = {
    "companies:firm-list": ("GET", None, EVERYONE),
    "companies:firm-create": ("GET", None, EVERYONE),
    "companies:firm-bulk": (
        "POST",
        None,
        {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "companies:firm-bulk-list": (
        "POST",
        None,
        {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "companies:firm-columns": (
        "POST",
        None,
        {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "companies:firm-bulk-tag": (
        "POST",
        None,
        {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "companies:firm-detail": ("GET", firm, EVERYONE),
    # No logo uploaded: every role that may see the firm gets the same 404.
    "companies:firm-logo": (
        "GET",
        firm,
        {"employee": NOT_FOUND, "manager": NOT_FOUND, "executive": NOT_FOUND},
    ),
    "companies:firm-edit": ("GET", firm, EVERYONE),
    "companies:firm-contacts": ("GET", firm, EVERYONE),
    "companies:firm-timeline": ("GET", firm, EVERYONE),
    "companies:firm-tree": ("GET", firm, EVERYONE),
    "companies:firm-history": (
        "GET",
        firm,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "companies:contact-create": (
        "POST",
        firm,
        {"employee": FORM_ERROR, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
    "companies:contact-edit": ("GET", contact, EVERYONE),
    "companies:taxonomy": ("GET", None, {"employee": FORBIDDEN, "manager": OK, "executive": OK}),
    "companies:tag-edit": (
        "GET",
        tag,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "companies:group-edit": (
        "GET",
        group,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "companies:customfield-list": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "companies:customfield-create": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "companies:customfield-edit": (
        "GET",
        custom_field,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
}
