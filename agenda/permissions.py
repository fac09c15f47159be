"""Permission codes of the agenda, reminders and meeting notes.

Row rules: every employee sees everyone's activities (seed 000), except that staff of a dealer
firm see only the activities of their own firm's people and subtree. Only the creator changes
an activity, and executives and executive-managers (``reaches_everything``); only the creator
changes a reminder (seed 000).
"""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "agenda",
    _("Agenda"),
    [
        ("view", _("See the agenda and activities")),
        ("add", _("Add activities")),
        ("assign", _("Add activities for other employees")),
    ],
    defaults={"manager": ["view", "add", "assign"], "employee": ["view", "add"]},
)
register_module(
    "reminders",
    _("Reminders"),
    [
        ("add", _("Set reminders for oneself")),
        ("others", _("Set reminders for colleagues")),
    ],
    defaults={"manager": ["add", "others"], "employee": ["add", "others"]},
)
register_module(
    "notes",
    _("Meeting notes"),
    [
        ("view", _("Read meeting notes")),
        ("add", _("Write meeting notes")),
    ],
    defaults={"manager": ["view", "add"], "employee": ["view", "add"]},
)
