"""Matrix entries for reminders and the personal agenda settings (tests/test_permission_matrix.py).

The executive's own reminder: only they edit or delete it (403 for the others, who are in the
same tenant). The employee's reminder for themselves and the manager: each recipient dismisses
their own copy (an empty snooze is a 400); the executive receives nothing (404).

``GLOBAL_MATRIX`` holds the public calendar feed (outside /o/): a token that opens nothing is a
404 for everyone; the real feed is proven in tests/test_agenda_ics.py.
"""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from agenda.services.reminders import reminder_create
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, NOT_FOUND, OK, REDIRECT


def prepare(w):
    with scope(tenant=w.tenant.pk):
        w.own_reminder = reminder_create(
            tenant=w.tenant, actor=w.executive, text="Matrix own reminder",
            due_at=timezone.now() + timedelta(days=2), recipients=[w.executive],
        )  # fmt: skip
        w.shared_reminder = reminder_create(
            tenant=w.tenant, actor=w.employee, text="Matrix shared reminder",
            due_at=timezone.now() - timedelta(minutes=5), recipients=[w.employee, w.manager],
        )  # fmt: skip


def own(w):
    return {"pk": w.own_reminder.pk}


def shared(w):
    return {"pk": w.shared_reminder.pk}


ONLY_EXECUTIVE = {"employee": FORBIDDEN, "manager": FORBIDDEN}
RECIPIENTS = {"employee": REDIRECT, "manager": REDIRECT, "executive": NOT_FOUND}

MATRIX = {
    "agenda:reminder-list": ("GET", None, EVERYONE),
    "agenda:reminder-create": ("GET", None, EVERYONE),
    "agenda:reminder-edit": ("GET", own, {**ONLY_EXECUTIVE, "executive": OK}),
    "agenda:reminder-delete": ("POST", own, {**ONLY_EXECUTIVE, "executive": REDIRECT}),
    "agenda:reminder-dismiss": ("POST", shared, RECIPIENTS),
    "agenda:reminder-snooze": (
        "POST",
        shared,
        {"employee": FORM_ERROR, "manager": FORM_ERROR, "executive": NOT_FOUND},
    ),
    "agenda:preferences": ("GET", None, EVERYONE),
    "agenda:calendar-reset": (
        "POST",
        None,
        {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT},
    ),
}

# Pages outside a tenant: name → (method, kwargs, anonymous, logged-in user).
GLOBAL_MATRIX = {
    "ics-feed": ("GET", {"token": "1-unknownunknownunknownunknown"}, NOT_FOUND, NOT_FOUND),
}
