"""Permission codes of sales records. Each record belongs to a firm, and the firm's row rules
(``companies.permissions.firm_scope``) decide whose records a member reads and changes."""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "orders",
    _("Products sold and services"),
    [
        ("view", _("See products sold and services")),
        ("add", _("Record products sold and services")),
    ],
    defaults={"manager": ["view", "add"], "employee": ["view", "add"]},
)
register_module(
    "offers",
    _("Offers"),
    [("view", _("See offers")), ("add", _("Make and change offers"))],
    defaults={"manager": ["view", "add"], "employee": ["view", "add"]},
)
register_module(
    "invoices",
    _("Invoices"),
    [
        ("view", _("See invoices")),
        ("add", _("Issue and change invoices")),
        ("delete", _("Delete invoices")),
    ],
    defaults={"manager": ["view", "add", "delete"], "employee": ["view", "add"]},
)
register_module(
    "contracts",
    _("Contracts"),
    [("view", _("See contracts")), ("add", _("Add and change contracts"))],
    defaults={"manager": ["view", "add"], "employee": ["view", "add"]},
)
