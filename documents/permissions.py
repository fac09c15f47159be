"""Permission codes of the document library and of sending documents to firms.

Templates are the executives' (who reach every code); a dispatch is made from a firm the
member can read.
"""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "documents",
    _("Documents"),
    [
        ("view", _("See the document library and preview templates")),
        ("manage", _("Upload and change document templates and the contact card")),
        ("send", _("Send documents to a firm's contacts")),
    ],
    defaults={"manager": ["view", "send"], "employee": ["view", "send"]},
)
