"""Permission codes of the product catalogue."""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "products",
    _("Products"),
    [
        ("view", _("See the product catalogue")),
        ("manage", _("Add and change products and product groups")),
    ],
    defaults={"manager": ["view", "manage"], "employee": ["view"]},
)
