"""Matrix entries for meeting notes (see tests/test_permission_matrix.py).

The note is the executive's, on a firm the employee represents: everyone reads it (the firm's
row rules), only its author and executives change it, so the employee and the manager get a
403 on the changing URLs. The executive comes last, so deleting the note or its file there does
not spoil the other roles' checks. An empty upload form is a 400.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from agenda.models import MeetingNote, MeetingNoteAttachment
from companies.services.firms import firm_create
from core import choices
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, OK, REDIRECT

CHANGE_ONLY_EXECUTIVE = {"employee": FORBIDDEN, "manager": FORBIDDEN}


def prepare(w):
    with scope(tenant=w.tenant.pk):
        firm = firm_create(
            tenant=w.tenant,
            actor=w.executive.user,
            data={"name": "Matrix Note Firm", "type": "customer", "sales_rep": w.employee},
        )
        w.note = MeetingNote.objects.create(
            tenant=w.tenant,
            firm=firm,
            met_at=timezone.now(),
            channel=choices.options(tenant=w.tenant, key="meeting_channel").first(),
            subject="Matrix note",
            created_by=w.executive,
        )
        w.note_file = MeetingNoteAttachment.objects.create(
            tenant=w.tenant,
            note=w.note,
            file=SimpleUploadedFile("m.pdf", b"%PDF-1.4 matrix"),
            original_name="m.pdf",
            content_type="application/pdf",
            size=15,
            uploaded_by=w.executive,
        )


def note(w):
    return {"pk": w.note.pk}


def note_file(w):
    return {"pk": w.note.pk, "attachment_pk": w.note_file.pk}


MATRIX = {
    "agenda:note-list": ("GET", None, EVERYONE),
    "agenda:note-create": ("GET", None, EVERYONE),
    "agenda:note-contact-options": ("GET", None, EVERYONE),
    "agenda:note-detail": ("GET", note, EVERYONE),
    "agenda:note-edit": ("GET", note, {**CHANGE_ONLY_EXECUTIVE, "executive": OK}),
    "agenda:note-delete": ("POST", note, {**CHANGE_ONLY_EXECUTIVE, "executive": REDIRECT}),
    "agenda:note-attachment-add": (
        "POST",
        note,
        {**CHANGE_ONLY_EXECUTIVE, "executive": FORM_ERROR},
    ),
    "agenda:note-attachment": ("GET", note_file, EVERYONE),
    "agenda:note-attachment-remove": (
        "POST",
        note_file,
        {**CHANGE_ONLY_EXECUTIVE, "executive": REDIRECT},
    ),
}
