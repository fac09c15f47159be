"""Permission codes of opportunities; the firm's row rules narrow which ones a member reaches."""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "opportunities",
    _("Opportunities"),
    [
        ("view", _("See opportunities and the pipeline")),
        ("add", _("Add and change opportunities")),
        ("forecast", _("See the weighted forecast of every employee")),
    ],
    defaults={"manager": ["view", "add", "forecast"], "employee": ["view", "add"]},
)
