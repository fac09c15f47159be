"""Matrix entries for the calendars, their feed, the event pop-up and moves.

The activity is the executive's: everyone sees it (seed 000), only its creator and executives
move it, so the employee and the manager get 403 and the executive's empty POST is a 400. The
feed without ``start``/``end`` is a 400 for everyone who may read the agenda.
"""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from agenda.services.activities import activity_create
from core import choices
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR


def prepare(w):
    with scope(tenant=w.tenant.pk):
        start = timezone.now() + timedelta(days=1)
        w.calendar_activity = activity_create(
            tenant=w.tenant,
            actor=w.executive,
            data={
                "type": choices.options(tenant=w.tenant, key="activity_type").first(),
                "subject": "Matrix appointment",
                "assigned_to": w.executive,
                "start": start,
                "end": start + timedelta(hours=1),
            },
        )


def activity(w):
    return {"pk": w.calendar_activity.pk}


MATRIX = {
    "agenda:calendar": ("GET", None, EVERYONE),
    "agenda:my-calendar": ("GET", None, EVERYONE),
    "agenda:calendar-feed": (
        "GET",
        None,
        {"employee": FORM_ERROR, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
    "agenda:activity-popup": ("GET", activity, EVERYONE),
    "agenda:activity-move": (
        "POST",
        activity,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": FORM_ERROR},
    ),
}
