"""Matrix entries for activities (see tests/test_permission_matrix.py).

The employee's own activity: everyone sees it, only the employee (its creator) and the
executive edit or close it. The executive's activity carries a file: everyone downloads it,
only the executive cancels the activity or removes the file. Posting the empty upload form is
a 400 for those who may add files.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope

from agenda.services.activities import activity_create
from agenda.services.activity_files import attachment_add
from core.models import Choice
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, OK, REDIRECT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def prepare(w):
    with scope(tenant=w.tenant.pk):
        call = Choice.objects.get(tenant=w.tenant, list_key="activity_type", code="call")
        start = timezone.now() + timedelta(days=2)

        def book(person, hours):
            data = {
                "type": call,
                "subject": "Matrix activity",
                "start": start + timedelta(hours=hours),
                "end": start + timedelta(hours=hours + 1),
                "assigned_to": person,
            }
            return activity_create(tenant=w.tenant, actor=person, data=data, confirm_clash=True)

        w.activity = book(w.employee, 0)
        w.boss_activity = book(w.executive, 2)
        w.activity_file = attachment_add(
            tenant=w.tenant,
            actor=w.executive,
            activity=w.boss_activity,
            upload=ContentFile(PDF, name="matrix.pdf"),
            content_type="application/pdf",
        )


def activity(w):
    return {"pk": w.activity.pk}


def boss_activity(w):
    return {"pk": w.boss_activity.pk}


def activity_file(w):
    return {"pk": w.boss_activity.pk, "attachment_pk": w.activity_file.pk}


CREATOR_AND_EXECUTIVE = {"employee": OK, "manager": FORBIDDEN, "executive": OK}
EXECUTIVE_ONLY = {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": REDIRECT}

MATRIX = {
    "agenda:activity-list": ("GET", None, EVERYONE),
    "agenda:activity-create": ("GET", None, EVERYONE),
    "agenda:activity-contacts": ("GET", None, EVERYONE),
    "agenda:activity-detail": ("GET", activity, EVERYONE),
    "agenda:activity-edit": ("GET", activity, CREATOR_AND_EXECUTIVE),
    "agenda:activity-close": ("GET", activity, CREATOR_AND_EXECUTIVE),
    "agenda:activity-cancel": ("POST", boss_activity, EXECUTIVE_ONLY),
    "agenda:activity-attachment-add": (
        "POST",
        activity,
        {"employee": FORM_ERROR, "manager": FORBIDDEN, "executive": FORM_ERROR},
    ),
    "agenda:activity-attachment": ("GET", activity_file, EVERYONE),
    "agenda:activity-attachment-remove": ("POST", activity_file, EXECUTIVE_ONLY),
}
