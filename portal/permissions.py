"""Permission codes of the customer portal's staff side."""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "portal",
    _("Customer portal"),
    [
        ("view", _("See portal logins, order requests and proposed changes")),
        ("send_access", _("Send portal access to firms and contacts (managers and executives)")),
        ("forms", _("Design order request forms")),
    ],
    defaults={"manager": ["view", "send_access"], "employee": ["view"]},
)
