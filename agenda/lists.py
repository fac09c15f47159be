"""The Settings lists the agenda owns."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.choices import ChoiceList, register

MODULE = _("Agenda")

# Switches of an activity type (seed 004).
IN_SCHEDULE = "schedule"
ON_START_PAGE = "start"
EMAIL_REMINDERS = "emails"
MEETING = "meeting"
IN_PORTAL = "portal"

ALL = (IN_SCHEDULE, ON_START_PAGE)

register(
    ChoiceList(
        key="activity_type",
        label=_("Activity types"),
        module=MODULE,
        flags=(
            (IN_SCHEDULE, _("Shown in the schedule")),
            (ON_START_PAGE, _("Shown on the start page")),
            (EMAIL_REMINDERS, _("E-mail the day before and on the morning")),
            (MEETING, _("Ask for the distance when closing")),
            (IN_PORTAL, _("Shown in the customer portal")),
        ),
        defaults=(
            (
                "appointment",
                gettext_noop("Appointment"),
                "#0d6efd",
                (*ALL, EMAIL_REMINDERS, IN_PORTAL),
            ),
            (
                "meeting",
                gettext_noop("Meeting"),
                "#6f42c1",
                (*ALL, EMAIL_REMINDERS, MEETING, IN_PORTAL),
            ),
            ("call", gettext_noop("Call"), "#20c997", ALL),
            ("todo", gettext_noop("To-do"), "#fd7e14", ALL),
            ("email", gettext_noop("E-mail"), "#6c757d", ALL),
            (
                "visit",
                gettext_noop("Visit"),
                "#198754",
                (*ALL, EMAIL_REMINDERS, MEETING, IN_PORTAL),
            ),
        ),
    )
)
register(
    ChoiceList(
        key="meeting_channel",
        label=_("Meeting channels"),
        module=MODULE,
        defaults=(
            ("phone", gettext_noop("Phone"), ""),
            ("visit", gettext_noop("Visit"), ""),
            ("email", gettext_noop("E-mail"), ""),
            ("video", gettext_noop("Video call"), ""),
            ("fair", gettext_noop("Fair or event"), ""),
        ),
    )
)
register(
    ChoiceList(
        key="meeting_outcome",
        label=_("Meeting outcomes"),
        module=MODULE,
        defaults=(
            ("appointment", gettext_noop("Appointment"), "#0d6efd"),
            ("offer", gettext_noop("Offer requested"), "#198754"),
            ("follow-up", gettext_noop("Call again"), "#fd7e14"),
            ("not-interested", gettext_noop("Not interested"), "#dc3545"),
            ("other", gettext_noop("Other"), ""),
        ),
    )
)
