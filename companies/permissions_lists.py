"""Permission codes of customer lists (seed 001).

Reading a list needs ``customer_lists.view``; creating, renaming and filling lists needs
``customer_lists.manage``. Which firms of a list a member sees is still decided by the firm row
rules (``companies.permissions.firm_scope``): a list never shows a firm its reader may not see.
"""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "customer_lists",
    _("Customer lists"),
    [
        ("view", _("View customer lists")),
        ("manage", _("Create customer lists and add or remove their firms")),
    ],
    defaults={"manager": ["view", "manage"], "employee": ["view"]},
)
